"""The compliance engine, rule by rule (DOMAIN.md R1–R12, CONTRACT.md « pfmp check »).

Every test names the rule it checks. Dates: the cohort's deadline is Friday 14/05/2027.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from pfmp_tui.domain import requirements
from pfmp_tui.domain.model import (
    Assessment,
    Attestation,
    Cohort,
    Contract,
    Convention,
    Dataset,
    Derogation,
    Organisation,
    Placement,
    Student,
    WorkCertificate,
)
from pfmp_tui.domain.requirements import RequirementRow, required_days
from pfmp_tui.domain.rules import STATUS_ORDER, check_dataset, covered_days, evaluate
from pfmp_tui.domain.workdays import add_working_days, working_days

DEADLINE = date(2027, 5, 14)
BEFORE = DEADLINE - timedelta(days=1)
AFTER = DEADLINE + timedelta(days=1)
COHORT = Cohort("c1", "Tle AGOrA", 2027, DEADLINE)
ORG = Organisation("o1", "Mairie de Lyon")
ORGS = {ORG.id: ORG}
FIRST_MONDAY = date(2025, 9, 1)
SIGNED = Convention("signed", date(2025, 6, 1))


def student(voie: str = "scolaire", cycle: int | None = 3, positioned: bool = False, **kw) -> Student:
    return Student(kw.pop("id", "s1"), kw.pop("last_name", "Dupont"), "Jean", "c1", voie=voie,
                   cycle_years=cycle, positioned=positioned, **kw)


def placement(pid: str, start: date, days: int, *, attested: int | None = None, signed: bool = True,
              convention: Convention = SIGNED, sid: str = "s1") -> Placement:
    """A placement of `days` working days from `start`; an attestation of `attested` days if given."""
    end = add_working_days(start, days)
    att = None if attested is None else Attestation(end, signed, attested, "accueil")
    return Placement(pid, sid, "o1", start, end, convention=convention, attestation=att)


def attested_placements(total: int, *, sid: str = "s1") -> list[Placement]:
    """Signed attestations worth `total` days, split in PFMP of 20 days at most, all ended long ago,
    spread over two school years (R1: « réparties sur les trois années du cycle »)."""
    out, start, n = [], FIRST_MONDAY, 0
    while total > 0:
        days = min(20, total)
        p = placement(f"{sid}-p{n}", start, days, attested=days, sid=sid)
        out.append(p)
        start = p.end + timedelta(days=60)
        total -= days
        n += 1
    return out


def assessed(placements: list[Placement]) -> list[Assessment]:
    return [Assessment(f"a-{p.id}", p.id, "1.1.1", 3, "tutor", p.end) for p in placements]


def run(s: Student, placements=(), certificates=(), contracts=(), assessments=None, as_of: date = DEADLINE):
    placements = list(placements)
    if assessments is None:
        assessments = assessed(placements)
    return evaluate(s, COHORT, placements, list(certificates), list(contracts), assessments, ORGS, as_of)


def codes(result) -> list[str]:
    return [f.code for f in result.flags]


# -- R1–R5: required days (the table as data) -------------------------------------------------
@pytest.mark.parametrize(
    ("voie", "cycle", "positioned", "expected"),
    [
        ("scolaire", 3, False, (110, "R1")),
        ("scolaire", None, False, (110, "R1")),  # cycle unknown: the safe reading, 22 weeks
        ("scolaire", 2, False, (80, "R2")),
        ("scolaire", 3, True, (50, "R3")),
        ("scolaire", 2, True, (50, "R3")),
        ("fpc", None, True, (40, "R4")),
        ("fpc", 3, False, (110, "R5")),
        ("fpc_perfectionnement", None, False, (None, "R6")),
        ("apprentissage", None, False, (None, "R7")),
        ("experience", None, False, (None, "R8")),
    ],
)
def test_required_days_table_r1_to_r8(voie, cycle, positioned, expected):
    """R1–R8: CONTRACT.md's « Required days » table."""
    assert required_days(student(voie, cycle, positioned)) == expected


