"""The allocation PFMP (R17: décret n° 2023-765 du 11 août 2023, arrêté du 11 août 2023).

A learner under school status (voie scolaire: not an apprentice, not in continuing
education) in a lycée professionnel is paid, for each PFMP done under a convention,
a daily flat rate for each day actually done (absences are not paid), capped per
school year. The amount is set at the end of each PFMP from its attestation; the
school keys it in for payment by the ASP.

Rates and caps are data (`SCALES`), dated: a new arrêté is one more row, effective
from its date, and the placements that start from then on use it.

Readings made here:
- days payable = the signed attestation's ``days_completed`` (R11: the tutor attests
  the days done, absences excluded, R18), only when the convention is signed (R10);
  without a signed convention, an attestation, or the tutor's signature, 0 days are
  payable yet and the line says why (`AllocationLine.blocked_by`);
- the cap is per school year (1 September … 31 August) and per learner: the PFMP are
  settled in date order, each taking what the cap of its class year leaves;
- the RIB, and for a learner under 18 on the day of the list the legal
  representative's authorisation, hold the payment (`held_by`) without changing the
  amount; an unknown birth date is read as a minor (the prudent reading);
- « Bac Pro en un an » (20 € a day) is a terminale for the rate: a learner of such a
  class has a 1-year cycle the model does not know, so give their placements
  ``class_year = "terminale"``.
Amounts are whole cents (ints): exact, summed without rounding.
Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from .model import CLASS_YEAR_LABELS, Cohort, Placement, Student
from .school_years import placement_class_year, school_year_of


@dataclass(frozen=True, slots=True)
class AllocationScale:
    """Daily rates and caps per class year, in cents, for PFMP starting on or after `effective_from`."""

    effective_from: date
    source: str
    daily_cents: Mapping[str, int]
    cap_cents: Mapping[str, int]


# One row per text; the newest whose date has come applies. (R17)
SCALES: tuple[AllocationScale, ...] = (
    AllocationScale(
        effective_from=date(2023, 9, 1),
        source="décret n° 2023-765 et arrêté du 11 août 2023",
        daily_cents={"seconde": 10_00, "premiere": 15_00, "terminale": 20_00},
        cap_cents={"seconde": 300_00, "premiere": 600_00, "terminale": 800_00},
    ),
)

ELIGIBLE_VOIES = frozenset({"scolaire"})
NOT_ELIGIBLE = {
    "apprentissage": "apprenti : rémunéré par son employeur, pas d'allocation PFMP (R17)",
    "fpc": "formation continue : hors statut scolaire, pas d'allocation PFMP (R17)",
    "fpc_perfectionnement": "formation continue : hors statut scolaire, pas d'allocation PFMP (R17)",
    "experience": "candidat au titre de l'expérience : pas de PFMP, pas d'allocation (R17)",
}
ADULT_AGE = 18

# Why nothing is payable yet (payable days are 0).
BLOCK_CONVENTION = "convention non signée (R10)"
BLOCK_NOT_ENDED = "PFMP non terminée"
BLOCK_NO_ATTESTATION = "attestation non reçue (R11)"
BLOCK_UNSIGNED = "attestation non signée par le tuteur (R11)"
BLOCK_NO_CLASS = "classe inconnue (PFMP hors des années du cycle) : précisez la classe"
BLOCK_NO_SCALE = "PFMP antérieure à l'allocation (01/09/2023)"
# What holds the payment back without changing the amount.
HOLD_RIB = "RIB non reçu"
HOLD_AUTHORISATION = "autorisation du représentant légal non reçue (élève mineur)"


def scale_on(day: date, scales: Sequence[AllocationScale] = SCALES) -> AllocationScale | None:
    """The scale in force on `day`, None before the first one."""
    found = None
    for scale in sorted(scales, key=lambda s: s.effective_from):
        if scale.effective_from <= day:
            found = scale
    return found


def not_eligible_reason(student: Student) -> str | None:
    """Why a learner gets no allocation at all (R17), None when they may."""
    if student.voie in ELIGIBLE_VOIES:
        return None
    return NOT_ELIGIBLE.get(student.voie, f"voie « {student.voie} » : pas d'allocation PFMP (R17)")


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_minor(student: Student, day: date) -> bool:
    """Under 18 on `day`; an unknown birth date is read as a minor (prudent reading)."""
    return student.birth_date is None or age_on(student.birth_date, day) < ADULT_AGE


def payment_holds(student: Student, as_of: date) -> tuple[str, ...]:
    """What holds this learner's payments back on `as_of` (the amounts stay as they are)."""
    payment = student.payment
    holds = []
    if payment is None or not payment.bank_details_received:
        holds.append(HOLD_RIB)
    if is_minor(student, as_of) and (payment is None or not payment.authorisation_received):
        holds.append(HOLD_AUTHORISATION)
    return tuple(holds)


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """One PFMP of one learner: what is payable for it, and what holds it back (R17)."""

    student_id: str
    placement_id: str
    school_year: int
    class_year: str | None
    start: date
    end: date
    days_completed: int | None  # the attestation's, signed or not
    payable_days: int
    daily_cents: int | None
    cap_cents: int | None
    gross_cents: int  # payable days × rate
    amount_cents: int  # after the school year's cap
    blocked_by: tuple[str, ...]  # why 0 days are payable yet
    held_by: tuple[str, ...]  # what holds the payment (amount unchanged)
    makes_up: str | None = None

    @property
    def capped(self) -> bool:
        """The school year's cap lowered this PFMP's amount."""
        return self.amount_cents < self.gross_cents

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.blocked_by + self.held_by

    @property
    def status(self) -> str:
        """« à payer », « bloqué » (nothing payable yet) or « en attente » (payable, held)."""
        if self.blocked_by:
            return "bloqué"
        if self.held_by:
            return "en attente"
        return "à payer"

    @property
    def class_label(self) -> str:
        return CLASS_YEAR_LABELS.get(self.class_year, "—") if self.class_year else "—"


