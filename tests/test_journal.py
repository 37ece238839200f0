"""The journal of changes (issue 16): every way in writes it, in the commit's transaction.

Each change path (each verb through the real entry point, the Python API) is driven
and its entry found with its author, its verb and its before/after values; a
journal entry can be undone when nothing moved since; a writer killed with SIGKILL
leaves store and journal in step.
"""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.domain.model import Assessment, Cohort, Dataset, Student
from pfmp_tui.services import journal
from pfmp_tui.services.data_io import dump_bytes
from pfmp_tui.store import audit
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from tests.conftest import minimal_document, run_pfmp, store_bytes, write_json

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "siecle"
ME = audit.current_login()


def _entries(db: Path) -> list[dict]:
    return journal.entries(Repository(Store(db)))


def _loaded(tmp_path: Path) -> Path:
    db = tmp_path / "db" / "pfmp.json"
    r = run_pfmp("--db", str(db), "load", str(write_json(tmp_path / "in.json", minimal_document())))
    assert r.returncode == 0, r.stderr
    return db


def _last(db: Path) -> dict:
    return _entries(db)[-1]


def test_an_update_is_journalled_with_author_verb_and_each_field_before_after(tmp_path: Path):
    db = _loaded(tmp_path)
    env = {"SSH_CONNECTION": "10.0.4.7 51234 10.0.0.1 22"}
    r = run_pfmp("--db", str(db), "assign", "p1", "--organisation", "o1", "--tutor", "t1", "--teacher", "alebrun",
                 env=env)
    assert r.returncode == 0, r.stderr
    entry = _last(db)
    assert entry["user"] == ME and entry["from"] == "10.0.4.7" and entry["via"] == "cli:assign"
    assert entry["changes"] == [{"kind": "placements", "id": "p1", "op": "update", "student": "s1", "rev": 2,
                                 "fields": {"teacher": ["mdurand", "alebrun"]}}]
    with Store(db).read() as tx:
        assert entry["generation"] == tx.generation  # written in the commit of the change
    shown = run_pfmp("--db", str(db), "history", "p1")
    assert shown.returncode == 0
    assert "cli:assign" in shown.stdout and "teacher : « mdurand » → « alebrun »" in shown.stdout
    as_json = json.loads(run_pfmp("--db", str(db), "history", "--student", "s1", "--format", "json").stdout)
    assert [e["id"] for e in as_json] == [1, entry["id"]]
    assert all(c["student"] == "s1" for e in as_json for c in e["changes"])


def test_the_journal_is_private_like_the_store(tmp_path: Path):
    db = _loaded(tmp_path)
    journal_files = [p for p in db.parent.iterdir() if ".journal." in p.name]
    assert len(journal_files) == 1
    assert stat.S_IMODE(journal_files[0].stat().st_mode) == 0o600


def test_every_verb_that_changes_the_store_writes_its_entry(tmp_path: Path):
    db = _loaded(tmp_path)
    assert _entries(db)[0]["via"] == "cli:load" and _entries(db)[0]["user"] == ME
    d = ["--db", str(db)]
    steps = [
        (["period", "add", "--cohort", "c1", "--label", "PFMP 2", "--start", "2026-03-02", "--end", "2026-03-27"],
         "cli:period", "periods", "create"),
        (["place", "--period", "pe1", "--students", "s2", "--organisation", "o1"], "cli:place", "placements", "create"),
        (["assign", "p1", "--organisation", "o1", "--teacher", "x"], "cli:assign", "placements", "update"),
        (["import", "students", str(DATA / "liste_eleves_2AGORA1.csv"), "--cohort", "c1"], "cli:import", "students", "create"),
        (["import", "organisations", str(DATA / "organisations_latin1.csv")], "cli:import", "organisations", "create"),
        (["plan", "--cohort", "c1", "--weeks", "4", "--start", "2026-09-07", "--apply"], "cli:plan", "periods", "create"),
        (["users", "add", "alebrun", "professeur"], "cli:users", "users", "update"),
    ]
    for args, via, kind, op in steps:
        count = len(_entries(db))
        r = run_pfmp(*d, *args)
        assert r.returncode == 0, (args, r.stderr)
        entries = _entries(db)
        assert len(entries) == count + 1, args
        assert entries[-1]["via"] == via and entries[-1]["user"] == ME
        assert any(c["kind"] == kind and c["op"] == op for c in entries[-1]["changes"]), entries[-1]
    new_period = next(c["id"] for c in _entries(db)[1]["changes"])
    r = run_pfmp(*d, "period", "edit", new_period, "--label", "PFMP 2 bis")
    assert r.returncode == 0, r.stderr
    assert _last(db)["changes"][0]["fields"] == {"label": ["PFMP 2", "PFMP 2 bis"]}
    r = run_pfmp(*d, "period", "delete", new_period)
    assert r.returncode == 0, r.stderr
    assert _last(db)["changes"][0]["op"] == "delete" and _last(db)["changes"][0]["before"]["label"] == "PFMP 2 bis"
    # A verb that only reads writes nothing.
    count = len(_entries(db))
    for args in (["check"], ["dump"], ["history"], ["periods", "--cohort", "c1"]):
        assert run_pfmp(*d, *args).returncode == 0
    assert len(_entries(db)) == count


