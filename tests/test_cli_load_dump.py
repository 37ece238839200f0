"""`pfmp load` / `pfmp dump` through the real entry point (CONTRACT.md)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.conftest import minimal_document, run_pfmp, store_bytes, write_json


def test_load_then_dump_gives_the_document_back(tmp_path: Path):
    doc = minimal_document()
    src = write_json(tmp_path / "in.json", doc)
    db = tmp_path / "db" / "pfmp.json"
    r = run_pfmp("--db", str(db), "load", str(src))
    assert r.returncode == 0, r.stderr
    r = run_pfmp("--db", str(db), "dump")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == doc


def test_dump_load_dump_is_identical(tmp_path: Path):
    db1, db2 = tmp_path / "a" / "pfmp.json", tmp_path / "b" / "pfmp.json"
    write_json(tmp_path / "in.json", minimal_document())
    assert run_pfmp("--db", str(db1), "load", str(tmp_path / "in.json")).returncode == 0
    first = tmp_path / "first.json"
    assert run_pfmp("--db", str(db1), "dump", "-o", str(first)).returncode == 0
    assert run_pfmp("--db", str(db2), "load", str(first)).returncode == 0
    second = run_pfmp("--db", str(db2), "dump").stdout
    assert first.read_text(encoding="utf-8") == second


def test_dump_file_is_private(tmp_path: Path):
    db = tmp_path / "pfmp.json"
    write_json(tmp_path / "in.json", minimal_document())
    run_pfmp("--db", str(db), "load", str(tmp_path / "in.json"))
    out = tmp_path / "out.json"
    assert run_pfmp("--db", str(db), "dump", "-o", str(out)).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    for f in tmp_path.iterdir():
        if f.name.startswith("pfmp."):
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_bad_document_exit_2_every_error_with_path_and_store_unchanged(tmp_path: Path):
    db = tmp_path / "db" / "pfmp.json"
    write_json(tmp_path / "ok.json", minimal_document())
    assert run_pfmp("--db", str(db), "load", str(tmp_path / "ok.json")).returncode == 0
    before = store_bytes(db.parent)

    bad = minimal_document()
    for kind in bad:
        if isinstance(bad[kind], list):
            for rec in bad[kind]:
                rec["id"] = "new-" + rec["id"]
    bad["students"][0]["cohort_id"] = "new-c1"
    bad["students"][1]["birth_date"] = "2026-13-01"
    bad["organisations"][0]["siret"] = "12345678901234"
    write_json(tmp_path / "bad.json", bad)
    r = run_pfmp("--db", str(db), "load", str(tmp_path / "bad.json"))
    assert r.returncode == 2
    assert "students[1].birth_date: date invalide « 2026-13-01 »" in r.stderr
    assert "organisations[0].siret: SIRET invalide" in r.stderr
    assert "Traceback" not in r.stderr
    assert store_bytes(db.parent) == before


def test_ids_already_in_store_are_refused(tmp_path: Path):
    db = tmp_path / "pfmp.json"
    src = write_json(tmp_path / "in.json", minimal_document())
    assert run_pfmp("--db", str(db), "load", str(src)).returncode == 0
    before = store_bytes(tmp_path)
    r = run_pfmp("--db", str(db), "load", str(src))
    assert r.returncode == 2
    assert "students[0].id: l'identifiant « s1 » existe déjà" in r.stderr
    assert store_bytes(tmp_path) == before


def test_load_may_reference_records_already_in_store(tmp_path: Path):
    db = tmp_path / "pfmp.json"
    doc = minimal_document()
    first = {k: v for k, v in doc.items() if k in ("format", "version", "cohorts", "organisations", "tutors")}
    second = {k: v for k, v in doc.items() if k not in ("cohorts", "organisations", "tutors")}
    assert run_pfmp("--db", str(db), "load", str(write_json(tmp_path / "1.json", first))).returncode == 0
    r = run_pfmp("--db", str(db), "load", str(write_json(tmp_path / "2.json", second)))
    assert r.returncode == 0, r.stderr
    assert json.loads(run_pfmp("--db", str(db), "dump").stdout) == doc


def test_replace(tmp_path: Path):
    db = tmp_path / "pfmp.json"
    doc = minimal_document()
    assert run_pfmp("--db", str(db), "load", str(write_json(tmp_path / "1.json", doc))).returncode == 0
    small = {"format": "pfmp-interchange", "version": 1, "cohorts": doc["cohorts"]}
    assert run_pfmp("--db", str(db), "load", "--replace", str(write_json(tmp_path / "2.json", small))).returncode == 0
    out = json.loads(run_pfmp("--db", str(db), "dump").stdout)
    assert out["cohorts"] == doc["cohorts"] and out["students"] == [] and out["placements"] == []


def test_invalid_json_and_missing_file(tmp_path: Path):
    db = tmp_path / "pfmp.json"
    (tmp_path / "broken.json").write_text('{"format": "pfmp-interchange",\n "version": }', encoding="utf-8")
    r = run_pfmp("--db", str(db), "load", str(tmp_path / "broken.json"))
    assert r.returncode == 2 and "JSON invalide, ligne 2" in r.stderr
    r = run_pfmp("--db", str(db), "load", str(tmp_path / "absent.json"))
    assert r.returncode == 2 and "fichier introuvable" in r.stderr
    assert not db.exists()


def test_load_from_stdin_and_db_from_environment(tmp_path: Path):
    db = tmp_path / "env" / "pfmp.json"
    r = run_pfmp("load", "-", input=json.dumps(minimal_document()), env={"PFMP_DB": str(db)})
    assert r.returncode == 0, r.stderr
    assert db.exists()


def test_default_store_is_db_under_current_folder(tmp_path: Path):
    r = run_pfmp("load", str(write_json(tmp_path / "in.json", minimal_document())), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "db" / "pfmp.json").exists()


def test_corrupt_store_is_refused_untouched_exit_1(tmp_path: Path):
    db = tmp_path / "pfmp.json"
    db.write_text('{"format": "pfmp-store", "schema_ver', encoding="utf-8")
    before = db.read_bytes()
    r = run_pfmp("--db", str(db), "load", str(write_json(tmp_path / "in.json", minimal_document())))
    assert r.returncode == 1
    assert "corrompu" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert db.read_bytes() == before
    r = run_pfmp("--db", str(db), "dump")
    assert r.returncode == 1 and "corrompu" in r.stderr


def test_newer_store_is_refused(tmp_path: Path):
    db = tmp_path / "pfmp.json"
    db.write_text(json.dumps({"format": "pfmp-store", "schema_version": 99, "uid": "x", "generation": 3, "shards": {}}))
    r = run_pfmp("--db", str(db), "dump")
    assert r.returncode == 1 and "plus récente" in r.stderr


def test_bad_command_line_is_exit_2_in_french(tmp_path: Path):
    r = run_pfmp("--db", str(tmp_path / "x.json"), "load")
    assert r.returncode == 2 and "arguments obligatoires manquants" in r.stderr
    r = run_pfmp("frobnicate")
    assert r.returncode == 2 and "choix invalide" in r.stderr


def test_debug_shows_traceback_only_when_asked(tmp_path: Path):
    db = tmp_path / "pfmp.json"
    db.write_text("garbage")
    assert "Traceback" not in run_pfmp("--db", str(db), "dump").stderr
    assert "Traceback" in run_pfmp("--db", str(db), "dump", env={"PFMP_DEBUG": "1"}).stderr
