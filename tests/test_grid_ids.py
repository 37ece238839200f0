"""New ids of a grid session: unique without looking at the other buckets (issue 13).

An assessment or appreciation id is unique in the whole store. The grid's new ids are
minted by the store (`Repository.mint_id`: 96 random bits), so saving a session reads
only its own sheet; an id given by a caller is still looked for everywhere and a
duplicate refused with the same message.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.services.assessing import save_grid
from pfmp_tui.store import lazy, shard_cache
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store

from demo_store import path, school_path  # noqa: F401  (fixtures)
from test_repository import folder_hashes


def assessed(repo: Repository) -> list[str]:
    data = repo.dataset()
    return sorted({a.placement_id for a in data.assessments})


@pytest.fixture
def id_reads(monkeypatch) -> list[int]:
    """How many sheets' ids were read (what the check of new ids looked at)."""
    calls: list[int] = []
    original = lazy.LazySheets.item_ids

    def counted(self):
        calls.append(len(self))
        return original(self)

    monkeypatch.setattr(lazy.LazySheets, "item_ids", counted)
    return calls


def test_a_grid_session_with_new_ids_reads_no_other_bucket(path, id_reads):
    repo = Repository(Store(path))
    placement_id = assessed(repo)[0]
    _, rev = repo.sheet(placement_id)
    levels = {"1.1.1": 3, "1.1.2": 2, "2.1.1": 4}
    new_rev = save_grid(repo, placement_id, levels, {}, None, "teacher", date(2026, 11, 27), rev)
    assert id_reads == []  # no bucket's ids read, not even its own: minted ids need no look
    items, got_rev = Repository(Store(path)).sheet(placement_id)
    session = [a for a in items if (a.assessor, a.date) == ("teacher", date(2026, 11, 27))]
    assert got_rev == new_rev == rev + 1 and {a.competence: a.level for a in session} == levels
    assert all(a.id.startswith("asm-") and len(a.id) == 4 + 24 for a in session)


def test_a_grid_saved_by_a_new_process_reads_its_bucket_not_the_school(path):
    placement_id = assessed(Repository(Store(path)))[0]
    files = len(Store(path).files())
    shard_cache.CACHE.clear()
    parses = shard_cache.CACHE.parses
    repo = Repository(Store(path))  # a new process: nothing read yet
    _, rev = repo.sheet(placement_id)
    save_grid(repo, placement_id, {"1.1.1": 1}, {}, None, "teacher", date(2026, 11, 26), rev)
    assert shard_cache.CACHE.parses - parses <= 4 < files  # the index, the core, the head and its bucket


def test_an_id_given_by_a_caller_is_still_looked_for_everywhere(path):
    repo = Repository(Store(path))
    first, second = assessed(repo)[:2]
    theirs = repo.sheet(second)[0][0]  # an id of another placement's sheet
    items, rev = repo.sheet(first)
    before = folder_hashes(path.parent)
    stolen = dataclasses.replace(items[0], id=theirs.id, competence="3.3.4") if items[0].competence != "3.3.4" \
        else dataclasses.replace(items[0], id=theirs.id, competence="3.3.3")
    with pytest.raises(ValidationFailed) as exc:
        repo.set_assessments(first, [*items, dataclasses.replace(stolen, date=date(2026, 11, 25))], rev)
    assert [(e.path, e.message) for e in exc.value.errors] == [
        (f"assessments[{len(items)}].id", f"l'identifiant « {theirs.id} » existe déjà")]
    assert folder_hashes(path.parent) == before


def test_a_minted_id_is_new_once(path):
    repo = Repository(Store(path))
    first, second = assessed(repo)[:2]
    minted = repo.mint_id("asm")
    items, rev = repo.sheet(first)
    level = dataclasses.replace(items[0], id=minted, assessor="teacher", date=date(2026, 11, 24))
    repo.set_assessments(first, [*items, level], rev)
    other, other_rev = repo.sheet(second)
    before = folder_hashes(path.parent)
    with pytest.raises(ValidationFailed, match=f"l'identifiant « {minted} » existe déjà"):
        repo.set_assessments(second, [*other, dataclasses.replace(level, placement_id=second)], other_rev)
    assert folder_hashes(path.parent) == before
