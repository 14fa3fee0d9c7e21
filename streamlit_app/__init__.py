"""The earshot dashboard (Streamlit). Run: `earshot app` or `streamlit run streamlit_app/app.py`."""

from pathlib import Path

APP_SCRIPT = Path(__file__).resolve().parent / "app.py"
