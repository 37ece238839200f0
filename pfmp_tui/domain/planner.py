"""Planning PFMP periods for a cohort (DOMAIN.md R1–R5) and placing learners.

Pure functions: the school calendar comes in as data (`SchoolCalendar`).

The planner proposes, for each school year of the cycle, blocks of whole weeks
(Monday to Friday) that avoid the school holidays of the cohort's zone, spread
between October and May; the user accepts, adjusts or rejects them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from .calendar import SchoolCalendar, period_warnings
from .model import Period, Placement, Student
from .requirements import required_days
from .workdays import working_days

# Code de l'éducation, art. D124-3 (PFMP and stages): a teacher follows at most
# 16 learners at the same time.
MAX_LEARNERS_PER_TEACHER = 16
MAX_BLOCK_WEEKS = 4
# Within a school year, periods are placed from October (the class has settled)
# to the end of May (before the June exams).
YEAR_WINDOW = ((10, 1), (5, 31))


@dataclass(frozen=True, slots=True)
class ProposedPeriod:
    label: str
    start: date
    end: date
    working_days: int
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VoieTotal:
    """Planned days against a requirement, for one requirement present in the cohort."""

    rule: str
    required_days: int
    planned_days: int
    students: int

    @property
    def enough(self) -> bool:
        return self.planned_days >= self.required_days


def split_weeks(weeks: int) -> list[int]:
    """Blocks of at most MAX_BLOCK_WEEKS, as even as possible: 8 → [4, 4], 6 → [3, 3], 7 → [4, 3]."""
    if weeks <= 0:
        return []
    blocks = -(-weeks // MAX_BLOCK_WEEKS)
    base, extra = divmod(weeks, blocks)
    return [base + 1] * extra + [base] * (blocks - extra)


def _monday_on_or_after(d: date) -> date:
    return d + timedelta(days=(7 - d.weekday()) % 7)


def _block(monday: date, weeks: int) -> tuple[date, date]:
    return monday, monday + timedelta(weeks=weeks, days=-3)  # ends on the last Friday


def _clashes(start: date, end: date, zone: str | None, calendar: SchoolCalendar, taken: list[tuple[date, date]]) -> bool:
    if any(s <= end and start <= e for s, e in taken):
        return True
    return bool(zone and calendar.overlapping(zone, start, end))


def propose_periods(
    cycle_start: date,
    weeks_per_year: Iterable[int],
    zone: str | None,
    calendar: SchoolCalendar,
    label_prefix: str = "PFMP",
) -> list[ProposedPeriod]:
    """Periods reaching `weeks_per_year[i]` weeks in school year i of the cycle.

    `cycle_start` is any day of the first school year (its September). Each year's
    weeks are cut into blocks (`split_weeks`) anchored evenly between October and
    May; each block takes the nearest Monday from its anchor whose weeks avoid the
    zone's school holidays and the other blocks.
    """
    first_year = cycle_start.year if cycle_start.month >= 8 else cycle_start.year - 1
    proposals: list[ProposedPeriod] = []
    taken: list[tuple[date, date]] = []
    number = 0
    for i, weeks in enumerate(weeks_per_year):
        year = first_year + i
        (m1, d1), (m2, d2) = YEAR_WINDOW
        window_start = _monday_on_or_after(date(year, m1, d1))
        window_end = date(year + 1, m2, d2)
        blocks = split_weeks(weeks)
        span = (window_end - window_start).days
        for j, block_weeks in enumerate(blocks):
            anchor = _monday_on_or_after(window_start + timedelta(days=span * j // max(len(blocks), 1)))
            chosen = None
            # Search forward from the anchor, then backward, one week at a time.
            for offset in _offsets(anchor, window_start, window_end):
                start, end = _block(anchor + timedelta(weeks=offset), block_weeks)
                if start < window_start or end > window_end:
                    continue
                if not _clashes(start, end, zone, calendar, taken):
                    chosen = (start, end)
                    break
            if chosen is None:  # no clean slot: the anchor itself, with its warnings
                chosen = _block(anchor, block_weeks)
            taken.append(chosen)
            number += 1
            start, end = chosen
            proposals.append(
                ProposedPeriod(
                    label=f"{label_prefix} {number} ({year}-{year + 1})",
                    start=start,
                    end=end,
                    working_days=working_days(start, end),
                    warnings=tuple(period_warnings(start, end, zone, calendar)),
                )
            )
    return sorted(proposals, key=lambda p: p.start)


def _offsets(anchor: date, lo: date, hi: date) -> Iterable[int]:
    forward = (hi - anchor).days // 7 + 1
    backward = (anchor - lo).days // 7 + 1
    yield from range(0, forward)
    yield from range(-1, -backward - 1, -1)


def totals_by_requirement(students: Iterable[Student], planned_days: int) -> list[VoieTotal]:
    """For each duration requirement present among `students` (R1–R5, dérogations
    included), the planned days of the cohort's periods against it."""
    groups: dict[tuple[str, int], int] = {}
    for s in students:
        days, rule = required_days(s)
        if days is not None:
            groups[(rule, days)] = groups.get((rule, days), 0) + 1
    return [VoieTotal(rule, days, planned_days, n) for (rule, days), n in sorted(groups.items())]


def overlapping_placements(placements: Iterable[Placement]) -> list[tuple[Placement, Placement]]:
    """Pairs of placements of the same learner whose dates overlap."""
    by_student: dict[str, list[Placement]] = {}
    for p in placements:
        by_student.setdefault(p.student_id, []).append(p)
    pairs: list[tuple[Placement, Placement]] = []
    for items in by_student.values():
        items.sort(key=lambda p: (p.start, p.id))
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if b.start > a.end:
                    break
                pairs.append((a, b))
    return pairs


def teacher_peaks(placements: Iterable[Placement]) -> dict[str, tuple[int, date]]:
    """For each teacher, the most learners followed on one day and the first such day."""
    events: dict[str, list[tuple[date, int]]] = {}
    for p in placements:
        if p.teacher:
            events.setdefault(p.teacher, []).extend([(p.start, 1), (p.end + timedelta(days=1), -1)])
    peaks: dict[str, tuple[int, date]] = {}
    for teacher, evs in events.items():
        evs.sort(key=lambda e: (e[0], e[1]))  # departures (-1) before arrivals on the same day
        current, best, best_day = 0, 0, evs[0][0]
        for day, delta in evs:
            current += delta
            if current > best:
                best, best_day = current, day
        peaks[teacher] = (best, best_day)
    return peaks


def overloaded_teachers(placements: Iterable[Placement]) -> dict[str, tuple[int, date]]:
    """Teachers following more than MAX_LEARNERS_PER_TEACHER learners at once."""
    return {t: peak for t, peak in teacher_peaks(placements).items() if peak[0] > MAX_LEARNERS_PER_TEACHER}


def unplaced_students(period: Period, students: Iterable[Student], placements: Iterable[Placement],
                      placeholder_organisation: str) -> list[Student]:
    """Learners of the period's cohort who need PFMP weeks (R1–R5) and have no placement
    in it, or only one whose organisation is still to be found. Apprentices and the
    voies proved by certificates (R6–R8) do no PFMP: they are never « unplaced »."""
    placed = {
        p.student_id
        for p in placements
        if p.period_id == period.id and p.organisation_id != placeholder_organisation
    }
    return [
        s
        for s in students
        if s.cohort_id == period.cohort_id and s.id not in placed and required_days(s)[0] is not None
    ]