def test_another_profile_is_data_not_code(monkeypatch):
    """R1: another diploma's durations are a new profile in the table, no code."""
    monkeypatch.setitem(requirements.PROFILES, "autre", (RequirementRow("scolaire", None, None, 70, "R1"),))
    assert required_days(student(), "autre") == (70, "R1")
    with pytest.raises(ValueError):
        required_days(student("fpc"), "autre")


def test_derogation_replaces_required_days_and_is_surfaced():
    """R1 + dérogation: the lower requirement replaces 110 days and its reason travels with the result."""
    s = student(derogation=Derogation(60, "décision du recteur"))
    assert required_days(s) == (60, "R1")
    result = run(s, attested_placements(60))
    assert (result.required_days, result.status, result.derogation_reason) == (60, "valide", "décision du recteur")
    short = run(s, attested_placements(55))
    assert short.status == "non_valide"
    assert "dérogation : décision du recteur" in short.flags[0].message


def test_derogation_does_not_waive_r7_contract():
    """R7: a dérogation has no days to lower for an apprentice; the contract is still required."""
    s = student("apprentissage", None, derogation=Derogation(0, "cas particulier"))
    result = run(s)
    assert result.required_days is None
    assert result.derogation_reason == "cas particulier"
    assert codes(result) == ["CONTRACT_MISSING"]


@pytest.mark.parametrize(("attested", "status"), [(109, "non_valide"), (110, "valide"), (111, "valide")])
def test_r1_109_110_111_days_on_the_deadline(attested, status):
    """R1: 22 weeks = 110 attested days; 109 is « non valide » on the deadline (WEEKS_SHORT)."""
    result = run(student(), attested_placements(attested))
    assert result.attested_days == attested
    assert result.status == status
    assert codes(result) == (["WEEKS_SHORT"] if attested < 110 else [])
    if attested < 110:
        flag = result.flags[0]
        assert (flag.rule, flag.blocking, flag.placement_id) == ("R1", True, None)
        assert flag.message.endswith("(R1)")
        assert "1 j" in flag.message  # one day is missing


@pytest.mark.parametrize(
    ("voie", "cycle", "positioned", "required", "rule"),
    [
        ("scolaire", 2, False, 80, "R2"),
        ("scolaire", 3, True, 50, "R3"),
        ("fpc", None, True, 40, "R4"),
        ("fpc", None, False, 110, "R5"),
    ],
)
def test_r2_to_r5_one_day_short_then_enough(voie, cycle, positioned, required, rule):
    """R2 80, R3 50, R4 40, R5 110 days: one day short is « non valide » on the deadline, exact is « valide »."""
    s = student(voie, cycle, positioned)
    short = run(s, attested_placements(required - 1))
    assert short.status == "non_valide"
    assert [(f.code, f.rule) for f in short.flags] == [("WEEKS_SHORT", rule)]
    enough = run(s, attested_placements(required))
    assert (enough.status, enough.flags) == ("valide", ())


# -- status boundaries around the deadline ----------------------------------------------------
@pytest.mark.parametrize(
    ("as_of", "status", "code"),
    [(BEFORE, "a_risque", "PLAN_SHORT"), (DEADLINE, "non_valide", "WEEKS_SHORT"), (AFTER, "non_valide", "WEEKS_SHORT")],
)
def test_r1_short_the_day_before_on_and_after_the_deadline(as_of, status, code):
    """R1/R14: short of days is « à risque » the day before the deadline, « non valide » on and after it."""
    result = run(student(), attested_placements(109), as_of=as_of)
    assert result.status == status
    assert codes(result) == [code]
    assert result.flags[0].rule == "R1"


def test_r1_en_cours_when_planned_placements_can_still_get_there():
    """R1: before the deadline, 90 attested + a 20-day PFMP to come = 110 projected: « en cours »."""
    done = attested_placements(90)
    coming = placement("later", date(2027, 3, 1), 20)
    result = run(student(), [*done, coming], as_of=date(2027, 2, 1))
    assert (result.status, result.flags) == ("en_cours", ())
    assert result.attested_days == 90
    assert result.planned_days == sum(working_days(p.start, p.end) for p in [*done, coming]) == 110


