"""The allocation PFMP (DOMAIN.md R17: décret n° 2023-765 and arrêté du 11 août 2023) and the
class year of a placement (Annexe III: R1 3-year cycle, R2 2-year cycle).

Cohort: exam session 2027, so 2026-2027 is terminale, 2025-2026 première, 2024-2025 seconde.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from pfmp_tui.domain import allocation
from pfmp_tui.domain.allocation import (
    BLOCK_CONVENTION,
    BLOCK_NO_ATTESTATION,
    BLOCK_NO_CLASS,
    BLOCK_NO_SCALE,
    BLOCK_NOT_ENDED,
    BLOCK_UNSIGNED,
    HOLD_AUTHORISATION,
    HOLD_RIB,
    AllocationScale,
    format_euros,
    scale_on,
    student_allocation,
)
from pfmp_tui.domain.model import Attestation, Cohort, Convention, Payment, Placement, Student
from pfmp_tui.domain.school_years import (
    cohort_class_year,
    days_per_school_year,
    parse_school_year,
    placement_class_year,
    school_year_bounds,
    school_year_label,
    school_year_of,
)
from pfmp_tui.domain.workdays import add_working_days

COHORT = Cohort("c1", "Tle AGOrA", 2027, date(2027, 5, 14))
AS_OF = date(2027, 6, 30)
PAID = Payment(bank_details_received=True, authorisation_received=True)
ADULT = date(2000, 1, 1)


def learner(**kw) -> Student:
    kw.setdefault("birth_date", ADULT)
    kw.setdefault("payment", PAID)
    return Student(kw.pop("id", "s1"), "Martin", "Léa", "c1", **kw)


def pfmp(pid: str, start: date, days: int, *, done: int | None = None, signed: bool = True,
         convention: str = "signed", **kw) -> Placement:
    end = add_working_days(start, days)
    att = None if done is None else Attestation(end, signed, done, "accueil")
    return Placement(pid, "s1", "o1", start, end, convention=Convention(convention, start if convention == "signed" else None),
                     attestation=att, **kw)


# -- school years and class years ----------------------------------------------------------------
def test_school_year_runs_from_september_to_august():
    assert school_year_of(date(2026, 9, 1)) == 2026
    assert school_year_of(date(2026, 8, 31)) == 2025
    assert school_year_label(2026) == "2026-2027"
    assert school_year_bounds(2026) == (date(2026, 9, 1), date(2027, 8, 31))
    assert parse_school_year("2026-2027") == 2026
    with pytest.raises(ValueError, match="2026-2027"):
        parse_school_year("2026-2028")


@pytest.mark.parametrize(("cycle", "year", "expected"), [
    (3, 2026, "terminale"), (3, 2025, "premiere"), (3, 2024, "seconde"), (3, 2023, None), (3, 2027, None),
    (None, 2024, "seconde"),  # unknown cycle: read as 3 years, like R1's prudent reading
    (2, 2026, "terminale"), (2, 2025, "premiere"), (2, 2024, None),  # R2: starts in première
])
def test_class_year_from_exam_session_and_cycle(cycle, year, expected):
    """R1/R2: a 3-year cycle ends with terminale in the exam session's school year; a 2-year one
    starts in première."""
    assert cohort_class_year(COHORT, learner(cycle_years=cycle), year) == expected


def test_explicit_class_year_wins():
    """R17: a learner may be given another class year (redoublement, arrival in première)."""
    p = pfmp("p1", date(2026, 1, 5), 20, class_year="seconde")
    assert placement_class_year(COHORT, learner(), p) == "seconde"
    assert placement_class_year(COHORT, learner(), replace(p, class_year=None)) == "premiere"


def test_days_per_school_year():
    """R1: the days of each school year, shown in the candidate's file."""
    ps = [pfmp("a", date(2025, 1, 6), 20), pfmp("b", date(2025, 5, 5), 10), pfmp("c", date(2026, 1, 5), 20)]
    assert days_per_school_year(ps) == {2024: 30, 2025: 20}


# -- the rates as dated data ------------------------------------------------------------------------
def test_rates_of_the_arrete_of_11_august_2023():
    """R17, arrêté du 11 août 2023: 10/15/20 € a day, capped at 300/600/800 € per school year."""
    scale = scale_on(date(2026, 1, 5))
    assert scale.daily_cents == {"seconde": 1000, "premiere": 1500, "terminale": 2000}
    assert scale.cap_cents == {"seconde": 30000, "premiere": 60000, "terminale": 80000}
    assert scale_on(date(2023, 8, 31)) is None  # décret n° 2023-765: from the 2023-2024 school year


def test_a_new_arrete_is_one_row(monkeypatch):
    """R17: a change of the arrêté is one more dated row; earlier PFMP keep their rate."""
    new = AllocationScale(date(2027, 1, 1), "arrêté futur", {"seconde": 1100, "premiere": 1600, "terminale": 2500},
                          {"seconde": 33000, "premiere": 64000, "terminale": 100000})
    monkeypatch.setattr(allocation, "SCALES", (*allocation.SCALES, new))
    before, after = pfmp("a", date(2026, 11, 2), 10, done=10), pfmp("b", date(2027, 1, 4), 10, done=10)
    lines = student_allocation(learner(), COHORT, [before, after], AS_OF, scales=allocation.SCALES)
    assert [(line.daily_cents, line.amount_cents) for line in lines] == [(2000, 20000), (2500, 25000)]


