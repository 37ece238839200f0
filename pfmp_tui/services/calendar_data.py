"""Offline calendar data for planning: school holidays per zone (vacances-scolaires-france)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from ..domain.calendar import Holiday, SchoolCalendar


def _holiday_dates():
    """The library's holiday dates, its CSV read with `date.fromisoformat` (its own
    reader calls `strptime` 14,000 times: most of `pfmp period add`'s time)."""
    import csv
    import os

    from vacances_scolaires_france import SchoolHolidayDates

    class FastHolidayDates(SchoolHolidayDates):
        def load_data(self) -> None:
            import vacances_scolaires_france as package

            keys = [self.zone_key(zone) for zone in self.SUPPORTED_ZONES]
            with open(os.path.join(os.path.dirname(package.__file__), "data", "data.csv"), encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    for key in keys:
                        row[key] = row[key] == "True"
                    if any(row[key] for key in keys):
                        if not row["nom_vacances"]:
                            raise ValueError("Holiday name not set for date: " + row["date"])
                        row["date"] = date.fromisoformat(row["date"])
                        self.data[row["date"]] = row

    return FastHolidayDates()


@lru_cache(maxsize=1)
def school_calendar() -> SchoolCalendar:
    """School holidays of zones A, B and C as intervals, from the packaged offline data."""
    source = _holiday_dates()
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
