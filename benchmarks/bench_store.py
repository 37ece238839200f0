"""Store benchmark (issues 2 and 13): run by hand, not part of the test suite.

    .venv/bin/python benchmarks/bench_store.py [--sizes S,M,L] [--edits 40] [--runs 3] [--keep DIR]

For each size it builds the demo school (`pfmp demo --students N`: S 150, M 1,500,
L 15,000 learners in divisions of at most 35), writes it to a pfmp store and, side by
side, to an equivalent SQLite database in WAL mode, then measures in the same run:

- **one update**: a placement's attestation changed by a long-lived process (the TUI
  keeps one), the record and its revision taken from what is on screen, revision
  checked, references checked, lock and fsync included; SQLite: the same checks in
  one `BEGIN IMMEDIATE` transaction, `synchronous=FULL` (as durable: one fsync a
  commit). The edits go through one division after the other, as a teacher does;
  pfmp and SQLite edits alternate, so both see the same load of the machine.
- **37-level save**: the grid of one placement saved (`set_assessments`; SQLite:
  delete and insert its 37 rows, revision of the sheet checked and bumped).
- **new grid session**: a session of 37 levels with new ids added to a sheet, as the
  TUI's grid saves it (`services.assessing.save_grid`: the ids are new, so their
  uniqueness in the whole store is at stake); the first one of the process is shown
  apart (it used to read every bucket's ids). SQLite: 37 rows inserted (the primary
  key checks the ids), the sheet's revision checked and bumped.
- **after a commit** (the long-lived process of the TUI): the snapshot and the
  school-wide ranking of statuses that follow one update.
- **bulk**: `upsert_all` of 400 placements in one transaction (what generating one
  period's conventions does, each marked `generated_on`), validated as every way in.
- **whole process**: `pfmp check --format json` (first of the day: no statuses kept
  beside the buckets; then the next ones), `pfmp dump`, `pfmp period add`, a fresh
  interpreter each (median of `--runs`), wall clock and CPU time.

The CPU time (of this process, or of the child) is printed beside the wall clock: on
a machine shared with other work, waiting for the CPU and the disk inflates the wall
clock of both stores alike; the CPU time is what the code costs.

Median and p95 of each, and the ratio pfmp / SQLite of the p95. Targets (issue 13):
update p95 ≤ 10 ms at M, ≤ 15 ms at L, ratio ≤ 10× at M, ≤ 15× at L; 37-level
p95 ≤ 20 / 30 ms; check / dump / period add ≤ 0.6 / 1 / 0.4 s at M, ≤ 4 / 8 / 0.6 s at L.

Stores are built once per run (under a temp folder, or `--keep DIR` to keep and reuse
them: a store already in DIR for that size is used as it is).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pfmp_tui.domain.competences import COMPETENCE_CODES  # noqa: E402
from pfmp_tui.domain.interchange import record_to_dict  # noqa: E402
from pfmp_tui.domain.model import Assessment, Attestation, Dataset, Placement  # noqa: E402
from pfmp_tui.services.assessing import save_grid  # noqa: E402
from pfmp_tui.services.demo import build_demo  # noqa: E402
from pfmp_tui.store.repository import Repository  # noqa: E402
from pfmp_tui.store.storage import Store  # noqa: E402

SIZES = {"S": 150, "M": 1_500, "L": 15_000}
TODAY = date(2026, 11, 28)  # the demo is a function of its day: the same school every run
SEED = 1
# figure -> {size: target}
TARGETS = {
    "update_p95": {"M": 0.010, "L": 0.015},
    "sheet_p95": {"M": 0.020, "L": 0.030},
    "update_ratio": {"M": 10.0, "L": 15.0},
    "sheet_ratio": {"M": 10.0, "L": 15.0},
    "grid_new_p95": {"M": 0.020, "L": 0.030},
    "grid_new_first": {"M": 0.020, "L": 0.030},
    "check": {"M": 0.6, "L": 4.0},
    "check_cold": {"M": 0.6, "L": 4.0},
    "dump": {"M": 1.0, "L": 8.0},
    "period_add": {"M": 0.4, "L": 0.6},
}


# -- the SQLite equivalent ------------------------------------------------------------------
class SqliteStore:
    """The same records in SQLite (WAL, synchronous=FULL): one table per kind, a JSON
    document per record with its revision, assessments one row each."""

    KINDS = ("cohorts", "students", "organisations", "tutors", "periods", "placements",
             "work_certificates", "contracts", "appreciations")

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")

    def create(self, data: Dataset) -> None:
        db = self.db
        db.execute("BEGIN")
        for kind in self.KINDS:
            db.execute(f"CREATE TABLE {kind} (id TEXT PRIMARY KEY, rev INTEGER NOT NULL, doc BLOB NOT NULL)")
            db.executemany(f"INSERT INTO {kind} VALUES (?, 1, ?)",
                           ((r.id, orjson.dumps(record_to_dict(kind, r))) for r in getattr(data, kind)))
        db.execute("CREATE TABLE assessments (id TEXT PRIMARY KEY, placement_id TEXT NOT NULL, doc BLOB NOT NULL)")
        db.execute("CREATE INDEX assessments_placement ON assessments (placement_id)")
        db.executemany("INSERT INTO assessments VALUES (?, ?, ?)",
                       ((a.id, a.placement_id, orjson.dumps(record_to_dict("assessments", a))) for a in data.assessments))
        db.execute("CREATE TABLE sheets (placement_id TEXT PRIMARY KEY, rev INTEGER NOT NULL)")
        db.executemany("INSERT INTO sheets VALUES (?, 1)", ((pid,) for pid in {a.placement_id for a in data.assessments}))
        db.execute("COMMIT")

    def get_placement(self, placement_id: str) -> tuple[dict, int]:
        doc, rev = self.db.execute("SELECT doc, rev FROM placements WHERE id = ?", (placement_id,)).fetchone()
        return orjson.loads(doc), rev

    def update_placement(self, doc: dict, expected_rev: int) -> int:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            rev = db.execute("SELECT rev FROM placements WHERE id = ?", (doc["id"],)).fetchone()[0]
            if rev != expected_rev:
                raise RuntimeError("conflict")
            for table, key in (("students", "student_id"), ("organisations", "organisation_id"),
                               ("periods", "period_id"), ("tutors", "tutor_id")):
                if doc[key] is not None and db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (doc[key],)).fetchone() is None:
                    raise RuntimeError(f"unknown {key}")
            db.execute("UPDATE placements SET doc = ?, rev = ? WHERE id = ?", (orjson.dumps(doc), rev + 1, doc["id"]))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return rev + 1

    def sheet(self, placement_id: str) -> tuple[list[dict], int]:
        rows = self.db.execute("SELECT doc FROM assessments WHERE placement_id = ? ORDER BY id", (placement_id,)).fetchall()
        rev = self.db.execute("SELECT rev FROM sheets WHERE placement_id = ?", (placement_id,)).fetchone()
        return [orjson.loads(r[0]) for r in rows], (rev[0] if rev else 0)

    def set_sheet(self, placement_id: str, items: list[dict], expected_rev: int, *, replace: bool = True) -> int:
        """The sheet's rows replaced by `items` (or, not `replace`, `items` added: the
        primary key refuses a taken id), its revision checked and bumped."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT rev FROM sheets WHERE placement_id = ?", (placement_id,)).fetchone()
            rev = row[0] if row else 0
            if rev != expected_rev:
                raise RuntimeError("conflict")
            if replace:
                db.execute("DELETE FROM assessments WHERE placement_id = ?", (placement_id,))
            db.executemany("INSERT INTO assessments VALUES (?, ?, ?)",
                           ((i["id"], placement_id, orjson.dumps(i)) for i in items))
            db.execute("INSERT INTO sheets VALUES (?, ?) ON CONFLICT (placement_id) DO UPDATE SET rev = excluded.rev",
                       (placement_id, rev + 1))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return rev + 1