# -- what is payable -------------------------------------------------------------------------------
def test_payable_days_times_rate():
    """R17: a daily flat rate per day actually done: 18 days done in première = 18 × 15 € = 270 €."""
    (line,) = student_allocation(learner(), COHORT, [pfmp("p1", date(2026, 1, 5), 20, done=18)], AS_OF)
    assert (line.class_year, line.payable_days, line.daily_cents, line.amount_cents) == ("premiere", 18, 1500, 27000)
    assert line.status == "à payer" and not line.reasons and not line.capped


def test_cap_applies_across_the_school_year():
    """R17: 600 € per school year in première: 3 PFMP of 20 days (3 × 300 €) pay 300, 300, 0."""
    ps = [pfmp(f"p{i}", start, 20, done=20) for i, start in
          enumerate([date(2025, 10, 6), date(2026, 1, 5), date(2026, 5, 4)])]
    lines = student_allocation(learner(), COHORT, ps, AS_OF)
    assert [line.amount_cents for line in lines] == [30000, 30000, 0]
    assert [line.capped for line in lines] == [False, False, True]
    assert sum(line.amount_cents for line in lines) == 60000


def test_cap_is_per_school_year():
    """R17: the cap starts again each school year (seconde 300 €, then première 600 €)."""
    ps = [pfmp("a", date(2025, 3, 3), 40, done=40), pfmp("b", date(2025, 10, 6), 40, done=40)]
    lines = student_allocation(learner(), COHORT, ps, AS_OF)
    assert [(line.class_year, line.amount_cents) for line in lines] == [("seconde", 30000), ("premiere", 60000)]


@pytest.mark.parametrize(("placement", "reason"), [
    (pfmp("p1", date(2026, 1, 5), 20, done=20, convention="sent"), BLOCK_CONVENTION),
    (pfmp("p1", date(2026, 1, 5), 20), BLOCK_NO_ATTESTATION),
    (pfmp("p1", date(2026, 1, 5), 20, done=20, signed=False), BLOCK_UNSIGNED),
    (pfmp("p1", date(2027, 6, 21), 10), BLOCK_NOT_ENDED),
    (pfmp("p1", date(2023, 5, 2), 10, done=10), BLOCK_NO_SCALE),
    (pfmp("p1", date(2023, 10, 2), 10, done=10), BLOCK_NO_CLASS),  # before the cycle's seconde
])
def test_nothing_payable_without_convention_and_signed_attestation(placement, reason):
    """R17 (R10, R11): only under a signed convention and a signed attestation; else 0 days, and why."""
    (line,) = student_allocation(learner(), COHORT, [placement], AS_OF)
    assert line.payable_days == 0 and line.amount_cents == 0
    assert reason in line.blocked_by and line.status == "bloqué"


def test_rib_and_authorisation_hold_the_payment_not_the_amount():
    """R17: the RIB, and for a minor the legal representative's authorisation, hold the payment;
    the amount does not change."""
    p = pfmp("p1", date(2026, 1, 5), 20, done=20)
    minor = learner(birth_date=date(2010, 3, 1), payment=Payment(False, False))
    (line,) = student_allocation(minor, COHORT, [p], AS_OF)
    assert line.amount_cents == 30000 and line.held_by == (HOLD_RIB, HOLD_AUTHORISATION)
    assert line.status == "en attente"
    adult = learner(birth_date=date(2008, 3, 1), payment=Payment(True, False))  # 19 on AS_OF
    (line,) = student_allocation(adult, COHORT, [p], AS_OF)
    assert line.held_by == () and line.status == "à payer"
    unknown = learner(birth_date=None, payment=Payment(True, False))  # prudent reading: a minor
    assert student_allocation(unknown, COHORT, [p], AS_OF)[0].held_by == (HOLD_AUTHORISATION,)


@pytest.mark.parametrize("voie", ["apprentissage", "fpc", "fpc_perfectionnement", "experience"])
def test_only_learners_under_school_status_are_paid(voie):
    """R17 (décret n° 2023-765, art. 1): learners under school status; apprentices are paid by
    their employer."""
    assert student_allocation(learner(voie=voie), COHORT, [pfmp("p1", date(2026, 1, 5), 20, done=20)], AS_OF) == []
    assert allocation.not_eligible_reason(learner(voie=voie))


def test_make_up_placement_is_paid_like_any_other():
    """R17/R18: a make-up PFMP under a convention is a PFMP: its days done are paid."""
    ps = [pfmp("p1", date(2026, 1, 5), 20, done=15), pfmp("p2", date(2026, 4, 13), 5, done=5, makes_up="p1")]
    lines = student_allocation(learner(), COHORT, ps, AS_OF)
    assert [(line.amount_cents, line.makes_up) for line in lines] == [(22500, None), (7500, "p1")]


def test_format_euros():
    assert format_euros(123450) == "1\u202f234,50 €"
    assert format_euros(0) == "0,00 €"
    assert format_euros(None) == "—"
