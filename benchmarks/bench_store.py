"""Store benchmark (issue 2, « Speed at scale »): run by hand, not part of the test suite.

    .venv/bin/python benchmarks/bench_store.py [--sizes S,M,L] [--edits 20] [--keep DIR]

For each size it builds a school (cohorts of 30 learners, 4 placements each with
their attestation, 3 × 37 competence levels spread over 3 of the placements, one
organisation and one tutor per 5 learners), writes it through `Repository.add_all`,
then prints: size on disk, number of files, cold open-and-load time (a fresh
process running ``Repository(Store(path)).snapshot()``), and the latency of one
edit (median and p95 over N edits, lock and fsync included) by a long-lived
Repository with warm caches, as the TUI keeps one — plus a cold one-shot edit in
a fresh process, for information. Targets (issue 2): edit p95 ≤ 50 ms at M and
≤ 100 ms at L; cold load ≤ 1 s at M.

"Cold" means a fresh Python process with empty in-memory caches; the operating
system's file cache is left warm (dropping it needs root and disturbs the machine).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pfmp_tui.domain.competences import COMPETENCES  # noqa: E402
from pfmp_tui.domain.model import (  # noqa: E402
    Assessment,
    Attestation,
    Cohort,
    Convention,
    Dataset,
    Organisation,
    Period,
    Placement,
    Student,
    Tutor,
)
from pfmp_tui.domain.validation import luhn_ok  # noqa: E402
from pfmp_tui.domain.workdays import add_working_days, working_days  # noqa: E402
from pfmp_tui.store.repository import Repository  # noqa: E402
from pfmp_tui.store.storage import Store  # noqa: E402

SIZES = {"S": 150, "M": 1_500, "L": 15_000}
COHORT_SIZE = 30  # a realistic division
LEARNERS_PER_ORGANISATION = 5
PLACEMENTS_PER_LEARNER = 4
ASSESSED_PLACEMENTS = 3  # 3 × 37 levels per learner
# (target edit p95 in s, target cold load in s), None when the issue sets none.
TARGETS = {"M": (0.050, 1.0), "L": (0.100, None)}

LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
              "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"]
FIRST_NAMES = ["Léa", "Hugo", "Chloé", "Lucas", "Manon", "Nathan", "Inès", "Enzo", "Camille", "Yanis",
               "Sarah", "Louis", "Jade", "Adam", "Emma", "Rayan", "Lina", "Théo", "Zoé", "Noah"]
CITIES = [("Lyon", "69003"), ("Villeurbanne", "69100"), ("Vénissieux", "69200"), ("Bron", "69500"),
          ("Vaulx-en-Velin", "69120"), ("Caluire-et-Cuire", "69300")]
ACTIVITIES = ("Accueil physique et téléphonique, saisie des commandes clients, suivi des relances, "
              "mise à jour du fichier fournisseurs et classement des factures d'achat.")


def siret(n: int) -> str:
    """A 14-digit SIRET with a valid Luhn key (R: validation.parse_siret accepts it)."""
    base = f"{n:013d}"
    return next(base + str(k) for k in range(10) if luhn_ok(base + str(k)))


def build_school(learners: int, seed: int = 7) -> Dataset:
    rng = random.Random(seed)
    data = Dataset()
    n_cohorts = (learners + COHORT_SIZE - 1) // COHORT_SIZE
    for o in range(max(1, learners // LEARNERS_PER_ORGANISATION)):
        city, postcode = CITIES[o % len(CITIES)]
        org = Organisation(f"org-{o:05d}", f"Cabinet {LAST_NAMES[o % 20]} & associés {o}", siret(10_000_000 + o),
                           f"{1 + o % 200} rue de la République", postcode, city, "FR")
        data.organisations.append(org)
        data.tutors.append(Tutor(f"tut-{o:05d}", org.id, LAST_NAMES[(o * 7) % 20], FIRST_NAMES[(o * 3) % 20],
                                 f"tuteur{o}@exemple.fr", "04 72 00 00 00", "Responsable administratif"))
    period_starts = [date(2025, 1, 6), date(2025, 5, 12), date(2025, 11, 17), date(2026, 3, 2)]
    s = 0
    for c in range(n_cohorts):
        cohort = Cohort(f"coh-{c:04d}", f"Tle AGOrA {c + 1}", 2026, date(2026, 5, 29), "A")
        data.cohorts.append(cohort)
        periods = []
        for k, start in enumerate(period_starts):
            end = add_working_days(start, 30)
            periods.append(Period(f"{cohort.id}-per{k + 1}", cohort.id, f"PFMP {k + 1}", start, end))
        data.periods.extend(periods)
        for _ in range(min(COHORT_SIZE, learners - s)):
            student = Student(f"stu-{s:06d}", LAST_NAMES[s % 20], FIRST_NAMES[(s * 7) % 20], cohort.id,
                              ine=None, birth_date=date(2008, 1 + s % 12, 1 + s % 28), email=f"eleve{s}@exemple.fr")
            data.students.append(student)
            for k, period in enumerate(periods):
                o = rng.randrange(len(data.organisations))
                p = Placement(
                    f"{student.id}-p{k + 1}", student.id, data.organisations[o].id, period.start, period.end,
                    period_id=period.id, tutor_id=data.tutors[o].id, teacher="M. Durand",
                    convention=Convention("signed", period.start - timedelta(days=20)),
                    attestation=Attestation(period.end + timedelta(days=7), True,
                                            working_days(period.start, period.end), ACTIVITIES),
                )
                data.placements.append(p)
                if k < ASSESSED_PLACEMENTS:
                    for comp in COMPETENCES:
                        data.assessments.append(Assessment(f"{p.id}-{comp.code}", p.id, comp.code,
                                                           rng.choice((1, 2, 3, 4, None)), "tutor",
                                                           period.end, None))
            s += 1
    return data


# -- child processes (fresh interpreter: empty in-memory caches) -----------------------------
def child_load(path: str) -> dict:
    t0 = time.perf_counter()
    snap = Repository(Store(path)).snapshot()
    elapsed = time.perf_counter() - t0
    return {"seconds": elapsed, "students": len(snap.data.students), "assessments": len(snap.data.assessments)}


def child_edit(path: str, placement_id: str) -> dict:
    t0 = time.perf_counter()
    repo = Repository(Store(path))
    record, rev = repo.get("placements", placement_id)
    repo.update("placements", edit_attestation(record), rev)
    return {"seconds": time.perf_counter() - t0}


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


# -- edits --------------------------------------------------------------------------------------
def edit_attestation(p: Placement) -> Placement:
    a = p.attestation
    days = a.days_completed - 1 if a.days_completed > 1 else a.days_completed + 1
    return dataclasses.replace(p, attestation=dataclasses.replace(a, days_completed=days))


def edit_levels(items: list[Assessment]) -> list[Assessment]:
    cycle = {None: 1, 1: 2, 2: 3, 3: 4, 4: None}
    return [dataclasses.replace(a, level=cycle[a.level]) for a in items]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def measure(label: str, learners: int, edits: int, folder: Path) -> dict:
    path = folder / "pfmp.json"
    t0 = time.perf_counter()
    data = build_school(learners)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    Repository(Store(path)).add_all(data)
    t_write = time.perf_counter() - t0
    files = [p for p in folder.iterdir() if p.is_file()]
    size = sum(p.stat().st_size for p in files)

    loads = [run_child("load", str(path)) for _ in range(3)]
    assert loads[0]["students"] == learners, loads[0]
    cold_load = statistics.median(r["seconds"] for r in loads)

    # The TUI's long-lived repository: one snapshot at start-up warms its caches.
    repo = Repository(Store(path))
    repo.snapshot()
    # A teacher working through one class: consecutive edits in the same cohort are the
    # worst case for the caches (every edit makes the previous view of that shard stale).
    rng = random.Random(1)
    cohort = rng.choice(data.cohorts).id
    in_cohort = {s.id for s in data.students if s.cohort_id == cohort}
    placements = [p.id for p in data.placements if p.student_id in in_cohort]
    assessed = sorted({a.placement_id for a in data.assessments if a.placement_id in set(placements)})
    del data
    # As the TUI does: the record and its revision come from the snapshot on screen,
    # the edit is saved, then the screen's snapshot is refreshed.
    upd, sheet, refresh = [], [], []
    snap = repo.snapshot()
    for i in range(edits):
        pid = placements[i % len(placements)]
        t0 = time.perf_counter()
        repo.update("placements", edit_attestation(snap.get("placements", pid)), snap.rev("placements", pid))
        t1 = time.perf_counter()
        snap = repo.snapshot()
        upd.append(t1 - t0)
        refresh.append(time.perf_counter() - t1)
    for i in range(edits):
        pid = assessed[i % len(assessed)]
        items, rev = repo.sheet(pid)  # opening the grid of 37 levels
        t0 = time.perf_counter()
        repo.set_assessments(pid, edit_levels(items), rev)
        t1 = time.perf_counter()
        repo.snapshot()
        sheet.append(t1 - t0)
        refresh.append(time.perf_counter() - t1)
    cold_edit = statistics.median(run_child("edit", str(path), placements[0])["seconds"] for _ in range(3))
    return {
        "label": label, "learners": learners, "cohorts": (learners + COHORT_SIZE - 1) // COHORT_SIZE,
        "files": len(files), "bytes": size, "build": t_build, "write": t_write, "cold_load": cold_load,
        "update_med": statistics.median(upd), "update_p95": percentile(upd, 0.95),
        "sheet_med": statistics.median(sheet), "sheet_p95": percentile(sheet, 0.95),
        "refresh_med": statistics.median(refresh), "refresh_p95": percentile(refresh, 0.95), "cold_edit": cold_edit,
    }


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"{'PASS' if value <= target else 'MISS'} (≤ {ms(target) if target < 1 else f'{target:.0f} s'})"


def report(results: list[dict]) -> None:
    print()
    header = ["", *(r["label"] for r in results)]
    rows = [
        ("learners", [f"{r['learners']:,}" for r in results]),
        ("cohorts of 30", [f"{r['cohorts']:,}" for r in results]),
        ("size on disk", [f"{r['bytes'] / 1e6:.1f} MB" for r in results]),
        ("files", [str(r["files"]) for r in results]),
        ("add_all (info)", [f"{r['write']:.2f} s" for r in results]),
        ("cold open+load", [f"{r['cold_load']:.3f} s" for r in results]),
        ("update: median", [ms(r["update_med"]) for r in results]),
        ("update: p95", [ms(r["update_p95"]) for r in results]),
        ("37 levels: median", [ms(r["sheet_med"]) for r in results]),
        ("37 levels: p95", [ms(r["sheet_p95"]) for r in results]),
        ("snapshot after edit: median", [ms(r["refresh_med"]) for r in results]),
        ("snapshot after edit: p95", [ms(r["refresh_p95"]) for r in results]),
        ("cold one-shot edit", [ms(r["cold_edit"]) for r in results]),
    ]
    widths = [max(len(x) for x in [header[0], *(name for name, _ in rows)])]
    for i in range(len(results)):
        widths.append(max(len(header[i + 1]), *(len(vals[i]) for _, vals in rows)))
    print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for name, vals in rows:
        print("  ".join([name.ljust(widths[0]), *(v.rjust(w) for v, w in zip(vals, widths[1:]))]))
    print()
    missed = 0
    for r in results:
        edit_target, load_target = TARGETS.get(r["label"], (None, None))
        for what, value, target in (
            ("update p95", r["update_p95"], edit_target),
            ("37 levels p95", r["sheet_p95"], edit_target),
            ("cold load", r["cold_load"], load_target),
        ):
            if target is not None:
                v = verdict(value, target)
                missed += v.startswith("MISS")
                shown = ms(value) if target < 1 else f"{value:.3f} s"
                print(f"{r['label']}: {what} {shown} → {v}")
    print("all targets met" if not missed else f"{missed} target(s) missed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated among S, M, L (default: S,M,L)")
    parser.add_argument("--edits", type=int, default=20, help="edits timed per size (default: 20)")
    parser.add_argument("--keep", metavar="DIR", help="build the stores under DIR and keep them")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, *rest = args.child
        print(json.dumps(child_load(*rest) if what == "load" else child_edit(*rest)))
        return 0
    labels = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in labels if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s): {', '.join(unknown)} (choose among S, M, L)")
    print(f"cohorts of {COHORT_SIZE} learners; per learner {PLACEMENTS_PER_LEARNER} placements with attestation, "
          f"{ASSESSED_PLACEMENTS} × {len(COMPETENCES)} competence levels; 1 organisation + 1 tutor per "
          f"{LEARNERS_PER_ORGANISATION} learners; {args.edits} edits per measure; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPU")
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pfmp-bench-"))
    results = []
    try:
        for label in labels:
            folder = base / label
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            t0 = time.perf_counter()
            r = measure(label, SIZES[label], args.edits, folder)
            print(f"{label}: {r['learners']:,} learners done in {time.perf_counter() - t0:.1f} s", flush=True)
            results.append(r)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