def test_a_refused_load_writes_no_entry(tmp_path: Path):
    db = _loaded(tmp_path)
    before = store_bytes(db.parent)
    doc = minimal_document()
    doc["students"][0]["birth_date"] = "2026-13-01"
    assert run_pfmp("--db", str(db), "load", str(write_json(tmp_path / "bad.json", doc)), "--replace").returncode == 2
    assert store_bytes(db.parent) == before


def test_demo_and_bulk_loads_are_summarised(tmp_path: Path):
    db = tmp_path / "db" / "pfmp.json"
    assert run_pfmp("--db", str(db), "demo", "--students", "90").returncode == 0
    entry = _last(db)
    assert entry["via"] == "cli:demo" and entry["changes"] == []
    assert entry["summary"]["students"] == {"create": 90}
    assert "opération en masse" in run_pfmp("--db", str(db), "history").stdout
    r = run_pfmp("--db", str(db), "revert", str(entry["id"]))
    assert r.returncode == 1 and "restaurez une sauvegarde" in r.stderr


def test_python_api_and_assessment_sheets_are_journalled(repo: Repository):
    repo.add_all(parse_document(minimal_document()))
    items, rev = repo.sheet("p1")
    a2 = Assessment("a2", "p1", "1.1.2", 2, "teacher", date(2026, 2, 1))
    with audit.acting("tui:AssessmentScreen"):
        repo.set_assessments("p1", [replace(items[0], level=4), a2], rev)
    entry = journal.entries(repo)[-1]
    assert entry["via"] == "tui:AssessmentScreen"
    changes = {c["id"]: c for c in entry["changes"]}
    assert changes["a1"]["fields"] == {"level": [3, 4]} and changes["a1"]["student"] == "s1"
    assert changes["a2"]["op"] == "create" and changes["a2"]["after"]["competence"] == "1.1.2"
    repo.create("students", Student("s9", "Roux", "Léo", "c1"))
    assert journal.entries(repo)[-1]["via"] == "api"


def test_a_student_changing_cohort_is_one_update(repo: Repository):
    repo.add_all(parse_document(minimal_document()))
    repo.create("cohorts", Cohort("c2", "2nde", 2029, date(2029, 5, 1)))
    student, rev = repo.get("students", "s1")
    repo.update("students", replace(student, cohort_id="c2"), rev)
    entry = journal.entries(repo)[-1]
    assert [(c["kind"], c["id"], c["op"]) for c in entry["changes"]] == [("students", "s1", "update")]
    assert entry["changes"][0]["fields"] == {"cohort_id": ["c1", "c2"]}


# -- revert -----------------------------------------------------------------------------------
def test_revert_undoes_an_entry_and_is_journalled(tmp_path: Path):
    db = _loaded(tmp_path)
    dump0 = run_pfmp("--db", str(db), "dump").stdout
    assert run_pfmp("--db", str(db), "assign", "p1", "--organisation", "o1", "--teacher", "alebrun").returncode == 0
    changed = _last(db)["id"]
    r = run_pfmp("--db", str(db), "revert", str(changed))
    assert r.returncode == 0, r.stderr
    undo = _last(db)
    assert undo["via"] == "cli:revert" and undo["note"] == f"annule l'entrée {changed}"
    assert undo["changes"][0]["fields"] == {"tutor_id": [None, "t1"], "teacher": ["alebrun", "mdurand"]}
    assert run_pfmp("--db", str(db), "dump").stdout == dump0


