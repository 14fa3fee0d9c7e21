"""Household: shared artists and taste similarity between listeners whose accounts opted in."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import accounts
from streamlit_app import auth, household, logic
from streamlit_app import queries as q

st.title("Household")
account = auth.require_account()
db = q.db()

if account is auth.LOCAL:  # sign-in off: one person at a loopback address, nobody to ask
    owner = {u["_id"]: u["_id"] for u in q.users()}
else:
    agreed = st.toggle(
        "Take part: compare my listening with the household's (only with others who agreed)",
        value=account.household,
        key="household-consent",
    )
    if agreed != account.household:
        accounts.set_household(db, account.name, agreed)
        st.rerun()
    if not agreed:
        st.info(
            "You have not joined the household view: nobody sees your listening here, and you see nobody's."
        )
        st.stop()
    owner = household.listeners(accounts.every(db))

known = {u["_id"]: u.get("display_name") or u["_id"] for u in q.users()}
pairs = household.pairs({m: a for m, a in owner.items() if m in known})
if not pairs:
    st.info("Nobody else has joined yet: the comparison appears once two people have agreed.")
    st.stop()

members = sorted({m for pair in pairs for m in pair})
artists = {m: q.artist_streams(m) for m in members}
means = {m: logic.feature_means(q.taste_profile(m)) for m in members}
table = pd.DataFrame(
    [
        {
            "listener": known[a],
            "and": known[b],
            "shared artists": len(household.shared(artists[a], artists[b], n=None)),
            "artist affinity %": household.artist_affinity(artists[a], artists[b]),
            "sound similarity %": logic.similarity(means[a], means[b]),
        }
        for a, b in pairs
    ]
).sort_values("artist affinity %", ascending=False)
st.dataframe(table, hide_index=True)

labels = {f"{known[a]} & {known[b]}": (a, b) for a, b in pairs}
chosen = st.selectbox("Shared artists of", list(labels), key="household-pair")
a, b = labels[chosen]
rows = household.shared(artists[a], artists[b])
if rows:
    st.dataframe(
        pd.DataFrame(rows, columns=["artist", f"{known[a]} streams", f"{known[b]} streams"]), hide_index=True
    )
else:
    st.caption("No artist in common yet.")
