"""The demo school (`pfmp demo`): deterministic, valid, believable, every status present."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import date

import pytest

from pfmp_tui.domain.competences import COMPETENCE_CODES
from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import parse_document, to_document
from pfmp_tui.domain.model import VOIES
from pfmp_tui.domain.rules import check_dataset
from pfmp_tui.domain.validation import MOBILITY_COUNTRIES, siret_ok
from pfmp_tui.domain.workdays import working_days
from pfmp_tui.services.demo import build_demo

TODAY = date(2026, 11, 28)
SPRING = date(2027, 3, 1)
STATUSES = {"valide", "en_cours", "a_risque", "non_valide"}


@pytest.fixture(scope="module")
def demo():
    return build_demo(90, 1, today=TODAY)


def test_same_seed_same_document_whatever_the_global_random_state():
    random.seed(1)
    first = to_document(build_demo(90, 7, today=TODAY))
    random.seed(2)
    second = to_document(build_demo(90, 7, today=TODAY))
    assert first == second


def test_different_seed_different_document():
    assert to_document(build_demo(90, 1, today=TODAY)) != to_document(build_demo(90, 2, today=TODAY))


@pytest.mark.parametrize("today", [TODAY, SPRING, date(2027, 7, 14)])
def test_document_validates_and_round_trips(today):
    doc = to_document(build_demo(90, 1, today=today))
    parsed = parse_document(json.loads(json.dumps(doc)))
    assert to_document(parsed) == doc


@pytest.mark.parametrize("students", [1, 2, 3, 4, 7, 31, 90, 250])
def test_exactly_n_students_and_a_valid_document(students):
    data = build_demo(students, 3, today=TODAY)
    assert len(data.students) == students
    parse_document(to_document(data))


def test_students_split_evenly_between_the_three_cohorts_and_a_small_previous_one(demo):
    sizes = Counter(s.cohort_id for s in demo.students)
    main = [sizes["2nde-agora-2029"], sizes["1re-agora-2028"], sizes["tle-agora-2027"]]
    assert min(main) >= 1 and max(main) - min(main) <= 1
    assert 1 <= sizes["tle-agora-2026"] < min(main)
    assert sum(sizes.values()) == 90


def test_cohorts_follow_the_school_year_of_today(demo):
    cohorts = {c.id: c for c in demo.cohorts}
    assert set(cohorts) == {"2nde-agora-2029", "1re-agora-2028", "tle-agora-2027", "tle-agora-2026"}
    assert cohorts["2nde-agora-2029"].label == "2nde AGOrA"
    assert cohorts["tle-agora-2026"].label == "Tle AGOrA (session précédente)"
    for c in cohorts.values():
        assert c.holiday_zone is not None
        assert c.dossier_deadline.year == c.exam_session and c.dossier_deadline.month == 5
    # The previous session's deadline has passed; the current Tle's is the nearest to come.
    assert cohorts["tle-agora-2026"].dossier_deadline < TODAY
    upcoming = sorted((c.dossier_deadline, c.id) for c in cohorts.values() if c.dossier_deadline > TODAY)
    assert upcoming[0][1] == "tle-agora-2027"
    # Before September the school year is still the previous one; from September it moves on.
    assert {c.id for c in build_demo(8, 1, today=date(2027, 8, 31)).cohorts} == set(cohorts)
    assert "2nde-agora-2030" in {c.id for c in build_demo(8, 1, today=date(2027, 9, 1)).cohorts}


def test_every_voie_present_with_its_justificatifs(demo):
    assert {s.voie for s in demo.students} == set(VOIES)
    by_voie = {v: {s.id for s in demo.students if s.voie == v} for v in VOIES}
    with_contract = {c.student_id for c in demo.contracts}
    assert with_contract <= by_voie["apprentissage"]
    assert by_voie["apprentissage"] - with_contract, "one apprentice without a contract (R7)"
    certified = {w.student_id for w in demo.work_certificates}
    assert by_voie["fpc_perfectionnement"] <= certified
    assert by_voie["experience"] <= certified
    assert {(s.cycle_years, s.positioned) for s in demo.students if s.voie == "scolaire"} >= {(3, False), (2, False), (2, True)}
    assert any(s.positioned for s in demo.students if s.voie == "fpc")
    assert any(not s.positioned for s in demo.students if s.voie == "fpc")
    dero = [s for s in demo.students if s.derogation is not None]
    assert len(dero) == 1 and dero[0].derogation.reason.strip() and dero[0].derogation.required_days < 110
    scolaire = Counter(s.voie for s in demo.students)
    assert scolaire["scolaire"] > len(demo.students) / 2


@pytest.mark.parametrize("today", [TODAY, SPRING])
def test_every_status_present(today):
    results = check_dataset(build_demo(90, 1, today=today), today)
    assert {r.status for r in results} == STATUSES
    prev = Counter(r.status for r in results if r.cohort_id == "tle-agora-2026")
    assert set(prev) == {"valide", "non_valide"}
    assert 2 <= prev["non_valide"] <= 3 < prev["valide"]


@pytest.mark.parametrize("seed", [2, 5, 11])
@pytest.mark.parametrize("today", [date(2026, 9, 1), date(2027, 1, 20), date(2027, 6, 30)])
def test_every_status_present_for_other_seeds_and_days(seed, today):
    results = check_dataset(build_demo(40, seed, today=today), today)
    assert {r.status for r in results} == STATUSES


def test_planted_defects_show_as_flags(demo):
    codes = Counter(f.code for r in check_dataset(demo, TODAY) for f in r.flags)
    for code in ("ATTESTATION_MISSING", "ATTESTATION_UNSIGNED", "PLAN_SHORT", "WEEKS_SHORT", "CONTRACT_MISSING",
                 "EXPERIENCE_SHORT", "CERTIFICATES_SHORT", "CONVENTION_UNSIGNED", "ASSESSMENT_MISSING"):
        assert codes[code] >= 1, code
    assert "PLACEMENT_OVERLAP" not in codes


def test_sirets_valid_and_one_host_abroad(demo):
    domestic = [o for o in demo.organisations if o.country == "FR"]
    abroad = [o for o in demo.organisations if o.country != "FR"]
    assert 25 <= len(demo.organisations) <= 40
    assert all(o.siret is not None and siret_ok(o.siret) for o in domestic)
    assert len({o.siret for o in domestic}) == len(domestic)
    assert all(re.fullmatch(r"\d{5}", o.postcode) and o.city and o.address for o in domestic)
    assert len(abroad) == 1 and abroad[0].country in MOBILITY_COUNTRIES
    assert any(p.organisation_id == abroad[0].id for p in demo.placements), "a PFMP abroad (R15)"


def test_tutors_and_teachers(demo):
    per_org = Counter(t.organisation_id for t in demo.tutors)
    assert set(per_org) == {o.id for o in demo.organisations}
    assert set(per_org.values()) <= {1, 2}
    assert all(t.job_title for t in demo.tutors)
    assert any(t.email for t in demo.tutors) and any(t.phone for t in demo.tutors)
    tutors = {t.id: t for t in demo.tutors}
    assert all(tutors[p.tutor_id].organisation_id == p.organisation_id for p in demo.placements)
    teachers = {p.teacher for p in demo.placements}
    assert 4 <= len(teachers) <= 6 and all(re.fullmatch(r"[a-z]+", t) for t in teachers)


def test_french_names_with_ligatures(demo):
    text = json.dumps(to_document(demo), ensure_ascii=False)
    assert "œ" in text and "Œ" in text
    names = " ".join(f"{s.first_name} {s.last_name}" for s in demo.students)
    assert re.search(r"[éèêëàâçîïôûüÿ]", names)
    assert any(s.email for s in demo.students) and any(s.email is None for s in demo.students)


def test_birth_dates_plausible_for_the_class(demo):
    sessions = {c.id: c.exam_session for c in demo.cohorts}
    for s in demo.students:
        age_at_exam = sessions[s.cohort_id] - s.birth_date.year
        if s.voie in ("scolaire", "apprentissage"):
            assert 17 <= age_at_exam <= 21, s
        else:
            assert 20 <= age_at_exam <= 60, s


def test_readable_stable_ids(demo):
    patterns = {
        "students": r"stu-\d{4}",
        "organisations": r"org-\d{3}",
        "tutors": r"tut-\d{3}",
        "periods": r"per-[a-z0-9-]+-\d",
        "placements": r"plc-\d{4}-\d",
        "assessments": r"asm-\d{4}-\d-\d\.\d\.\d",
    }
    for kind, pattern in patterns.items():
        ids = [r.id for r in getattr(demo, kind)]
        assert len(ids) == len(set(ids)), kind
        assert all(re.fullmatch(pattern, i) for i in ids), kind
    assert demo.students[0].id == "stu-0001" and demo.students[-1].id == "stu-0090"


def test_periods_cover_22_weeks_over_the_cycle(demo):
    for cohort in demo.cohorts:
        periods = sorted((p for p in demo.periods if p.cohort_id == cohort.id), key=lambda p: p.start)
        assert len(periods) == 6
        assert sum(working_days(p.start, p.end) for p in periods) == 110  # R1
        assert periods[-1].end < cohort.dossier_deadline
        assert all(a.end < b.start for a, b in zip(periods, periods[1:]))
    seconde = [p for p in demo.periods if p.cohort_id == "2nde-agora-2029"]
    assert all(p.start > TODAY for p in seconde)
    prev = [p for p in demo.periods if p.cohort_id == "tle-agora-2026"]
    assert all(p.end < TODAY for p in prev)


def test_documents_dated_no_later_than_today(demo):
    for p in demo.placements:
        if p.attestation is not None:
            assert p.end < TODAY and p.end <= p.attestation.received_on <= TODAY
            assert p.attestation.activities
        if p.convention.signed_on is not None:
            assert p.convention.status == "signed" and p.convention.signed_on <= TODAY
    attested = [p for p in demo.placements if p.attestation]
    short = [p for p in attested if p.attestation.days_completed < working_days(p.start, p.end)]
    assert 0 < len(short) < len(attested) / 10
    started = [p for p in demo.placements if p.start <= TODAY]
    on_time = [p for p in started if p.convention.signed_on is not None and p.convention.signed_on <= p.start]
    assert len(on_time) > 0.8 * len(started)


def test_assessments_cover_all_competences_and_progress(demo):
    placements = {p.id: p for p in demo.placements}
    sheets: dict[str, list] = {}
    for a in demo.assessments:
        sheets.setdefault(a.placement_id, []).append(a)
        assert a.assessor == "tutor"
    for pid, items in sheets.items():
        assert placements[pid].end < TODAY
        assert sorted(a.competence for a in items) == sorted(COMPETENCE_CODES)
    ended = [p for p in demo.placements if p.end < TODAY]
    assert 0.8 * len(ended) < len(sheets) < len(ended), "most ended placements assessed, some not (R12)"
    periods = {p.id: p.label for p in demo.periods}

    def mean_level(number: int) -> float:
        levels = [a.level for a in demo.assessments if a.level is not None
                  and (periods.get(placements[a.placement_id].period_id) or "").startswith(f"PFMP {number} ")]
        return sum(levels) / len(levels)

    assert mean_level(1) < mean_level(3) < mean_level(5)
    assert any(a.comment for a in demo.assessments)
    assert any(a.level is None for a in demo.assessments)


def test_large_school_is_generated():
    data = build_demo(1500, 1, today=TODAY)
    assert len(data.students) == 1500
    assert len({s.ine for s in data.students if s.ine}) == sum(1 for s in data.students if s.ine)
    assert {s.voie for s in data.students} == set(VOIES)


@pytest.mark.parametrize("bad", [0, -3, True, 10**7])
def test_bad_student_count_is_refused(bad):
    with pytest.raises(ValidationFailed) as exc:
        build_demo(bad, 1, today=TODAY)
    assert exc.value.errors[0].path == "--students"


@pytest.mark.parametrize("students", [150, 1_500])
def test_a_larger_school_has_divisions_of_at_most_35_several_per_level_and_every_voie(students):
    """Issue 13: a believable school at any size (the 90-learner default keeps one
    division per level, the school above)."""
    data = build_demo(students, 1, today=TODAY)
    sizes = Counter(s.cohort_id for s in data.students)
    assert max(sizes.values()) <= 35 and len(sizes) == len(data.cohorts)
    levels = Counter(re.sub(r"(?<=-\d{4})-\d+$", "", c.id) for c in data.cohorts)
    assert set(levels) == {"2nde-agora-2029", "1re-agora-2028", "tle-agora-2027", "tle-agora-2026"}
    assert all(levels[level] >= 2 for level in ("2nde-agora-2029", "1re-agora-2028", "tle-agora-2027"))
    labels = {c.id: c.label for c in data.cohorts}
    assert labels["2nde-agora-2029-2"] == "2nde AGOrA 2"
    assert labels[max(c for c in labels if c.startswith("tle-agora-2026"))].endswith("(session précédente)")
    assert {s.voie for s in data.students} == set(VOIES)
    periods = {p.id: p.cohort_id for p in data.periods}
    assert all(Counter(periods.values())[c.id] == 6 for c in data.cohorts)
    cohort_of = {s.id: s.cohort_id for s in data.students}
    assert all(periods[p.period_id] == cohort_of[p.student_id] for p in data.placements if p.period_id)
    statuses = {r.status for r in check_dataset(data, TODAY)}
    assert statuses == STATUSES
    parse_document(to_document(data))
