"""Whole-store reads that build no typed assessments (issue 13): statuses computed per
bucket and kept, the dump made from the stored documents, and `changes` for screens
that rebuild only what changed. Each is compared with the plain computation."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from pfmp_tui.domain.interchange import to_document
from pfmp_tui.domain.rules import check_dataset
from pfmp_tui.services.demo import build_demo
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store

TODAY = date(2026, 11, 28)
LATER = date(2027, 6, 1)


@pytest.fixture(scope="module")
def school_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "db" / "pfmp.json"
    Repository(Store(path)).add_all(build_demo(150, 1, today=TODAY))
    return path


@pytest.fixture
def repo(school_path, tmp_path) -> Repository:
    """A copy of the demo school of 150 learners (7 divisions), per test."""
    import shutil

    target = tmp_path / "db"
    shutil.copytree(school_path.parent, target)
    return Repository(Store(target / "pfmp.json"))


def test_statuses_are_those_of_check_dataset_for_the_school_and_each_cohort(repo: Repository):
    data = Repository(Store(repo.store.path)).dataset()
    for day in (TODAY, LATER):
        assert repo.statuses(day) == check_dataset(data, day)
    for cohort in data.cohorts:
        assert repo.statuses(TODAY, cohort.id) == check_dataset(data, TODAY, cohort.id)


def test_kept_statuses_follow_an_edit_here_and_one_by_another_session(repo: Repository):
    repo.statuses(TODAY)
    snap = repo.snapshot()
    placement = next(p for p in snap.data.placements if p.attestation is not None and p.attestation.signed_by_tutor)
    unsigned = dataclasses.replace(placement, attestation=dataclasses.replace(placement.attestation, signed_by_tutor=False))
    repo.update("placements", unsigned, snap.rev("placements", placement.id))
    assert repo.statuses(TODAY) == check_dataset(Repository(Store(repo.store.path)).dataset(), TODAY)
    other = Repository(Store(repo.store.path))  # another session
    student = next(s for s in snap.data.students if s.id == placement.student_id)
    other.update("students", dataclasses.replace(student, derogation=None, voie="apprentissage"),
                 other.get("students", student.id)[1])
    expected = check_dataset(Repository(Store(repo.store.path)).dataset(), TODAY)
    assert repo.statuses(TODAY) == expected
    assert [r for r in expected if r.student_id == student.id][0].requirement_rule == "R7"


def test_the_dump_is_to_document_of_the_dataset(repo: Repository):
    expected = to_document(Repository(Store(repo.store.path)).dataset())
    records = repo.document()
    assert {k: v for k, v in records.items() if v or k in expected} == {k: v for k, v in expected.items()
                                                                       if k not in ("format", "version")}


def test_changes_name_the_cohorts_whose_shards_changed(repo: Repository):
    generation, files = repo.shard_files()
    snap = repo.snapshot()
    student = snap.data.students[0]
    repo.update("students", dataclasses.replace(student, first_name="Zoé"), snap.rev("students", student.id))
    changes = repo.changes(files)
    assert changes.generation == generation + 1 and not changes.core
    assert changes.cohorts == {student.cohort_id} and not changes.gone
    organisation = snap.data.organisations[0]
    repo.update("organisations", dataclasses.replace(organisation, city="Rennes"), snap.rev("organisations", organisation.id))
    again = repo.changes(changes.files)
    assert again.core and again.cohorts == set()
    assert repo.changes(again.files).cohorts == set() and not repo.changes(again.files).core
