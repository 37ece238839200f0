"""Parses of shard files kept once per process (issue 13): reused, never stale.

A shard file is immutable, so its parse and typed view are kept keyed by its name;
the key also holds the file's identity (inode, size, times), so that a file changed
behind the store's back — even to the same size and modification time — is read
again, never served from memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import orjson
import pytest

from pfmp_tui.domain.interchange import to_document
from pfmp_tui.store import shard_cache
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store, shard_for_cohort

from test_repository import school


@pytest.fixture
def loaded(repo: Repository) -> Repository:
    repo.add_all(school())
    return repo


def shard_file(repo: Repository, cohort_id: str, holding: str) -> Path:
    """The file of the cohort's shard that holds table `holding`."""
    prefix = shard_for_cohort(cohort_id)
    for path in repo.store.files()[1:]:
        if prefix in path.name and holding in orjson.loads(path.read_bytes()):
            return path
    raise AssertionError(f"no shard of {cohort_id} holds {holding}")


def rewrite_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Change the file's content behind the store's back, keeping its name, size and mtime."""
    assert len(old) == len(new)
    st = path.stat()
    data = path.read_bytes()
    assert old in data
    with open(path, "r+b") as f:  # same inode
        f.write(data.replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (st.st_ino, st.st_size, st.st_mtime_ns)


def test_a_write_reuses_the_parse_of_the_shard_it_replaces(loaded: Repository):
    loaded.snapshot()
    placement = next(p for p in school().placements if p.id == "p2")
    rev = loaded.get("placements", "p2")[1]
    parses = shard_cache.CACHE.parses
    for i in range(3):  # each edit replaces the file the previous one wrote
        rev = loaded.update("placements", dataclasses.replace(placement, teacher=f"prof{i}"), rev)
        loaded.snapshot()
    assert shard_cache.CACHE.parses == parses  # no shard file parsed again
    assert loaded.get("placements", "p2")[0].teacher == "prof2"
    assert Repository(Store(loaded.store.path)).get("placements", "p2")[0].teacher == "prof2"


def test_a_cached_parse_is_never_used_after_its_file_changed(loaded: Repository):
    long_lived = loaded
    assert long_lived.get("students", "s3")[0].last_name == "Moreau"
    assert {s.last_name for s in long_lived.dataset().students} >= {"Moreau"}
    path = shard_file(long_lived, "c2", "students")
    rewrite_in_place(path, b'"Moreau"', b'"Moreno"')
    # A legitimate change (a restore) comes with its checksum in the main file: a file
    # changed alone is refused as damaged (issue 10, tests/test_bad_input.py).
    manifest = orjson.loads(long_lived.store.path.read_bytes())
    manifest["checksums"][path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    long_lived.store.path.write_bytes(orjson.dumps(manifest))
    # The long-lived Repository (its views), a new one in this process (the parse
    # cache) and a write transaction all see the file as it is now.
    assert long_lived.get("students", "s3")[0].last_name == "Moreno"
    assert "Moreno" in {s.last_name for s in long_lived.dataset().students}
    assert Repository(Store(long_lived.store.path)).get("students", "s3")[0].last_name == "Moreno"
    with long_lived.store.write() as tx:
        shard = next(name for name, f in tx.manifest.shards.items() if f == path.name)
        assert tx.tables(shard)["students"]["s3"]["last_name"] == "Moreno"


def test_a_transaction_that_fails_leaves_the_cached_parse_untouched(loaded: Repository):
    before = to_document(loaded.dataset())
    student = next(s for s in school().students if s.id == "s1")
    with pytest.raises(RuntimeError):
        with loaded._writing() as tx:
            loaded._update_in(tx, "students", dataclasses.replace(student, last_name="Changé"), None)
            loaded._remove_doc(tx, loaded._locate(tx, "placements", "p1"), "placements", "p2")
            raise RuntimeError("interrupted")
    assert to_document(loaded.dataset()) == before
    assert to_document(Repository(Store(loaded.store.path)).dataset()) == before
    with loaded.store.read() as tx:
        shard = loaded._locate(tx, "students", "s1")
        assert tx.tables(shard)["students"]["s1"]["last_name"] == "Martin"


def test_what_is_kept_stays_within_its_budget(loaded: Repository, monkeypatch):
    monkeypatch.setattr(shard_cache, "BUDGET", 1)
    shard_cache.CACHE.clear()
    assert to_document(Repository(Store(loaded.store.path)).dataset()) == to_document(school())
    assert shard_cache.CACHE._bytes == 0
