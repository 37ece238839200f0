"""Offline calendar data for planning: school holidays per zone (vacances-scolaires-france)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from ..domain.calendar import Holiday, SchoolCalendar


@lru_cache(maxsize=1)
def school_calendar() -> SchoolCalendar:
    """School holidays of zones A, B and C as intervals, from the packaged offline data."""
    from vacances_scolaires_france import SchoolHolidayDates

    source = SchoolHolidayDates()
    holidays: dict[str, tuple[Holiday, ...]] = {}
    for zone in ("A", "B", "C"):
        key = source.zone_key(zone)
        days = sorted((d, row["nom_vacances"]) for d, row in source.data.items() if row[key])
        intervals: list[Holiday] = []
        for day, name in days:
            last = intervals[-1] if intervals else None
            if last and last.name == name and day - last.end <= timedelta(days=1):
                intervals[-1] = Holiday(name, last.start, day)
            else:
                intervals.append(Holiday(name, day, day))
        holidays[zone] = tuple(intervals)
    # The file runs to 31 December of its last year, but the calendar of a school year
    # is only known once published: trust it up to the end of the last holiday it holds
    # (the last summer), not to the end of the file.
    last_known = max(h.end for intervals in holidays.values() for h in intervals)
    return SchoolCalendar(holidays, date(source.min_year, 1, 1), last_known)
