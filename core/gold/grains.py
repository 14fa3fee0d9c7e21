"""The grain hierarchy of the gold layer: day → month → year → all, written once.

>>> parent_period("day", "2024-05-01"), parent_period("month", "2024-05"), parent_period("year", "2024")
('2024-05', '2024', 'all')
>>> above("day", "2024-05-01")
('month', '2024-05')
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from typing import Literal

Grain = Literal["day", "month", "year", "all"]
GRAINS: tuple[Grain, ...] = ("day", "month", "year", "all")
PARENT: dict[str, Grain] = {"day": "month", "month": "year", "year": "all"}
CHILD: dict[str, Grain] = {"all": "year", "year": "month", "month": "day"}


def parent_period(grain: str, period: str) -> str:
    """The period one level up: day '2024-05-01' → month '2024-05' → year '2024' → 'all'."""
    return {"day": period[:7], "month": period[:4], "year": "all"}[grain]


def above(grain: str, period: str) -> tuple[str, str]:
    """(grain, period) of the document whose `series` holds this period."""
    return PARENT[grain], parent_period(grain, period)


def child_periods(grain: str, period: str, years: Iterable[str] = ()) -> list[str]:
    """Every possible child period of a month (its days) or a year (its months); for 'all' the
    given `years` (the ones that exist: the stored all-time series plus the touched years)."""
    if grain == "month":
        y, m = int(period[:4]), int(period[5:7])
        return [f"{period}-{d:02d}" for d in range(1, calendar.monthrange(y, m)[1] + 1)]
    if grain == "year":
        return [f"{period}-{m:02d}" for m in range(1, 13)]
    return sorted(set(years))
