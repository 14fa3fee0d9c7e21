"""Platform strings grouped under their platform, and Spotify track links only for real ids."""

from __future__ import annotations

import pytest

from core.spotify_ids import track_url
from streamlit_app.logic import Ranked
from streamlit_app.platforms import grouped, platform_family


@pytest.mark.parametrize(
    ("raw", "family"),
    [
        ("Android OS 11 API 30 (samsung, SM-G991B)", "Android"),
        ("android", "Android"),
        ("Android-tablet OS 8.1.0 API 27 (HUAWEI, AGS-W09)", "Android"),
        ("iOS 14.7.1 (iPhone10,3)", "iOS"),
        ("ios", "iOS"),
        ("OS X 10.15.7 [x86 8]", "macOS"),
        ("osx", "macOS"),
        ("Windows 10 (10.0.19041; x64)", "Windows"),
        ("windows", "Windows"),
        ("linux", "Linux"),
        ("web_player", "Web player"),
        ("WebPlayer (websocket RFC6455)", "Web player"),
        ("Partner google cast_tv Google;Chromecast", "Chromecast"),
        ("Partner webos_tv LG;TV", "TV"),
        ("Partner sonos_ONE Sonos;One", "Sonos"),
        ("Partner amazon_salmon Amazon;Echo_Dot;", "Smart speaker"),
        ("PS4", "PlayStation"),
        ("podcast thing", "podcast thing"),  # unknown: shown as it is ("cast" inside a word is no Cast)
    ],
)
def test_platform_family(raw: str, family: str) -> None:
    assert platform_family(raw) == family


def test_grouped_sums_the_raw_strings_of_a_platform() -> None:
    rows = [
        Ranked(key="android", name="android", streams=5, minutes=12.4),
        Ranked(key="a11", name="Android OS 11 API 30 (samsung, SM-G991B)", streams=4, minutes=10.0),
        Ranked(key="ios", name="iOS 14.7.1 (iPhone10,3)", streams=7, minutes=20.2),
        Ranked(key="a9", name="Android OS 9 API 28 (samsung, SM-G950F)", streams=1, minutes=3.0),
    ]
    assert grouped(rows) == [
        {"platform": "Android", "streams": 10, "minutes": 25, "reported as": 3},
        {"platform": "iOS", "streams": 7, "minutes": 20, "reported as": 1},
    ]


def test_track_links_only_for_spotify_ids() -> None:
    assert track_url("4uLU6hMCjMI75M1A2tKUQC") == "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
    assert track_url(None) is None
    assert track_url("name:radiohead|creep") is None  # a names-only key (account data)
    assert track_url("t1") is None
