"""Issue 10, « every record exactly once »: stores sharing a folder, a missing main file,
the lock file deleted or swapped under writers, a symlinked lock, a stopped writer.

The lock cases run real processes (the `pfmp` entry point or `python -c`), never mocks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import run_pfmp, store_bytes
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import BrokenStore, Store, StoreBusy, StoreError

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock and signals are POSIX")


def document(prefix: str, students: int = 3) -> dict:
    return {
        "format": "pfmp-interchange", "version": 1,
        "cohorts": [{"id": f"{prefix}-c", "label": f"Tle {prefix}", "exam_session": 2027,
                     "dossier_deadline": "2027-05-15", "holiday_zone": "A"}],
        "students": [{"id": f"{prefix}-s{i}", "ine": None, "last_name": f"Nom{i}", "first_name": prefix,
                      "birth_date": None, "email": None, "cohort_id": f"{prefix}-c", "voie": "scolaire",
                      "cycle_years": 3, "positioned": False, "derogation": None} for i in range(students)],
        "organisations": [], "tutors": [], "periods": [], "placements": [],
        "work_certificates": [], "contracts": [], "assessments": [],
    }


def write_doc(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def student_ids(db: Path) -> list[str]:
    done = run_pfmp("--db", str(db), "dump")
    assert done.returncode == 0, done.stderr
    return sorted(s["id"] for s in json.loads(done.stdout)["students"])


# -- 1. two stores in one folder ------------------------------------------------------------
def test_two_stores_in_one_folder_keep_their_own_files(tmp_path: Path):
    db = tmp_path / "db"
    main, test = db / "pfmp.json", db / "pfmp.test"
    for store, prefix in ((main, "a"), (test, "b")):
        done = run_pfmp("--db", str(store), "load", str(write_doc(tmp_path / f"{prefix}.json", document(prefix))))
        assert done.returncode == 0, done.stderr
    # Each one reads whole after the other wrote (before: loading into the second deleted
    # the first's cohort file, « magasin incomplet »).
    assert student_ids(main) == ["a-s0", "a-s1", "a-s2"]
    assert student_ids(test) == ["b-s0", "b-s1", "b-s2"]
    names = {p.name for p in db.iterdir()}
    assert all(n.startswith(("pfmp.json", "pfmp.test")) for n in names)
    # …and go on writing without harming each other.
    doc = document("a2")
    doc["cohorts"] = []
    for s in doc["students"]:
        s["cohort_id"] = "a-c"
    assert run_pfmp("--db", str(main), "load", str(write_doc(tmp_path / "a2.json", doc))).returncode == 0
    assert run_pfmp("--db", str(test), "load", "--replace", str(tmp_path / "b.json")).returncode == 0
    assert len(student_ids(main)) == 6 and student_ids(test) == ["b-s0", "b-s1", "b-s2"]


def test_two_new_demo_stores_in_one_folder_do_not_overwrite_each_other(tmp_path: Path):
    db = tmp_path / "db"
    for name, seed in (("pfmp.json", "1"), ("pfmp.test", "2")):
        done = run_pfmp("--db", str(db / name), "demo", "--students", "20", "--seed", seed)
        assert done.returncode == 0, done.stderr
    for name in ("pfmp.json", "pfmp.test"):
        Store(db / name).check()  # every file its manifest names is there and parses
    dumps = [run_pfmp("--db", str(db / name), "dump").stdout for name in ("pfmp.json", "pfmp.test")]
    assert dumps[0] and dumps[1] and dumps[0] != dumps[1]  # seed 1 and seed 2, each whole


def test_files_the_store_did_not_create_are_never_touched(tmp_path: Path):
    db = tmp_path / "db"
    db.mkdir()
    # Another store written with the old naming (the stem: pfmp.test → pfmp.core.1.json),
    # its temp file, a user's backup: not named by our manifest, not created by us.
    other = {"format": "pfmp-store", "schema_version": 1, "uid": "u", "generation": 1,
             "shards": {"core": "pfmp.core.1.json", "c-x-0123456789": "pfmp.c-x-0123456789.1.json"}}
    strangers = {"pfmp.test": json.dumps(other).encode(), "pfmp.core.1.json": b"{}",
                 "pfmp.c-x-0123456789.1.json": b"{}", ".pfmp.core.1.json.1-ab.tmp": b"t", "pfmp.json.bak": b"bak"}
    for name, content in strangers.items():
        (db / name).write_bytes(content)
    for prefix in ("a", "b"):
        done = run_pfmp("--db", str(db / "pfmp.json"), "load", "--replace",
                        str(write_doc(tmp_path / f"{prefix}.json", document(prefix))))
        assert done.returncode == 0, done.stderr
    assert {n: (db / n).read_bytes() for n in strangers} == strangers


# -- 3. a missing main file ---------------------------------------------------------------------
def test_data_files_without_their_main_file_are_a_broken_store_refused_untouched(tmp_path: Path):
    db = tmp_path / "db" / "pfmp.json"
    assert run_pfmp("--db", str(db), "load", str(write_doc(tmp_path / "a.json", document("a")))).returncode == 0
    db.unlink()
    before = store_bytes(db.parent)
    assert before  # the data files are there
    for args in (["dump"], ["check", "--as-of", "2026-01-05"],
                 ["load", str(write_doc(tmp_path / "b.json", document("b")))],
                 ["demo", "--students", "10"]):
        done = run_pfmp("--db", str(db), *args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert "magasin cassé" in done.stderr and "sauvegarde" in done.stderr and "--force" in done.stderr
        assert "Traceback" not in done.stderr
        assert store_bytes(db.parent) == before  # never read as empty, never deleted
    with pytest.raises(BrokenStore):
        Repository(Store(db)).dataset()


def test_starting_over_a_broken_store_keeps_its_old_files_aside(tmp_path: Path):
    db = tmp_path / "db" / "pfmp.json"
    assert run_pfmp("--db", str(db), "load", str(write_doc(tmp_path / "a.json", document("a")))).returncode == 0
    db.unlink()
    before = store_bytes(db.parent)
    done = run_pfmp("--db", str(db), "load", "--replace", "--force", str(write_doc(tmp_path / "b.json", document("b"))))
    assert done.returncode == 0, done.stderr
    assert "conservés dans" in done.stderr
    assert student_ids(db) == ["b-s0", "b-s1", "b-s2"]
    (aside,) = [p for p in db.parent.iterdir() if p.is_dir()]
    assert {p.name: p.read_bytes() for p in aside.iterdir()} == before


def test_a_main_file_naming_a_folder_is_bad_input(tmp_path: Path):
    for db in (".", str(tmp_path), str(tmp_path) + "/.", ".."):
        done = run_pfmp("--db", db, "dump", cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "--db" in done.stderr and "dossier" in done.stderr and "Traceback" not in done.stderr


# -- 2. the lock file deleted or swapped under writers -------------------------------------------
WRITER = """
    import sys
    from pfmp_tui.domain.model import Student
    from pfmp_tui.store.repository import Repository
    from pfmp_tui.store.storage import Store
    path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    repo = Repository(Store(path, timeout=60))
    for i in range(n):
        repo.create("students", Student(f"{name}-{i:03d}", "Élève", name, "c1"))
        print("done", i, flush=True)
