"""Issue 10, « smaller holes »: truthful messages, neutralised report headers and hidden
formulas, folders created with the store's mode, actionable messages for -o."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from conftest import PFMP, run_pfmp, store_bytes
from pfmp_tui.services.export import neutralise


def school(tmp_path: Path) -> Path:
    db = tmp_path / "db" / "pfmp.json"
    doc = {
        "format": "pfmp-interchange", "version": 1,
        "cohorts": [{"id": c, "label": c, "exam_session": 2027, "dossier_deadline": "2027-05-15", "holiday_zone": "A"}
                    for c in ("c1", "c2")],
        "students": [{"id": f"s-{c}", "ine": None, "last_name": "\ufeff=cmd|' /C calc'!A0" if c == "c1" else "Durand",
                      "first_name": "Léa", "birth_date": None, "email": None, "cohort_id": c, "voie": "scolaire",
                      "cycle_years": 3, "positioned": False, "derogation": None} for c in ("c1", "c2")],
        "organisations": [{"id": o, "name": o, "siret": None, "address": None, "postcode": None, "city": None,
                           "country": "FR"} for o in ("o1", "o2")],
        "tutors": [], "periods": [],
        "placements": [{"id": f"p-{c}", "student_id": f"s-{c}", "period_id": None, "organisation_id": "o1",
                        "tutor_id": None, "teacher": None, "start": "2026-01-05", "end": "2026-01-30",
                        "convention": {"status": "none", "signed_on": None}, "attestation": None} for c in ("c1", "c2")],
        "work_certificates": [], "contracts": [], "assessments": [],
    }
    (tmp_path / "school.json").write_text(json.dumps(doc), encoding="utf-8")
    assert run_pfmp("--db", str(db), "load", str(tmp_path / "school.json")).returncode == 0
    return db


def test_a_change_refused_because_another_file_is_damaged_says_the_truth(tmp_path: Path):
    db = school(tmp_path)
    manifest = orjson.loads(db.read_bytes())
    other = db.parent / next(f for s, f in manifest["shards"].items() if s.startswith("c-c2"))
    other.write_bytes(other.read_bytes()[:40])  # truncated
    before = store_bytes(db.parent)
    done = run_pfmp("--db", str(db), "assign", "p-c1", "--organisation", "o2")
    assert done.returncode == 1, done.stderr
    # Before: the change was committed, then « Aucun fichier n'a été modifié » was printed.
    assert "Aucun fichier n'a été modifié" in done.stderr
    assert store_bytes(db.parent) == before  # …and it is true


@pytest.mark.parametrize("cell", ["=1+1", "\u200b=1+1", "\ufeff=HYPERLINK(\"x\")", "\u200b\ufeff@SUM(A1)", "\u2060+1", "-1"])
def test_hidden_formulas_are_neutralised(cell: str):
    assert neutralise(cell) == "'" + cell


def test_plain_text_is_left_as_it_is():
    assert neutralise("Martin") == "Martin" and neutralise("a=b") == "a=b"


def test_an_export_neutralises_a_formula_behind_a_bom(tmp_path: Path):
    db = school(tmp_path)
    out = tmp_path / "x.csv"
    done = run_pfmp("--db", str(db), "export", "missing-attestations", "--as-of", "2026-03-01", "-o", str(out))
    assert done.returncode == 0, done.stderr
    cells = [c for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";") for c in row]
    assert "'\ufeff=cmd|' /C calc'!A0" in cells


def test_the_rejected_rows_report_neutralises_the_files_headers(tmp_path: Path):
    db = school(tmp_path)
    source = tmp_path / "orgs.csv"
    source.write_text('Raison sociale;Code postal;=HYPERLINK("http://x")\nMairie;69001;a\n;69002;b\n', encoding="utf-8")
    done = run_pfmp("--db", str(db), "import", "organisations", str(source), "--keep-good", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (report,) = (tmp_path / "exports").iterdir()
    header = next(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert "'=HYPERLINK(\"http://x\")" in header and not any(h.startswith("=") for h in header)


def run_with_umask(umask: int, *args: str, env: dict | None = None, cwd: Path | None = None):
    full = {k: v for k, v in os.environ.items() if k not in ("PFMP_DB", "PFMP_DEBUG", "PFMP_SHARED_GROUP")}
    full.update(env or {})
    return subprocess.run([*PFMP, *args], capture_output=True, text=True, env=full, cwd=cwd, timeout=120,
                          preexec_fn=lambda: os.umask(umask))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
@pytest.mark.parametrize("shared, expected", [(False, 0o700), (True, 0o2770)])
def test_folders_made_for_outputs_get_the_store_mode_whatever_the_umask(tmp_path: Path, shared: bool, expected: int):
    db = school(tmp_path)
    env = {"PFMP_SHARED_GROUP": "1"} if shared else {}
    out = tmp_path / "a" / "b" / "c" / "x.csv"
    done = run_with_umask(0, "--db", str(db), "export", "missing-attestations", "--as-of", "2026-03-01", "-o", str(out),
                          env=env)
    assert done.returncode == 0, done.stderr
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert folder.stat().st_mode & 0o7777 == expected, oct(folder.stat().st_mode)
    assert out.stat().st_mode & 0o777 == (0o660 if shared else 0o600)
    done = run_with_umask(0o027, "--db", str(db), "export", "missing-attestations", "--as-of", "2026-03-01",
                          env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "exports").stat().st_mode & 0o7777 == expected  # the group can write into it
    done = run_with_umask(0, "--db", str(db), "dump", "-o", str(tmp_path / "d" / "dump.json"), env=env)
    assert done.returncode == 0 and (tmp_path / "d").stat().st_mode & 0o7777 == expected


def test_output_naming_a_folder_says_so(tmp_path: Path):
    db = school(tmp_path)
    folder = tmp_path / "sortie"
    folder.mkdir()
    for args in (["export", "missing-attestations", "-o", str(folder)], ["dump", "-o", str(folder)]):
        done = run_pfmp("--db", str(db), *args)
        assert done.returncode == 2, done.stderr
        assert "c'est un dossier" in done.stderr and ".tmp" not in done.stderr
    assert list(folder.iterdir()) == []


def test_a_dangling_exports_symlink_says_what_to_do(tmp_path: Path):
    db = school(tmp_path)
    (tmp_path / "exports").symlink_to(tmp_path / "parti")
    done = run_pfmp("--db", str(db), "export", "missing-attestations", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "lien symbolique" in done.stderr and "parti" in done.stderr and "File exists" not in done.stderr
