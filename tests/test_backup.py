"""`pfmp backup` / `pfmp restore` (issue 16) through the real entry point."""

from __future__ import annotations

import gzip
import json
import stat
from pathlib import Path

import orjson

from pfmp_tui.services import backup, journal
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from tests.conftest import run_pfmp, store_bytes


def _demo(tmp_path: Path, name: str = "a") -> Path:
    db = tmp_path / name / "pfmp.json"
    r = run_pfmp("--db", str(db), "demo", "--students", "40")
    assert r.returncode == 0, r.stderr
    assert run_pfmp("--db", str(db), "users", "add", "alebrun", "professeur").returncode == 0
    return db


def test_backup_restore_dump_is_identical_with_users_and_journal(tmp_path: Path):
    db = _demo(tmp_path)
    dump0 = run_pfmp("--db", str(db), "dump").stdout
    out = tmp_path / "nuit.pfmp-backup.gz"
    r = run_pfmp("--db", str(db), "backup", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    doc = orjson.loads(gzip.decompress(out.read_bytes()))  # one compressed file
    assert doc["format"] == "pfmp-backup" and doc["users"]["alebrun"] == "professeur"
    entries_before = journal.entries(Repository(Store(db)))

    # Into a new, empty store: no question asked.
    other = tmp_path / "b" / "pfmp.json"
    r = run_pfmp("--db", str(other), "restore", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert run_pfmp("--db", str(other), "dump").stdout == dump0
    restored = Repository(Store(other))
    assert journal.entries(restored)[:-1] == entries_before
    last = journal.entries(restored)[-1]
    assert last["via"] == "cli:restore" and "restauration de nuit.pfmp-backup.gz" in last["note"]
    assert run_pfmp("--db", str(other), "users", "list").stdout.count("alebrun") == 1


def test_restore_over_a_changed_store_asks_then_keeps_a_copy_of_it(tmp_path: Path):
    db = _demo(tmp_path)
    dump0 = run_pfmp("--db", str(db), "dump").stdout
    out = tmp_path / "b.pfmp-backup.gz"
    assert run_pfmp("--db", str(db), "backup", "-o", str(out)).returncode == 0
    placement = json.loads(dump0)["placements"][0]["id"]
    assert run_pfmp("--db", str(db), "assign", placement, "--organisation", "org-002").returncode == 0
    changed = run_pfmp("--db", str(db), "dump").stdout
    before = store_bytes(db.parent)
    r = run_pfmp("--db", str(db), "restore", str(out), cwd=tmp_path)  # not a terminal, no --yes
    assert r.returncode == 1 and "--yes" in r.stderr and store_bytes(db.parent) == before
    r = run_pfmp("--db", str(db), "restore", str(out), "--yes", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert run_pfmp("--db", str(db), "dump").stdout == dump0
    kept = list((tmp_path / "backups").glob("pfmp-avant-restauration-*"))
    assert len(kept) == 1 and stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    other = tmp_path / "c" / "pfmp.json"
    assert run_pfmp("--db", str(other), "restore", str(kept[0]), cwd=tmp_path).returncode == 0
    assert run_pfmp("--db", str(other), "dump").stdout == changed  # the replaced store is not lost


def test_newer_or_foreign_files_are_refused_and_change_nothing(tmp_path: Path):
    db = _demo(tmp_path)
    before = store_bytes(db.parent)
    newer = tmp_path / "newer.gz"
    newer.write_bytes(gzip.compress(orjson.dumps({"format": "pfmp-backup", "version": 99, "document": {}})))
    r = run_pfmp("--db", str(db), "restore", str(newer), "--yes", cwd=tmp_path)
    assert r.returncode == 2 and "version plus récente" in r.stderr
    junk = tmp_path / "junk.gz"
    junk.write_bytes(b"not a backup")
    r = run_pfmp("--db", str(db), "restore", str(junk), "--yes", cwd=tmp_path)
    assert r.returncode == 2 and "pas une sauvegarde pfmp" in r.stderr
    assert store_bytes(db.parent) == before


def test_keep_rotates_the_dated_backups_only(tmp_path: Path):
    db = _demo(tmp_path)
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20240101-020000", "20240102-020000", "20240103-020000"):
        (folder / f"pfmp-{stamp}{backup.SUFFIX}").write_bytes(b"x")
    (folder / "notes.txt").write_text("à garder")
    r = run_pfmp("--db", str(db), "backup", "--keep", "2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert len([n for n in names if n.startswith("pfmp-2")]) == 2 and "notes.txt" in names
    assert f"pfmp-20240103-020000{backup.SUFFIX}" in names


def test_a_backup_never_mixes_two_generations(repo: Repository, monkeypatch):
    """The copy is read under the shared lock: a writer waits until it is done."""
    import threading

    from pfmp_tui.domain.interchange import parse_document
    from pfmp_tui.domain.model import Student
    from tests.conftest import minimal_document

    repo.add_all(parse_document(minimal_document()))
    started, wrote = threading.Event(), []
    real = repo.snapshot

    def slow_snapshot():
        started.set()
        threading.Event().wait(0.3)  # a writer tries to commit meanwhile
        return real()

    monkeypatch.setattr(repo, "snapshot", slow_snapshot)
    writer = threading.Thread(target=lambda: (started.wait(), Repository(Store(repo.store.path)).create(
        "students", Student("late", "Roux", "Léo", "c1")), wrote.append(True)))
    writer.start()
    data, generation = backup.snapshot_bytes(repo)
    writer.join()
    doc = orjson.loads(gzip.decompress(data))
    assert wrote and "late" not in {s["id"] for s in doc["document"]["students"]}
    assert len(doc["journal"].splitlines()) == generation == 1
