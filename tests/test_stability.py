"""Until when a status stays the same (domain/stability.py, issue 13).

A kept status is reused for every day of `as_of … stable_through(...)`: a range too
long would show yesterday's verdict (a missing attestation not flagged, « à risque »
instead of « non valide »). The property test evaluates every single day of the range;
the unit tests pin each rule's boundary, and that the day after it differs.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfmp_tui.domain.model import (
    Absence,
    Assessment,
    Attestation,
    Cohort,
    Contract,
    Convention,
    Derogation,
    Organisation,
    Placement,
    Student,
    WorkCertificate,
)
from pfmp_tui.domain.rules import evaluate
from pfmp_tui.domain.workdays import working_days
from pfmp_tui.domain.stability import FOREVER, evaluate_through, stable_through

DAY = timedelta(days=1)
# Every date of the generated records (deadlines, placements, signatures, certificates)
# and every 1 September an exam session can turn on lie in this window, so after its
# last day no reading of as_of can change any more: checking each day up to LAST + 1
# checks the whole range.
FIRST, LAST = date(2026, 3, 1), date(2027, 12, 31)
ORG = Organisation("o1", "Mairie de Lyon")
ORGS = {ORG.id: ORG}

days = st.dates(min_value=FIRST, max_value=LAST)


VOIES = ("scolaire", "scolaire", "fpc", "fpc_perfectionnement", "apprentissage", "experience")


def near(day: date, low: int, high: int):
    """A day `low … high` days from `day`, kept in the window."""
    return st.integers(low, high).map(lambda k: min(LAST, max(FIRST, day + timedelta(days=k))))


@st.composite
def candidates(draw, voies=VOIES, derogations=True, placed_by=LAST, r1_only=False):
    exam = draw(st.sampled_from([2026, 2027, 2028]))  # 1 September 2025 (before FIRST), 2026, 2027
    # a deadline in May of the session (as schools set it) when that is in the window, or any day
    may = st.integers(1, 31).map(lambda d: date(exam, 5, d)) if exam <= LAST.year else days
    cohort = Cohort("c1", "Tle AGOrA", exam, draw(may | days))
    voie = draw(st.sampled_from(voies))
    derogation = draw(st.none() | st.builds(Derogation, st.integers(0, 120), st.just("santé"))) if derogations else None
    cycle, positioned = (3, False) if r1_only else (draw(st.sampled_from([2, 3, None])), draw(st.booleans()))
    student = Student("s1", "Dupont", "Jean", "c1", voie=voie, cycle_years=cycle, positioned=positioned,
                      derogation=derogation)
    placements = []
    for n in range(draw(st.integers(0, 3))):
        start = draw(st.dates(min_value=FIRST, max_value=placed_by))
        end = min(placed_by, start + timedelta(days=draw(st.integers(0, 40))))
        status = draw(st.sampled_from(["none", "draft", "sent", "signed", "signed"]))
        # mostly as schools record them (signed before the start, attested at the end), not only
        signed_on = draw(st.none() | near(start, -20, -1) | near(start, -20, 5) | days)
        received = near(end, -3, 10) | near(end, 0, 5) | days
        attestation = draw(st.none() | st.builds(Attestation, received, st.booleans(), st.integers(0, 30)))
        convention = Convention(status, signed_on)
        placements.append(Placement(f"p{n}", "s1", "o1", start, end, convention=convention, attestation=attestation))
    assessed = draw(st.sets(st.sampled_from([p.id for p in placements]))) if placements else set()
    assessments = [Assessment(f"a-{pid}", pid, "1.1.1", 3, "tutor", FIRST) for pid in sorted(assessed)]
    certificates = []
    for n in range(draw(st.integers(0, 2))):
        start = draw(st.dates(min_value=date(2024, 1, 1), max_value=LAST))
        certificates.append(WorkCertificate(f"w{n}", "s1", "SARL", start,
                                            min(LAST, start + timedelta(days=draw(st.integers(0, 500)))),
                                            draw(st.booleans())))
    contracts = [Contract("k1", "s1", "SARL", FIRST, LAST)] if draw(st.booleans()) else []
    absences = []
    if placements and draw(st.booleans()):
        p = placements[0]
        absences.append(Absence("ab1", p.id, p.start, p.start, 1, "maladie"))
    return student, cohort, placements, certificates, contracts, assessments, absences


@st.composite
def days_near(draw, candidate):
    """A day anywhere in the window, or a few days from one the candidate's records name
    (where the rules turn): so that hypothesis lands inside a short PFMP often."""
    _, cohort, placements, *_ = candidate
    marks = [cohort.dossier_deadline, date(cohort.exam_session - 1, 9, 1)]
    for p in placements:
        marks += [p.start, p.end] + [d for d in (p.convention.signed_on,) if d is not None]
    if draw(st.booleans()):
        return draw(days)
    day = draw(st.sampled_from(marks)) + timedelta(days=draw(st.integers(-3, 3)))
    return min(max(day, FIRST), LAST)


def candidate_and_day(**kw):
    return candidates(**kw).flatmap(lambda c: st.tuples(st.just(c), days_near(c)))


def at(candidate, day):
    student, cohort, placements, certificates, contracts, assessments, absences = candidate
    return evaluate(student, cohort, placements, certificates, contracts, assessments, ORGS, day, absences=absences)


CASES = (candidate_and_day()
         # R1 learners placed in 2025-2026 only: the spread warning turns on a 1 September
         | candidate_and_day(voies=("scolaire",), derogations=False, placed_by=date(2026, 8, 31), r1_only=True))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CASES)
def test_every_day_of_the_range_gives_the_same_status(case):
    candidate, as_of = case
    student, cohort, placements, certificates, contracts, assessments, absences = candidate
    kept, through = evaluate_through(student, cohort, placements, certificates, contracts, assessments, ORGS, as_of,
                                     absences=absences)
    assert kept == at(candidate, as_of)
    assert through >= as_of
    day = as_of + DAY
    while day <= min(through, LAST + DAY):
        assert at(candidate, day) == kept, f"kept through {through}, differs on {day}"
        day += DAY
    if through == FOREVER:
        assert at(candidate, date(2100, 1, 1)) == kept


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CASES)
def test_the_range_ends_no_later_than_the_first_day_that_differs(case):
    """The same property read the other way: find the first day that differs by
    walking; the range must end before it."""
    candidate, as_of = case
    kept = at(candidate, as_of)
    through = stable_through(kept, candidate[0], candidate[1], candidate[2], candidate[5], as_of)
    day = as_of + DAY
    while day <= LAST + DAY and at(candidate, day) == kept:
        day += DAY
    if day <= LAST + DAY:
        assert through < day


# -- each boundary -----------------------------------------------------------------------------
DEADLINE = date(2027, 5, 14)
COHORT = Cohort("c1", "Tle AGOrA", 2027, DEADLINE)
SCOLAIRE = Student("s1", "Dupont", "Jean", "c1", cycle_years=3)
SIGNED = Convention("signed", date(2026, 1, 5))


def pfmp(pid="p1", start=date(2026, 1, 12), end=date(2026, 2, 6), *, convention=SIGNED, attestation=None):
    return Placement(pid, "s1", "o1", start, end, convention=convention, attestation=attestation)


def through_and_after(placements, as_of, *, student=SCOLAIRE, cohort=COHORT, assessments=()):
    result = evaluate(student, cohort, placements, [], [], list(assessments), ORGS, as_of)
    through = stable_through(result, student, cohort, placements, list(assessments), as_of)
    for day in (as_of, through):
        assert evaluate(student, cohort, placements, [], [], list(assessments), ORGS, day) == result
    after = None
    if through < FOREVER:
        after = evaluate(student, cohort, placements, [], [], list(assessments), ORGS, through + DAY)
    return result, through, after


def codes(result):
    return [f.code for f in result.flags]


def test_the_deadline_day_turns_a_risque_into_non_valide_r1():
    result, through, after = through_and_after([], date(2027, 3, 1))
    assert result.status == "a_risque" and codes(result) == ["PLAN_SHORT"]
    assert through == DEADLINE - DAY
    assert after.status == "non_valide" and codes(after) == ["WEEKS_SHORT"]
    # on/after the deadline nothing in the rules reads the day any more
    assert through_and_after([], DEADLINE)[1] == FOREVER


def test_a_complete_candidate_is_stable_across_the_deadline():
    early = Convention("signed", date(2025, 6, 1))
    done = []
    for n in range(5):
        start = date(2025, 9, 1) + timedelta(weeks=6 * n)
        end = start + timedelta(days=33)  # 24 working days: 120 in all
        done.append(pfmp(f"p{n}", start, end, convention=early,
                         attestation=Attestation(end, True, working_days(start, end))))
    assessments = [Assessment(f"a{p.id}", p.id, "1.1.1", 3, "t", p.end) for p in done]
    result, through, _ = through_and_after(done, date(2027, 3, 1), assessments=assessments)
    assert result.status == "valide" and not result.blocking_flags
    assert through == FOREVER


def test_the_day_after_a_placement_s_end_flags_its_missing_attestation_r11():
    p = pfmp(end=date(2026, 2, 6))
    result, through, after = through_and_after([p], date(2026, 2, 1))
    assert through == date(2026, 2, 6)
    assert "ATTESTATION_MISSING" not in codes(result)
    assert "ATTESTATION_MISSING" in codes(after) and "ASSESSMENT_MISSING" in codes(after)


def test_the_day_after_a_placement_s_end_flags_its_missing_assessment_r12():
    """A signed attestation is in: only R12 can change, and does on end + 1."""
    p = pfmp(end=date(2026, 2, 6), attestation=Attestation(date(2026, 2, 6), True, 20))
    result, through, after = through_and_after([p], date(2026, 2, 6))
    assert through == date(2026, 2, 6)
    assert codes(after) == [*codes(result), "ASSESSMENT_MISSING"]
    # assessed too: the end is no boundary; the next is SPREAD's 1 September (then the deadline)
    a = Assessment("a1", p.id, "1.1.1", 3, "t", p.end)
    assert through_and_after([p], date(2026, 2, 6), assessments=[a])[1] == date(2026, 8, 31)


def test_the_start_day_flags_a_convention_not_signed_r10():
    p = pfmp(start=date(2026, 1, 12), convention=Convention("sent"))
    result, through, after = through_and_after([p], date(2026, 1, 1))
    assert through == date(2026, 1, 11)
    assert "CONVENTION_UNSIGNED" not in codes(result) and "CONVENTION_UNSIGNED" in codes(after)
    # signed on or before the start: the start is no boundary
    assert through_and_after([pfmp(start=date(2026, 1, 12))], date(2026, 1, 6))[1] == date(2026, 2, 6)


def test_a_convention_signed_in_the_future_is_valid_for_its_day_only_r10():
    p = pfmp(start=date(2026, 3, 2), end=date(2026, 3, 27), convention=Convention("signed", date(2026, 2, 20)))
    result, through, after = through_and_after([p], date(2026, 2, 10))
    assert "CONVENTION_FUTURE" in codes(result)
    assert "10/02/2026" in next(f.message for f in result.flags if f.code == "CONVENTION_FUTURE")
    assert through == date(2026, 2, 10)
    assert after != result  # the message names the next day
    # from its signing day on, nothing reads as_of until the start
    assert through_and_after([p], date(2026, 2, 20))[1] == date(2026, 3, 27)


def test_an_attestation_before_the_end_names_today_so_is_valid_for_today_only_r11():
    p = pfmp(end=date(2026, 2, 6), attestation=Attestation(date(2026, 1, 30), True, 20))
    result, through, after = through_and_after([p], date(2026, 1, 30))
    flag = next(f for f in result.flags if f.code == "ATTESTATION_EARLY")
    assert "30/01/2026" in flag.message
    assert through == date(2026, 1, 30)
    assert after != result


def test_the_spread_warning_starts_on_1_september_of_the_year_before_the_session_r1():
    """A 3-year learner (session 2027) whose only PFMP is in 2025-2026: from 1 September
    2026, the session's school year (terminale, 2026-2027), it is too late to spread
    them and the warning is due."""
    cohort = COHORT
    p = pfmp(start=date(2026, 1, 12), end=date(2026, 2, 6), attestation=Attestation(date(2026, 2, 6), True, 20))
    a = Assessment("a1", p.id, "1.1.1", 3, "t", p.end)
    result, through, after = through_and_after([p], date(2026, 6, 15), cohort=cohort, assessments=[a])
    assert "SPREAD" not in codes(result)
    assert through == date(2026, 8, 31)
    assert "SPREAD" in codes(after)


def test_r6_r7_r8_candidates_change_on_the_deadline_only_when_blocking():
    apprentice = Student("s1", "Dupont", "Jean", "c1", voie="apprentissage")
    result, through, after = through_and_after([], date(2027, 1, 4), student=apprentice)
    assert codes(result) == ["CONTRACT_MISSING"] and result.status == "a_risque"
    assert through == DEADLINE - DAY and after.status == "non_valide"
    contract = Contract("k1", "s1", "SARL", date(2025, 9, 1), date(2027, 8, 31))
    ok = evaluate(apprentice, COHORT, [], [], [contract], [], ORGS, date(2027, 1, 4))
    assert ok.status == "valide"
    assert stable_through(ok, apprentice, COHORT, [], [], date(2027, 1, 4)) == FOREVER
