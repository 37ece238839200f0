"""Many placements replaced in one commit (conventions of a period, reminders sent):
checked first, then written; a stale revision or a bad reference changes nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.domain.model import Dataset
from pfmp_tui.store.repository import ConflictError
from tests.conftest import minimal_document


def _load(repo):
    doc = minimal_document()
    doc["placements"].append({**doc["placements"][0], "id": "p2", "attestation": None})
    repo.add_all(parse_document(doc), replace=True)
    return repo.snapshot()


def test_batch_written_with_new_revisions(repo):
    snap = _load(repo)
    ps = [replace(p, teacher="ylebihan") for p in snap.data.placements]
    repo.upsert_all(Dataset(placements=ps), {("placements", p.id): snap.rev("placements", p.id) for p in ps})
    after = repo.snapshot()
    assert [p.teacher for p in after.data.placements] == ["ylebihan", "ylebihan"]
    assert [after.rev("placements", p.id) for p in ps] == [2, 2]


def test_stale_revision_or_bad_reference_changes_nothing(repo):
    snap = _load(repo)
    p1, p2 = snap.data.placements
    repo.update("placements", replace(p2, teacher="autre"), snap.rev("placements", "p2"))
    with pytest.raises(ConflictError):
        repo.upsert_all(Dataset(placements=[replace(p1, teacher="x"), replace(p2, teacher="x")]),
                        {("placements", "p1"): 1, ("placements", "p2"): 1})
    assert [p.teacher for p in repo.dataset().placements] == ["mdurand", "autre"]
    with pytest.raises(ValidationFailed):
        repo.upsert_all(Dataset(placements=[replace(p1, teacher="x"), replace(p2, period_id="nulle-part")]))
    assert [p.teacher for p in repo.dataset().placements] == ["mdurand", "autre"]
