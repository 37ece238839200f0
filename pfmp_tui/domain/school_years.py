"""School years and the class year of a placement (R1 spread, R17 allocation).

A school year runs from 1 September to 31 August and is named by its two calendar
years, « 2026-2027 »; in code it is the year it starts in (2026).

The class year of a placement is read from the learner's cohort (its exam session)
and cycle (Annexe III: R1 three years, R2 two years):
- the exam session's school year is the year of terminale: a session 2027 ends the
  school year 2026-2027, so 2026-2027 is terminale, 2025-2026 première and, in a
  3-year cycle, 2024-2025 seconde;
- a 2-year cycle (R2) starts in première: it has no seconde;
- a placement may name its class year explicitly (redoublement, arrival in
  première): that wins.
A placement outside the cycle's years has no class year (None): nothing decides its
rate, and the allocation says so rather than guessing.
Pure: no I/O.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from .model import Cohort, Placement, Student
from .workdays import working_days

SCHOOL_YEAR_START_MONTH = 9  # 1 September


def school_year_of(day: date) -> int:
    """The school year holding `day`, as the year it starts in (01/09/2026 → 2026)."""
    return day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}"


def school_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of school year `year` (1 September … 31 August)."""
    return date(year, SCHOOL_YEAR_START_MONTH, 1), date(year + 1, SCHOOL_YEAR_START_MONTH - 1, 31)


def parse_school_year(text: str) -> int:
    """« 2026-2027 » → 2026; ValueError with a French message otherwise."""
    m = re.fullmatch(r"\s*(\d{4})\s*[-/]\s*(\d{4})\s*", text or "")
    if not m or int(m[2]) != int(m[1]) + 1:
        raise ValueError(f"année scolaire invalide « {text} » (attendu par exemple 2026-2027)")
    return int(m[1])


def cycle_class_years(student: Student) -> tuple[str, ...]:
    """The class years of the learner's cycle, first to last (R1: 3 years; R2: 2)."""
    if student.cycle_years == 2:
        return ("premiere", "terminale")
    return ("seconde", "premiere", "terminale")


def cohort_class_year(cohort: Cohort, student: Student, school_year: int) -> str | None:
    """The class year the cohort reading gives in `school_year`, None outside the cycle."""
    years = cycle_class_years(student)
    index = len(years) - 1 - (cohort.exam_session - 1 - school_year)
    return years[index] if 0 <= index < len(years) else None


def placement_class_year(cohort: Cohort, student: Student, placement: Placement) -> str | None:
    """The placement's class year: its explicit `class_year`, else the cohort's reading."""
    if placement.class_year is not None:
        return placement.class_year
    return cohort_class_year(cohort, student, school_year_of(placement.start))


def cycle_school_years(cohort: Cohort, student: Student) -> list[int]:
    """The school years of the learner's cycle, first to last."""
    last = cohort.exam_session - 1
    return list(range(last - len(cycle_class_years(student)) + 1, last + 1))


def days_per_school_year(placements: Iterable[Placement]) -> dict[int, int]:
    """Working days planned per school year (by each placement's start), oldest first (R1)."""
    totals: dict[int, int] = defaultdict(int)
    for p in placements:
        totals[school_year_of(p.start)] += working_days(p.start, p.end)
    return dict(sorted(totals.items()))