def test_r1_plan_short_counts_signed_days_not_working_days():
    """R1: a PFMP counts its signed attestation's days (18 of its 20 working days) in the projection."""
    done = attested_placements(90)
    done[0] = replace(done[0], attestation=replace(done[0].attestation, days_completed=18))
    coming = placement("later", date(2027, 3, 1), 20)
    result = run(student(), [*done, coming], as_of=date(2027, 2, 1))
    assert result.status == "a_risque"
    # 2 days short of the working days with no absence recorded: said too (CONTRACT « Extensions »).
    assert codes(result) == ["PLAN_SHORT", "ABSENCES_MISMATCH"]
    assert "2 j" in result.flags[0].message
    assert result.planned_days == 110  # planned_days is working days, whatever was attested


def test_r1_valide_before_deadline_when_everything_is_proved():
    """R1: 110 signed days before the deadline, nothing missing: « valide »."""
    assert run(student(), attested_placements(110), as_of=date(2027, 1, 4)).status == "valide"


# -- R11: attestations ---------------------------------------------------------------------------
def test_r11_missing_attestation_names_the_placement():
    """R11: a PFMP ended before as_of without attestation is blocking and named (organisation, dates)."""
    p = placement("p1", date(2026, 1, 5), 20)  # ends Friday 30/01/2026
    result = run(student(), [*attested_placements(90), p], as_of=date(2026, 2, 2))
    flag = next(f for f in result.flags if f.rule == "R11")
    assert (flag.code, flag.blocking, flag.placement_id) == ("ATTESTATION_MISSING", True, "p1")
    assert "Mairie de Lyon" in flag.message and "05/01/2026" in flag.message and "30/01/2026" in flag.message
    assert flag.message.endswith("(R11)")
    assert result.status == "a_risque"


def test_r11_unsigned_attestation_is_blocking_and_not_counted():
    """R11: an attestation not signed by the tutor is flagged and its days are not attested."""
    p = placement("p1", date(2027, 1, 4), 20, attested=20, signed=False)
    result = run(student(), [*attested_placements(110), p], as_of=DEADLINE)
    assert result.attested_days == 110
    assert [(f.code, f.placement_id) for f in result.flags] == [("ATTESTATION_UNSIGNED", "p1")]
    assert result.status == "non_valide"  # on the deadline, a blocking R11 flag


def test_r11_placement_not_yet_ended_has_no_flag():
    """R11: a PFMP ending on as_of (not « ended before as_of ») needs no attestation yet; the day after it does."""
    p = placement("p1", date(2026, 1, 5), 20)
    assert "ATTESTATION_MISSING" not in codes(run(student(), [p], as_of=p.end))
    assert "ATTESTATION_MISSING" in codes(run(student(), [p], as_of=p.end + timedelta(days=1)))


def test_r11_does_not_apply_to_fpc_perfectionnement():
    """R6/R11: for FPC perfectionnement the attestation is replaced by certificats de travail (II.3.2)."""
    cert = WorkCertificate("w1", "s1", "SARL", DEADLINE - timedelta(days=200), DEADLINE, True)
    p = placement("p1", date(2026, 1, 5), 20)
    result = run(student("fpc_perfectionnement", None), [p], [cert])
    assert "ATTESTATION_MISSING" not in codes(result)
    assert result.status == "valide"


# -- R6: certificats de travail windows --------------------------------------------------------
def cert(start: date, end: date, full_time: bool = True, cid: str = "w1") -> WorkCertificate:
    return WorkCertificate(cid, "s1", "SARL Dupuis", start, end, full_time)


def r6(*certs: WorkCertificate, as_of: date = DEADLINE):
    return run(student("fpc_perfectionnement", None), certificates=certs, as_of=as_of)


@pytest.mark.parametrize(("days", "ok"), [(181, False), (182, True)])
def test_r6_full_time_182_days_within_12_months(days, ok):
    """R6: 6 months full time = 182 calendar days within the 12 months before the deadline."""
    result = r6(cert(DEADLINE - timedelta(days=days - 1), DEADLINE))
    assert (result.status == "valide") is ok
    assert codes(result) == ([] if ok else ["CERTIFICATES_SHORT"])