def _blocks(placement: Placement, as_of: date) -> list[str]:
    blocks = []
    if placement.convention.status != "signed":
        blocks.append(BLOCK_CONVENTION)
    att = placement.attestation
    if att is None:
        blocks.append(BLOCK_NOT_ENDED if placement.end >= as_of else BLOCK_NO_ATTESTATION)
    elif not att.signed_by_tutor:
        blocks.append(BLOCK_UNSIGNED)
    return blocks


def student_allocation(
    student: Student,
    cohort: Cohort,
    placements: Iterable[Placement],
    as_of: date,
    *,
    scales: Sequence[AllocationScale] = SCALES,
) -> list[AllocationLine]:
    """The allocation lines of one learner's PFMP, in date order ([] when not eligible, R17)."""
    if not_eligible_reason(student) is not None:
        return []
    holds = payment_holds(student, as_of)
    paid: dict[int, int] = defaultdict(int)  # school year -> cents already allotted
    lines = []
    for p in sorted(placements, key=lambda p: (p.start, p.end, p.id)):
        year = school_year_of(p.start)
        class_year = placement_class_year(cohort, student, p)
        scale = scale_on(p.start, scales)
        blocks = _blocks(p, as_of)
        daily = cap = None
        if scale is None:
            blocks.append(BLOCK_NO_SCALE)
        elif class_year is None:
            blocks.append(BLOCK_NO_CLASS)
        else:
            daily, cap = scale.daily_cents[class_year], scale.cap_cents[class_year]
        att = p.attestation
        payable = att.days_completed if not blocks and att is not None else 0
        gross = payable * daily if daily is not None else 0
        amount = min(gross, max(0, cap - paid[year])) if cap is not None else 0
        paid[year] += amount
        lines.append(AllocationLine(
            student_id=student.id, placement_id=p.id, school_year=year, class_year=class_year,
            start=p.start, end=p.end, days_completed=att.days_completed if att is not None else None,
            payable_days=payable, daily_cents=daily, cap_cents=cap, gross_cents=gross,
            amount_cents=amount, blocked_by=tuple(blocks), held_by=holds, makes_up=p.makes_up,
        ))
    return lines


def format_euros(cents: int | None) -> str:
    """« 1 234,50 € » (French grouping, narrow no-break space), « — » for None."""
    if cents is None:
        return "—"
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", "\u202f")
    return f"{'-' if cents < 0 else ''}{grouped},{rest:02d} €"
