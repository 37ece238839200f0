"""`pfmp paper`, `pfmp progress` and `pfmp todo` through the entry point (issue 6, R11, R12, R16)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import run_pfmp


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    r = run_pfmp("demo", "--students", "40", "--seed", "3", cwd=folder)
    assert r.returncode == 0, r.stderr
    return folder


def _first_student(folder: Path) -> str:
    import json

    doc = json.loads(run_pfmp("dump", cwd=folder).stdout)
    placement = next(p for p in doc["placements"] if p["attestation"] and p["teacher"])
    return placement


def test_paper_attestation_and_liaison(demo: Path):
    placement = _first_student(demo)
    r = run_pfmp("paper", "attestation", placement["id"], "--school", "Lycée Jean-Macé", cwd=demo)
    assert r.returncode == 0, r.stderr
    path = demo / r.stdout.split("Document écrit : ")[1].strip()
    assert path.parent.name == "exports" and stat.S_IMODE(path.stat().st_mode) == 0o600
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Attestation de PFMP" in text and "Lycée Jean-Macé" in text
    r = run_pfmp("paper", "liaison", placement["student_id"], "-o", str(demo / "l.pdf"), cwd=demo)
    assert r.returncode == 0, r.stderr
    text = "".join(page.extract_text() for page in PdfReader(demo / "l.pdf").pages)
    assert "Identifier les caractéristiques de la demande" in text


def test_paper_unknown_id_is_exit_2(demo: Path):
    r = run_pfmp("paper", "liaison", "nope", cwd=demo)
    assert r.returncode == 2 and "introuvable" in r.stderr


def test_progress_grid_fits_80_columns(demo: Path):
    placement = _first_student(demo)
    r = run_pfmp("progress", placement["student_id"], cwd=demo)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert sum(1 for line in lines if line[:1].isdigit() and line[1] == ".") == 37
    assert any(line.startswith("Bloc 3 :") for line in lines)


def test_todo_lists_what_waits_for_a_teacher(demo: Path):
    placement = _first_student(demo)
    r = run_pfmp("todo", "--teacher", placement["teacher"], "--as-of", "2026-11-28", cwd=demo)
    assert r.returncode == 0, r.stderr
    assert f"« {placement['teacher']} » suit" in r.stdout
    assert all(len(line) <= 80 for line in r.stdout.splitlines())
    r = run_pfmp("todo", "--teacher", "personne", cwd=demo)
    assert "Aucun élève suivi" in r.stdout
