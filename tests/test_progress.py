"""Progress across the cycle (R12, R16) and « Mes élèves » (R11, R12): domain/progress.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from pfmp_tui.domain.competences import BLOCS, COMPETENCES
from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.model import (
    Assessment,
    Attestation,
    Cohort,
    Convention,
    Dataset,
    Organisation,
    Period,
    Placement,
    Student,
    Tutor,
)
from pfmp_tui.domain.progress import (
    LEVEL_SHORT,
    cohort_progress,
    latest_assessment,
    progress,
    waiting_for,
)
from pfmp_tui.domain.rules import check_dataset
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store

D = date


def A(id, placement, code, level, assessor="tutor", on=D(2025, 11, 28), comment=None):  # noqa: N802
    return Assessment(id, placement, code, level, assessor, on, comment)


def build() -> Dataset:
    signed = Attestation(D(2025, 12, 1), True, 20, "Accueil")
    return Dataset(
        cohorts=[Cohort("c1", "Tle AGOrA", 2027, D(2027, 5, 15), "A"), Cohort("c2", "1re AGOrA", 2028, D(2028, 5, 15))],
        students=[
            Student("s1", "Bœuf", "Chloé", "c1"),
            Student("s2", "Martin", "Léo", "c1"),
            Student("s3", "Autre", "Inès", "c2"),
        ],
        organisations=[Organisation("o1", "Société d'Études Œnologiques")],
        tutors=[Tutor("t1", "o1", "Petit", "Anne")],
        periods=[
            Period("pe1", "c1", "PFMP 1", D(2025, 11, 3), D(2025, 11, 28)),
            Period("pe2", "c1", "PFMP 2", D(2026, 3, 2), D(2026, 3, 27)),
        ],
        placements=[
            # Listed out of order: the grid orders them by start.
            Placement("p2", "s1", "o1", D(2026, 3, 2), D(2026, 3, 27), "pe2", "t1", "mdurand",
                      attestation=Attestation(D(2026, 3, 30), False, 20, "")),
            Placement("p3", "s1", "o1", D(2026, 6, 1), D(2026, 6, 26), None, "t1", "mdurand"),
            Placement("p1", "s1", "o1", D(2025, 11, 3), D(2025, 11, 28), "pe1", "t1", "mdurand",
                      Convention("signed", D(2025, 10, 1))),
            Placement("p4", "s2", "o1", D(2025, 11, 3), D(2025, 11, 28), "pe1", "t1", " MDurand ", attestation=signed),
            Placement("p5", "s3", "o1", D(2025, 11, 3), D(2025, 11, 28), None, "t1", "jleroy"),
        ],
        assessments=[
            # p1: same date, tutor and teacher disagree: the tutor's level is the one recorded (R12).
            A("a01", "p1", "1.1.1", 2),
            A("a02", "p1", "1.1.1", 3, "teacher"),
            # p1: a later date wins.
            A("a03", "p1", "2.1.1", 1, on=D(2025, 11, 20)),
            A("a04", "p1", "2.1.1", 3, on=D(2025, 11, 27)),
            A("a05", "p1", "1.2.1", 3),
            # p2: the next period.
            A("a06", "p2", "1.1.1", 4, on=D(2026, 3, 27)),
            A("a07", "p2", "1.2.1", 2, on=D(2026, 3, 27)),
            # p2: a later comment without level does not erase the level.
            A("a08", "p2", "3.3.4", 2, on=D(2026, 3, 20)),
            A("a09", "p2", "3.3.4", None, "teacher", D(2026, 3, 27), "Non observé"),
            # p2: only a comment: nothing assessed.
            A("a10", "p2", "3.3.3", None, comment="Pas eu l'occasion"),
            # s3 (other cohort) was assessed on 1.3.1: does not count for c1.
            A("a11", "p5", "1.3.1", 3),
        ],
    )


@pytest.fixture
def data(tmp_path: Path) -> Dataset:
    """The records, as the store gives them back."""
    repo = Repository(Store(tmp_path / "pfmp.json"))
    repo.add_all(build())
    return repo.dataset()


def test_latest_assessment_prefers_latest_date_then_tutor_then_a_level():
    early, late = A("x1", "p", "1.1.1", 1, on=D(2026, 1, 1)), A("x2", "p", "1.1.1", 2, on=D(2026, 1, 2))
    assert latest_assessment([late, early]) == late
    tutor, teacher = A("x3", "p", "1.1.1", 2), A("x4", "p", "1.1.1", 4, "teacher")
    assert latest_assessment([teacher, tutor]) == tutor
    comment_only = A("x5", "p", "1.1.1", None, on=D(2026, 2, 1), comment="vu")
    assert latest_assessment([comment_only, early]) == early
    assert latest_assessment([comment_only]) == comment_only
    assert latest_assessment([]) is None


def test_progress_grid_shows_the_latest_level_per_period(data):
    grid = progress(data, "s1")
    assert [p.id for p in grid.placements] == ["p1", "p2", "p3"]  # by start
    assert grid.level("1.1.1", "p1") == 2  # tutor over teacher on the same date
    assert grid.cell("1.1.1", "p1").id == "a01"
    assert grid.level("1.1.1", "p2") == 4
    assert grid.level("2.1.1", "p1") == 3  # latest date
    assert grid.cell("2.1.1", "p2") is None  # not assessed in that period
    assert grid.level("3.3.4", "p2") == 2  # the later comment-only entry does not erase it
    assert grid.cell("3.3.3", "p2").comment == "Pas eu l'occasion"
    assert grid.level("3.3.3", "p2") is None
    assert grid.cell("1.1.1", "p3") is None
    # Across the cycle: the latest period that assessed the competence.
    assert grid.latest("1.1.1").id == "a06"
    assert grid.latest("1.2.1").level == 2
    assert grid.latest("2.1.1").id == "a04"
    assert grid.latest("3.3.3") is None


def test_bloc_coverage_counts_assessed_and_acquired(data):
    cov = {c.number: c for c in progress(data, "s1").coverage}
    assert [c.total for c in cov.values()] == [12, 13, 12]
    assert [c.label for c in cov.values()] == [b.label for b in BLOCS]
    # Bloc 1: 1.1.1 (latest 4) and 1.2.1 (3 then 2: its latest is 2, not acquired).
    assert (cov[1].assessed, cov[1].acquired) == (2, 1)
    assert (cov[2].assessed, cov[2].acquired) == (1, 1)  # 2.1.1 at 3
    # Bloc 3: 3.3.4 at 2; 3.3.3 carries a comment only: not assessed.
    assert (cov[3].assessed, cov[3].acquired) == (1, 0)


def test_progress_of_a_learner_without_placement_and_of_an_unknown_one(data):
    data.placements = [p for p in data.placements if p.student_id != "s2"]
    grid = progress(data, "s2")
    assert grid.placements == () and grid.cells == {}
    assert all(c.assessed == 0 and c.acquired == 0 for c in grid.coverage)
    with pytest.raises(ValidationFailed) as exc:
        progress(data, "nobody")
    assert "introuvable" in str(exc.value)


def test_cohort_never_assessed_competences(data):
    cp = cohort_progress(data, "c1")
    assert cp.learners == 2
    assert cp.assessed_learners["1.1.1"] == 1
    assert cp.assessed_learners["1.3.1"] == 0  # only a learner of another cohort
    never = [c.code for c in cp.never_assessed]
    assessed = {"1.1.1", "1.2.1", "2.1.1", "3.3.4"}
    assert never == [c.code for c in COMPETENCES if c.code not in assessed]  # référentiel order
    assert "3.3.3" in never  # a comment without level assesses nothing
    assert [c.code for c in cohort_progress(data, "c2").never_assessed] == [
        c.code for c in COMPETENCES if c.code != "1.3.1"
    ]
    with pytest.raises(ValidationFailed):
        cohort_progress(data, "c9")


def test_waiting_for_lists_the_followed_learners_with_what_is_waiting(data):
    followed = waiting_for("mdurand", data, D(2026, 5, 1))
    assert [f.student.id for f in followed] == ["s1", "s2"]  # s3 is followed by jleroy; most waiting first
    s1, s2 = followed
    assert [p.id for p in s1.placements] == ["p1", "p2", "p3"]
    assert [(f.placement_id, f.rule, f.code) for f in s1.waiting] == [
        ("p1", "R11", "ATTESTATION_MISSING"),
        ("p2", "R11", "ATTESTATION_UNSIGNED"),
    ]
    assert [(f.placement_id, f.rule, f.code) for f in s2.waiting] == [("p4", "R12", "ASSESSMENT_MISSING")]
    assert "Société d'Études Œnologiques" in s2.waiting[0].message
    assert s1.status.status == "a_risque"


def test_waiting_for_agrees_with_check_and_follows_time(data):
    as_of = D(2026, 7, 1)  # p3 has ended too, with neither attestation nor assessment
    followed = {f.student.id: f for f in waiting_for("MDURAND", data, as_of)}
    by_student = {r.student_id: r for r in check_dataset(data, as_of)}
    for sid, f in followed.items():
        expected = [fl for fl in by_student[sid].flags
                    if fl.code in ("ATTESTATION_MISSING", "ATTESTATION_UNSIGNED", "ASSESSMENT_MISSING")]
        assert sorted(f.waiting, key=str) == sorted(expected, key=str)
    assert {(f.placement_id, f.code) for f in followed["s1"].waiting} >= {
        ("p3", "ATTESTATION_MISSING"), ("p3", "ASSESSMENT_MISSING")}
    # Before anything ended, the learners are listed with nothing waiting.
    early = waiting_for("mdurand", data, D(2025, 11, 10))
    assert [f.student.id for f in early] == ["s1", "s2"]  # nothing waiting: by last name, Bœuf before Martin
    assert all(f.waiting == () for f in early)
    # Most waiting first, whatever the names.
    data.placements = [
        replace(p, attestation=Attestation(D(2025, 12, 1), True, 20, "")) if p.id == "p1"
        else replace(p, attestation=None) if p.id == "p4" else p
        for p in data.placements
    ]
    ranked = waiting_for("mdurand", data, D(2026, 5, 1))
    assert [(f.student.id, len(f.waiting)) for f in ranked] == [("s2", 2), ("s1", 1)]
    assert waiting_for("personne", data, as_of) == []
    with pytest.raises(ValidationFailed):
        waiting_for("  ", data, as_of)


def test_level_short_codes_cover_every_level():
    assert set(LEVEL_SHORT) == {1, 2, 3, 4, None}
    assert len(set(LEVEL_SHORT.values())) == 5
