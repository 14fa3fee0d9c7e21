"""Pipeline: health of each component, Kafka lag, dead letters, last poll, notifications."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.events import utc_now
from streamlit_app import auth, ui
from streamlit_app import queries as q

STALE_SECONDS = 30

st.title("Pipeline")
user = ui.select_user()
now = utc_now()
health = q.health()
if not health:
    ui.empty("No component has reported yet. Start the pipeline with `earshot run`.")
else:
    rows = []
    for h in sorted(health, key=lambda d: d["_id"]):
        age = (now - h["updated_at"]).total_seconds()
        status = h.get("status", "?") if age <= STALE_SECONDS else "stale"
        rows.append(
            {
                "component": h["_id"],
                "kind": h.get("kind"),
                "status": status,
                "last beat (s ago)": round(age),
                "details": str(h.get("details") or "")[:120],
            }
        )
    frame = pd.DataFrame(rows)
    st.metric("Components ok", f"{(frame['status'] == 'ok').sum()} / {len(frame)}")
    st.dataframe(frame, hide_index=True, width="stretch")
    lag = [h for h in health if h.get("kind") == "kafka_lag"]
    for h in lag:
        st.caption(f"Kafka lag ({h['_id']}): {h.get('details')}")

if user:
    poll = (user.get("spotify") or {}).get("last_poll_at")
    st.caption(
        f"Last Spotify poll for {user['_id']}: {poll:%Y-%m-%d %H:%M:%S} UTC"
        if poll
        else f"{user['_id']} has no Spotify poll yet (connect on the Settings page)."
    )

st.subheader("Dead letters")
admin = auth.is_admin()
dead = q.dead_letters() if admin else []  # rejected input of every listener: admins only
if dead:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "failed_at": d.get("failed_at"),
                    "stage": d.get("stage"),
                    "reason": d.get("reason"),
                    "topic": d.get("source_topic"),
                }
                for d in dead
            ]
        ),
        hide_index=True,
        width="stretch",
    )
elif not admin:
    st.caption("Dead letters (rejected input of every listener) are shown to admins.")
else:
    st.caption("No dead letters: nothing has been rejected.")

st.subheader("Notifications")
notes = q.notifications(user["_id"]) if user else []
if notes:
    for n in notes:
        st.markdown(
            f"**{n.get('title')}** · {n.get('severity')} · {n.get('created_at'):%Y-%m-%d %H:%M}  \n"
            f"{n.get('body', '')}"
        )
else:
    st.caption("No notifications.")
