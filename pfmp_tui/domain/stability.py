"""Until when is a candidate's status the same? (issue 13: statuses kept across days)

`rules.evaluate` reads its as-of date in a few places only; between two of them, for
the same records, it gives exactly the same `CandidateStatus` (status, flags and their
messages, days…). `stable_through` gives, for one candidate's inputs at `as_of`, a day
`D >= as_of` such that `evaluate` at any day of `as_of … D` equals `evaluate` at
`as_of`; a kept status is then reused through D instead of being computed again each
morning. Never before `as_of`: a rule that has fired (an R11 attestation missing after
a PFMP's end) had not the day before.

Where `rules.evaluate` reads as_of, and the last day it reads it the same way:
- duration (R1–R5) and status: ``as_of >= deadline`` turns PLAN_SHORT into WEEKS_SHORT
  and « à risque » into « non valide ». Before the deadline, when either can change (a
  blocking flag, or fewer days attested than required): the day before the deadline.
- R11 ATTESTATION_MISSING / UNSIGNED and R12 ASSESSMENT_MISSING: ``end < as_of``; until
  the PFMP's last day, when one of them would fire after it: that last day.
- R11 ATTESTATION_EARLY: ``end > as_of`` with an attestation recorded; its message says
  as_of's date (« pas terminée le … »): as_of only.
- R10 CONVENTION_UNSIGNED: ``start > as_of``; before the start, unless the convention is
  signed on or before the start: the day before the start.
- R10 CONVENTION_FUTURE: ``signed_on > as_of``; its message says as_of's date: as_of only.
- R1 SPREAD: ``school_year_of(as_of) >= exam_session - 1``; before that school year
  (it starts on 1 September, school_years.py), for a scolaire R1 candidate whose
  placements all start in one school year: 31 August before it.
Nothing else in `evaluate` (R6–R8 windows end on the deadline, not on as_of; absences,
overlaps) depends on the day. A shorter range than the truth is safe (computed again
sooner); a longer one is a defect: tests/test_stability.py evaluates every day of the
range. Any new reading of as_of in rules.py must add its boundary here.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from .model import Absence, Assessment, Cohort, Contract, Organisation, Placement, Student, WorkCertificate
from .requirements import DEFAULT_PROFILE
from .rules import CandidateStatus, evaluate
from .school_years import SCHOOL_YEAR_START_MONTH, school_year_of

FOREVER = date.max  # no reading of as_of can change the status any more

_DAY = timedelta(days=1)


def _day_before(day: date) -> date:
    return day - _DAY  # callers only pass a day after as_of: never date.min


def _last_day_before_school_year(year: int) -> date:
    """31 August before school year `year` (the day before its 1 September)."""
    if year > date.max.year:
        return FOREVER
    return _day_before(date(year, SCHOOL_YEAR_START_MONTH, 1))


def stable_through(
    result: CandidateStatus,
    student: Student,
    cohort: Cohort,
    placements: Sequence[Placement],
    assessments: Sequence[Assessment],
    as_of: date,
) -> date:
    """The last day through which `evaluate` (for these records) gives `result`, which
    it gave at `as_of`: a day >= as_of, FOREVER when no later day changes it."""
    through = FOREVER
    deadline = cohort.dossier_deadline
    required = result.required_days
    # Duration flags (PLAN_SHORT → WEEKS_SHORT) and the status (à risque → non valide).
    if as_of < deadline and (any(f.blocking for f in result.flags)
                             or (required is not None and result.attested_days < required)):
        through = min(through, _day_before(deadline))
    assessed = {a.placement_id for a in assessments}
    for p in placements:
        att = p.attestation
        signed = att is not None and att.signed_by_tutor
        # R11 missing/unsigned (duration voies) and R12: from the day after the end.
        if as_of <= p.end and ((required is not None and not signed) or p.id not in assessed):
            through = min(through, p.end)
        # R11 ATTESTATION_EARLY: names as_of while the PFMP runs on.
        if att is not None and p.end > as_of:
            through = as_of
        # R10 convention before the start: from the start day.
        conv = p.convention
        signed_before = conv.status == "signed" and conv.signed_on is not None and conv.signed_on <= p.start
        if as_of < p.start and not signed_before:
            through = min(through, _day_before(p.start))
        # R10 CONVENTION_FUTURE: names as_of until its signing day.
        if conv.signed_on is not None and conv.signed_on > as_of:
            through = as_of
    # R1 SPREAD: « too late » from the school year before the exam session's.
    if (result.requirement_rule == "R1" and student.voie == "scolaire" and placements
            and len({school_year_of(p.start) for p in placements}) == 1  # days_per_school_year's keys
            and school_year_of(as_of) < cohort.exam_session - 1):
        through = min(through, _last_day_before_school_year(cohort.exam_session - 1))
    return max(through, as_of)


def evaluate_through(
    student: Student,
    cohort: Cohort,
    placements: Sequence[Placement],
    certificates: Sequence[WorkCertificate],
    contracts: Sequence[Contract],
    assessments: Sequence[Assessment],
    organisations: dict[str, Organisation],
    as_of: date,
    *,
    profile: str = DEFAULT_PROFILE,
    absences: Sequence[Absence] = (),
) -> tuple[CandidateStatus, date]:
    """`rules.evaluate(...)` and the last day it stays the same (`stable_through`)."""
    result = evaluate(student, cohort, placements, certificates, contracts, assessments, organisations, as_of,
                      profile=profile, absences=absences)
    return result, stable_through(result, student, cohort, placements, assessments, as_of)
