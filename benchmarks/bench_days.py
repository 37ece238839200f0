"""Statuses kept across days (issue 13): run by hand, not part of the test suite.

    .venv/bin/python benchmarks/bench_days.py --stores DIR [--sizes S,M,L] [--runs 3]
        [--today 2026-12-02] [--walk 30]

DIR holds demo stores (`pfmp demo --students N`) as DIR/s150/pfmp.json, DIR/s1500/…,
DIR/s15000/… (copy them: the run writes `.statuses` entries beside the buckets). For
each size, in a fresh interpreter each time (median of `--runs`, wall clock and CPU):

- `repo.statuses(today)` in a fresh process (the store's import and open excluded),
  and `pfmp check --format json --as-of today` as a whole process,
- with the statuses **computed today** (entries kept by an earlier process of the
  day), **computed yesterday** (entries kept by a process of today - 1, put back
  before each run: the first process of the morning), **none kept** (entries removed);
- how many buckets the first process of `today` computes again, and why: for each
  such bucket, the flags or status that differ between yesterday and today for its
  learners whose status changed (the rule's boundary that ended the entry's range);
- `--walk N`: from `today`, one fresh process a day for N days, each with the entries
  the previous day left: buckets computed again each day.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import forget_kept_statuses, whole_process  # noqa: E402

from pfmp_tui.domain.rules import evaluate  # noqa: E402
from pfmp_tui.domain.stability import evaluate_through  # noqa: E402
from pfmp_tui.store import shard_cache, status_files  # noqa: E402
from pfmp_tui.store.repository import Repository  # noqa: E402
from pfmp_tui.store.storage import Store  # noqa: E402

SIZES = {"S": 150, "M": 1_500, "L": 15_000}

# One fresh process: open the store, time `statuses(day)`, print JSON.
PROBE = """
import json, sys, time
from datetime import date
from pathlib import Path
sys.path.insert(0, {root!r})
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
repo = Repository(Store(Path({db!r})))
day = date.fromisoformat({day!r})
t0, c0 = time.perf_counter(), time.process_time()
n = len(repo.statuses(day))
print(json.dumps({{"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "n": n}}))
"""


def probe(db: Path, day: date) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT), db=str(db), day=day.isoformat())],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout)


def entries(folder: Path) -> dict[str, tuple[str, str]]:
    """Bucket file -> (computed, through) of its kept entry."""
    out = {}
    for p in folder.iterdir():
        if p.name.endswith(status_files.SUFFIX):
            doc = orjson.loads(p.read_bytes().partition(b"\n")[2])
            out[p.name[: -len(status_files.SUFFIX)]] = (doc["computed"], doc["through"])
    return out


def save_entries(folder: Path, to: Path) -> None:
    shutil.rmtree(to, ignore_errors=True)
    to.mkdir(parents=True)
    for p in folder.iterdir():
        if p.name.endswith(status_files.SUFFIX):
            shutil.copy2(p, to / p.name)


def restore_entries(saved: Path, folder: Path) -> None:
    forget_kept_statuses(folder)
    for p in saved.iterdir():
        shutil.copy2(p, folder / p.name)


def median_of(runs: int, before, action) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        before()
        w, c = action()
        walls.append(w)
        cpus.append(c)
    return statistics.median(walls), statistics.median(cpus)


def why_recomputed(db: Path, yesterday: date, today: date) -> collections.Counter:
    """For each learner whose status kept yesterday ends yesterday (`stable_through`):
    what differs today (a flag code gained or lost, the status, a message), or that it
    is in fact the same (a bound shorter than the truth: safe, and a bucket computed
    again for nothing)."""
    shard_cache.CACHE.clear()
    data = Repository(Store(db)).dataset()
    cohorts = {c.id: c for c in data.cohorts}
    organisations = {o.id: o for o in data.organisations}
    mine: dict[str, dict[str, list]] = collections.defaultdict(lambda: collections.defaultdict(list))
    for kind in ("placements", "work_certificates", "contracts"):
        for record in getattr(data, kind):
            mine[record.student_id][kind].append(record)
    assessed = collections.defaultdict(list)
    for a in data.assessments:
        assessed[a.placement_id].append(a)
    absent = collections.defaultdict(list)
    for a in data.absences:
        absent[a.placement_id].append(a)
    reasons: collections.Counter = collections.Counter()
    for student in data.students:
        m = mine[student.id]
        ps = m["placements"]
        args = (student, cohorts[student.cohort_id], ps, m["work_certificates"], m["contracts"],
                [a for p in ps for a in assessed[p.id]], organisations)
        kw = {"absences": [a for p in ps for a in absent[p.id]]}
        b, through = evaluate_through(*args, yesterday, **kw)
        if through >= today:
            continue
        r = evaluate(*args, today, **kw)
        old, new = collections.Counter(f.code for f in b.flags), collections.Counter(f.code for f in r.flags)
        parts = [f"+{c}" for c in sorted(new - old)] + [f"-{c}" for c in sorted(old - new)]
        if b.status != r.status:
            parts.append(f"{b.status}→{r.status}")
        if not parts and r != b:
            parts.append("message of " + ", ".join(sorted({f.code for f in r.flags if f not in b.flags})))
        reasons[" ".join(parts) or "the same (bound shorter than the truth)"] += 1
    return reasons


def bench(folder: Path, today: date, runs: int, walk: int) -> dict:
    db = folder / "pfmp.json"
    yesterday = today - timedelta(days=1)
    saved = folder.parent / (folder.name + "-yesterday-entries")
    check = ["--db", str(db), "check", "--format", "json", "--as-of", today.isoformat()]
    out: dict = {}
    # Entries kept by a process of yesterday.
    forget_kept_statuses(folder)
    probe(db, yesterday)
    kept_yesterday = entries(folder)
    save_entries(folder, saved)
    ended = sorted(f for f, (_, last) in kept_yesterday.items() if last < today.isoformat())
    out["buckets"], out["ended"] = len(kept_yesterday), len(ended)
    out["through"] = collections.Counter(last for _, last in kept_yesterday.values())

    def timed(before):
        def run():
            r = probe(db, today)
            return r["wall"], r["cpu"]
        return median_of(runs, before, run)

    def whole(before):
        return median_of(runs, before, lambda: whole_process(check, 1))

    out["statuses_yesterday"] = timed(lambda: restore_entries(saved, folder))
    out["check_yesterday"] = whole(lambda: restore_entries(saved, folder))
    out["statuses_none"] = timed(lambda: forget_kept_statuses(folder))
    out["check_none"] = whole(lambda: forget_kept_statuses(folder))
    probe(db, today)
    out["statuses_today"] = timed(lambda: None)
    out["check_today"] = whole(lambda: None)
    out["why"] = why_recomputed(db, yesterday, today)
    if walk:
        restore_entries(saved, folder)
        per_day, why = [], {}
        day = today
        for n in range(walk):
            shard_cache.CACHE.clear()
            Repository(Store(db)).statuses(day)
            per_day.append(sum(1 for computed, _ in entries(folder).values() if computed == day.isoformat()))
            if per_day[-1] and n:
                why[day] = why_recomputed(db, day - timedelta(days=1), day)
            day += timedelta(days=1)
        out["walk"], out["walk_why"] = per_day, why
    shutil.rmtree(saved, ignore_errors=True)
    return out


def fmt(pair: tuple[float, float]) -> str:
    return f"{pair[0]:.2f} s ({pair[1]:.2f} s CPU)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stores", required=True, type=Path)
    ap.add_argument("--sizes", default="S,M,L")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 2))
    ap.add_argument("--walk", type=int, default=0)
    args = ap.parse_args()
    for size in args.sizes.split(","):
        folder = args.stores / f"s{SIZES[size]}"
        t0 = time.perf_counter()
        r = bench(folder, args.today, args.runs, args.walk)
        print(f"\n== {size} ({SIZES[size]} learners), today {args.today}, {args.runs} runs "
              f"({time.perf_counter() - t0:.0f} s)")
        print(f"{'':22}{'repo.statuses (fresh process)':>32}{'pfmp check --format json':>32}")
        for label, key in (("computed today", "today"), ("computed yesterday", "yesterday"), ("none kept", "none")):
            print(f"{label:22}{fmt(r['statuses_' + key]):>32}{fmt(r['check_' + key]):>32}")
        print(f"entries kept yesterday: {r['buckets']} (buckets and heads); ended before today: {r['ended']}")
        print("last day of the entries kept yesterday: "
              + ", ".join(f"{d}: {n}" for d, n in sorted(r["through"].items())))
        print("learners whose kept status ends yesterday, by what changes today: "
              + (", ".join(f"{k}: {n}" for k, n in r["why"].most_common()) or "none"))
        if "walk" in r:
            w = r["walk"]
            print(f"walk of {len(w)} days from {args.today}: buckets computed again each day {w} "
                  f"(median {statistics.median(w)}, max {max(w)})")
            for day, reasons in r["walk_why"].items():
                print(f"  {day}: learners whose kept status ended the day before, by what changes: "
                      + ", ".join(f"{k}: {n}" for k, n in reasons.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
