"""The dashboard in a real headless Chromium: sign-in, seeded numbers on screen, live updates, the
first screens after importing an old history (through the importer, Kafka, Spark and a catalog
loaded after it: tests/imported.py) opened by URL, and logs without secrets.

Starts `earshot app` (the Streamlit command line `earshot run` uses) on a free port with this test
session's environment (its own database), logging to a file; drives Debian's chromium over the
DevTools protocol: nothing shows before signing in, a wrong password is refused, then the account
signs in (again after each URL load: a new browser session). Saves screenshots of Sign in, Live
and Playlists (seeded) and of Overview, Top and Wrapped (the imported history) to
docs/screenshots/. Last, the run's log is searched for the password and its hash.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core import accounts
from core.collections import Coll
from core.events import utc_now
from tests.browser_cdp import Browser, free_port
from tests.imported import USER as IMPORTED
from tests.imported import import_then_load
from tests.seed import USER, add_play, seed_known

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.spark]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


ACCOUNT, PASSWORD = "alice", "Tr0ub4dor&3-horse-staple"


@pytest.fixture(scope="module")
def expected(mongo_db: Any) -> dict[str, Any]:
    accounts.add(mongo_db, ACCOUNT, PASSWORD, owns=[USER, IMPORTED])
    return seed_known(mongo_db, utc_now())


@pytest.fixture(scope="module")
def history(stack, spark, mongo_db, tmp_path_factory, checkpoint_root) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return import_then_load(stack, spark, tmp_path_factory.mktemp("browser-history"), checkpoint_root)


@pytest.fixture(scope="module")
def app_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("app") / "app.log"


@pytest.fixture(scope="module")
def app_url(expected: dict[str, Any], history: dict[str, Any], app_log: Path) -> Iterator[str]:
    port = free_port()
    with app_log.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "earshot.cli", "app", "--port", str(port)],
            env=dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # `earshot app` and its Streamlit child: one group to stop
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the Streamlit app did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def sign_in(b: Browser, password: str = PASSWORD) -> None:
    b.wait_for_text("Sign in", "Password", timeout=60)
    b.fill("Account", ACCOUNT)
    b.fill("Password", password)
    b.click_button("Sign in")


def test_pages_show_seeded_numbers_and_live_updates(
    app_url: str, mongo_db: Any, expected: dict[str, Any]
) -> None:
    with Browser(app_url + "/") as b:
        body = b.wait_for_text("Sign in", "Password", timeout=60)
        assert "Let Down" not in body and "Streams today" not in body and "Overview" not in body
        b.screenshot(SHOTS / "sign_in.png")
        sign_in(b, "not-my-password")
        b.wait_for_text("Wrong account name or password.", timeout=30)
        sign_in(b)
        body = b.wait_for_text("Streams today", "Let Down", "No Surprises", timeout=60)
        assert expected["top_artist_today"] in body
        assert "Deploy" not in body  # client.toolbarMode viewer
        assert f"\n{expected['day_totals']['streams']:,}\n" in body
        b.screenshot(SHOTS / "live.png")

        # a play the pipeline writes now (play + its day's rollups) appears without a reload
        assert "Pagan Poetry" not in body
        add_play(mongo_db, 99, utc_now() - timedelta(seconds=1))
        start = time.monotonic()
        b.wait_for_text("Pagan Poetry", timeout=8)
        assert time.monotonic() - start < 8

        b.navigate(app_url + "/overview?user=alice")
        sign_in(b)  # a page load is a new session
        month = expected["month_totals"]["streams"]
        body = b.wait_for_text("Streams", "vs previous", timeout=30)
        assert f"\n{month + 1:,}\n" in body or f"\n{month:,}\n" in body  # with the fresh play or not

        b.navigate(app_url + "/top?user=alice")
        sign_in(b)
        first, second = expected["month_tracks"][:2]
        body = b.wait_for_text(first, second, timeout=30)
        assert body.index(first) < body.index(second)

        b.navigate(app_url + "/playlists")
        sign_in(b)
        body = b.wait_for_text("Morning Run", "Coverage", "75%", "Acoustic soul", timeout=30)
        b.screenshot(SHOTS / "playlists.png")


def test_the_runs_log_never_shows_the_password_or_its_hash(
    app_url: str, app_log: Path, mongo_db: Any
) -> None:
    """After the sign-ins above (one with a wrong password): the log has them, the secrets not."""
    text = app_log.read_text(errors="replace")
    assert f"account '{ACCOUNT}' signed in" in text  # the log is the app's, and it logs sign-ins
    assert f"wrong password for account '{ACCOUNT}'" in text
    stored = mongo_db[Coll.ACCOUNTS.value].find_one({"_id": ACCOUNT})["password_hash"]
    for secret in (PASSWORD, stored, stored.rsplit("$", 1)[-1]):
        assert secret not in text


def test_an_imported_old_history_opens_on_its_latest_period(app_url: str, history: dict[str, Any]) -> None:
    may = history["may_music"]
    with Browser(f"{app_url}/overview?user={IMPORTED}") as b:
        sign_in(b)
        body = b.wait_for_text("showing May 2024", "Audiobooks: plays", timeout=60)
        assert f"\n{may['streams']:,}\n" in body and "No plays in this period" not in body
        b.screenshot(SHOTS / "overview.png")

        b.navigate(f"{app_url}/overview?user={IMPORTED}&period=2024-04")  # a shared link
        sign_in(b)
        body = b.wait_for_text("2024-04-01 – 2024-04-30", "Podcasts: plays", timeout=30)
        assert "showing May 2024" not in body

        b.navigate(f"{app_url}/top?user={IMPORTED}")
        sign_in(b)
        body = b.wait_for_text("showing May 2024", "Song ", timeout=30)
        assert "No tracks in this period" not in body
        b.screenshot(SHOTS / "top.png")

        b.navigate(f"{app_url}/wrapped?user={IMPORTED}")
        sign_in(b)
        body = b.wait_for_text("showing 2024", "Top Genres", "Audio features known for", timeout=30)
        assert "Nothing to wrap" not in body
        b.screenshot(SHOTS / "wrapped.png")
