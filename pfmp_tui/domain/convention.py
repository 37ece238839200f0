"""The convention de PFMP: a minor's working hours, and where each convention stands.

Pure rules (no I/O). The convention-type (circulaire n° 2016-053, Code de l'éducation
D. 124-4) fixes daily and weekly hours; for a learner under 18 at the start of the
placement the Code du travail (L. 3162-1, L. 3163-2) caps them at 8 h a day and 35 h a
week and forbids night work (22 h – 6 h). R10: the convention is signed before the
PFMP starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .errors import Collector, FieldError
from .model import SIGNATORIES, Dataset, Placement, PlacementTerms, Student

MINOR_MAX_DAILY_HOURS = 8
MINOR_MAX_WEEKLY_HOURS = 35
HOURS_PER_DAY = 7  # the convention counts 7 h for one day of PFMP
SOON_DAYS = 15  # « starting within 15 days without a signed convention » (R10)


def age_on(birth_date: date, day: date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_minor(student: Student, on: date) -> bool:
    """Under 18 on `on` (an unknown birth date counts as not known to be a minor)."""
    return student.birth_date is not None and age_on(student.birth_date, on) < 18


def minor_hours_errors(student: Student, placement: Placement, terms: PlacementTerms | None,
                       path: str = "terms") -> list[FieldError]:
    """What the Code du travail forbids for a minor in these terms; empty when allowed."""
    if terms is None or not is_minor(student, placement.start):
        return []
    errs = Collector()
    who = f"{student.first_name} {student.last_name} est mineur(e) au début du stage"
    if terms.daily_hours is not None and terms.daily_hours > MINOR_MAX_DAILY_HOURS:
        errs.add(f"{path}.daily_hours", f"{who} : {terms.daily_hours:g} h par jour dépassent les "
                 f"{MINOR_MAX_DAILY_HOURS} h autorisées (Code du travail L. 3162-1)")
    if terms.weekly_hours is not None and terms.weekly_hours > MINOR_MAX_WEEKLY_HOURS:
        errs.add(f"{path}.weekly_hours", f"{who} : {terms.weekly_hours:g} h par semaine dépassent les "
                 f"{MINOR_MAX_WEEKLY_HOURS} h autorisées (Code du travail L. 3162-1)")
    if terms.night_work:
        errs.add(f"{path}.night_work", f"{who} : le travail de nuit (22 h – 6 h) est interdit (Code du travail L. 3163-2)")
    return errs.errors


def total_hours(placement: Placement, working_days: int) -> float:
    """The placement's total duration in hours: the daily hours (7 h when not fixed) per day."""
    daily = placement.terms.daily_hours if placement.terms and placement.terms.daily_hours else HOURS_PER_DAY
    return working_days * daily


# -- where a convention stands -----------------------------------------------------------------
def is_signed(placement: Placement) -> bool:
    return placement.convention.status == "signed"


def signed_by(placement: Placement, party: str) -> bool:
    """Has `party` (SIGNATORIES) signed? A convention marked signed counts as signed by all."""
    if is_signed(placement):
        return True
    sig = placement.convention.signatures
    return sig is not None and getattr(sig, party) is not None


@dataclass(frozen=True, slots=True)
class SignatureProgress:
    """Conventions of one period (R10): how many placements, generated, sent, signed by each
    party, fully signed, and the placements starting within SOON_DAYS days still unsigned."""

    period_id: str
    placements: int
    generated: int
    sent: int
    signed_by: dict[str, tuple[int, int]]  # party -> (signed, conventions that party must sign)
    signed: int
    unsigned_soon: tuple[Placement, ...]
    unsigned_started: tuple[Placement, ...]


def signature_progress(data: Dataset, period_id: str, as_of: date, soon_days: int = SOON_DAYS) -> SignatureProgress:
    students = {s.id: s for s in data.students}
    return progress_of(period_id, [p for p in data.placements if p.period_id == period_id], students.get, as_of,
                       soon_days)


def progress_of(period_id: str, mine: list[Placement], student_of, as_of: date,  # noqa: ANN001
                soon_days: int = SOON_DAYS) -> SignatureProgress:
    """The progress of the placements `mine` of one period; `student_of(id)` gives a learner
    (or None): callers that hold an index need not scan the school (the dashboard)."""
    horizon = as_of + timedelta(days=soon_days)
    generated = sum(1 for p in mine if p.convention.generated_on is not None or p.convention.status != "none")
    sent = sum(1 for p in mine if p.convention.sent_on is not None or p.convention.status in ("sent", "signed"))
    minors = [p for p in mine if (s := student_of(p.student_id)) is not None and is_minor(s, p.start)]
    by_party: dict[str, tuple[int, int]] = {}
    for party in SIGNATORIES:
        concerned = minors if party == "legal_representative" else mine
        by_party[party] = (sum(1 for p in concerned if signed_by(p, party)), len(concerned))
    unsigned = [p for p in mine if not is_signed(p)]
    order = lambda p: (p.start, p.student_id, p.id)  # noqa: E731
    return SignatureProgress(
        period_id=period_id,
        placements=len(mine),
        generated=generated,
        sent=sent,
        signed_by=by_party,
        signed=sum(1 for p in mine if is_signed(p)),
        unsigned_soon=tuple(sorted((p for p in unsigned if as_of <= p.start <= horizon), key=order)),
        unsigned_started=tuple(sorted((p for p in unsigned if p.start < as_of <= p.end), key=order)),
    )


def required_signatories(student: Student, placement: Placement) -> tuple[str, ...]:
    """Who must sign for the convention to be signed: the head of school, the host's
    representative, the learner, and a minor's legal representative."""
    parties = ("school", "organisation", "student")
    return parties + (("legal_representative",) if is_minor(student, placement.start) else ())