"""

LOCK_VANDAL = """
    import os, sys, time
    lock = sys.argv[1]
    end = time.monotonic() + float(sys.argv[2])
    n = 0
    while time.monotonic() < end:
        try:
            os.unlink(lock)
        except FileNotFoundError:
            pass
        if n % 2:
            with open(lock + ".new", "w") as f:
                f.write("x")
            os.replace(lock + ".new", lock)
        n += 1
        time.sleep(0.0005)
    print("vandal", n)
"""


def spawn(code: str, *args: str, env: dict | None = None) -> subprocess.Popen:
    full_env = {**os.environ, **(env or {})}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_deleting_or_swapping_the_lock_file_under_writers_loses_nothing(tmp_path: Path):
    path = tmp_path / "db" / "pfmp.json"
    write_doc(tmp_path / "seed.json", document("seed", 20))
    doc = json.loads((tmp_path / "seed.json").read_text())
    doc["cohorts"][0]["id"] = "c1"
    for s in doc["students"]:
        s["cohort_id"] = "c1"
    assert run_pfmp("--db", str(path), "load", str(write_doc(tmp_path / "seed.json", doc))).returncode == 0
    writers = [spawn(WRITER, str(path), f"w{k}", "25") for k in range(4)]
    vandal = spawn(LOCK_VANDAL, str(path.with_name("pfmp.json.lock")), "4")
    acknowledged = set()
    for k, w in enumerate(writers):
        out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
        acknowledged |= {f"w{k}-{int(line.split()[1]):03d}" for line in out.splitlines() if line.startswith("done")}
    vandal.communicate(timeout=30)
    Store(path).check()
    ids = set(student_ids(path))
    assert acknowledged <= ids and len(acknowledged) == 100
    assert len(ids) == 120


# -- 5. a symlinked lock file ----------------------------------------------------------------------
def test_a_symlinked_lock_file_is_refused_and_its_target_left_alone(tmp_path: Path):
    path = tmp_path / "db" / "pfmp.json"
    assert run_pfmp("--db", str(path), "load", str(write_doc(tmp_path / "a.json", document("a")))).returncode == 0
    lock = path.with_name("pfmp.json.lock")
    target = tmp_path / "target.txt"
    target.write_text("à moi")
    os.chmod(target, 0o644)
    lock.unlink()
    lock.symlink_to(target)
    before = store_bytes(path.parent)
    done = run_pfmp("--db", str(path), "load", str(write_doc(tmp_path / "b.json", document("b"))))
    assert done.returncode == 1 and "lien symbolique" in done.stderr, done.stderr
    assert target.read_text() == "à moi" and (target.stat().st_mode & 0o777) == 0o644
    assert store_bytes(path.parent) == before
    # A dangling one: nothing is created through it, by a reader or a writer.
    lock.unlink()
    ghost = tmp_path / "ghost.txt"
    lock.symlink_to(ghost)
    assert run_pfmp("--db", str(path), "dump").returncode == 0
    assert run_pfmp("--db", str(path), "load", str(tmp_path / "b.json")).returncode == 1
    assert not ghost.exists()


def test_a_lock_file_that_is_not_a_regular_file_is_refused(tmp_path: Path):
    path = tmp_path / "db" / "pfmp.json"
    path.parent.mkdir()
    os.mkfifo(path.with_name("pfmp.json.lock"))
    start = time.monotonic()
    done = run_pfmp("--db", str(path), "load", str(write_doc(tmp_path / "a.json", document("a"))))
    assert done.returncode == 1 and "fichier ordinaire" in done.stderr, done.stderr
    assert time.monotonic() - start < 20
    assert not path.exists()


# -- a writer stopped while holding the lock ------------------------------------------------------
HOLDER = """
    import sys, time
    from pfmp_tui.store.storage import Store
    with Store(sys.argv[1]).write():
        print("holding", flush=True)
        time.sleep(60)