def test_r6_part_time_does_not_count_for_the_6_months_window():
    """R6: 182 days part time within 12 months are not « 6 months full time »."""
    result = r6(cert(DEADLINE - timedelta(days=181), DEADLINE, full_time=False))
    assert codes(result) == ["CERTIFICATES_SHORT"]
    assert result.flags[0].message.endswith("(R6)")


@pytest.mark.parametrize(("days", "ok"), [(364, False), (365, True)])
def test_r6_one_year_within_24_months_part_time(days, ok):
    """R6: 1 year = 365 days, full or part time, within the 24 months before the deadline."""
    start = DEADLINE - relativedelta(months=24)
    result = r6(cert(start, start + timedelta(days=days - 1), full_time=False))
    assert (result.status == "valide") is ok


def test_r6_overlapping_certificates_count_once():
    """R6: two overlapping certificates covering 364 distinct days are short of 365."""
    start = DEADLINE - relativedelta(months=24)
    a = cert(start, start + timedelta(days=299), False, "w1")
    b = cert(start + timedelta(days=100), start + timedelta(days=363), False, "w2")
    assert codes(r6(a, b)) == ["CERTIFICATES_SHORT"]
    c = replace(b, end=start + timedelta(days=364))
    assert r6(a, c).status == "valide"


@pytest.mark.parametrize(("inside", "ok"), [(181, False), (182, True)])
def test_r6_clipped_at_the_12_month_window_start(inside, ok):
    """R6: a full-time certificate starting before the 12-month window counts only its days inside it."""
    window_start = DEADLINE - relativedelta(months=12)
    # 100 days before the window, `inside` days inside: 100 + 182 < 365, so the 24-month window fails too.
    result = r6(cert(window_start - timedelta(days=100), window_start + timedelta(days=inside - 1)))
    assert (result.status == "valide") is ok


def test_r6_clipped_at_the_deadline_and_24_month_start():
    """R6: days after the deadline or before the 24-month window do not count."""
    start24 = DEADLINE - relativedelta(months=24)
    before = cert(start24 - timedelta(days=400), start24 - timedelta(days=1), False, "w1")
    after = cert(DEADLINE + timedelta(days=1), DEADLINE + timedelta(days=400), True, "w2")
    assert codes(r6(before, after)) == ["CERTIFICATES_SHORT"]
    assert covered_days([(before.start, after.end)], (start24, DEADLINE)) == (DEADLINE - start24).days + 1


def test_r6_is_blocking_before_the_deadline_too():
    """R6: not yet proved is « à risque » before the deadline, « non valide » on it."""
    assert r6(as_of=BEFORE).status == "a_risque"
    assert r6(as_of=DEADLINE).status == "non_valide"


# -- R7: apprenticeship contract ------------------------------------------------------------------
def test_r7_contract_present_or_missing():
    """R7: an apprentice proves a contract; without it « à risque » before, « non valide » on the deadline."""
    s = student("apprentissage", None)
    contract = Contract("k1", "s1", "SARL Dupuis", date(2025, 9, 1), date(2027, 6, 30))
    assert run(s, contracts=[contract], as_of=BEFORE).status == "valide"
    missing = run(s, as_of=BEFORE)
    assert missing.status == "a_risque"
    assert [(f.code, f.rule, f.blocking) for f in missing.flags] == [("CONTRACT_MISSING", "R7", True)]
    assert run(s, as_of=DEADLINE).status == "non_valide"


# -- R8: three years of experience -----------------------------------------------------------------
@pytest.mark.parametrize(("days", "ok"), [(1094, False), (1095, True)])
def test_r8_three_years_is_1095_days(days, ok):
    """R8: certificats de travail covering 1,095 calendar days (part time counts)."""
    start = date(2020, 1, 1)
    result = run(student("experience", None), certificates=[cert(start, start + timedelta(days=days - 1), False)])
    assert (result.status == "valide") is ok
    assert codes(result) == ([] if ok else ["EXPERIENCE_SHORT"])
    if not ok:
        assert result.flags[0].rule == "R8" and "1094" in result.flags[0].message


def test_r8_overlapping_certificates_count_once():
    """R8: two certificates over the same 2 years are 2 years, not 4."""
    a = cert(date(2020, 1, 1), date(2021, 12, 31), True, "w1")
    b = cert(date(2020, 1, 1), date(2021, 12, 31), False, "w2")
    assert codes(run(student("experience", None), certificates=[a, b], as_of=BEFORE)) == ["EXPERIENCE_SHORT"]


