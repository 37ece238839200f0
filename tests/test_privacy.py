"""RGPD (issue 16): purge of old exam sessions and the right of access, on the demo school."""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader

from pfmp_tui.services import journal, privacy
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from tests.conftest import run_pfmp, store_bytes


def _demo(tmp_path: Path) -> Path:
    db = tmp_path / "db" / "pfmp.json"
    assert run_pfmp("--db", str(db), "demo", "--students", "40", cwd=tmp_path).returncode == 0
    return db


def _old_students(db: Path) -> tuple[list[dict], dict]:
    doc = json.loads(run_pfmp("--db", str(db), "dump").stdout)
    old = {c["id"] for c in doc["cohorts"] if c["exam_session"] < 2027}
    assert old  # the demo holds the previous session's cohort
    return [s for s in doc["students"] if s["cohort_id"] in old], doc


def test_dry_run_says_what_and_changes_nothing(tmp_path: Path):
    db = _demo(tmp_path)
    before = store_bytes(db.parent)
    r = run_pfmp("--db", str(db), "purge", "--sessions-before", "2027", "--dry-run", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "élèves :" in r.stdout and "anonymisé" in r.stdout and "rien n'a été modifié" in r.stdout
    assert store_bytes(db.parent) == before


def test_purge_anonymises_old_sessions_and_scrubs_the_journal(tmp_path: Path):
    db = _demo(tmp_path)
    old, doc0 = _old_students(db)
    victim = old[0]
    # A paper of that learner, and an edit about them in the journal.
    assert run_pfmp("--db", str(db), "paper", "liaison", victim["id"], cwd=tmp_path).returncode == 0
    placement = next(p for p in doc0["placements"] if p["student_id"] == victim["id"])
    assert run_pfmp("--db", str(db), "assign", placement["id"], "--organisation", placement["organisation_id"],
                    "--teacher", "mdurand", cwd=tmp_path).returncode == 0
    assert list((tmp_path / "exports").glob("liaison_*.pdf"))
    r = run_pfmp("--db", str(db), "purge", "--sessions-before", "2027", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(run_pfmp("--db", str(db), "dump").stdout)
    by_id = {s["id"]: s for s in doc["students"]}
    for s in old:  # kept for statistics, nothing that names the person
        anon = by_id[s["id"]]
        assert anon["last_name"] == privacy.ANONYMOUS and anon["ine"] is None and anon["birth_date"] is None
        assert anon["email"] is None and anon["first_name"].startswith("Élève ")
    kept = [s for s in doc0["students"] if s["cohort_id"] not in {o["cohort_id"] for o in old}]
    assert all(by_id[s["id"]] == s for s in kept)  # other learners untouched
    placements = [p for p in doc["placements"] if p["student_id"] == victim["id"]]
    assert placements and all(p["teacher"] is None for p in placements)
    assert not list((tmp_path / "exports").glob("liaison_*.pdf"))  # the paper went too
    raw = b"".join(p.read_bytes() for p in Store(db).files() if ".journal." in p.name)
    for s in old:  # no trace of their personal data left in the journal
        for key in ("ine", "email"):
            if s[key]:
                assert s[key].encode() not in raw, (key, s[key])
    last = journal.entries(Repository(Store(db)))[-1]
    assert last["via"] == "cli:purge" and "purge RGPD" in last["note"]
    assert all(c.get("redacted") and "before" not in c and "fields" not in c for c in last["changes"])
    shown = run_pfmp("--db", str(db), "history", "--student", victim["id"]).stdout
    assert "cli:assign" in shown and "mdurand" not in shown.split("cli:assign", 1)[1].split("\n", 2)[1]


def test_purge_remove_takes_every_record_of_the_learners(tmp_path: Path):
    db = _demo(tmp_path)
    old, _ = _old_students(db)
    r = run_pfmp("--db", str(db), "purge", "--sessions-before", "2027", "--remove", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(run_pfmp("--db", str(db), "dump").stdout)
    ids = {s["id"] for s in old}
    assert not ids & {s["id"] for s in doc["students"]}
    assert not any(p["student_id"] in ids for p in doc["placements"])
    placements = {p["id"] for p in doc["placements"]}
    assert all(a["placement_id"] in placements for a in doc["assessments"])
    assert run_pfmp("--db", str(db), "check").returncode == 0


def test_subject_access_gives_json_and_a_readable_pdf(tmp_path: Path):
    db = _demo(tmp_path)
    doc0 = json.loads(run_pfmp("--db", str(db), "dump").stdout)
    placement = doc0["placements"][0]
    student = next(s for s in doc0["students"] if s["id"] == placement["student_id"])
    assert run_pfmp("--db", str(db), "assign", placement["id"], "--organisation", placement["organisation_id"],
                    "--teacher", "alebrun", cwd=tmp_path).returncode == 0
    out = tmp_path / "acces.json"
    r = run_pfmp("--db", str(db), "subject-access", student["id"], "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["student"] == student
    assert {p["id"] for p in got["placements"]} == {p["id"] for p in doc0["placements"] if p["student_id"] == student["id"]}
    assert len(got["assessments"]) == sum(1 for a in doc0["assessments"]
                                          if a["placement_id"] in {p["id"] for p in got["placements"]})
    assert any(e["via"] == "cli:assign" for e in got["journal"])
    assert all(c["student"] == student["id"] for e in got["journal"] for c in e["changes"])
    text = "".join(page.extract_text() for page in PdfReader(str(out.with_suffix(".pdf"))).pages)
    assert f"{student['first_name']} {student['last_name']}" in text
    assert "Journal des modifications" in text and "alebrun" in text
    assert (out.stat().st_mode & 0o777) == 0o600 and (out.with_suffix(".pdf").stat().st_mode & 0o777) == 0o600
    r = run_pfmp("--db", str(db), "subject-access", "personne", cwd=tmp_path)
    assert r.returncode == 2 and "introuvable" in r.stderr


def test_purge_leaves_no_personal_value_in_the_journal(repo: Repository):
    from dataclasses import replace

    from pfmp_tui.domain.interchange import parse_document
    from tests.conftest import minimal_document

    repo.add_all(parse_document(minimal_document()))  # detailed entry: names, INE, e-mail…
    s1, rev = repo.get("students", "s1")
    repo.update("students", replace(s1, email="zoe.new@example.fr"), rev)
    raw = lambda: b"".join(p.read_bytes() for p in repo.store.files() if ".journal." in p.name)  # noqa: E731
    assert b"1234567890A" in raw() and b"zoe.new@example.fr" in raw()
    report = privacy.purge(repo, 2028, exports_dir=repo.store.path.parent / "exports")
    assert report.counts[("students", "anonymisé")] == 2 and report.journal_entries == 2
    for value in (b"1234567890A", b"zoe.new@example.fr", "Cœurdacier".encode(), b"2009-03-02", b"Accueil, courrier"):
        assert value not in raw(), value
    entries = journal.entries(repo)
    assert [e["id"] for e in entries] == [1, 2, 3]  # what happened, when and by whom stays
    assert entries[1]["changes"][0] == {"kind": "students", "id": "s1", "rev": 2, "student": "s1", "op": "update",
                                        "redacted": True}
