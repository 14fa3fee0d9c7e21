"""Render a Wrapped summary as a shareable PNG (Pillow, which Streamlit already depends on)."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageDraw, ImageFont

W, H = 1080, 1350
BG, FG, ACCENT, MUTED = (18, 18, 18), (255, 255, 255), (30, 215, 96), (170, 170, 170)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def render(summary: dict[str, Any], title: str) -> bytes:
    img = Image.new("RGB", (W, H), BG)
    d = ImageDraw.Draw(img)
    d.text((70, 60), "earshot wrapped", font=_font(40), fill=ACCENT)
    d.text((70, 115), title, font=_font(56), fill=FG)
    d.text((70, 220), f"{summary['minutes']:,} minutes", font=_font(72), fill=ACCENT)
    d.text(
        (70, 310),
        f"{summary['streams']:,} streams · {summary['new_artists']} new artists",
        font=_font(36),
        fill=MUTED,
    )
    y = 400
    for label, key in (("Top artists", "artist"), ("Top tracks", "track")):
        d.text((70, y), label, font=_font(40), fill=FG)
        y += 60
        for i, name in enumerate(summary["top"].get(key, [])[:5], 1):
            d.text((90, y), f"{i}. {name[:40]}", font=_font(34), fill=MUTED)
            y += 48
        y += 30
    d.text((70, y), f"Taste: {summary['taste']}", font=_font(40), fill=ACCENT)
    if summary.get("listening_age"):
        d.text((70, y + 60), f"Listening age: the {summary['listening_age']}", font=_font(36), fill=FG)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
