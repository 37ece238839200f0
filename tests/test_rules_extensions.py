"""The rules' loose ends (issue 14): the warnings of CONTRACT.md « Extensions »
(ATTESTATION_EARLY R11, CONVENTION_FUTURE R10, ABSENCES_MISMATCH R11/R18, SPREAD R1), the true
PLACEMENT_OVERLAP message, dérogation bounds (DOMAIN.md, Annexe III R3/R4 floors), absences and
make-up (R18), mobility (R15).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pfmp_tui.domain.absences import absence_errors, makes_up_errors, makeup_weeks, shortfall
from pfmp_tui.domain.calendar import Holiday, SchoolCalendar
from pfmp_tui.domain.errors import Collector
from pfmp_tui.domain.mobility import counts_for_mobility, mobility_days
from pfmp_tui.domain.model import Absence, Attestation, Cohort, Convention, Derogation, Organisation, Placement, Student
from pfmp_tui.domain.requirements import derogation_error, derogation_floor_note
from pfmp_tui.domain.rules import evaluate
from pfmp_tui.domain.workdays import add_working_days

DEADLINE = date(2027, 5, 14)
COHORT = Cohort("c1", "Tle AGOrA", 2027, DEADLINE)
ORGS = {"o1": Organisation("o1", "Mairie de Lyon")}


def student(**kw) -> Student:
    return Student("s1", "Dupont", "Jean", "c1", **kw)


def pfmp(pid: str, start: date, days: int, *, done: int | None = None, received: date | None = None,
         signed_on: date | None = None, **kw) -> Placement:
    end = add_working_days(start, days)
    att = None if done is None else Attestation(received or end, True, done, "accueil")
    return Placement(pid, "s1", "o1", start, end, convention=Convention("signed", signed_on or start), attestation=att, **kw)


def flags(placements, as_of, *, s: Student | None = None, absences=(), code: str | None = None):
    result = evaluate(s or student(), COHORT, placements, [], [], [], ORGS, as_of, absences=absences)
    return [f for f in result.flags if code is None or f.code == code]


# -- ATTESTATION_EARLY (R11) --------------------------------------------------------------------
def test_attestation_received_before_the_pfmp_ended():
    """R11: the attestation is filled « à l'issue de » the PFMP: received before its end is early."""
    p = pfmp("p1", date(2026, 1, 5), 20, done=20, received=date(2026, 1, 20))
    (flag,) = flags([p], date(2026, 3, 1), code="ATTESTATION_EARLY")
    assert not flag.blocking and flag.rule == "R11" and "20/01/2026" in flag.message


def test_attestation_recorded_for_a_pfmp_not_ended():
    """R11: an attestation recorded while the PFMP runs on after as_of is early; on its last day it is not."""
    p = pfmp("p1", date(2026, 1, 5), 20, done=20, received=date(2026, 1, 30))
    assert flags([p], date(2026, 1, 20), code="ATTESTATION_EARLY")
    assert not flags([p], p.end, code="ATTESTATION_EARLY")


# -- CONVENTION_FUTURE (R10) ---------------------------------------------------------------------
def test_convention_signed_after_as_of():
    """R10: a signature date after as_of cannot be right."""
    p = pfmp("p1", date(2026, 3, 2), 20, signed_on=date(2026, 2, 20))
    (flag,) = flags([p], date(2026, 2, 10), code="CONVENTION_FUTURE")
    assert flag.rule == "R10" and not flag.blocking and "20/02/2026" in flag.message
    assert not flags([p], date(2026, 2, 20), code="CONVENTION_FUTURE")


# -- ABSENCES_MISMATCH (R11, R18) ------------------------------------------------------------------
def test_days_done_agree_with_absences():
    """R18: working days − absent days = the attestation's days done; else a warning with the gap."""
    p = pfmp("p1", date(2026, 1, 5), 20, done=17)
    two = [Absence("a1", "p1", date(2026, 1, 12), date(2026, 1, 13), 2, "maladie", None, True)]
    three = [*two, Absence("a2", "p1", date(2026, 1, 20), date(2026, 1, 20), 1, "injustifiee")]
    (flag,) = flags([p], date(2026, 3, 1), absences=two, code="ABSENCES_MISMATCH")
    assert "1 jour de moins" in flag.message and "(18 : 2 jours d'absence" in flag.message
    assert not flags([p], date(2026, 3, 1), absences=three, code="ABSENCES_MISMATCH")
    (flag,) = flags([p], date(2026, 3, 1), code="ABSENCES_MISMATCH")
    assert "aucune absence enregistrée" in flag.message and "3 jours de moins" in flag.message


