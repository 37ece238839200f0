"""A commit and the snapshot after it cost what they change, not the school (issue 13):
the clean-up deletes what the commit replaced without listing the folder, the
manifest's unchanged entries are not checked again, the reference check looks at the
new views and at the records that left, revisions are looked up without merging every
shard's. Each shortcut is shown to keep the guarantee it skips work for."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import orjson
import pytest

from pfmp_tui.domain.model import Dataset
from pfmp_tui.domain.rules import check_dataset
from pfmp_tui.store import storage
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import CORE, Store, StoreError
from pfmp_tui.store.views import LazyUnion
from tests.demo_store import TODAY, path, school_path  # noqa: F401 (fixtures)


def edit_one(repo: Repository, i: int = 0) -> None:
    student = repo.dataset().students[i]
    repo.update("students", dataclasses.replace(student, first_name=student.first_name + "e"),
                repo.get("students", student.id)[1])


def test_an_ordinary_commit_lists_the_folder_once_and_deletes_what_it_replaced(path: Path, monkeypatch):
    repo = Repository(Store(path))
    repo.statuses(TODAY)  # statuses kept beside the bucket files
    before = orjson.loads(path.read_bytes())["shards"]
    monkeypatch.setattr(storage, "FULL_CLEANUP_EVERY", 10**9)
    listed = []
    real = os.scandir

    def counting(folder="."):
        listed.append(folder)
        return real(folder)

    monkeypatch.setattr(os, "scandir", counting)
    edit_one(repo)
    assert len(listed) == 1  # the check that every file is there (Store._check_files), no clean-up scan
    after = orjson.loads(path.read_bytes())["shards"]
    replaced = {f for s, f in before.items() if after.get(s) != f}
    assert replaced
    for name in replaced:
        assert not path.with_name(name).exists()
        assert not path.with_name(name + ".statuses").exists()
    names = set(os.listdir(path.parent))
    assert set(after.values()) <= names


def test_after_a_writer_was_killed_the_next_commit_looks_for_its_orphans(path: Path, monkeypatch):
    monkeypatch.setattr(storage, "FULL_CLEANUP_EVERY", 10**9)
    repo = Repository(Store(path))
    orphan = path.with_name(f"{path.name}.core.9999.json")
    temp = path.with_name(f".{path.name}.4242-0a0b0c.tmp")
    orphan.write_bytes(b"{}")
    temp.write_bytes(b"{}")
    edit_one(repo)
    assert orphan.exists() and temp.exists()  # a clean previous writer: no look around
    # A writer killed while holding the lock leaves its name in the lock file.
    path.with_name(path.name + ".lock").write_bytes(orjson.dumps({"pid": 2**22 + 1, "login": "x", "host": "h"}))
    edit_one(repo, 1)
    assert not orphan.exists() and not temp.exists()
    assert path.with_name(path.name + ".lock").read_bytes() == b""  # and this one ended cleanly


def test_a_manifest_read_again_has_its_changed_entries_checked(path: Path):
    store = Store(path)
    with store.read():
        pass  # the manifest is now known to this Store
    doc = orjson.loads(path.read_bytes())
    doc["checksums"][next(iter(doc["checksums"]))] = "not a checksum"
    path.write_bytes(orjson.dumps(doc))
    with pytest.raises(StoreError, match="sommes de contrôle"):
        with store.read():
            pass
    doc = orjson.loads(path.read_bytes())
    del doc["checksums"]
    first = next(iter(doc["shards"]))
    doc["shards"][first] = "../elsewhere.json"
    path.write_bytes(orjson.dumps(doc))
    with pytest.raises(StoreError, match="manifeste incomplet"):
        with store.read():
            pass


def test_a_record_that_left_while_another_file_names_it_is_refused_by_a_long_lived_repository(path: Path):
    long_lived = Repository(Store(path))
    data = long_lived.dataset()
    org = next(p.organisation_id for p in data.placements if p.organisation_id)
    with Store(path).write() as tx:  # a hand-made change that bypasses the Repository's blockers
        tx.db(CORE).table("organisations").remove(doc_ids=[org])
    with pytest.raises(StoreError, match="introuvable dans le magasin"):
        long_lived.snapshot()
    with pytest.raises(StoreError, match="introuvable dans le magasin"):
        long_lived.snapshot()  # and again: a refusal is not forgotten
    with pytest.raises(StoreError, match="introuvable dans le magasin"):
        Repository(Store(path)).snapshot()


def test_revisions_and_statuses_of_a_long_lived_repository_follow_its_edits(path: Path):
    repo = Repository(Store(path))
    repo.snapshot()
    repo.statuses(TODAY)
    for i in range(6):
        edit_one(repo, i)
        placement = repo.dataset().placements[i * 5]
        repo.update("placements", dataclasses.replace(placement, teacher=f"Prof {i}"),
                    repo.get("placements", placement.id)[1])
    snap = repo.snapshot()
    other = Repository(Store(path)).snapshot()
    for kind in ("students", "placements"):
        assert dict(snap.revs[kind]) == dict(other.revs[kind])
        for record in getattr(other.data, kind):
            assert snap.rev(kind, record.id) == other.rev(kind, record.id)
    assert repo.statuses(TODAY) == check_dataset(other.data, TODAY)


def test_a_lazy_union_is_the_union_of_its_parts():
    parts = [{"a": 1, "b": 2}, {"c": 3}, {"b": 4}]
    union = LazyUnion(parts)
    assert union.get("b") == 4 and union["c"] == 3 and "a" in union and "z" not in union
    assert union.get("z", 0) == 0
    with pytest.raises(KeyError):
        union["z"]
    for _ in range(LazyUnion.MERGE_AFTER + 2):  # past the merge: the same answers
        assert union.get("b") == 4 and union.get("z") is None
    assert dict(union) == {"a": 1, "b": 4, "c": 3} and len(union) == 3


def test_a_transaction_sees_each_of_its_own_changes_to_a_shard(path: Path):
    repo = Repository(Store(path))
    data = repo.dataset()
    student = data.students[0]
    mine = [p for p in data.placements if p.student_id == student.id]
    with repo.transaction():
        for i, p in enumerate(mine):
            repo.update("placements", dataclasses.replace(p, teacher=f"T{i}"), repo.get("placements", p.id)[1])
            assert repo.get("placements", p.id)[0].teacher == f"T{i}"
            assert all(repo.get("placements", q.id)[0].teacher == f"T{j}" for j, q in enumerate(mine[: i + 1]))
        repo.update("students", dataclasses.replace(student, first_name="Inès"), repo.get("students", student.id)[1])
        assert repo.get("students", student.id)[0].first_name == "Inès"
        assert repo.get("placements", mine[0].id)[0].teacher == "T0"  # the other table's records kept
    fresh = Repository(Store(path))
    assert [fresh.get("placements", p.id)[0].teacher for p in mine] == [f"T{i}" for i in range(len(mine))]
    assert fresh.get("students", student.id)[0].first_name == "Inès"


def test_a_bulk_update_reads_the_buckets_of_its_records_only(path: Path, monkeypatch):
    """`upsert_all` of a division's placements: the core, the index and that division's
    bucket are read, not the school (the cost is the records', issue 13 §3)."""
    from pfmp_tui.store import shard_cache

    data = Repository(Store(path)).dataset()
    cohort = data.cohorts[0].id
    sids = {s.id for s in data.students if s.cohort_id == cohort}
    batch = [p for p in data.placements if p.student_id in sids]
    shard_cache.CACHE.clear()
    repo = Repository(Store(path))
    read: list[str] = []
    real = Store._load_shard

    def spy(self, file_name, digest=None):
        read.append(file_name)
        return real(self, file_name, digest)

    monkeypatch.setattr(Store, "_load_shard", spy)
    revs = {("placements", p.id): repo.get("placements", p.id)[1] for p in batch}
    repo.upsert_all(Dataset(placements=[dataclasses.replace(p, teacher="Mme Bulk") for p in batch]), revs)
    manifest = orjson.loads(path.read_bytes())["shards"]
    all_files = len(manifest)
    assert len(set(read)) <= 4 < all_files, read  # core, index, the division's bucket (and its head)
    assert {p.teacher for p in Repository(Store(path)).dataset().placements if p.student_id in sids} == {"Mme Bulk"}


def test_packed_sheets_give_what_the_stored_arrays_hold():
    """A view keeps each sheet's levels packed (count, first level, the others as bytes):
    everything read from it is what the stored arrays say, a malformed level is refused."""
    from pfmp_tui.store.documents import _sheet_items
    from pfmp_tui.store.lazy import LazySheets

    docs = {
        "p1": {"items": [["a1", "1.1.1", 2, "tuteur", "2026-02-04", None],
                         ["a2", "1.1.2", 3, "tuteur", "2026-02-04", "bien"]]},
        "p2": {"items": [["a3", "2.1.1", None, "prof", "2026-03-01", None]]},
        "p3": {"items": []},
        "p4": {"items": [["a4", "1.1.1", 1, "prof", "2026-03-01", None], ["bad"]]},
    }
    sheets = LazySheets(docs, where="f.json")
    assert list(sheets) == ["p1", "p2", "p3", "p4"] and len(sheets) == 4 and "p3" in sheets
    for pid in ("p1", "p2", "p3"):
        assert sheets[pid] == _sheet_items(pid, docs[pid]["items"])
        assert sheets.count(pid) == len(docs[pid]["items"])
        assert sheets.heads(pid) == _sheet_items(pid, docs[pid]["items"][:1])
    assert sheets.count_items() == 5
    assert sheets.heads("p4")[0].id == "a4"
    with pytest.raises(StoreError, match="f.json"):
        sheets["p4"]
    assert {k: v for k, v in sheets.item_ids().items() if k != "bad"} == {"a1": "p1", "a2": "p1", "a3": "p2", "a4": "p4"}
    with pytest.raises(TypeError):
        LazySheets({"p5": {"items": "not a list"}})