# -- edits ---------------------------------------------------------------------------------------
def edit_attestation(p: Placement) -> Placement:
    a = p.attestation or Attestation(p.end, True, 1, None)
    days = a.days_completed - 1 if a.days_completed > 1 else a.days_completed + 1
    return dataclasses.replace(p, attestation=dataclasses.replace(a, days_completed=days))


LEVELS = {None: 1, 1: 2, 2: 3, 3: 4, 4: None}


def edit_levels(items: list[Assessment]) -> list[Assessment]:
    return [dataclasses.replace(a, level=LEVELS[a.level]) for a in items]


def edit_level_docs(items: list[dict]) -> list[dict]:
    return [dict(i, level=LEVELS[i["level"]]) for i in items]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))]


# -- building ------------------------------------------------------------------------------------
def build(label: str, folder: Path) -> dict:
    """The demo school of this size as a pfmp store and a SQLite database (reused if there)."""
    path, sqlite_path, meta_path = folder / "pfmp.json", folder / "sqlite.db", folder / "meta.json"
    if meta_path.exists():
        return json.loads(meta_path.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    data = build_demo(SIZES[label], SEED, today=TODAY)
    t_demo = time.perf_counter() - t0
    t0 = time.perf_counter()
    Repository(Store(path)).add_all(data, replace=True)
    t_write = time.perf_counter() - t0
    SqliteStore(sqlite_path).create(data)
    rng = random.Random(13)
    cohort_of = {s.id: s.cohort_id for s in data.students}
    placements: dict[str, list[str]] = {}
    for p in data.placements:
        placements.setdefault(cohort_of[p.student_id], []).append(p.id)
    assessed = {a.placement_id for a in data.assessments}
    divisions = sorted(placements)
    rng.shuffle(divisions)
    files = [p for p in folder.iterdir() if p.name.startswith("pfmp.")]
    meta = {
        "label": label, "learners": len(data.students), "divisions": len(data.cohorts),
        "placements": len(data.placements), "levels": len(data.assessments),
        "files": len(files), "bytes": sum(p.stat().st_size for p in files),
        "largest_file": max(p.stat().st_size for p in files),
        "sqlite_bytes": sum(p.stat().st_size for p in folder.iterdir() if p.name.startswith("sqlite.")),
        "demo_s": t_demo, "write_s": t_write,
        # A teacher going through divisions: their placements, then their assessed ones.
        "edit_order": [pid for c in divisions for pid in sorted(placements[c])][:400],
        "sheet_order": [pid for c in divisions for pid in sorted(placements[c]) if pid in assessed][:400],
        "cohort": divisions[0],
    }
    meta_path.write_text(json.dumps(meta))
    return meta


# -- measuring -----------------------------------------------------------------------------------
def measure_edits(folder: Path, meta: dict, edits: int) -> dict:
    repo = Repository(Store(folder / "pfmp.json"))
    snap = repo.snapshot()  # the TUI's state at launch
    lite = SqliteStore(folder / "sqlite.db")
    ours_upd, lite_upd, ours_sheet, lite_sheet = [], [], [], []
    cpu: dict[str, list[float]] = {"update": [], "update_sqlite": [], "sheet": [], "sheet_sqlite": []}
    after: dict[str, list[float]] = {"snapshot": [], "statuses": []}
    repo.statuses(TODAY)
    for i in range(edits):
        pid = meta["edit_order"][i % len(meta["edit_order"])]
        record, rev = snap.get("placements", pid), snap.rev("placements", pid)
        t0, c0 = time.perf_counter(), time.process_time()
        repo.update("placements", edit_attestation(record), rev)
        ours_upd.append(time.perf_counter() - t0)
        cpu["update"].append(time.process_time() - c0)
        t0 = time.perf_counter()
        snap = repo.snapshot()  # the screen refreshed (the store's part of it)
        after["snapshot"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        repo.statuses(TODAY)  # and the ranking of every candidate
        after["statuses"].append(time.perf_counter() - t0)
        _, lrev = lite.get_placement(pid)
        doc = record_to_dict("placements", edit_attestation(record))
        t0, c0 = time.perf_counter(), time.process_time()
        lite.update_placement(doc, lrev)
        lite_upd.append(time.perf_counter() - t0)
        cpu["update_sqlite"].append(time.process_time() - c0)
    for i in range(edits):
        pid = meta["sheet_order"][i % len(meta["sheet_order"])]
        items, rev = repo.sheet(pid)  # the grid opened
        changed = edit_levels(items)
        t0, c0 = time.perf_counter(), time.process_time()
        repo.set_assessments(pid, changed, rev)
        ours_sheet.append(time.perf_counter() - t0)
        cpu["sheet"].append(time.process_time() - c0)
        docs, lrev = lite.sheet(pid)
        changed_docs = edit_level_docs(docs)
        t0, c0 = time.perf_counter(), time.process_time()
        lite.set_sheet(pid, changed_docs, lrev)
        lite_sheet.append(time.perf_counter() - t0)
        cpu["sheet_sqlite"].append(time.process_time() - c0)
    ours_grid, lite_grid = [], []
    run = os.urandom(4).hex()  # the SQLite ids of this run (a kept store holds the previous runs')
    for i in range(edits):  # new sessions: 37 levels with new ids each (a teacher's visit)
        pid = meta["sheet_order"][(edits + i) % len(meta["sheet_order"])]
        levels = {code: 1 + (n + i) % 4 for n, code in enumerate(COMPETENCE_CODES)}
        items, notes, rev = repo.sheet_full(pid)  # the grid opened
        on = date.fromordinal(TODAY.toordinal() - 100 - rev)  # a day of no session yet: new ids
        t0, c0 = time.perf_counter(), time.process_time()
        rev = save_grid(repo, pid, levels, {}, None, "teacher", on, rev)
        ours_grid.append(time.perf_counter() - t0)
        cpu.setdefault("grid_new", []).append(time.process_time() - c0)
        repo.set_assessments(pid, items, rev, notes)  # taken out again: a kept store does not grow run after run
        before, lrev = lite.sheet(pid)
        docs = [{"id": f"bench-{run}-{i}-{code}", "placement_id": pid, "competence": code, "level": level,
                 "comment": None, "assessor": "teacher", "date": on.isoformat()} for code, level in levels.items()]
        t0, c0 = time.perf_counter(), time.process_time()
        lrev = lite.set_sheet(pid, docs, lrev, replace=False)
        lite_grid.append(time.perf_counter() - t0)
        cpu.setdefault("grid_new_sqlite", []).append(time.process_time() - c0)
        lite.set_sheet(pid, before, lrev)
    out = {f"{name}_cpu": statistics.median(values) for name, values in cpu.items()}
    out["grid_new_first"], out["grid_new_first_cpu"] = ours_grid[0], cpu["grid_new"][0]
    for name, values in after.items():
        out[f"{name}_after_med"], out[f"{name}_after_p95"] = statistics.median(values), percentile(values, 0.95)
    out.update(measure_bulk(repo, meta))
    for name, ours, lite_values in (("update", ours_upd, lite_upd), ("sheet", ours_sheet, lite_sheet),
                                    ("grid_new", ours_grid, lite_grid)):
        out[f"{name}_med"], out[f"{name}_p95"] = statistics.median(ours), percentile(ours, 0.95)
        out[f"{name}_sqlite_med"], out[f"{name}_sqlite_p95"] = statistics.median(lite_values), percentile(lite_values, 0.95)
        out[f"{name}_ratio"] = out[f"{name}_p95"] / out[f"{name}_sqlite_p95"]
    return out


def whole_process(args: list[str], runs: int) -> tuple[float, float]:
    """Median wall clock and CPU time (user + system) of `python -m pfmp_tui ARGS`."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pfmp_tui", *args], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


BULK = 400  # placements marked in one call (one period's conventions generated: 434 at M on i15)


def measure_bulk(repo: Repository, meta: dict) -> dict:
    """`upsert_all` of BULK placements in one transaction (what generating a period's
    conventions does: each marked `generated_on`), validated like every way in."""
    snap = repo.snapshot()
    pids = meta["edit_order"][:BULK]
    changed = Dataset(placements=[edit_attestation(snap.get("placements", pid)) for pid in pids])
    revs = {("placements", pid): snap.rev("placements", pid) for pid in pids}
    t0, c0 = time.perf_counter(), time.process_time()
    repo.upsert_all(changed, revs)
    return {"bulk": time.perf_counter() - t0, "bulk_cpu": time.process_time() - c0, "bulk_n": len(pids)}


def forget_kept_statuses(folder: Path) -> None:
    for p in folder.iterdir():
        if p.name.endswith(".statuses"):
            p.unlink()


def measure_processes(folder: Path, meta: dict, runs: int) -> dict:
    db = str(folder / "pfmp.json")
    out = {}
    check = ["--db", db, "check", "--format", "json", "--as-of", TODAY.isoformat()]
    walls, cpus = [], []
    for _ in range(runs):  # the first check of the day: no statuses kept yet (store/status_files.py)
        forget_kept_statuses(folder)
        w, c = whole_process(check, 1)
        walls.append(w)
        cpus.append(c)
    out["check_cold"], out["check_cold_cpu"] = statistics.median(walls), statistics.median(cpus)
    out["check"], out["check_cpu"] = whole_process(check, runs)  # the next ones: statuses kept by the first
    out["dump"], out["dump_cpu"] = whole_process(["--db", db, "dump"], runs)
    walls, cpus = [], []
    for n in range(runs):
        w, c = whole_process(["--db", db, "period", "add", "--cohort", meta["cohort"], "--label", f"PFMP bench {n}",
                              "--start", "2027-06-07", "--end", "2027-06-25"], 1)
        walls.append(w)
        cpus.append(c)
    out["period_add"], out["period_add_cpu"] = statistics.median(walls), statistics.median(cpus)
    return out


# -- report --------------------------------------------------------------------------------------
def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def sec(x: float) -> str:
    return f"{x:.2f} s"


def report(results: list[dict]) -> int:
    rows = [
        ("learners", lambda r: f"{r['learners']:,}"),
        ("divisions (≤ 35)", lambda r: f"{r['divisions']:,}"),
        ("placements / levels", lambda r: f"{r['placements']:,} / {r['levels']:,}"),
        ("pfmp: files, MB (largest KB)", lambda r: f"{r['files']}, {r['bytes'] / 1e6:.1f} ({r['largest_file'] / 1e3:.0f})"),
        ("sqlite: MB", lambda r: f"{r['sqlite_bytes'] / 1e6:.1f}"),
        ("update: median pfmp / sqlite", lambda r: f"{ms(r['update_med'])} / {ms(r['update_sqlite_med'])}"),
        ("update: p95 pfmp / sqlite", lambda r: f"{ms(r['update_p95'])} / {ms(r['update_sqlite_p95'])}"),
        ("update: p95 ratio", lambda r: f"{r['update_ratio']:.1f}×"),
        ("update: CPU median pfmp / sqlite", lambda r: f"{ms(r['update_cpu'])} / {ms(r['update_sqlite_cpu'])}"),
        ("37 levels: median pfmp / sqlite", lambda r: f"{ms(r['sheet_med'])} / {ms(r['sheet_sqlite_med'])}"),
        ("37 levels: p95 pfmp / sqlite", lambda r: f"{ms(r['sheet_p95'])} / {ms(r['sheet_sqlite_p95'])}"),
        ("37 levels: p95 ratio", lambda r: f"{r['sheet_ratio']:.1f}×"),
        ("37 levels: CPU median pfmp / sqlite", lambda r: f"{ms(r['sheet_cpu'])} / {ms(r['sheet_sqlite_cpu'])}"),
        ("new session: median pfmp / sqlite", lambda r: f"{ms(r['grid_new_med'])} / {ms(r['grid_new_sqlite_med'])}"),
        ("new session: p95 pfmp / sqlite", lambda r: f"{ms(r['grid_new_p95'])} / {ms(r['grid_new_sqlite_p95'])}"),
        ("new session: p95 ratio", lambda r: f"{r['grid_new_ratio']:.1f}×"),
        ("new session: first of the process (wall / cpu)",
         lambda r: f"{ms(r['grid_new_first'])} / {ms(r['grid_new_first_cpu'])}"),
        ("snapshot after a commit: median / p95", lambda r: f"{ms(r['snapshot_after_med'])} / {ms(r['snapshot_after_p95'])}"),
        ("statuses after a commit: median / p95", lambda r: f"{ms(r['statuses_after_med'])} / {ms(r['statuses_after_p95'])}"),
        ("upsert_all of 400 placements (wall / cpu)", lambda r: f"{sec(r['bulk'])} / {sec(r['bulk_cpu'])}"),
        ("check, first of the day (wall / cpu)", lambda r: f"{sec(r['check_cold'])} / {sec(r['check_cold_cpu'])}"),
        ("check (wall / cpu)", lambda r: f"{sec(r['check'])} / {sec(r['check_cpu'])}"),
        ("dump (wall / cpu)", lambda r: f"{sec(r['dump'])} / {sec(r['dump_cpu'])}"),
        ("period add (wall / cpu)", lambda r: f"{sec(r['period_add'])} / {sec(r['period_add_cpu'])}"),
    ]
    header = ["", *(r["label"] for r in results)]
    table = [[name, *(f(r) for r in results)] for name, f in rows]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]
    print()
    print("  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(header, widths))))
    for row in table:
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))))
    print()
    missed = 0
    for r in results:
        for figure, targets in TARGETS.items():
            target = targets.get(r["label"])
            if target is None:
                continue
            value = r[figure]
            ok = value <= target
            missed += not ok
            shown = (f"{value:.1f}× (≤ {target:.0f}×)" if figure.endswith("ratio")
                     else f"{ms(value)} (≤ {ms(target)})" if figure.endswith(("p95", "first"))
                     else f"{sec(value)} (≤ {target} s)")
            print(f"{r['label']}: {figure} {shown} → {'PASS' if ok else 'MISS'}")
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"{last['label']} / {first['label']}: update p95 ×{last['update_p95'] / first['update_p95']:.2f}, "
              f"37 levels p95 ×{last['sheet_p95'] / first['sheet_p95']:.2f} "
              f"(learners ×{last['learners'] / first['learners']:.0f})")
    print("all targets met" if not missed else f"{missed} target(s) missed")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated among S, M, L (default: S,M,L)")
    parser.add_argument("--edits", type=int, default=40, help="edits timed per figure and size (default: 40)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each whole-process command (default: 3)")
    parser.add_argument("--keep", metavar="DIR", help="build the stores under DIR, keep and reuse them")
    args = parser.parse_args()
    labels = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in labels if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s): {', '.join(unknown)} (choose among S, M, L)")
    print(f"demo schools of {TODAY}, seed {SEED}; {args.edits} edits a figure, {args.runs} runs a command; "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPU, sqlite {sqlite3.sqlite_version}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pfmp-bench-"))
    results = []
    try:
        for label in labels:
            folder = base / label
            t0 = time.perf_counter()
            meta = build(label, folder)
            built = time.perf_counter() - t0
            r = dict(meta)
            r.update(measure_edits(folder, meta, args.edits))
            r.update(measure_processes(folder, meta, args.runs))
            print(f"{label}: {meta['learners']:,} learners, built in {built:.1f} s, measured in "
                  f"{time.perf_counter() - t0 - built:.1f} s (load average {os.getloadavg()[0]:.1f})", flush=True)
            results.append(r)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
