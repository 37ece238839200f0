"""What the dashboard's « Conventions (R10) et visites » panel costs (issue 15), by school size.

    .venv/bin/python benchmarks/bench_signature_panel.py [--sizes S,M,L] [--runs 30] [--db FILE]

Run by hand (not part of the test suite). For each size it builds the demo school of
2026-11-28 (or reads the store given with --db), takes one snapshot, then times what the
panel computes when the placements changed (a save, another session's commit): the
school's signature overview and the placements past their middle with no visit
(`services.signatures.OverviewCache`, after one edit: one learner's placements are a
new list; and from cold), the flat `overview` the placements list uses, and for comparison the per-period
reading of `pfmp convention progress` (`domain.convention.signature_progress`) over the
same periods, which scans the school once per period. Median and p95 of --runs, CPU time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pfmp_tui.domain.convention import signature_progress  # noqa: E402
from pfmp_tui.domain.visits import no_visit_by_mid_period_in  # noqa: E402
from pfmp_tui.services.demo import build_demo  # noqa: E402
from pfmp_tui.services.signatures import OverviewCache, overview  # noqa: E402
from pfmp_tui.store.repository import Repository  # noqa: E402
from pfmp_tui.store.storage import Store  # noqa: E402

SIZES = {"S": 150, "M": 1_500, "L": 15_000}
TODAY = date(2026, 11, 28)


def timed(fn, runs: int) -> tuple[float, float, float]:
    """(median ms, p95 ms, median CPU ms)."""
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    walls.sort()
    return statistics.median(walls), walls[min(len(walls) - 1, int(0.95 * len(walls)))], statistics.median(cpus)


def measure(label: str, repo: Repository, runs: int) -> None:
    snap = repo.snapshot()
    data = snap.data
    student_of = lambda sid: snap.get("students", sid)  # noqa: E731
    ov = overview(data.periods, data.placements, student_of, TODAY, limit=50)
    shown = [row.period.id for row in ov.periods]
    print(f"{label}: {len(data.students)} learners, {len(data.placements)} placements, {len(data.periods)} periods, "
          f"{len(shown)} current or upcoming, {len(ov.unsigned_soon)} unsigned soon, "
          f"{len(no_visit_by_mid_period_in(data.placements, TODAY))} without visit")
    by_student: dict[str, list] = {}
    for p in data.placements:
        by_student.setdefault(p.student_id, []).append(p)
    cache = OverviewCache()
    cache.compute(data.periods, by_student, student_of, TODAY)
    edited = sorted(by_student)[len(by_student) // 2]

    def after_one_edit() -> None:
        """What the panel does after a save: one learner's list is a new object."""
        changed = dict(by_student)
        changed[edited] = list(by_student[edited])
        cache.compute(data.periods, changed, student_of, TODAY)

    for name, fn in (
        ("panel after one edit (OverviewCache)", after_one_edit),
        ("panel from cold (OverviewCache)", lambda: OverviewCache().compute(data.periods, by_student, student_of,
                                                                            TODAY)),
        ("overview over the flat list (list screen)", lambda: overview(data.periods, data.placements, student_of,
                                                                      TODAY)),
        ("panel: no visit by mid-period", lambda: no_visit_by_mid_period_in(data.placements, TODAY)),
        ("per-period progress, every current period",
         lambda: [signature_progress(data, pid, TODAY) for pid in shown]),
    ):
        med, p95, cpu = timed(fn, runs)
        print(f"  {name:<44} median {med:8.2f} ms  p95 {p95:8.2f} ms  cpu {cpu:8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db", help="an existing store (instead of building the demo schools)")
    args = parser.parse_args()
    if args.db:
        measure(args.db, Repository(Store(Path(args.db))), args.runs)
        return
    for size in args.sizes.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            repo = Repository(Store(Path(tmp) / "pfmp.json"))
            repo.add_all(build_demo(SIZES[size], 1, today=TODAY), replace=True)
            measure(f"{size}", repo, args.runs)


if __name__ == "__main__":
    main()
