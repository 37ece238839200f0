"""Repository.upsert_all: adds and replaces in one commit, all or nothing (imports rely on it)."""

from __future__ import annotations

import dataclasses

import pytest

from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.domain.model import Dataset, Organisation, Student, Tutor
from pfmp_tui.store.repository import ConflictError
from tests.conftest import minimal_document, store_bytes


@pytest.fixture
def filled(repo):
    repo.add_all(parse_document(minimal_document()))
    return repo


def test_mixed_batch_is_one_commit(filled, db_path):
    generation = filled.snapshot().generation
    s1, rev = filled.get("students", "s1")
    batch = Dataset(
        students=[dataclasses.replace(s1, first_name="Zoë"), Student("s9", "Neuf", "Nina", "c1")],
        organisations=[Organisation("o9", "Œnothèque", country="FR")],
        tutors=[Tutor("t9", "o9", "Roux", "Paul")],  # refers to an organisation of the same batch
    )
    filled.upsert_all(batch, {("students", "s1"): rev, ("students", "s9"): 0})
    snap = filled.snapshot()
    assert snap.generation == generation + 1
    assert snap.get("students", "s1").first_name == "Zoë" and snap.rev("students", "s1") == rev + 1
    assert snap.get("students", "s9").last_name == "Neuf"
    assert snap.get("tutors", "t9").organisation_id == "o9"


def test_stale_revision_or_already_created_changes_nothing(filled, db_path):
    before = store_bytes(db_path.parent)
    s1, rev = filled.get("students", "s1")
    batch = Dataset(students=[dataclasses.replace(s1, first_name="X"), Student("s9", "Neuf", "Nina", "c1")])
    with pytest.raises(ConflictError):
        filled.upsert_all(batch, {("students", "s1"): rev - 1})
    with pytest.raises(ConflictError):
        filled.upsert_all(Dataset(students=[dataclasses.replace(s1, first_name="X")]), {("students", "s1"): 0})
    assert store_bytes(db_path.parent) == before


def test_bad_reference_changes_nothing(filled, db_path):
    before = store_bytes(db_path.parent)
    with pytest.raises(ValidationFailed):
        filled.upsert_all(Dataset(students=[Student("s9", "Neuf", "Nina", "no-cohort")]))
    assert store_bytes(db_path.parent) == before
