"""Which parses of shard files the process keeps (issue 13, store/shard_cache.py).

A read of the whole school keeps none of its buckets' parses (the typed views are
what stays: keeping the last 12 MB of files read was ~60 MB of the TUI's memory).
A record looked at one by one (`get`, `sheet`, `sheet_full`: a fiche, a form, a
grid) keeps its bucket's parse, so that the write that follows does not parse it
again; and a parse kept that way is never used once its file changed.
"""

from __future__ import annotations

import dataclasses

import pytest

from pfmp_tui.store import shard_cache
from pfmp_tui.store.buckets import parse_bucket
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store, StoreError

from demo_store import path, school_path  # noqa: F401  (fixtures)
from test_repository import folder_hashes, school
from test_shard_cache import rewrite_in_place, shard_file


@pytest.fixture
def loaded(repo: Repository) -> Repository:
    repo.add_all(school())
    shard_cache.CACHE.clear()
    return repo


def kept_files() -> set[str]:
    return {key[2] for key in shard_cache.CACHE._items}


def test_a_read_of_the_school_keeps_no_bucket_parse(loaded: Repository):
    long_lived = Repository(Store(loaded.store.path))
    long_lived.snapshot()
    long_lived.document()
    kept = kept_files()
    assert kept and not [f for f in kept if parse_bucket(f.split(".")[-3]) is not None]  # core, index, heads only
    assert all(parse_bucket(s) is None for s, f in long_lived.shard_files()[1].items() if f in kept)


def test_a_record_looked_at_keeps_its_bucket_and_the_write_that_follows_parses_nothing(loaded: Repository):
    long_lived = Repository(Store(loaded.store.path))
    long_lived.snapshot()  # every view built, no bucket parse kept
    placement, rev = long_lived.get("placements", "p2")  # the form opened: its bucket's parse kept
    parses = shard_cache.CACHE.parses
    rev = long_lived.update("placements", dataclasses.replace(placement, teacher="prof9"), rev)
    long_lived.snapshot()
    assert shard_cache.CACHE.parses == parses
    items, sheet_rev = long_lived.sheet("p1")  # a fiche shown, then its grid saved
    parses = shard_cache.CACHE.parses
    long_lived.set_assessments("p1", [dataclasses.replace(a, level=1) for a in items], sheet_rev)
    assert shard_cache.CACHE.parses == parses
    assert Repository(Store(loaded.store.path)).get("placements", "p2") == (
        dataclasses.replace(placement, teacher="prof9"), rev)


def test_a_parse_kept_for_an_edit_is_not_used_once_its_file_changed(loaded: Repository):
    long_lived = Repository(Store(loaded.store.path))
    long_lived.snapshot()
    student, rev = long_lived.get("students", "s3")  # its bucket's parse kept
    path = shard_file(long_lived, "c2", "students")
    assert path.name in kept_files()
    rewrite_in_place(path, b'"Moreau"', b'"Moreno"')  # same inode, size and mtime: damaged behind our back
    before = folder_hashes(loaded.store.path.parent)
    with pytest.raises(StoreError, match="somme de contrôle"):
        long_lived.update("students", dataclasses.replace(student, first_name="Zoé"), rev)
    assert folder_hashes(loaded.store.path.parent) == before  # refused, nothing written


def test_edits_of_many_buckets_keep_few_and_never_push_out_the_index(path, monkeypatch):
    """The demo school (7 buckets): with room for two buckets' parses, editing a learner of
    each in turn keeps at most two, and the index and the core are never parsed again."""
    from dataclasses import replace

    sizes = sorted(p.stat().st_size for p in path.parent.glob("pfmp.json.c-*-b*.json"))
    monkeypatch.setattr(shard_cache, "BUDGET", sizes[-1] + sizes[-2])
    shard_cache.CACHE.clear()
    repo = Repository(Store(path))
    snap = repo.snapshot()
    first = {}
    cohort_of = {s.id: s.cohort_id for s in snap.data.students}
    for p in snap.data.placements:  # one placement a division: a division is one bucket here
        first.setdefault(cohort_of[p.student_id], p)
    parsed: list[str] = []
    original = Store._load_shard

    def logged(self, file_name, digest=None):
        parsed.append(file_name.rsplit(".", 3)[1])
        return original(self, file_name, digest)

    monkeypatch.setattr(Store, "_load_shard", logged)
    for placement in first.values():
        record, rev = repo.get("placements", placement.id)
        repo.update("placements", replace(record, teacher="prof-budget"), rev)
        assert shard_cache.CACHE._bytes <= shard_cache.BUDGET
    assert len(first) == 7 and parsed.count("index") == 1 and "core" not in parsed  # the index: once, by the first edit
    assert sum(1 for item in shard_cache.CACHE._items.values() if item[3]) <= 2
    assert all(repo.get("placements", p.id)[0].teacher == "prof-budget" for p in first.values())


def test_a_bucket_another_session_wrote_is_kept_for_the_next_edit_here(loaded: Repository):
    long_lived = Repository(Store(loaded.store.path))
    long_lived.snapshot()
    with long_lived.store.read() as tx:  # as the TUI's bootstrap does: the index read once
        tx.tables("index")
    ours = set(shard_cache.CACHE._items)
    other = Repository(Store(loaded.store.path))  # another session renames a learner
    student, rev = other.get("students", "s3")
    other.update("students", dataclasses.replace(student, first_name="Inès"), rev)
    for key in set(shard_cache.CACHE._items) - ours:  # what it kept is not ours (another process)
        shard_cache.CACHE._drop(key)
    snap = long_lived.snapshot()  # the TUI's refresh: that bucket's new file read, its parse kept
    mine, rev = snap.get("students", "s3"), snap.rev("students", "s3")
    assert mine.first_name == "Inès"
    parses = shard_cache.CACHE.parses
    long_lived.update("students", dataclasses.replace(mine, last_name="Moreau-Ici"), rev)
    assert shard_cache.CACHE.parses == parses
    assert Repository(Store(loaded.store.path)).get("students", "s3")[0].last_name == "Moreau-Ici"