# -- SPREAD (R1) -----------------------------------------------------------------------------------
def test_three_year_candidate_with_every_pfmp_in_one_school_year():
    """R1: 22 weeks « réparties sur les trois années du cycle »: all in 2026-2027 is warned."""
    ps = [pfmp(f"p{i}", date(2026, 9, 7) + timedelta(weeks=6 * i), 22) for i in range(5)]
    (flag,) = flags(ps, date(2026, 9, 1), code="SPREAD")
    assert "2026-2027" in flag.message and "trois années" in flag.message and not flag.blocking


def test_spread_waits_while_later_years_can_still_get_pfmp():
    """R1: a seconde with its first PFMP only, the plan not complete, is not warned yet."""
    p = pfmp("p1", date(2024, 11, 4), 20)
    assert not flags([p], date(2025, 1, 6), code="SPREAD")
    spread = [p, pfmp("p2", date(2025, 11, 3), 20)]
    assert not flags(spread, date(2027, 1, 4), code="SPREAD")


@pytest.mark.parametrize("kw", [{"cycle_years": 2}, {"positioned": True}, {"voie": "fpc"}])
def test_spread_is_for_the_three_year_scolaire_cycle_only(kw):
    """R1 only (not R2, R3, R5)."""
    ps = [pfmp("p1", date(2026, 9, 7), 20)]
    assert not flags(ps, date(2027, 1, 4), s=student(**kw), code="SPREAD")


# -- PLACEMENT_OVERLAP: the message says what the contract does ---------------------------------------
def test_overlap_message_says_the_common_days_are_counted_twice():
    """CONTRACT « check »: attested and planned days are sums, so common days count twice: say it."""
    a, b = pfmp("a", date(2026, 1, 5), 10), pfmp("b", date(2026, 1, 12), 10)
    (flag,) = flags([a, b], date(2025, 12, 1), code="PLACEMENT_OVERLAP")
    assert "5 jours ouvrés communs sont comptés deux fois" in flag.message
    assert "qu'une fois" not in flag.message


# -- dérogation bounds -------------------------------------------------------------------------------
def test_derogation_between_zero_and_the_normal_requirement():
    """DOMAIN.md: a dérogation is at most the normal requirement (R1 110 days, R2 80 days)."""
    assert derogation_error(student(derogation=Derogation(110, "x"))) is None
    assert "entre 0 et la durée normale de la voie, 110 jours (R1)" in derogation_error(
        student(derogation=Derogation(150, "x")))
    assert derogation_error(student(cycle_years=2, derogation=Derogation(90, "x")))
    assert derogation_error(student(voie="apprentissage", derogation=Derogation(150, "x"))) is None  # no days (R7)


def test_positioned_candidate_below_annexe_iii_floor_is_said():
    """Annexe III: positioned « durée minimale » 10 weeks (R3) or 8 weeks (R4); below it is said."""
    note = derogation_floor_note(student(positioned=True, derogation=Derogation(40, "décision")))
    assert "10 semaines" in note and "(R3)" in note
    assert "8 semaines" in derogation_floor_note(student(voie="fpc", positioned=True, derogation=Derogation(30, "d")))
    assert derogation_floor_note(student(positioned=True, derogation=Derogation(50, "d"))) is None
    assert derogation_floor_note(student(derogation=Derogation(60, "d"))) is None  # R1: no floor
    (flag,) = flags([], DEADLINE, s=student(positioned=True, derogation=Derogation(40, "décision")),
                    code="WEEKS_SHORT")
    assert "10 semaines fixée par l'annexe III" in flag.message


