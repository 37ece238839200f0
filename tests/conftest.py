"""Shared fixtures: a fresh store per test, and running the real `pfmp` entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store

PFMP = [sys.executable, "-m", "pfmp_tui"]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db" / "pfmp.json"


@pytest.fixture
def repo(db_path: Path) -> Repository:
    return Repository(Store(db_path))


def run_pfmp(*args: str, cwd: Path | None = None, input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m pfmp_tui ARGS` (the same entry point as the `pfmp` script)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("PFMP_DB", "PFMP_DEBUG")}
    full_env.update(env or {})
    return subprocess.run(
        [*PFMP, *args], cwd=cwd, input=input, capture_output=True, text=True, env=full_env, timeout=120
    )


def _status_entry(name: str) -> bool:
    """A statuses entry, or one being written (`.<entry>.<pid>-<random>.tmp`, status_files.write):
    a reader of the store (the TUI polling) may be writing one while the test looks."""
    return name.endswith(".statuses") or (name.startswith(".") and ".statuses." in name and name.endswith(".tmp"))


def store_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a store's folder (but the lock, and the statuses readers keep beside the
    buckets: a cache, store/status_files.py), to prove nothing changed."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.endswith(".lock") and not _status_entry(p.name)}


def minimal_document() -> dict:
    """A small valid interchange document (one of each kind), as CONTRACT.md shows it."""
    return {
        "format": "pfmp-interchange",
        "version": 1,
        "cohorts": [
            {"id": "c1", "label": "Tle AGOrA", "exam_session": 2027, "dossier_deadline": "2027-05-15", "holiday_zone": "A"}
        ],
        "students": [
            {"id": "s1", "ine": "1234567890A", "last_name": "Cœurdacier", "first_name": "Zoé", "birth_date": "2009-03-02",
             "email": "zoe@example.fr", "cohort_id": "c1", "voie": "scolaire", "cycle_years": 3, "positioned": False,
             "derogation": None},
            {"id": "s2", "ine": None, "last_name": "Martin", "first_name": "Léo", "birth_date": None, "email": None,
             "cohort_id": "c1", "voie": "fpc_perfectionnement", "cycle_years": None, "positioned": False,
             "derogation": {"required_days": 60, "reason": "décision du recteur du 2026-09-01"}},
        ],
        "organisations": [
            {"id": "o1", "name": "Mairie de Lyon", "siret": "21690123100011", "address": "1 place de la Comédie",
             "postcode": "69001", "city": "Lyon", "country": "FR"}
        ],
        "tutors": [
            {"id": "t1", "organisation_id": "o1", "last_name": "Petit", "first_name": "Anne", "email": "a.petit@lyon.fr",
             "phone": "04 72 10 30 30", "job_title": "Secrétaire générale"}
        ],
        "periods": [{"id": "pe1", "cohort_id": "c1", "label": "PFMP 1", "start": "2026-01-05", "end": "2026-01-30"}],
        "placements": [
            {"id": "p1", "student_id": "s1", "period_id": "pe1", "organisation_id": "o1", "tutor_id": "t1",
             "teacher": "mdurand", "start": "2026-01-05", "end": "2026-01-30",
             "convention": {"status": "signed", "signed_on": "2025-12-01"},
             "attestation": {"received_on": "2026-02-02", "signed_by_tutor": True, "days_completed": 20,
                             "activities": "Accueil, courrier"}}
        ],
        "assessments": [
            {"id": "a1", "placement_id": "p1", "competence": "1.1.1", "level": 3, "comment": "Très bien",
             "assessor": "tutor", "date": "2026-01-30"}
        ],
        "work_certificates": [
            {"id": "w1", "student_id": "s2", "employer": "SARL Dupuis", "start": "2026-01-01", "end": "2026-12-31",
             "full_time": True}
        ],
        "contracts": [],
    }


def write_json(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def demo(db_path: Path):
    """The demo school (90 learners, seed 1) as of the TUI tests' pinned day."""
    from tests.tui_support import demo_repo

    return demo_repo(db_path)


@pytest.fixture(autouse=True)
def _no_personal_keymap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own ~/.config/pfmp/keymap.toml."""
    monkeypatch.setenv("PFMP_KEYMAP", str(tmp_path / "no-keymap.toml"))
    monkeypatch.setenv("PFMP_SETTINGS", str(tmp_path / "settings.json"))  # nor write its settings
