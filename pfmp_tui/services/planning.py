"""Planning use cases (issue 5): periods per cohort, the planner, placing learners.

Shared by the CLI (`pfmp periods`, `pfmp plan`, `pfmp place`, `pfmp assign`) and the TUI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date

from ..domain import wording
from ..domain.calendar import period_warnings
from ..domain.errors import FieldError, ValidationFailed
from ..domain.interchange import parse_record, record_to_dict
from ..domain.model import Convention, Dataset, Organisation, Period, Placement
from ..domain.planner import (
    ProposedPeriod,
    VoieTotal,
    overlapping_placements,
    overloaded_teachers,
    propose_periods,
    totals_by_requirement,
    unplaced_students,
)
from ..domain.requirements import required_days
from ..domain.workdays import working_days
from ..store.repository import Repository
from .calendar_data import school_calendar

# Learners are placed in a period before their host is found: their placement points
# to this organisation until a coordinator assigns the real one (`pfmp assign`).
PLACEHOLDER_ORG = Organisation(id="org-a-trouver", name="Organisation à trouver", country="FR")


def new_id(prefix: str) -> str:
    """A fresh string id (ours, never TinyDB's counter): `per-3f9a1c2e`."""
    return f"{prefix}-{os.urandom(4).hex()}"


def _cohort(data: Dataset, cohort_id: str, field: str = "--cohort"):
    for c in data.cohorts:
        if c.id == cohort_id:
            return c
    raise ValidationFailed(FieldError(field, f"cohorte inconnue « {cohort_id} »"))


@dataclass(frozen=True)
class PeriodInfo:
    period: Period
    working_days: int
    warnings: tuple[str, ...]
    placed: int
    unplaced: int


def list_periods(repo: Repository, cohort_id: str) -> list[PeriodInfo]:
    data = repo.dataset()
    cohort = _cohort(data, cohort_id)
    calendar = school_calendar()
    students = [s for s in data.students if s.cohort_id == cohort_id]
    out = []
    for p in sorted((p for p in data.periods if p.cohort_id == cohort_id), key=lambda p: p.start):
        missing = unplaced_students(p, students, data.placements, PLACEHOLDER_ORG.id)
        placed = {pl.student_id for pl in data.placements if pl.period_id == p.id and pl.organisation_id != PLACEHOLDER_ORG.id}
        out.append(
            PeriodInfo(
                p,
                working_days(p.start, p.end),
                tuple(period_warnings(p.start, p.end, cohort.holiday_zone, calendar)),
                len(placed),
                len(missing),
            )
        )
    return out


def save_period(repo: Repository, raw: dict, expected_rev: int | None = None, path: str = "period") -> tuple[Period, list[str]]:
    """Create (expected_rev None) or update a period from its JSON form; returns it and
    its calendar warnings (holidays overlapped, public holidays, data range).
    Errors name the fields as `path.start` etc. (`path=""` gives the bare names)."""
    raw = dict(raw)
    raw.setdefault("id", new_id("per"))
    period = parse_record("periods", raw, path)
    with repo.transaction():  # the cohort checked is the one the period is written beside
        cohort = _cohort(repo.dataset(), period.cohort_id, "cohort_id")
        if expected_rev is None:
            repo.create("periods", period)
        else:
            repo.update("periods", period, expected_rev)
    return period, period_warnings(period.start, period.end, cohort.holiday_zone, school_calendar())


@dataclass(frozen=True)
class Plan:
    cohort_id: str
    proposals: list[ProposedPeriod]
    totals: list[VoieTotal]
    past: tuple[int, ...] = ()  # indexes of the proposals that start before `today` (issue 12)


def plan(repo: Repository, cohort_id: str, weeks_per_year: list[int], cycle_start: date | None = None,
         today: date | None = None) -> Plan:
    """Proposed periods for a cohort and their totals against each requirement (R1–R5).

    With `today`, a proposal that starts before it says so (« déjà passée » / « déjà commencée »)
    and its index is in `Plan.past`: the cycle computed from the exam session may have begun."""
    errors = [FieldError("--weeks", f"nombre de semaines invalide « {w} »") for w in weeks_per_year if not 0 <= w <= 30]
    if not weeks_per_year or errors:
        raise ValidationFailed(errors or [FieldError("--weeks", "au moins une année attendue, ex. 6,8,8")])
    data = repo.dataset()
    cohort = _cohort(data, cohort_id)
    if cycle_start is None:
        # The cycle ends with the exam session: it started len(weeks) school years before.
        cycle_start = date(cohort.exam_session - len(weeks_per_year), 9, 1)
    proposals = propose_periods(cycle_start, weeks_per_year, cohort.holiday_zone, school_calendar())
    past: list[int] = []
    if today is not None:
        for i, p in enumerate(proposals):
            if p.start < today:
                past.append(i)
                when = "déjà passée" if p.end < today else "déjà commencée"
                proposals[i] = replace(p, warnings=(f"{when} au {today:%d/%m/%Y}", *p.warnings))
    planned = sum(p.working_days for p in proposals)
    students = [s for s in data.students if s.cohort_id == cohort_id]
    return Plan(cohort_id, proposals, totals_by_requirement(students, planned), tuple(past))


def accept_plan(repo: Repository, the_plan: Plan, keep: list[int] | None = None) -> list[Period]:
    """Create the proposed periods (all, or those whose 1-based numbers are in `keep`) in one commit."""
    chosen = [p for i, p in enumerate(the_plan.proposals, 1) if keep is None or i in keep]
    periods = [
        Period(new_id("per"), the_plan.cohort_id, p.label, p.start, p.end) for p in chosen
    ]
    repo.add_all(Dataset(periods=periods))
    return periods


@dataclass(frozen=True)
class PlacingResult:
    created: list[Placement]
    skipped: list[str]  # student ids already placed in that period
    warnings: list[str]


def place(
    repo: Repository,
    period_id: str,
    student_ids: list[str] | None = None,
    organisation_id: str | None = None,
    tutor_id: str | None = None,
    teacher: str | None = None,
) -> PlacingResult:
    """Give every learner of the period's cohort (or the selected ones) a placement for
    the period, in one commit. Without an organisation, the placement waits on the
    placeholder « Organisation à trouver ».

    Decided and written in one transaction: two `place` at once never give a learner two
    placements in the period (issue 10)."""
    with repo.transaction():
        return _place(repo, period_id, student_ids, organisation_id, tutor_id, teacher)


def _place(repo: Repository, period_id: str, student_ids: list[str] | None, organisation_id: str | None,
           tutor_id: str | None, teacher: str | None) -> PlacingResult:
    data = repo.dataset()
    period = next((p for p in data.periods if p.id == period_id), None)
    if period is None:
        raise ValidationFailed(FieldError("--period", f"période inconnue « {period_id} »"))
    cohort_students = {s.id: s for s in data.students if s.cohort_id == period.cohort_id}
    if student_ids is not None:
        unknown = [s for s in student_ids if s not in cohort_students]
        if unknown:
            raise ValidationFailed(
                [FieldError("--students", f"élève « {s} » absent de la cohorte « {period.cohort_id} »") for s in unknown]
            )
        targets = student_ids
    else:
        # The whole cohort, but for the voies that do no PFMP (R6–R8: certificates, contract).
        needs = [s for s in cohort_students.values() if required_days(s)[0] is not None]
        targets = [s.id for s in sorted(needs, key=lambda s: (s.last_name, s.first_name, s.id))]
    already = {p.student_id for p in data.placements if p.period_id == period_id}
    org = organisation_id or PLACEHOLDER_ORG.id
    incoming = Dataset()
    if org == PLACEHOLDER_ORG.id and not any(o.id == org for o in data.organisations):
        incoming.organisations.append(PLACEHOLDER_ORG)
    created, skipped = [], []
    for sid in targets:
        if sid in already:
            skipped.append(sid)
            continue
        placement = Placement(
            id=new_id("plc"), student_id=sid, organisation_id=org, start=period.start, end=period.end,
            period_id=period_id, tutor_id=tutor_id, teacher=teacher, convention=Convention("none", None),
        )
        # Same validation as a load: a tutor of another organisation is refused, etc.
        parse_record("placements", record_to_dict("placements", placement), "placement")
        created.append(placement)
    incoming.placements.extend(created)
    if created:
        repo.add_all(incoming)
    return PlacingResult(created, skipped, placement_warnings(repo.dataset()))


KEEP = object()  # `assign(teacher=KEEP)`: leave the placement's teacher as it is


def assign(repo: Repository, placement_id: str, organisation_id: str, tutor_id: str | None = None,
           teacher: str | None | object = KEEP, expected_rev: int | None = None) -> Placement:
    """Choose the host organisation (and tutor, teacher) of a placement.

    `teacher=None` clears the teacher, `KEEP` leaves it. With `expected_rev` (the revision
    the placement was shown at), a placement someone changed since is not overwritten
    (ConflictError)."""
    with repo.transaction():  # read and write at one revision, whoever else writes
        found = repo.get("placements", placement_id)
        if found is None:
            raise ValidationFailed(FieldError("PLACEMENT", f"stage inconnu « {placement_id} »"))
        placement, rev = found
        updated = replace(placement, organisation_id=organisation_id, tutor_id=tutor_id,
                          teacher=placement.teacher if teacher is KEEP else teacher)
        repo.update("placements", updated, rev if expected_rev is None else expected_rev)
    return updated


def placement_warnings(data: Dataset) -> list[str]:
    """Overlapping placements of one learner, periods with learners unplaced, overloaded teachers."""
    names = {s.id: f"{s.last_name.upper()} {s.first_name}" for s in data.students}
    out = []
    for a, b in overlapping_placements(data.placements):
        out.append(f"{names.get(a.student_id, a.student_id)} : les stages « {a.id} » et « {b.id} » se chevauchent")
    for period in data.periods:
        missing = unplaced_students(period, data.students, data.placements, PLACEHOLDER_ORG.id)
        if missing:
            out.append(f"période « {period.label} » ({period.cohort_id}) : {wording.count(len(missing), 'élève')} sans organisation d'accueil")
    for teacher, (count, day) in sorted(overloaded_teachers(data.placements).items()):
        out.append(
            f"{teacher} suit {count} élèves en même temps le {day.strftime('%d/%m/%Y')} (16 au plus)"
        )
    return out
