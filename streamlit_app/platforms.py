"""The platform table: the raw platform strings of the exports grouped under their platform.

Old extended-history files carry free text with versions and devices ("Android OS 11 API 30
(samsung, SM-G991B)", "iOS 14.7.1 (iPhone10,3)", "Windows 10 (10.0.19041; x64)", "OS X 10.15.7
[x86 8]"); current files use lowercase names ("android", "ios", "osx", "web_player"); partner
devices look like "Partner google cast_tv …". `platform_family` names the platform; a string it
does not recognise is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from streamlit_app.logic import Ranked

# first match wins (Cast before TV: "cast_tv"; TV before Web: "webOS"), on the lowercased string
FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("Android", r"android"),
        ("iOS", r"\bios\b|iphone|ipad|ipod"),
        ("macOS", r"\bos ?x\b|macos|mac os|macintosh"),
        ("Windows", r"windows|\bwin(32|64)\b"),
        ("Linux", r"\blinux\b"),
        ("Chromecast", r"\bcast|chromecast"),
        ("PlayStation", r"playstation|\bps[345]\b"),
        ("Xbox", r"xbox"),
        ("TV", r"\btv\b|_tv\b|tizen|webos|roku|smart ?tv"),
        ("Sonos", r"sonos"),
        ("Smart speaker", r"alexa|\becho\b|amazon|google home|\bnest\b"),
        ("Web player", r"web[ _]?player|^web$"),
    )
)


def platform_family(raw: str) -> str:
    text = raw.strip().lower()
    return next((name for name, pattern in FAMILIES if pattern.search(text)), raw.strip())


def grouped(rows: Iterable[Ranked]) -> list[dict[str, Any]]:
    """Table rows per platform: streams, minutes and how many raw strings it gathers."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        family = platform_family(r.name)
        row = out.setdefault(family, {"platform": family, "streams": 0, "minutes": 0.0, "reported as": 0})
        row["streams"] += r.streams
        row["minutes"] += r.minutes
        row["reported as"] += 1
    shown = sorted(out.values(), key=lambda d: (-d["streams"], -d["minutes"], d["platform"]))
    return [{**d, "minutes": round(d["minutes"])} for d in shown]
