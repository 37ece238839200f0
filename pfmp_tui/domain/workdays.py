"""Working-day arithmetic (Mon–Fri), exact in days: 5 days make a week.

Durations are kept in days (DOMAIN.md: « 4 sem. 2 j » = 22 days) and only
rendered as weeks for people.
"""

from __future__ import annotations

from datetime import date, timedelta

DAYS_PER_WEEK = 5


def working_days(start: date, end: date) -> int:
    """Mon–Fri days from `start` to `end`, both included; 0 if end < start."""
    if end < start:
        return 0
    total_days = (end - start).days + 1
    full_weeks, rest = divmod(total_days, 7)
    count = full_weeks * 5
    weekday = start.weekday()
    for i in range(rest):
        if (weekday + i) % 7 < 5:
            count += 1
    return count


def add_working_days(start: date, days: int) -> date:
    """The date of the `days`-th working day counting `start` as the first (if it is one).

    ``add_working_days(monday, 5)`` is that week's Friday.
    """
    if days <= 0:
        raise ValueError("days must be positive")
    current = start
    while current.weekday() >= 5:
        current += timedelta(days=1)
    remaining = days - 1
    weeks, rest = divmod(remaining, 5)
    current += timedelta(weeks=weeks)
    while rest:
        current += timedelta(days=1)
        if current.weekday() < 5:
            rest -= 1
    return current


def format_days(days: int | None) -> str:
    """« 18 sem. 2 j », « 22 sem. », « 3 j », « 0 j »; « — » for None."""
    if days is None:
        return "—"
    sign = "-" if days < 0 else ""
    weeks, rest = divmod(abs(days), DAYS_PER_WEEK)
    if weeks and rest:
        return f"{sign}{weeks} sem. {rest} j"
    if weeks:
        return f"{sign}{weeks} sem."
    return f"{sign}{rest} j"