# -- R10, R12, overlap: warnings ------------------------------------------------------------------
def test_r10_convention_signed_after_start_is_a_warning():
    """R10: a convention signed after the PFMP started is flagged, not blocking."""
    ps = attested_placements(110)
    late = replace(ps[0], convention=Convention("signed", ps[0].start + timedelta(days=1)))
    result = run(student(), [late, *ps[1:]])
    assert [(f.code, f.rule, f.blocking, f.placement_id) for f in result.flags] == [
        ("CONVENTION_UNSIGNED", "R10", False, late.id)
    ]
    assert result.status == "valide"
    assert result.flags[0].message.endswith("(R10)")


def test_r10_convention_signed_on_the_start_day_is_fine():
    """R10: « signed on or before its start »: the start day itself is fine."""
    ps = attested_placements(110)
    on_time = replace(ps[0], convention=Convention("signed", ps[0].start))
    assert run(student(), [on_time, *ps[1:]]).flags == ()


def test_r10_draft_convention_only_once_started():
    """R10: a draft convention is flagged once the PFMP has started, not before."""
    p = placement("p1", date(2027, 3, 1), 20, convention=Convention("draft", None))
    assert "CONVENTION_UNSIGNED" not in codes(run(student(), [p], as_of=date(2027, 2, 28)))
    flagged = run(student(), [p], as_of=date(2027, 3, 1))
    assert "CONVENTION_UNSIGNED" in codes(flagged)
    assert "brouillon" in next(f for f in flagged.flags if f.code == "CONVENTION_UNSIGNED").message


def test_r12_ended_placement_without_assessment():
    """R12: an ended PFMP with no assessment in the document de liaison is a warning."""
    ps = attested_placements(110)
    result = run(student(), ps, assessments=assessed(ps[1:]))
    assert [(f.code, f.rule, f.blocking, f.placement_id) for f in result.flags] == [
        ("ASSESSMENT_MISSING", "R12", False, ps[0].id)
    ]
    assert result.status == "valide"


def test_overlapping_placements_are_a_warning():
    """R1 (durations): two overlapping PFMP of one candidate are flagged; adjacent ones are not."""
    a = placement("p1", date(2027, 1, 4), 10)  # 04/01 → 15/01
    b = placement("p2", date(2027, 1, 15), 1)  # shares Friday 15/01 with p1
    c = placement("p3", date(2027, 1, 18), 5)
    result = run(student(), [a, b, c], as_of=date(2027, 1, 4))
    overlaps = [f for f in result.flags if f.code == "PLACEMENT_OVERLAP"]
    assert [(f.placement_id, f.blocking, f.rule) for f in overlaps] == [("p2", False, "R1")]


# -- the whole dataset -------------------------------------------------------------------------------
def test_check_dataset_sorted_worst_first_and_filtered_by_cohort():
    """R14: candidates sorted by status (worst first), then most missing days, then name."""
    other = Cohort("c2", "Autre", 2027, DEADLINE)
    students = [
        student(id="ok", last_name="Alpha"),
        student(id="short5", last_name="Bravo"),
        student(id="short30", last_name="Charlie"),
        student(id="short5b", last_name="Aaron"),
        replace(student(id="elsewhere", last_name="Zulu"), cohort_id="c2"),
    ]
    placements = (
        attested_placements(110, sid="ok") + attested_placements(105, sid="short5")
        + attested_placements(80, sid="short30") + attested_placements(105, sid="short5b")
        + attested_placements(110, sid="elsewhere")
    )
    data = Dataset(cohorts=[COHORT, other], students=students, organisations=[ORG],
                   placements=placements, assessments=assessed(placements))
    results = check_dataset(data, DEADLINE)
    assert [r.student_id for r in results] == ["short30", "short5b", "short5", "ok", "elsewhere"]
    assert [STATUS_ORDER.index(r.status) for r in results] == sorted(STATUS_ORDER.index(r.status) for r in results)
    assert [r.student_id for r in check_dataset(data, DEADLINE, "c2")] == ["elsewhere"]
