"""The demo school's calendar: cohorts of a three-year cycle and their six PFMP periods (R1), FPC blocks (R5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ...domain.model import Cohort, Period
from ...domain.workdays import add_working_days
from .draft import SchoolDraft

HOLIDAY_ZONE = "B"  # académie de Rennes
FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                 "octobre", "novembre", "décembre")

# The six PFMP periods of a three-year cycle (R1: 22 weeks over several periods):
# (number, class year 0 = 2nde / 1 = 1re / 2 = Tle, anchor month, anchor day, weeks).
# A period starts on the Monday on or after its anchor and lasts whole weeks.
PERIOD_PLAN = (
    (1, 0, 1, 5, 3),
    (2, 0, 5, 25, 3),
    (3, 1, 11, 16, 4),
    (4, 1, 3, 15, 4),
    (5, 2, 9, 14, 4),
    (6, 2, 1, 11, 4),
)
CLASS_NAMES = ("2nde", "1re", "Tle")
# FPC (R5, 22 weeks in the exam year, outside the cohort's periods):
# (anchor month, anchor day, weeks); Sep–Dec in the exam year's first calendar year.
FPC_BLOCKS = ((9, 21, 5), (11, 9, 6), (1, 4, 6), (3, 1, 5))


def monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def friday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7)


def weeks_span(anchor: date, weeks: int) -> tuple[date, date]:
    start = monday_on_or_after(anchor)
    return start, add_working_days(start, weeks * 5)


@dataclass(frozen=True, slots=True)
class CohortPlan:
    role: str  # "2nde" | "1re" | "tle" | "prev"
    cohort: Cohort
    periods: dict[int, Period]  # by PFMP number

    @property
    def cycle_start(self) -> int:
        """Calendar year in which the cohort entered 2nde."""
        return self.cohort.exam_session - 3


def build_cohorts(draft: SchoolDraft, divisions: dict[str, int] | None = None) -> dict[str, list[CohortPlan]]:
    """The cohorts around `draft.today` (school year from September), by role, with their periods.

    A role (2nde, 1re, Tle, previous session) has `divisions[role]` divisions (one by
    default): a single one keeps the level's id and label (« 2nde AGOrA »), several are
    numbered (« 2nde AGOrA 1 », id ``2nde-agora-2029-1``)."""
    year = draft.today.year if draft.today.month >= 9 else draft.today.year - 1
    specs = (
        ("2nde", f"2nde-agora-{year + 3}", "2nde AGOrA", "", year + 3),
        ("1re", f"1re-agora-{year + 2}", "1re AGOrA", "", year + 2),
        ("tle", f"tle-agora-{year + 1}", "Tle AGOrA", "", year + 1),
        ("prev", f"tle-agora-{year}", "Tle AGOrA", " (session précédente)", year),
    )
    plans: dict[str, list[CohortPlan]] = {}
    for role, base_id, base_label, suffix, session in specs:
        count = (divisions or {}).get(role, 1)
        plans[role] = []
        for n in range(1, count + 1):
            cohort_id = base_id if count == 1 else f"{base_id}-{n}"
            label = f"{base_label}{suffix}" if count == 1 else f"{base_label} {n}{suffix}"
            plans[role].append(_cohort_plan(draft, role, cohort_id, label, session))
    return plans


def _cohort_plan(draft: SchoolDraft, role: str, cohort_id: str, label: str, session: int) -> CohortPlan:
    cohort = Cohort(
        id=cohort_id,
        label=label,
        exam_session=session,
        dossier_deadline=friday_on_or_before(date(session, 5, 15)),
        holiday_zone=HOLIDAY_ZONE,
    )
    draft.data.cohorts.append(cohort)
    periods = {}
    for number, class_year, month, day, weeks in PERIOD_PLAN:
        cal_year = session - 3 + class_year + (1 if month < 9 else 0)
        start, end = weeks_span(date(cal_year, month, day), weeks)
        period = Period(
            id=f"per-{cohort_id}-{number}",
            cohort_id=cohort_id,
            label=f"PFMP {number} — {CLASS_NAMES[class_year]} ({FRENCH_MONTHS[start.month - 1]} {start.year})",
            start=start,
            end=end,
        )
        periods[number] = period
        draft.data.periods.append(period)
    return CohortPlan(role, cohort, periods)
