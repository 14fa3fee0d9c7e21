"""The earshot dashboard (Streamlit). Run: `earshot app` or `streamlit run streamlit_app/app.py`."""

import os
from pathlib import Path

APP_SCRIPT = Path(__file__).resolve().parent / "app.py"


def server_args(host: str, port: int) -> list[str]:
    """`streamlit …` arguments of the dashboard, the same wherever it starts (`earshot app`,
    `earshot run`, compose, the browser test): XSRF protection and CORS on, a strict SameSite
    XSRF cookie, no error details in the browser, the secrets file of `st.login`
    (<repo>/.streamlit/secrets.toml, else ~/.streamlit/secrets.toml), and
    `client.toolbarMode viewer`, which hides the developer options, among them Streamlit's
    "Deploy" button: nothing to deploy to from here."""
    repo = APP_SCRIPT.parent.parent
    secrets = [repo / ".streamlit" / "secrets.toml", Path(os.path.expanduser("~/.streamlit/secrets.toml"))]
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
        "--server.enableXsrfProtection",
        "true",
        "--server.enableCORS",
        "true",
        "--server.xsrfCookieSameSite",
        "strict",
        "--client.showErrorDetails",
        "none",
        *(arg for path in secrets for arg in ("--secrets.files", str(path))),
    ]
