"""Periods of the dashboard: presets, custom ranges and the rollup documents that cover them.

Pure date logic (no Streamlit, no MongoDB), unit-tested:

    p = preset("month", today=date(2024, 5, 17))       # 2024-05-01 … 2024-05-31
    cover(p.start, p.end)   # [('month', '2024-05')] — fewest rollup documents for the range
    cover(first, today, first, today)   # [('all', 'all')]
    previous(p)             # 2024-04-01 … 2024-04-30
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PRESETS = ("today", "this week", "this month", "this year", "all time")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def preset(name: str, today: date, first: date | None = None) -> Period:
    """The period a preset names, relative to the user's local `today`."""
    if name == "today":
        return Period(today, today, "today")
    if name == "this week":
        start = today - timedelta(days=today.weekday())
        return Period(start, start + timedelta(days=6), "this week")
    if name == "this month":
        return Period(today.replace(day=1), _month_end(today), "this month")
    if name == "this year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), "this year")
    if name == "all time":
        return Period(first or today, today, "all time")
    raise ValueError(f"unknown period preset {name!r} (one of {', '.join(PRESETS)})")


def previous(period: Period) -> Period:
    """The period of the same kind just before: previous month/year for whole ones, else same length."""
    s, e = period.start, period.end
    if s.day == 1 and e == _month_end(e):
        if s.month == 1 and e.month == 12:
            return Period(date(s.year - (e.year - s.year + 1), 1, 1), date(s.year - 1, 12, 31))
        months = (e.year - s.year) * 12 + e.month - s.month + 1
        y, m = divmod(s.year * 12 + s.month - 1 - months, 12)
        ps = date(y, m + 1, 1)
        return Period(ps, s - timedelta(days=1))
    return Period(s - timedelta(days=period.days), s - timedelta(days=1))


def cover(
    start: date, end: date, first: date | None = None, last: date | None = None
) -> list[tuple[str, str]]:
    """(grain, period) keys of the fewest rollup documents that add up to start…end (inclusive).

    With the days of the first and last possible play (`first`, `last`), a range holding them
    both is the all-time document."""
    if first and last and start <= first and end >= last:
        return [("all", "all")]
    keys: list[tuple[str, str]] = []
    d = start
    while d <= end:
        if d.month == 1 and d.day == 1 and date(d.year, 12, 31) <= end:
            keys.append(("year", f"{d.year:04d}"))
            d = date(d.year + 1, 1, 1)
        elif d.day == 1 and _month_end(d) <= end:
            keys.append(("month", f"{d.year:04d}-{d.month:02d}"))
            d = _month_end(d) + timedelta(days=1)
        else:
            keys.append(("day", d.isoformat()))
            d += timedelta(days=1)
    return keys


def series_keys(start: date, end: date, by: str) -> list[tuple[str, str]]:
    """Keys for a chart over start…end by 'day', 'week' (days, grouped later) or 'month'."""
    if by == "month":
        out, d = [], start.replace(day=1)
        while d <= end:
            out.append(("month", f"{d.year:04d}-{d.month:02d}"))
            d = _month_end(d) + timedelta(days=1)
        return out
    return [("day", (start + timedelta(days=i)).isoformat()) for i in range((end - start).days + 1)]


def week_of(day: str) -> str:
    """ISO week label 'YYYY-Www' of a 'YYYY-MM-DD' day."""
    y, w, _ = date.fromisoformat(day).isocalendar()
    return f"{y}-W{w:02d}"


def to_param(choice: str, period: Period) -> str:
    """The URL query value of a picked period: a preset's slug ('this-month') or 'start..end'."""
    if choice in PRESETS:
        return choice.replace(" ", "-")
    return f"{period.start.isoformat()}..{period.end.isoformat()}"


def from_param(text: str | None) -> tuple[str, tuple[date, date] | None] | None:
    """(preset or 'custom', its range) from a URL query value: a preset slug, 'YYYY-MM-DD..YYYY-MM-DD',
    a month 'YYYY-MM' or a year 'YYYY'; None when it is none of these."""
    value = (text or "").strip().lower()
    if value.replace("-", " ") in PRESETS:
        return value.replace("-", " "), None
    try:
        if ".." in value:
            start, end = (date.fromisoformat(v) for v in value.split("..", 1))
        elif len(value) == 7:
            start = date.fromisoformat(f"{value}-01")
            end = _month_end(start)
        elif len(value) == 4 and value.isdigit():
            start, end = date(int(value), 1, 1), date(int(value), 12, 31)
        else:
            return None
    except ValueError:
        return None
    return ("custom", (start, end)) if start <= end else None


def latest_with_plays(default: str, last: date) -> Period:
    """The period to open on when the `default` preset has no plays: the year (for 'this year')
    or else the month of the last play."""
    if default == "this year":
        return Period(date(last.year, 1, 1), date(last.year, 12, 31), str(last.year))
    start = last.replace(day=1)
    return Period(start, _month_end(start), start.strftime("%B %Y"))
