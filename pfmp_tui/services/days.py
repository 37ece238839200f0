"""Days that count: absences and make-up (R18), class year and payment documents (R17),
and what a candidate's file shows of them (days per school year R1, mobility R15).

Use cases shared by the CLI (`pfmp absence …`, `pfmp payment …`, `pfmp makeup …`) and
the TUI. Every write goes through the Repository, which validates as `load` does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from ..domain.absences import Shortfall, makeup_weeks, shortfall
from ..domain.allocation import AllocationLine, not_eligible_reason, student_allocation
from ..domain.errors import FieldError, ValidationFailed
from ..domain.mobility import counts_for_mobility, is_abroad
from ..domain.model import ABSENCE_REASONS, CLASS_YEARS, Absence, Dataset, Payment, Placement
from ..domain.rules import check_dataset
from ..domain.school_years import days_per_school_year
from ..domain.workdays import working_days
from ..store.repository import Repository
from .calendar_data import school_calendar
from .editing import new_id


def _placement(repo: Repository, placement_id: str) -> tuple[Placement, int]:
    found = repo.get("placements", placement_id)
    if found is None:
        raise ValidationFailed(FieldError("placement", f"PFMP inconnue « {placement_id} »"))
    return found


def add_absence(repo: Repository, placement_id: str, start: date, end: date, reason: str, *,
                days: int | None = None, note: str | None = None, justified: bool = False) -> Absence:
    """Record an absence during a PFMP (R18); `days` defaults to the working days of its dates."""
    if reason not in ABSENCE_REASONS:
        raise ValidationFailed(FieldError("motif", f"motif inconnu « {reason} » (attendu : {', '.join(ABSENCE_REASONS)})"))
    if reason == "autre" and not (note or "").strip():
        raise ValidationFailed(FieldError("note", "précisez le motif « autre » (--note)"))
    _placement(repo, placement_id)
    absence = Absence(new_id("absences"), placement_id, start, end,
                      working_days(start, end) if days is None else days, reason, note, justified)
    repo.create("absences", absence)
    return repo.get("absences", absence.id)[0]


def set_absence_justified(repo: Repository, absence_id: str, justified: bool) -> Absence:
    found = repo.get("absences", absence_id)
    if found is None:
        raise ValidationFailed(FieldError("absence", f"absence inconnue « {absence_id} »"))
    absence, rev = found
    repo.update("absences", replace(absence, justified=justified), rev)
    return repo.get("absences", absence_id)[0]


def delete_absence(repo: Repository, absence_id: str) -> None:
    found = repo.get("absences", absence_id)
    if found is None:
        raise ValidationFailed(FieldError("absence", f"absence inconnue « {absence_id} »"))
    repo.delete("absences", absence_id, found[1])


def set_makes_up(repo: Repository, placement_id: str, target_id: str | None) -> Placement:
    """Mark a PFMP as the make-up (« rattrapage ») of another of the learner's PFMP, or unmark it."""
    placement, rev = _placement(repo, placement_id)
    repo.update("placements", replace(placement, makes_up=target_id), rev)
    return repo.get("placements", placement_id)[0]


def set_class_year(repo: Repository, placement_id: str, class_year: str | None) -> Placement:
    """Give a PFMP another class year than the cohort's reading (redoublement, arrival in première), or
    go back to the cohort's reading (None)."""
    if class_year is not None and class_year not in CLASS_YEARS:
        raise ValidationFailed(FieldError("classe", f"classe inconnue « {class_year} » (attendu : {', '.join(CLASS_YEARS)})"))
    placement, rev = _placement(repo, placement_id)
    repo.update("placements", replace(placement, class_year=class_year), rev)
    return repo.get("placements", placement_id)[0]


def set_payment(repo: Repository, student_id: str, *, bank_details: bool | None = None,
                authorisation: bool | None = None) -> Payment:
    """Record whether the RIB and the legal representative's authorisation were received (R17);
    never the bank details themselves."""
    found = repo.get("students", student_id)
    if found is None:
        raise ValidationFailed(FieldError("élève", f"élève inconnu « {student_id} »"))
    student, rev = found
    current = student.payment or Payment()
    payment = Payment(
        current.bank_details_received if bank_details is None else bank_details,
        current.authorisation_received if authorisation is None else authorisation,
    )
    repo.update("students", replace(student, payment=payment), rev)
    return payment


# -- what the candidate's file shows ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CandidateDays:
    student_id: str
    absences: tuple[Absence, ...]
    absent_by_placement: dict[str, int]
    makeups: dict[str, tuple[Placement, ...]]  # placement id -> its make-up PFMP
    shortfall: Shortfall
    per_school_year: dict[int, int]
    mobility_days: int
    abroad: tuple[Placement, ...]  # placements outside France (R15: those in the EU/EEA/EFTA count)
    mobility_ids: frozenset[str]
    allocation: tuple[AllocationLine, ...]
    not_eligible: str | None
    makeup_weeks: tuple[tuple[date, date, str], ...]


def candidate_days(data: Dataset, student_id: str, as_of: date) -> CandidateDays:
    students = {s.id: s for s in data.students}
    student = students.get(student_id)
    if student is None:
        raise ValidationFailed(FieldError("élève", f"élève inconnu « {student_id} »"))
    cohort = next(c for c in data.cohorts if c.id == student.cohort_id)
    organisations = {o.id: o for o in data.organisations}
    mine = sorted((p for p in data.placements if p.student_id == student_id), key=lambda p: (p.start, p.id))
    ids = {p.id for p in mine}
    absences = tuple(sorted((a for a in data.absences if a.placement_id in ids), key=lambda a: (a.start, a.id)))
    absent: dict[str, int] = defaultdict(int)
    for a in absences:
        absent[a.placement_id] += a.days
    makeups: dict[str, list[Placement]] = defaultdict(list)
    for p in mine:
        if p.makes_up:
            makeups[p.makes_up].append(p)
    (status,) = check_dataset(Dataset(cohorts=[cohort], students=[student], organisations=data.organisations,
                                      placements=mine, absences=list(absences),
                                      work_certificates=[w for w in data.work_certificates if w.student_id == student_id],
                                      contracts=[k for k in data.contracts if k.student_id == student_id]), as_of)
    projected = sum(p.attestation.days_completed if p.attestation and p.attestation.signed_by_tutor
                    else working_days(p.start, p.end) for p in mine)
    missing = max(0, (status.required_days or 0) - projected) if status.required_days is not None else 0
    abroad = tuple(p for p in mine if is_abroad(organisations.get(p.organisation_id)))
    mobility = frozenset(p.id for p in abroad if counts_for_mobility(organisations.get(p.organisation_id)))
    weeks: tuple = ()
    if absences and missing:
        weeks = tuple(makeup_weeks(cohort.holiday_zone, school_calendar(), as_of, cohort.dossier_deadline))
    return CandidateDays(
        student_id=student_id, absences=absences, absent_by_placement=dict(absent),
        makeups={k: tuple(v) for k, v in makeups.items()},
        shortfall=shortfall(mine, list(absences), missing, as_of, cohort.dossier_deadline),
        per_school_year=days_per_school_year(mine),
        mobility_days=sum(working_days(p.start, p.end) for p in abroad if p.id in mobility),
        abroad=abroad, mobility_ids=mobility,
        allocation=tuple(student_allocation(student, cohort, mine, as_of)),
        not_eligible=not_eligible_reason(student), makeup_weeks=weeks,
    )
