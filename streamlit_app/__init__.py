"""The earshot dashboard (Streamlit). Run: `earshot app` or `streamlit run streamlit_app/app.py`."""

from pathlib import Path

APP_SCRIPT = Path(__file__).resolve().parent / "app.py"


def server_args(host: str, port: int) -> list[str]:
    """`streamlit …` arguments of the dashboard, the same wherever it starts (`earshot app`,
    `earshot run`, compose, the browser test). `client.toolbarMode viewer` hides the developer
    options, among them Streamlit's "Deploy" button: nothing to deploy to from here."""
    return [
        "run",
        str(APP_SCRIPT),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]
