"""`earshot app` builds the right streamlit command and the router lists every page."""

from __future__ import annotations

import argparse
import re

from streamlit_app import APP_SCRIPT
from streamlit_app.cli import command, register


def test_command_binds_host_and_port() -> None:
    argv = command("127.0.0.1", 8599)
    assert argv[1:4] == ["-m", "streamlit", "run"] and argv[4] == str(APP_SCRIPT)
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert argv[argv.index("--server.port") + 1] == "8599"
    assert argv[argv.index("--client.toolbarMode") + 1] == "viewer"  # no "Deploy" button


def test_register_adds_app_command() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["app", "--port", "9000"]).port == 9000


def test_router_pages_exist() -> None:
    source = APP_SCRIPT.read_text()
    pages = re.findall(r'st\.Page\(\s*"([^"]+)"', source)
    assert len(pages) == 11
    for page in pages:
        assert (APP_SCRIPT.parent / page).is_file(), page
