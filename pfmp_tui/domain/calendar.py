"""School calendar: public holidays (computed) and school holidays (given as data).

Pure: the school-holiday intervals are handed in by the services layer, which reads
them from offline data (vacances-scolaires-france); public holidays of metropolitan
France are computed here, for any year (Easter by the Gregorian computus).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


def easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def public_holidays(year: int) -> dict[date, str]:
    """Jours fériés of metropolitan France (Code du travail, art. L3133-1)."""
    e = easter(year)
    return {
        date(year, 1, 1): "Jour de l'an",
        e + timedelta(days=1): "Lundi de Pâques",
        date(year, 5, 1): "Fête du Travail",
        date(year, 5, 8): "Victoire 1945",
        e + timedelta(days=39): "Ascension",
        e + timedelta(days=50): "Lundi de Pentecôte",
        date(year, 7, 14): "Fête nationale",
        date(year, 8, 15): "Assomption",
        date(year, 11, 1): "Toussaint",
        date(year, 11, 11): "Armistice 1918",
        date(year, 12, 25): "Noël",
    }


def public_holidays_between(start: date, end: date) -> list[tuple[date, str]]:
    out: list[tuple[date, str]] = []
    for year in range(start.year, end.year + 1):
        out += [(d, name) for d, name in public_holidays(year).items() if start <= d <= end]
    return sorted(out)


@dataclass(frozen=True, slots=True)
class Holiday:
    """A school holiday of one zone, from its first to its last day off (inclusive)."""

    name: str
    start: date
    end: date


@dataclass(frozen=True)
class SchoolCalendar:
    """School holidays per zone ("A", "B", "C") and the range the data covers."""

    holidays: dict[str, tuple[Holiday, ...]] = field(default_factory=dict)
    covered_from: date | None = None
    covered_to: date | None = None

    def covers(self, start: date, end: date) -> bool:
        return self.covered_from is not None and self.covered_from <= start and end <= self.covered_to

    def overlapping(self, zone: str, start: date, end: date) -> list[Holiday]:
        return [h for h in self.holidays.get(zone, ()) if h.start <= end and start <= h.end]

    def is_off(self, zone: str, day: date) -> bool:
        return any(h.start <= day <= h.end for h in self.holidays.get(zone, ()))


def fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def period_warnings(start: date, end: date, zone: str | None, calendar: SchoolCalendar) -> list[str]:
    """French warnings for a planned period: school holidays of the cohort's zone it
    overlaps, public holidays it contains, and a note when the data does not cover it."""
    warnings: list[str] = []
    if zone is None:
        warnings.append("zone de vacances de la cohorte non renseignée : vacances scolaires non vérifiées")
    elif not calendar.covers(start, end):
        upto = fr(calendar.covered_to) if calendar.covered_to else "—"
        warnings.append(
            f"vacances scolaires connues jusqu'au {upto} seulement : période non vérifiée au-delà "
            "(mettez à jour le paquet vacances-scolaires-france)"
        )
    if zone is not None:
        for h in calendar.overlapping(zone, start, end):
            warnings.append(f"chevauche « {h.name} » de la zone {zone} (du {fr(h.start)} au {fr(h.end)})")
    for d, name in public_holidays_between(start, end):
        if d.weekday() < 5:
            warnings.append(f"contient un jour férié : {name} ({fr(d)})")
    return warnings
