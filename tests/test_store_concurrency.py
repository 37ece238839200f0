"""Issue 10, case 4: concurrent writers never create duplicates.

Each verb runs in 4 processes (forked, each calling the real CLI entry point) released
together by a barrier; afterwards each record is in the store exactly once.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from conftest import run_pfmp
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX")

PARALLEL = 4
ROUNDS = 4  # a race does not show every time: several rounds of each verb


def _child(barrier, results, argv: list[str]) -> None:
    from pfmp_tui.cli.main import main

    os.environ["PFMP_LOCK_TIMEOUT"] = "60"
    out, err = io.StringIO(), io.StringIO()
    barrier.wait(timeout=60)
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    results.put((code, err.getvalue()))


def run_together(argv: list[str], cwd: Path) -> list[tuple[int, str]]:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(PARALLEL)
    results = ctx.Queue()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        procs = [ctx.Process(target=_child, args=(barrier, results, argv)) for _ in range(PARALLEL)]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(timeout=60)
    finally:
        os.chdir(old)
    return outcomes


@pytest.fixture
def school(tmp_path: Path) -> Path:
    db = tmp_path / "db" / "pfmp.json"
    doc = {
        "format": "pfmp-interchange", "version": 1,
        "cohorts": [{"id": "c1", "label": "Tle AGOrA", "exam_session": 2027, "dossier_deadline": "2027-05-15",
                     "holiday_zone": "A"}],
        "students": [{"id": f"s{i}", "ine": None, "last_name": f"Nom{i}", "first_name": "Élève",
                      "birth_date": "2009-03-01", "email": None, "cohort_id": "c1", "voie": "scolaire",
                      "cycle_years": 3, "positioned": False, "derogation": None} for i in range(5)],
        "organisations": [{"id": f"o{i}", "name": f"Organisation {i}", "siret": None, "address": None,
                           "postcode": "69001", "city": "Lyon", "country": "FR"} for i in range(PARALLEL)],
        "tutors": [],
        "periods": [{"id": f"per{r}", "cohort_id": "c1", "label": f"PFMP {r}", "start": f"2026-0{r}-02",
                     "end": f"2026-0{r}-20"} for r in range(1, ROUNDS + 1)],
        "placements": [{"id": "p-x", "student_id": "s0", "period_id": None, "organisation_id": "o0", "tutor_id": None,
                        "teacher": None, "start": "2026-03-02", "end": "2026-03-27",
                        "convention": {"status": "none", "signed_on": None}, "attestation": None}],
        "work_certificates": [], "contracts": [], "assessments": [],
    }
    (tmp_path / "school.json").write_text(json.dumps(doc), encoding="utf-8")
    done = run_pfmp("--db", str(db), "load", str(tmp_path / "school.json"))
    assert done.returncode == 0, done.stderr
    return db


def test_parallel_imports_of_one_learner_create_them_once(school: Path, tmp_path: Path):
    for r in range(ROUNDS):
        csv = tmp_path / f"eleves{r}.csv"
        csv.write_text(f"NOM;PRENOM;NE(E) LE\nDURAND{r};Hugo;14/02/2009\n", encoding="utf-8")
        outcomes = run_together(["--db", str(school), "import", "students", str(csv), "--cohort", "c1"], tmp_path)
        assert [code for code, _ in outcomes] == [0] * PARALLEL, outcomes
        names = [s.last_name for s in Repository(Store(school)).dataset().students]
        assert names.count(f"DURAND{r}") == 1, names


def test_parallel_imports_of_one_organisation_create_it_once(school: Path, tmp_path: Path):
    for r in range(ROUNDS):
        csv = tmp_path / f"orgs{r}.csv"
        csv.write_text(f"Raison sociale;Code postal;Ville;Tuteur\nBoulangerie {r};69002;Lyon;Anne PETIT{r}\n",
                       encoding="utf-8")
        outcomes = run_together(["--db", str(school), "import", "organisations", str(csv)], tmp_path)
        assert [code for code, _ in outcomes] == [0] * PARALLEL, outcomes
        data = Repository(Store(school)).dataset()
        assert [o.name for o in data.organisations].count(f"Boulangerie {r}") == 1
        assert [t.last_name for t in data.tutors].count(f"PETIT{r}") == 1


def test_parallel_placing_of_a_cohort_gives_each_learner_one_placement(school: Path, tmp_path: Path):
    for r in range(1, ROUNDS + 1):
        outcomes = run_together(["--db", str(school), "place", "--period", f"per{r}"], tmp_path)
        assert [code for code, _ in outcomes] == [0] * PARALLEL, outcomes
        placements = [p for p in Repository(Store(school)).dataset().placements if p.period_id == f"per{r}"]
        assert sorted(p.student_id for p in placements) == ["s0", "s1", "s2", "s3", "s4"]
    # …so the planned days `check` counts are those of one period, not four.
    done = run_pfmp("--db", str(school), "check", "--as-of", "2026-02-02", "--format", "json")
    assert done.returncode == 0, done.stderr


def test_parallel_assignments_of_one_placement_all_apply_one_after_the_other(school: Path, tmp_path: Path):
    before = Repository(Store(school)).get("placements", "p-x")[1]
    for r in range(ROUNDS):
        outcomes = run_together(["--db", str(school), "assign", "p-x", "--organisation", f"o{r % PARALLEL}"], tmp_path)
        assert [code for code, _ in outcomes] == [0] * PARALLEL, outcomes  # none refused as « changed meanwhile »
    placement, rev = Repository(Store(school)).get("placements", "p-x")
    assert rev == before + PARALLEL * ROUNDS
    assert [p.id for p in Repository(Store(school)).dataset().placements].count("p-x") == 1


def test_a_decide_and_write_function_runs_under_the_lock(school: Path, tmp_path: Path):
    """The Repository's own way (used by the services): read, decide, write, at once."""
    from pfmp_tui.domain.model import Student

    def add_if_absent(repo: Repository) -> bool:
        if any(s.last_name == "Unique" for s in repo.dataset().students):
            return False
        repo.create("students", Student(f"u-{os.getpid()}", "Unique", "Une", "c1"))
        return True

    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(PARALLEL), ctx.Queue()

    def child() -> None:
        repo = Repository(Store(school, timeout=60))
        barrier.wait(timeout=60)
        results.put(repo.atomically(add_if_absent))

    procs = [ctx.Process(target=child) for _ in range(PARALLEL)]
    for p in procs:
        p.start()
    created = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert sorted(created) == [False] * (PARALLEL - 1) + [True]
    assert [s.last_name for s in Repository(Store(school)).dataset().students].count("Unique") == 1
