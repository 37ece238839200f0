"""The storage layer (issue 2, « The store »): atomic files, modes, refusal of a
corrupt, incomplete or newer store (every file untouched), clean-up of orphans,
and a commit that is all or nothing whatever fails on the way.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import orjson
import pytest

from pfmp_tui.domain.model import Cohort, Dataset, Organisation, Student
from pfmp_tui.store import storage
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import SCHEMA_VERSION, Store, StoreError, atomic_write, shard_for_cohort
from test_repository import folder_hashes

ROOT = Path(__file__).resolve().parent.parent


def small_school() -> Dataset:
    return Dataset(
        cohorts=[Cohort("c1", "1re AGOrA", 2027, date(2027, 5, 14)), Cohort("c2", "Tle AGOrA", 2026, date(2026, 5, 15))],
        students=[Student("s1", "Martin", "Léa", "c1"), Student("s2", "Durand", "Hugo", "c2")],
        organisations=[Organisation("o1", "Mairie de Lyon")],
    )


@pytest.fixture
def store(db_path: Path) -> Store:
    Repository(Store(db_path)).add_all(small_school())
    return Store(db_path)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- atomic_write ---------------------------------------------------------------------------
def test_atomic_write_replaces_the_content(tmp_path: Path):
    target = tmp_path / "f.json"
    atomic_write(target, b"old")
    atomic_write(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert os.listdir(tmp_path) == ["f.json"]  # no temp file left


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_atomic_write_failing_midway_keeps_the_old_content(tmp_path: Path, monkeypatch, failing: str):
    target = tmp_path / "f.json"
    atomic_write(target, b"old")

    def boom(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, failing, boom)
    with pytest.raises(OSError):
        atomic_write(target, b"new" * 1000)
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.json"]


@pytest.mark.parametrize("shared, expected", [(False, 0o600), (True, 0o660)])
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_every_store_file_gets_the_store_mode_whatever_the_umask(tmp_path: Path, monkeypatch, shared, expected, umask):
    if shared:
        monkeypatch.setenv("PFMP_SHARED_GROUP", "1")
    else:
        monkeypatch.delenv("PFMP_SHARED_GROUP", raising=False)
    old = os.umask(umask)
    try:
        path = tmp_path / "db" / "pfmp.json"
        Repository(Store(path)).add_all(small_school())
        Repository(Store(path)).create("students", Student("s3", "Roux", "Léo", "c1"))
        exported = tmp_path / "export.json"
        exported.write_bytes(b"")
        os.chmod(exported, 0o644)
        atomic_write(exported, b"{}")  # an existing wider file is narrowed too
    finally:
        os.umask(old)
    files = sorted(path.parent.iterdir())
    assert {p.name for p in files} >= {"pfmp.json", "pfmp.json.lock"}
    assert len(files) == 2 + 4 + 1  # manifest, lock, core, index + a bucket for each of 2 cohorts, journal
    assert {p.name: mode(p) for p in files} == {p.name: expected for p in files}
    assert mode(exported) == expected
    assert mode(path.parent) & 0o777 == (0o770 if shared else 0o700)


def test_lock_file_created_by_a_reader_or_writer_gets_the_mode(tmp_path: Path, umask_022, monkeypatch):
    monkeypatch.setenv("PFMP_SHARED_GROUP", "1")
    path = tmp_path / "pfmp.json"
    with Store(path).write():
        pass
    assert mode(path.with_name("pfmp.json.lock")) == 0o660
    assert not path.exists()  # an empty transaction writes nothing


# -- refusing a broken store, untouched --------------------------------------------------------
def corrupt_truncated(store: Store) -> None:
    raw = store.path.read_bytes()
    store.path.write_bytes(raw[: len(raw) // 2])


def corrupt_garbage(store: Store) -> None:
    store.path.write_bytes(b"\x00\x13garbage\xff" * 10)


def corrupt_empty(store: Store) -> None:
    store.path.write_bytes(b"")


def corrupt_not_ours(store: Store) -> None:
    store.path.write_bytes(b'{"_default": {"1": {"name": "a TinyDB file"}}}')


def newer_schema(store: Store) -> None:
    doc = orjson.loads(store.path.read_bytes())
    doc["schema_version"] = SCHEMA_VERSION + 1
    store.path.write_bytes(orjson.dumps(doc))


def bad_manifest_entry(store: Store) -> None:
    doc = orjson.loads(store.path.read_bytes())
    doc["shards"]["core"] = "../../etc/passwd"
    store.path.write_bytes(orjson.dumps(doc))


def missing_shard(store: Store) -> None:
    next(p for p in store.files() if shard_for_cohort("c2") in p.name).unlink()


def garbage_shard(store: Store) -> None:
    next(p for p in store.files() if ".core." in p.name).write_bytes(b'{"cohorts": {"c1": ')


def not_tinydb_shard(store: Store) -> None:
    # Every cohort shard: a write reads only the shards it changes (see
    # test_a_write_elsewhere_leaves_a_broken_shard_alone).
    for p in store.files():
        if shard_for_cohort("c1") in p.name or shard_for_cohort("c2") in p.name:
            p.write_bytes(b'{"students": [1, 2]}')


BREAKAGES = {
    "truncated manifest": (corrupt_truncated, "magasin corrompu"),
    "garbage manifest": (corrupt_garbage, "magasin corrompu"),
    "empty manifest": (corrupt_empty, "magasin corrompu"),
    "not a pfmp manifest": (corrupt_not_ours, "n'est pas un magasin pfmp"),
    "newer schema": (newer_schema, "version plus récente de pfmp"),
    "bad manifest entry": (bad_manifest_entry, "magasin corrompu"),
    "missing shard": (missing_shard, "magasin incomplet"),
    "garbage shard": (garbage_shard, "magasin corrompu"),
    "not a TinyDB shard": (not_tinydb_shard, "magasin corrompu"),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_a_broken_store_is_refused_and_left_byte_identical(store: Store, name: str):
    breakage, message = BREAKAGES[name]
    breakage(store)
    folder = store.path.parent
    before = folder_hashes(folder)
    attempts = [
        lambda: Store(store.path).check(),
        lambda: Repository(Store(store.path)).snapshot(),
        # writes: a new student (its cohort's shard), a core record, a bulk load, a delete
        lambda: Repository(Store(store.path)).create("students", Student("s9", "Roux", "Léo", "c2")),
        lambda: Repository(Store(store.path)).add_all(Dataset(students=[Student("s9", "Roux", "Léo", "c2")])),
        lambda: Repository(Store(store.path)).delete("students", "s2"),
    ]
    for attempt in attempts:
        with pytest.raises(StoreError) as exc:
            attempt()
        assert message in str(exc.value)
        assert "modifié" in str(exc.value)  # says that nothing was changed
    assert folder_hashes(folder) == before


@pytest.mark.parametrize("name", ["missing shard", "newer schema", "garbage manifest"])
def test_writes_that_touch_only_the_core_are_refused_too(store: Store, name: str):
    BREAKAGES[name][0](store)
    before = folder_hashes(store.path.parent)
    for attempt in (
        lambda: Repository(Store(store.path)).create("cohorts", Cohort("c9", "CAP", 2026, date(2026, 6, 1))),
        lambda: Repository(Store(store.path)).add_all(Dataset(), replace=True),
    ):
        with pytest.raises(StoreError):
            attempt()
    assert folder_hashes(store.path.parent) == before


def test_reading_an_absent_store_creates_nothing(tmp_path: Path):
    path = tmp_path / "nowhere" / "pfmp.json"
    assert Repository(Store(path)).snapshot().data.is_empty()
    Store(path).check()
    assert Store(path).files() == [] and Store(path).stamp() is None and Store(path).generation() == 0
    assert not path.parent.exists()


# -- commits ------------------------------------------------------------------------------------
def test_generation_stamp_and_files_follow_commits(store: Store):
    gen, stamp = store.generation(), store.stamp()
    files = store.files()
    assert files[0] == store.path and all(p.exists() for p in files) and len(files) == 6  # index, journal
    Repository(store).create("students", Student("s3", "Roux", "Léo", "c1"))
    assert store.generation() == gen + 1 and store.stamp() != stamp
    c1 = [p.name for p in store.files() if shard_for_cohort("c1") in p.name]
    # Its bucket (store/buckets.py), named after the whole main-file name (issue 10).
    assert c1 == [f"pfmp.json.{shard_for_cohort('c1')}-b0-0.{gen + 1}.json"]
    # Only the changed shard was rewritten, and the index (it lists the new learner's
    # id); the old files are gone.
    old_c1 = [p for p in files if shard_for_cohort("c1") in p.name]
    old_index = [p for p in files if ".index." in p.name]
    index = store.path.with_name(f"pfmp.json.index.{gen + 1}.json")
    assert set(store.files()) - set(files) == {store.path.with_name(c1[0]), index}
    assert set(files) - set(store.files()) == set(old_c1 + old_index) and not old_c1[0].exists()
    assert sorted(os.listdir(store.path.parent)) == sorted([p.name for p in store.files()] + ["pfmp.json.lock"])


def test_failed_manifest_replace_keeps_the_old_store_and_leaves_no_file(store: Store, monkeypatch):
    before = folder_hashes(store.path.parent)
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == store.path:
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(storage.os, "replace", replace)
    with pytest.raises(StoreError) as exc:
        Repository(Store(store.path)).create("students", Student("s3", "Roux", "Léo", "c1"))
    assert "Rien n'a été enregistré" in str(exc.value)
    monkeypatch.undo()
    assert folder_hashes(store.path.parent) == before
    assert {s.id for s in Repository(Store(store.path)).dataset().students} == {"s1", "s2"}


def test_disk_full_while_writing_a_shard_changes_nothing(store: Store, monkeypatch):
    before = folder_hashes(store.path.parent)

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "write", full)
    with pytest.raises(StoreError) as exc:
        Repository(Store(store.path)).add_all(Dataset(students=[Student("s3", "Roux", "Léo", "c1")]))
    assert "écriture impossible" in str(exc.value) and "No space left" in str(exc.value)
    monkeypatch.undo()
    assert folder_hashes(store.path.parent) == before


def test_interrupt_just_after_the_commit_point_keeps_the_new_store_whole(store: Store, monkeypatch):
    """Ctrl-C landing after the manifest's os.replace must not delete the files it names."""
    real_replace = os.replace

    def replace(src, dst):
        real_replace(src, dst)
        if Path(dst) == store.path:
            raise KeyboardInterrupt

    monkeypatch.setattr(storage.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        Repository(Store(store.path)).create("students", Student("s3", "Roux", "Léo", "c1"))
    monkeypatch.undo()
    Store(store.path).check()
    assert {s.id for s in Repository(Store(store.path)).dataset().students} == {"s1", "s2", "s3"}


CRASH_BEFORE_COMMIT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from pfmp_tui.domain.model import Student
    from pfmp_tui.store import storage
    from pfmp_tui.store.repository import Repository
    from pfmp_tui.store.storage import Store
    manifest = Path(sys.argv[1])
    real_replace = os.replace
    def replace(src, dst):
        if Path(dst) == manifest:
            os._exit(3)  # the power goes off: shard files written, manifest not replaced
        return real_replace(src, dst)
    storage.os.replace = replace
    Repository(Store(manifest)).create("students", Student("s3", "Roux", "Léo", "c1"))
""")


def test_crash_between_shards_and_manifest_leaves_the_old_store_then_orphans_are_cleaned(store: Store):
    before = folder_hashes(store.path.parent)
    with store.read() as tx:
        journal = store.read_journal(tx)
    done = subprocess.run([sys.executable, "-c", CRASH_BEFORE_COMMIT, str(store.path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 3, done.stderr
    after = folder_hashes(store.path.parent)
    orphans = set(after) - set(before)
    assert orphans  # the new shard file and the manifest's temp file
    # Old files untouched; the journal only has bytes appended past its committed part.
    assert all(after[name] == digest for name, digest in before.items() if ".journal." not in name)
    with store.read() as tx:
        assert store.read_journal(tx) == journal
    journal_path = Store(store.path).files()[-1]
    assert journal_path.read_bytes().startswith(journal) and len(journal_path.read_bytes()) > len(journal)
    repo = Repository(Store(store.path))
    Store(store.path).check()
    assert {s.id for s in repo.dataset().students} == {"s1", "s2"}
    repo.create("students", Student("s4", "Simon", "Noah", "c2"))  # the next write cleans up
    left = set(os.listdir(store.path.parent))
    committed = {p.name for p in Store(store.path).files()}
    # Orphans are gone, but for a name the new commit wrote again (the index of the
    # same generation): that one is the committed file, not the orphan.
    assert not ((orphans - committed) & left)
    assert all(after[name] != digest for name, digest in folder_hashes(store.path.parent).items()
               if name in orphans and name in committed)
    assert left == committed | {"pfmp.json.lock"}
    assert {s.id for s in repo.dataset().students} == {"s1", "s2", "s4"}
    with store.read() as tx:  # the crashed writer's entry was cut off, the new one follows
        lines = store.read_journal(tx).splitlines()
    assert lines[:-1] == journal.splitlines() and b'"s4"' in lines[-1] and b'"s3"' not in b"".join(lines)


def test_garbage_collection_spares_files_that_are_not_ours(store: Store, monkeypatch):
    from pfmp_tui.store import storage

    # The full clean-up that looks for orphans (after a killed writer, and every
    # FULL_CLEANUP_EVERY commits; an ordinary commit deletes only what it replaced).
    monkeypatch.setattr(storage, "FULL_CLEANUP_EVERY", 1)
    folder = store.path.parent
    # Files of the old naming (the stem) not named by our manifest may be another store's
    # (pfmp.test names its files pfmp.… too under that naming): never ours to delete.
    keep = ["notes.txt", "autre.json", "autre.core.3.json", "pfmp.json.bak", "pfmp.core.json",
            f"pfmp.{shard_for_cohort('c9')}.99.json", "pfmp.test.core.3.json"]
    for name in keep:
        (folder / name).write_text("x")
    # Files named after this main file that its manifest does not name (orphans), temp files.
    stale = [f"pfmp.json.{shard_for_cohort('c9')}.99.json", ".pfmp.json.core.7.json.4242-a1b2c3.tmp",
             ".pfmp.json.4242-a1b2c3.tmp"]
    for name in stale:
        (folder / name).write_text("x")
    Repository(store).create("students", Student("s3", "Roux", "Léo", "c1"))
    names = set(os.listdir(folder))
    assert set(keep) <= names and not (set(stale) & names)


def test_manifest_names_only_sibling_files(store: Store):
    doc = orjson.loads(store.path.read_bytes())
    assert doc["format"] == "pfmp-store" and doc["schema_version"] == SCHEMA_VERSION
    assert all("/" not in f and (store.path.parent / f).is_file() for f in doc["shards"].values())


def test_a_write_elsewhere_leaves_a_broken_shard_alone(store: Store):
    """A write reads the shards it changes (issue 13: an edit costs what it touches), so
    a broken shard of another cohort does not stop it, and stays byte for byte as it
    was; anything that reads that shard is refused."""
    broken = next(p for p in store.files() if shard_for_cohort("c1") in p.name)
    broken.write_bytes(b'{"students": [1, 2]}')
    before = broken.read_bytes()
    Repository(Store(store.path)).create("students", Student("s9", "Roux", "Léo", "c2"))
    assert broken.read_bytes() == before and broken in Store(store.path).files()
    for attempt in (lambda: Repository(Store(store.path)).snapshot(), lambda: Store(store.path).check(),
                    lambda: Repository(Store(store.path)).get("students", "s1")):
        with pytest.raises(StoreError) as exc:
            attempt()
        assert "magasin corrompu" in str(exc.value)
