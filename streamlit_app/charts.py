"""Altair charts of the dashboard (pure: data frames in, charts out)."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def over_time(frame: pd.DataFrame, measure: str) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("period:N", title=None, sort=None),
            y=alt.Y(f"{measure}:Q", title=measure),
            tooltip=["period", "streams", alt.Tooltip("minutes:Q", format=",.0f")],
        )
        .properties(height=260)
    )


def interest(frame: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_area(line=True, opacity=0.4)
        .encode(
            x=alt.X("period:N", title=None, sort=None), y=alt.Y("streams:Q"), tooltip=["period", "streams"]
        )
        .properties(height=220)
    )


def hour_weekday(cells: list[dict]) -> alt.Chart:
    frame = pd.DataFrame(cells)
    frame["day"] = frame["weekday"].map(lambda i: WEEKDAYS[int(i)])
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="hour"),
            y=alt.Y("day:N", sort=WEEKDAYS, title=None),
            color=alt.Color("streams:Q", scale=alt.Scale(scheme="greens")),
            tooltip=["day", "hour", "streams", alt.Tooltip("minutes:Q", format=",.0f")],
        )
        .properties(height=220)
    )


def calendar(frame: pd.DataFrame) -> alt.Chart:
    """Calendar heatmap: one square per day, weeks across, weekdays down."""
    days = pd.to_datetime(frame["period"])
    frame = frame.assign(week=days.dt.strftime("%G-W%V"), day=days.dt.weekday.map(lambda i: WEEKDAYS[i]))
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("week:O", title=None, axis=alt.Axis(labels=False)),
            y=alt.Y("day:N", sort=WEEKDAYS, title=None),
            color=alt.Color("streams:Q", scale=alt.Scale(scheme="greens")),
            tooltip=["period", "streams"],
        )
        .properties(height=160)
    )


def radar(profiles: dict[str, dict[str, float]], features: tuple[str, ...]) -> alt.Chart:
    """A radar (spider) chart drawn as closed lines in x/y, one per profile."""
    rows = []
    for name, means in profiles.items():
        for i, f in enumerate((*features, features[0])):
            angle = 2 * math.pi * (i % len(features)) / len(features)
            v = float(means.get(f) or 0.0)
            rows.append(
                {
                    "profile": name,
                    "feature": f,
                    "value": round(v, 3),
                    "order": i,
                    "x": v * math.sin(angle),
                    "y": v * math.cos(angle),
                }
            )
    axes = [
        {
            "feature": f,
            "x": 1.1 * math.sin(2 * math.pi * i / len(features)),
            "y": 1.1 * math.cos(2 * math.pi * i / len(features)),
        }
        for i, f in enumerate(features)
    ]
    scale = alt.Scale(domain=[-1.3, 1.3])
    lines = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("x:Q", scale=scale, axis=None),
            y=alt.Y("y:Q", scale=scale, axis=None),
            color=alt.Color("profile:N"),
            order="order:Q",
            tooltip=["profile", "feature", "value"],
        )
    )
    labels = (
        alt.Chart(pd.DataFrame(axes))
        .mark_text(fontSize=11)
        .encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="feature:N")
    )
    return (lines + labels).properties(width=380, height=380)


def shares(shares: dict[str, float], what: str) -> alt.Chart:
    frame = pd.DataFrame({what: list(shares), "share": list(shares.values())})
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(x=alt.X("share:Q", axis=alt.Axis(format="%")), y=alt.Y(f"{what}:N", sort="-x", title=None))
        .properties(height=max(80, 22 * len(frame)))
    )
