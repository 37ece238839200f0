"""Journal benchmark (issue 16): the cost of one edit with the journal, without it, and
with a long journal, at M and L; SQLite WAL side by side. Run by hand, not in the tests.

    .venv/bin/python benchmarks/bench_journal.py [--sizes M,L] [--edits 40] [--journal-entries 100000]

For each size the school of bench_store.py is written, then a long-lived Repository
(as the TUI keeps one) makes `--edits` edits of each kind — a placement's attestation
(`Repository.update`) and a grid of 37 levels (`Repository.set_assessments`) —
alternating *with* the journal (the diff of the change, the role check, the append
and its fsync) and *without* it (the hook switched off), so that the machine's noise
falls on both alike. Then the journal is grown to `--journal-entries` entries and the
edits with the journal are measured again: an edit only appends, its cost must not
depend on the journal's length. SQLite in WAL mode (synchronous=FULL) does the same
work as reference: update one row and insert one journal row, in one transaction.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import orjson  # noqa: E402

from bench_store import SIZES, build_school, edit_attestation, edit_levels, percentile  # noqa: E402
from pfmp_tui.store import audit  # noqa: E402
from pfmp_tui.store.repository import Repository  # noqa: E402
from pfmp_tui.store.storage import Store  # noqa: E402


def _no_journal(repo, tx):  # the hook switched off: no diff, no role check, no append
    return None


def grow_journal(path: Path, entries: int) -> int:
    """Make the journal `entries` entries long (one commit rewriting it), return its size."""
    store = Store(path)
    line = orjson.dumps({"id": 0, "generation": 0, "at": "2026-01-01T08:00:00+01:00", "user": "bench", "from": None,
                         "via": "bench", "changes": [{"kind": "placements", "id": "x", "op": "update", "rev": 2,
                                                     "student": "s", "fields": {"teacher": ["a", "b"]}}]})
    with store.write() as tx:
        old = store.read_journal(tx)
        filler = b"".join(line.replace(b'"id":0', b'"id":%d' % (i + 1)) + b"\n" for i in range(entries))
        tx.journal_rewrite = old + filler
    with store.read() as tx:
        return tx.manifest.journal["size"]


def sqlite_edits(folder: Path, edits: int) -> list[float]:
    db = sqlite3.connect(folder / "ref.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE placements (id TEXT PRIMARY KEY, doc TEXT, rev INTEGER)")
    db.execute("CREATE TABLE journal (id INTEGER PRIMARY KEY, entry TEXT)")
    db.executemany("INSERT INTO placements VALUES (?, ?, 1)", [(f"p{i}", "{}" * 40) for i in range(1000)])
    out = []
    for i in range(edits):
        t0 = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE placements SET doc = ?, rev = rev + 1 WHERE id = ?", ("{}" * 41, f"p{i % 1000}"))
        db.execute("INSERT INTO journal (entry) VALUES (?)", ('{"changes": []}' * 4,))
        db.execute("COMMIT")
        out.append(time.perf_counter() - t0)
    db.close()
    return out


def measure(label: str, learners: int, edits: int, journal_entries: int, folder: Path) -> dict:
    path = folder / "pfmp.json"
    data = build_school(learners)
    Repository(Store(path)).add_all(data)
    cohort = data.cohorts[len(data.cohorts) // 2].id
    in_cohort = {s.id for s in data.students if s.cohort_id == cohort}
    placements = [p.id for p in data.placements if p.student_id in in_cohort]
    assessed = sorted({a.placement_id for a in data.assessments if a.placement_id in set(placements)})
    del data
    repo = Repository(Store(path))
    snap = repo.snapshot()
    real = audit.before_commit
    times: dict[str, list[float]] = {m: [] for m in ("on", "off", "long", "long_off", "sheet_on", "sheet_off",
                                                       "sheet_long", "sheet_long_off")}

    def run(mode: str, i: int) -> None:
        nonlocal snap
        audit.before_commit = real if not mode.endswith("off") else _no_journal
        try:
            pid = placements[i % len(placements)]
            t0 = time.perf_counter()
            repo.update("placements", edit_attestation(snap.get("placements", pid)), snap.rev("placements", pid))
            times[mode].append(time.perf_counter() - t0)
            snap = repo.snapshot()
            sid = assessed[i % len(assessed)]
            items, rev = repo.sheet(sid)
            t0 = time.perf_counter()
            repo.set_assessments(sid, edit_levels(items), rev)
            times[f"sheet_{mode}"].append(time.perf_counter() - t0)
            snap = repo.snapshot()
        finally:
            audit.before_commit = real

    for i in range(edits):
        run("on" if i % 2 == 0 else "off", i)
        run("off" if i % 2 == 0 else "on", i + 1)
    journal_bytes = grow_journal(path, journal_entries)
    snap = repo.snapshot()
    for i in range(edits):  # the same alternation, the journal now long
        run("long" if i % 2 == 0 else "long_off", i)
        run("long_off" if i % 2 == 0 else "long", i + 1)
    res = {"label": label, "learners": learners, "journal_bytes": journal_bytes,
           "sqlite": statistics.median(sqlite_edits(folder, edits * 2))}
    for key, values in times.items():
        res[f"{key}_med"], res[f"{key}_p95"] = statistics.median(values), percentile(values, 0.95)
    return res


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="M,L")
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--journal-entries", type=int, default=100_000)
    args = parser.parse_args()
    results = []
    for label in args.sizes.split(","):
        with tempfile.TemporaryDirectory(prefix="pfmp-bench-journal-") as tmp:
            results.append(measure(label, SIZES[label], args.edits, args.journal_entries, Path(tmp)))
    ms = lambda x: f"{x * 1000:7.1f}"  # noqa: E731
    print(f"edits per mode: {args.edits}; long journal: {args.journal_entries} entries")
    print("size  kind         journal  without journal   with journal      ratio      sqlite WAL  with/")
    print("                            med      p95      med      p95      with/      med         sqlite")
    print("                                                                without")
    for r in results:
        for kind, prefix in (("attestation", ""), ("grille 37", "sheet_")):
            for length, mode in (("court", "on"), ("long", "long")):
                off_key = f"{prefix}off" if mode == "on" else f"{prefix}long_off"
                on, off = r[f"{prefix}{mode}_med"], r[f"{off_key}_med"]
                print(f"{r['label']:<5} {kind:<12} {length:<7} {ms(off)}  {ms(r[f'{off_key}_p95'])}  {ms(on)}  "
                      f"{ms(r[f'{prefix}{mode}_p95'])}  {on / off:5.2f}    {ms(r['sqlite'])}     {on / r['sqlite']:6.1f}")
        print(f"      (journal long : {r['journal_bytes'] / 1e6:.1f} MB, {args.journal_entries} entrées)")
    print("times in ms, lock and fsync included; ratio with/without = cost of the journal on one edit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