# -- absences and make-up (R18) ---------------------------------------------------------------------
def test_absence_lies_inside_its_placement_and_fits_its_dates():
    """CONTRACT « Extensions » (R18): inside its placement, days ≤ the working days of its dates."""
    p = pfmp("p1", date(2026, 1, 5), 10)
    errs = Collector()
    absence_errors(Absence("a", "p1", date(2026, 1, 9), date(2026, 1, 12), 3, "maladie"), p, "absences[0]", errs)
    assert [e.path for e in errs.errors] == ["absences[0].days"]
    errs = Collector()
    absence_errors(Absence("a", "p1", date(2026, 1, 15), date(2026, 1, 19), 1, "maladie"), p, "absences[0]", errs)
    assert [e.path for e in errs.errors] == ["absences[0].start"]


def test_makes_up_another_placement_of_the_same_learner_without_cycle():
    """CONTRACT « Extensions » (R18): not itself, same learner, no cycle."""
    a, b = pfmp("a", date(2026, 1, 5), 10), pfmp("b", date(2026, 4, 13), 5, makes_up="a")
    paths = {"a": "placements[0]", "b": "placements[1]", "c": "placements[2]"}

    def errors(*ps):
        errs = Collector()
        makes_up_errors({p.id: p for p in ps}, paths, errs)
        return [str(e) for e in errs.errors]

    assert errors(a, b) == []
    assert "elle-même" in errors(Placement("a", "s1", "o1", a.start, a.end, makes_up="a"))[0]
    other = Placement("c", "s2", "o1", a.start, a.end, makes_up="a")
    assert "autre élève" in errors(a, other)[0]
    loop = errors(Placement("a", "s1", "o1", a.start, a.end, makes_up="b"), b)
    assert loop and all("boucle" in e for e in loop)


def test_shortfall_and_the_motif_for_the_exam_service():
    """R18: the shortfall due to absences, its make-up, and when it cannot be made up before the
    deadline the « motif pour durée non effectuée »."""
    p = pfmp("p1", date(2027, 3, 1), 20)
    absences = [Absence("a1", "p1", date(2027, 3, 8), date(2027, 3, 12), 5, "maladie", "hospitalisation", True)]
    late = shortfall([p], absences, missing_days=5, as_of=date(2027, 5, 12), deadline=DEADLINE)
    assert late.cannot_make_up and late.days_left == 2
    assert late.motif == "absences pendant la PFMP — maladie (hospitalisation) : 5 j, justifiée"
    early = shortfall([p, pfmp("m", date(2027, 4, 19), 5, makes_up="p1")], absences, 0, date(2027, 3, 15), DEADLINE)
    assert (early.absent_days, early.made_up_days, early.uncovered_days, early.motif) == (5, 5, 0, None)


def test_make_up_weeks_are_holiday_weeks():
    """R18: a make-up PFMP usually goes in the school holidays (R1's calendar warnings do not apply)."""
    cal = SchoolCalendar({"A": (Holiday("Vacances de printemps", date(2027, 4, 10), date(2027, 4, 26)),)},
                         date(2026, 9, 1), date(2027, 8, 31))
    weeks = makeup_weeks("A", cal, date(2027, 3, 15), DEADLINE)
    assert weeks == [(date(2027, 4, 12), date(2027, 4, 16), "Vacances de printemps"),
                     (date(2027, 4, 19), date(2027, 4, 23), "Vacances de printemps")]
    assert makeup_weeks(None, cal, date(2027, 3, 15), DEADLINE) == []


# -- R15 mobility ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("country", "counts"), [("DE", True), ("NO", True), ("CH", True), ("IS", True),
                                                 ("FR", False), ("GB", False), ("US", False)])
def test_mobility_countries(country, counts):
    """R15: EU, EEA or EFTA, other than France (the United Kingdom left the EU)."""
    assert counts_for_mobility(Organisation("o", "Host", country=country)) is counts


def test_mobility_days():
    orgs = {"fr": Organisation("fr", "Lyon"), "de": Organisation("de", "Berlin GmbH", country="DE")}
    ps = [Placement("a", "s1", "fr", date(2026, 1, 5), date(2026, 1, 16)),
          Placement("b", "s1", "de", date(2026, 5, 4), date(2026, 5, 15))]
    assert mobility_days(ps, orgs) == 10