"""


@pytest.fixture
def stopped_writer(tmp_path: Path):
    path = tmp_path / "db" / "pfmp.json"
    assert run_pfmp("--db", str(path), "load", str(write_doc(tmp_path / "a.json", document("a")))).returncode == 0
    holder = spawn(HOLDER, str(path))
    assert holder.stdout.readline().strip() == "holding"
    holder.send_signal(signal.SIGSTOP)
    try:
        yield path, holder
    finally:
        holder.send_signal(signal.SIGCONT)
        holder.kill()
        holder.communicate()


def test_a_stopped_writer_makes_others_give_up_in_bounded_time_naming_it(stopped_writer, tmp_path: Path):
    path, holder = stopped_writer
    for args in (["dump"], ["load", str(write_doc(tmp_path / "b.json", document("b")))]):
        start = time.monotonic()
        done = run_pfmp("--db", str(path), *args, env={"PFMP_LOCK_TIMEOUT": "0.5"})
        elapsed = time.monotonic() - start
        assert done.returncode == 1, done.stderr
        assert "magasin occupé par" in done.stderr and f"processus {holder.pid}" in done.stderr, done.stderr
        assert os.environ.get("USER", "") in done.stderr and "depuis" in done.stderr
        assert "PFMP_LOCK_TIMEOUT" in done.stderr
        assert elapsed < 15  # 0.5 s of waiting plus the interpreter's start


def test_the_wait_is_bounded_by_default_and_the_service_error_says_who(stopped_writer):
    path, holder = stopped_writer
    start = time.monotonic()
    with pytest.raises(StoreBusy) as caught:
        Repository(Store(path)).dataset()
    assert 4 <= time.monotonic() - start < 10  # the default: a few seconds
    assert caught.value.holder is not None and caught.value.holder.pid == holder.pid
    assert isinstance(caught.value, StoreError)
    with pytest.raises(StoreBusy):
        with Store(path, timeout=0.1).write():
            pass
