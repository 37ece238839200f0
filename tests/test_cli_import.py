"""`pfmp import` through the entry point (issue 7): preview, all or nothing, re-import."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import minimal_document, run_pfmp, store_bytes, write_json

DATA = Path(__file__).parent / "data" / "siecle"


def _store(tmp_path: Path) -> str:
    db = tmp_path / "db" / "pfmp.json"
    assert run_pfmp("--db", str(db), "load", str(write_json(tmp_path / "in.json", minimal_document()))).returncode == 0
    return str(db)


def _students(db: str) -> list[dict]:
    return json.loads(run_pfmp("--db", db, "dump").stdout)["students"]


def test_import_students_dry_run_then_import_then_reimport(tmp_path: Path):
    db = _store(tmp_path)
    csv_file = str(DATA / "liste_eleves_2AGORA1.csv")
    before = store_bytes(Path(db).parent)
    r = run_pfmp("--db", db, "import", "students", csv_file, "--cohort", "c1", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "+ élève LEFÈVRE Noël" in r.stdout and "rien n'a été écrit" in r.stdout
    assert "1 inchangé" in r.stdout  # Zoé Cœurdacier is already in the store (same INE)
    assert store_bytes(Path(db).parent) == before
    r = run_pfmp("--db", db, "import", "students", csv_file, "--cohort", "c1")
    assert r.returncode == 0, r.stderr
    count = len(_students(db))
    r = run_pfmp("--db", db, "import", "students", csv_file, "--cohort", "c1")
    assert r.returncode == 0 and "0 créé" in r.stdout
    assert len(_students(db)) == count  # updated or unchanged, never duplicated


def test_bad_file_is_refused_whole_with_every_row(tmp_path: Path):
    db = _store(tmp_path)
    before = store_bytes(Path(db).parent)
    r = run_pfmp("--db", db, "import", "students", str(DATA / "liste_eleves_erreurs.csv"), "--cohort", "c1", cwd=tmp_path)
    assert r.returncode == 2
    assert "ligne 3, NE(E) LE: date invalide" in r.stderr and "ligne 4, INE: INE invalide" in r.stderr
    assert store_bytes(Path(db).parent) == before
    r = run_pfmp("--db", db, "import", "students", str(DATA / "liste_eleves_erreurs.csv"), "--cohort", "c1",
                 "--keep-good", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    reports = list((tmp_path / "exports").iterdir())
    assert len(reports) == 1 and str(reports[0].name) in r.stdout


def test_import_organisations_and_mapping_errors(tmp_path: Path):
    db = _store(tmp_path)
    r = run_pfmp("--db", db, "import", "organisations", str(DATA / "organisations_latin1.csv"))
    assert r.returncode == 0, r.stderr and "Organisations :" in r.stdout
    r = run_pfmp("--db", db, "import", "organisations", str(DATA / "organisations_latin1.csv"), "--map", "nom")
    assert r.returncode == 2 and "--map" in r.stderr
    r = run_pfmp("--db", db, "import", "students", str(DATA / "liste_eleves_2AGORA1.csv"), "--cohort", "zz")
    assert r.returncode == 2 and "zz" in r.stderr
