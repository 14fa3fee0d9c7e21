"""earshot dashboard — the router. Run: `earshot app` (or `streamlit run streamlit_app/app.py`).

Nobody signed in: no navigation, and every page shows the sign-in form in its place
(streamlit_app/auth.py), so a link to /overview opens Overview once signed in.
"""

import streamlit as st

from streamlit_app import auth, guard

st.set_page_config(page_title="earshot", page_icon=":material/headphones:", layout="wide")
guard.check_app()

PAGES = {
    "Listening": [
        st.Page("pages/live.py", title="Live", icon=":material/radio_button_checked:", default=True),
        st.Page("pages/overview.py", title="Overview", icon=":material/monitoring:", url_path="overview"),
        st.Page("pages/top.py", title="Top", icon=":material/trophy:", url_path="top"),
        st.Page("pages/habits.py", title="Habits", icon=":material/calendar_month:", url_path="habits"),
        st.Page(
            "pages/wrapped.py",
            title="Wrapped",
            icon=":material/featured_seasonal_and_gifts:",
            url_path="wrapped",
        ),
        st.Page("pages/discover.py", title="Discover", icon=":material/explore:", url_path="discover"),
    ],
    "Library": [
        st.Page("pages/playlists.py", title="Playlists", icon=":material/queue_music:", url_path="playlists"),
        st.Page("pages/import_export.py", title="Import", icon=":material/upload_file:", url_path="import"),
    ],
    "System": [
        st.Page("pages/pipeline.py", title="Pipeline", icon=":material/monitor_heart:", url_path="pipeline"),
        st.Page("pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"),
    ],
}
PAGES["Listening"].append(
    st.Page("pages/household.py", title="Household", icon=":material/group:", url_path="household")
)

st.navigation(PAGES, position="sidebar" if auth.current() else "hidden").run()
