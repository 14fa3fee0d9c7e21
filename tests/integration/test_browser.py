"""The dashboard in a real headless Chromium: seeded numbers on screen, screenshots, live updates.

Starts `streamlit run streamlit_app/app.py` on a free port with this test session's environment
(its own database), drives Debian's chromium over the DevTools protocol, and saves screenshots
of Live, Overview, Top and Playlists to docs/screenshots/.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.events import utc_now
from streamlit_app.cli import command
from tests.browser_cdp import Browser, free_port
from tests.seed import add_play, seed_known

pytestmark = [pytest.mark.integration, pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def expected(mongo_db: Any) -> dict[str, Any]:
    return seed_known(mongo_db, utc_now())


@pytest.fixture(scope="module")
def app_url(expected: dict[str, Any]) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        command("127.0.0.1", port),  # as `earshot app` starts it
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_pages_show_seeded_numbers_and_live_updates(
    app_url: str, mongo_db: Any, expected: dict[str, Any]
) -> None:
    with Browser(app_url + "/") as b:
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

        b.navigate(app_url + "/overview")
        month = expected["month_totals"]["streams"]
        body = b.wait_for_text("Streams", "vs previous", timeout=30)
        assert f"\n{month + 1:,}\n" in body or f"\n{month:,}\n" in body  # with the fresh play or not
        b.screenshot(SHOTS / "overview.png")

        b.navigate(app_url + "/top")
        first, second = expected["month_tracks"][:2]
        body = b.wait_for_text(first, second, timeout=30)
        assert body.index(first) < body.index(second)
        b.screenshot(SHOTS / "top.png")

        b.navigate(app_url + "/playlists")
        body = b.wait_for_text("Morning Run", "Coverage", "75%", "Acoustic soul", timeout=30)
        b.screenshot(SHOTS / "playlists.png")