def test_revert_refuses_when_a_record_changed_since_and_changes_nothing(tmp_path: Path):
    db = _loaded(tmp_path)
    assert run_pfmp("--db", str(db), "assign", "p1", "--organisation", "o1", "--teacher", "alebrun").returncode == 0
    first = _last(db)["id"]
    assert run_pfmp("--db", str(db), "assign", "p1", "--organisation", "o1", "--teacher", "bmartin").returncode == 0
    before = store_bytes(db.parent)
    r = run_pfmp("--db", str(db), "revert", str(first))
    assert r.returncode == 1
    assert "stage (PFMP) « p1 » (modifié depuis)" in r.stderr and "Rien n'a été modifié" in r.stderr
    assert store_bytes(db.parent) == before


def test_revert_of_a_deletion_brings_back_the_record_and_its_dependents(repo: Repository):
    repo.add_all(parse_document(minimal_document()))
    dump0 = dump_bytes(repo)
    repo.delete("students", "s1")
    deleted = journal.entries(repo)[-1]
    assert {c["kind"] for c in deleted["changes"]} == {"students", "placements", "assessments"}
    journal.revert(repo, deleted["id"])
    assert dump_bytes(Repository(Store(repo.store.path))) == dump0


def test_revert_of_a_creation_is_refused_when_something_depends_on_it(repo: Repository):
    repo.add_all(parse_document(minimal_document()))
    repo.create("cohorts", Cohort("c2", "2nde", 2029, date(2029, 5, 1)))
    created = journal.entries(repo)[-1]["id"]
    repo.create("students", Student("s9", "Roux", "Léo", "c2"))
    with pytest.raises(Exception) as exc:
        journal.revert(repo, created)
    assert "dépendent" in str(exc.value)
    assert repo.get("cohorts", "c2") is not None


# -- crash safety --------------------------------------------------------------------------------
KILLED_WRITER = """
    import sys
    from pfmp_tui.domain.model import Student
    from pfmp_tui.store.repository import Repository
    from pfmp_tui.store.storage import Store
    path, first = sys.argv[1], int(sys.argv[2])
    repo = Repository(Store(path))
    print("ready", flush=True)
    i = first
    while True:
        repo.create("students", Student(f"k{i:05d}", "Élève", "Tuée", "c1"))
        print(f"done {i}", flush=True)
        i += 1
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_writers_killed_at_random_instants_leave_store_and_journal_in_step(tmp_path: Path):
    path = tmp_path / "db" / "pfmp.json"
    Repository(Store(path)).add_all(Dataset(cohorts=[Cohort("c1", "Tle", 2026, date(2026, 5, 15))]))
    rng = random.Random(20261201)
    committed = 0
    for _ in range(8):
        child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KILLED_WRITER), str(path), str(committed)],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(rng.uniform(0.0, 0.2))
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
        repo = Repository(Store(path))
        ids = sorted(s.id for s in repo.dataset().students)
        created = [c["id"] for e in journal.entries(repo) for c in e["changes"] if c["kind"] == "students"]
        assert created == ids  # one entry per commit, none for a write that did not commit
        with Store(path).read() as tx:
            assert [e["generation"] for e in journal.entries(repo)] == list(range(1, tx.generation + 1))
        committed = len(ids)
    assert committed > 5
    Repository(Store(path)).create("students", Student("after", "Élève", "Survivante", "c1"))
    journal_file = next(p for p in Store(path).files() if ".journal." in p.name)
    lines = journal_file.read_bytes().splitlines()  # the killed writers' tails were cut off
    assert len(lines) == committed + 2 and all(json.loads(line)["id"] for line in lines)


def test_edit_cost_does_not_read_the_journal(repo: Repository, monkeypatch):
    """An edit appends; it never reads the journal back (whatever its length)."""
    repo.add_all(parse_document(minimal_document()))
    from pfmp_tui.store import journal_file

    def no_read(*args, **kwargs):
        raise AssertionError("an edit read the journal")

    monkeypatch.setattr(journal_file, "read", no_read)
    for i in range(20):
        repo.create("students", Student(f"n{i}", "Roux", "Léo", "c1"))
    monkeypatch.undo()
    assert len(journal.entries(repo)) == 21
    assert os.path.getsize(next(p for p in repo.store.files() if ".journal." in p.name)) > 0
