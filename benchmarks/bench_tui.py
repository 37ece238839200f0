"""TUI benchmark (issue 13): the figures a coordinator feels, headless, run by hand.

    .venv/bin/python benchmarks/bench_tui.py [--sizes S,M,L] [--saves 20] [--stores DIR]

For each size a school is made by the real command line (`pfmp demo --students N`,
once per run, in a temporary folder unless --stores names one to reuse), then a fresh
Python process per size runs the app headless (`App.run_test`, 80×24) and measures:

- launch → dashboard: from opening the store (`bootstrap.open_preview`, as `pfmp tui`
  does: the statuses and the cohorts) to the first frame of the dashboard with its
  figures (the import of the package before it is printed beside: « import »);
- school read: from the same instant to the whole school's state in the app (every
  screen ready: the app reads it in a worker while the dashboard is shown). Both are
  measured twice: on a fresh copy of the store, where the statuses kept beside each
  bucket do not match (a copy has other inodes: what the first run of a day costs, the
  statuses computed again), and on that copy again (« kept »: the statuses written by
  the first run are used). `--ab TREE` measures the same launches with the code of
  another checkout (e.g. main), alternated with this one's, in the same run;
- list shown: from « l » on the dashboard to the candidates list showing its rows;
- search: from the last key of a name typed in the search box to its rows shown;
- save → screen: a TUI save (the attestation form's service, `editing.save`, then what
  the app does after a save) until the first frame drawn with the updated state;
  « blocked » is the part spent in the save itself (on the UI thread, as the form
  does); « until pilot.pause » is the same save timed as before 2026-12-02 (until the
  state is in the app, then `pilot.pause()`, which waits at least 20 ms for the
  process to be idle);
- save from a fiche: the same, made from a learner's fiche opened from the candidates
  list (the fiche, the list under it and the dashboard get the new state);
- other session: another process commits an edit; time until this app shows it (the
  app polls the store as in production, `app.POLL_INTERVAL`);
- frozen frame: the longest the event loop (the UI thread) went without running, per
  phase (a 5 ms ticker on the app's loop; the bootstrap's read happens before the
  loop starts and is not in it; « school » is the time the worker reads the school,
  the dashboard on screen);
- peak RSS of the process.

Then a line dividing each figure at L by the same at S (a save must not cost more in
a bigger school). Speed lives here, never in timed tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = {"S": 150, "M": 1_500, "L": 15_000}
TARGETS = {  # issue 13: (M, L)
    "launch": (1.0, 2.5), "list": (0.3, 0.5), "search": (0.2, 0.3), "save": (0.1, 0.15), "fiche": (0.1, 0.15),
    "other": (1.0, 1.0), "frozen": (0.1, 0.1), "rss_mb": (150, 700),
}


def build_store(folder: Path, students: int) -> Path:
    path = folder / f"s{students}" / "pfmp.json"
    if path.exists():
        return path  # reused (--stores): the manifest is there
    path.parent.mkdir(parents=True, exist_ok=True)
    pfmp = Path(sys.executable).with_name("pfmp")  # the real entry point, beside this Python
    subprocess.run([str(pfmp), "--db", str(path), "demo", "--students", str(students)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return path


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


# -- the child process: one size -------------------------------------------------------------------
OTHER_SESSION = r"""
import sys, time
from dataclasses import replace
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
repo = Repository(Store(sys.argv[1]))
record, rev = repo.get("students", sys.argv[2])
repo.update("students", replace(record, first_name=sys.argv[3]), rev)
print(time.time(), flush=True)
"""


async def measure(path: Path, saves: int, launch_only: bool = False) -> dict:
    t_import = time.perf_counter()
    from textual.widgets import Input

    from pfmp_tui.services import editing
    from pfmp_tui.tui import bootstrap
    from pfmp_tui.tui.app import PfmpApp
    from pfmp_tui.tui.screens.candidate import CandidateScreen
    from pfmp_tui.tui.screens.candidates import CandidatesScreen
    from pfmp_tui.tui.screens.dashboard import DashboardScreen
    from pfmp_tui.tui.widgets.figure import Figure

    out: dict = {"frozen": {}, "import": [time.perf_counter() - t_import]}
    phase = ["launch"]
    stop = False

    async def ticker() -> None:  # the event loop's longest gap, per phase
        while not stop:
            t = time.perf_counter()
            await asyncio.sleep(0.005)
            lag = time.perf_counter() - t - 0.005
            out["frozen"][phase[0]] = max(out["frozen"].get(phase[0], 0.0), lag)

    async def until(pilot, cond, timeout: float = 60.0) -> None:
        deadline = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"timeout in phase {phase[0]} (screen {app.screen!r}, stack {app.screen_stack})")
            await asyncio.sleep(0.002)

    async def timed_save(pilot, placement) -> tuple[float, float, float]:
        """A TUI save of `placement`'s attestation (the form's service, then what the app does
        after a save), timed from its start: (the save itself, the first frame drawn with the
        new state, the app idle again: the measure before 2026-12-02)."""
        base, rev = repo.get("placements", placement.id)
        values = editing.attestation_defaults(base, today)
        before = app.state.generation
        t = time.perf_counter()
        saved = editing.save(repo, "attestation", values, base=base, rev=rev)
        blocked = time.perf_counter() - t
        app._saved(saved)
        await until(pilot, lambda: drawn[1] > before)
        frame = drawn[0] - t
        await until(pilot, lambda: app.state.generation > before and not app.loading_state)
        await pilot.pause()
        paused = time.perf_counter() - t
        app.clear_notifications()
        return blocked, frame, paused

    today = date.today()
    t0 = time.perf_counter()
    if hasattr(bootstrap, "open_preview"):  # as `pfmp tui` does: the dashboard first, the school in a worker
        repo, preview = bootstrap.open_preview(path, today)
        first = {"preview": preview}
    else:  # a tree from before the preview (--ab): the whole school read before the app starts
        repo, state = bootstrap.open_state(path, today)
        first = {"state": state}
    app = PfmpApp(repo, today=today, user="bench", exports_dir=Path(tempfile.mkdtemp(prefix="bench-tui-")),
                  **first)  # the app's own poll interval
    # When a frame is drawn (the compositor's output handed to the driver: headless, it
    # is dropped there). Not `pilot.pause()`: it waits until the process is idle, and the
    # worker reading the school keeps it busy for seconds after the dashboard is drawn.
    painted: dict[str, float] = {}
    display = app._display

    drawn = [0.0, -1]  # the last frame: when, and the generation of the state it showed

    def timed_display(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is None:
            return
        now = time.perf_counter()
        if app.state is not None and not app.loading_state:
            drawn[:] = [now, app.state.generation]
        if len(painted) == 2 or not isinstance(screen, DashboardScreen):
            return
        if "launch" not in painted and screen.query(Figure):
            painted["launch"] = now
        if "launch" in painted and app.state is not None and not app.loading_state:
            painted["school"] = now

    app._display = timed_display
    tick = asyncio.create_task(ticker())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "launch" in painted)
        out["launch"] = [painted["launch"] - t0]
        phase[0] = "school"
        await until(pilot, lambda: "school" in painted)
        out["school"] = [painted["school"] - t0]
        await pilot.pause()
        if launch_only:
            stop = True
            await tick
            return out

        # candidates list shown, several times
        phase[0] = "list"
        out["list"] = []
        for _ in range(5):
            t = time.perf_counter()
            await pilot.press("l")
            await until(pilot, lambda: isinstance(app.screen, CandidatesScreen) and app.screen.loaded)
            await pilot.pause()
            out["list"].append(time.perf_counter() - t)
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, CandidatesScreen) and app.screen.loaded)

        # search: name fragments typed; from the last key to the rows shown
        phase[0] = "search"
        out["search"] = []
        screen = app.screen
        names = [s.last_name for s in app.state.data.students[:: max(1, len(app.state.data.students) // 7)]][:6]
        for name in names:
            text = name[:5]
            search = screen.query_one("#search", Input)
            search.focus()
            search.value = ""
            await until(pilot, lambda: screen.loaded and screen.filter.text == "")
            await pilot.press(*text)
            t = time.perf_counter()
            await until(pilot, lambda: screen.loaded and screen.filter.text == text.strip())
            await pilot.pause()
            out["search"].append(time.perf_counter() - t)
        search.value = ""
        await until(pilot, lambda: screen.loaded and screen.filter.text == "")
        await pilot.press("escape")  # back to the dashboard (focus leaves the box first)
        while not isinstance(app.screen, DashboardScreen):
            await pilot.press("escape")
            await pilot.pause()

        # TUI saves: the attestation of an ended placement, a different learner each time
        phase[0] = "save"
        out["save"], out["blocked"], out["save_paused"], out["fiche_paused"] = [], [], [], []
        todo = [p for p in app.state.data.placements if p.attestation is None and p.end < today][:saves]
        for placement in todo:
            blocked, frame, paused = await timed_save(pilot, placement)
            out["blocked"].append(blocked)
            out["save"].append(frame)
            out["save_paused"].append(paused)

        # The same from a learner's fiche opened from the list (how a coordinator saves):
        # the fiche, the list under it and the dashboard all get the new state.
        phase[0] = "fiche"
        out["fiche"] = []
        done = {p.id for p in todo}
        more = [p for p in app.state.data.placements
                if p.attestation is None and p.end < today and p.id not in done][:saves]
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, CandidatesScreen) and app.screen.loaded)
        for placement in more:
            app.open_candidate(placement.student_id)
            await until(pilot, lambda: isinstance(app.screen, CandidateScreen)
                        and app.screen.student_id == placement.student_id)
            await pilot.pause()
            _, frame, paused = await timed_save(pilot, placement)
            out["fiche"].append(frame)
            out["fiche_paused"].append(paused)
            app.pop_screen()
            await until(pilot, lambda: isinstance(app.screen, CandidatesScreen) and app.screen.loaded)
        app.pop_screen()
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))

        # another session's save
        phase[0] = "other"
        out["other"] = []
        for i, student in enumerate(app.state.data.students[1:6]):
            name = f"Autre{i}"
            done = await asyncio.create_subprocess_exec(
                sys.executable, "-c", OTHER_SESSION, str(path), student.id, name,
                stdout=asyncio.subprocess.PIPE, cwd=str(ROOT))
            line = (await done.stdout.readline()).decode()
            await done.wait()
            committed = float(line)
            await until(pilot, lambda: app.state.get("students", student.id).first_name == name)
            await pilot.pause()
            out["other"].append(time.time() - committed)
    stop = True
    await tick
    out["rss_mb"] = [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]
    return out


def child(path: str, saves: int, launch_only: bool) -> None:
    print(json.dumps(asyncio.run(measure(Path(path), saves, launch_only))))


def run_child(path: Path, saves: int, *, launch_only: bool = False, code: Path = ROOT) -> dict:
    """One measuring process on `path`, with the code of the checkout `code`."""
    command = [sys.executable, __file__, "--child", str(path), "--saves", str(saves), "--code", str(code)]
    if launch_only:
        command.append("--launch-only")
    run = subprocess.run(command, capture_output=True, text=True, cwd=code, env={**os.environ, "PYTHONHASHSEED": "0"})
    if run.returncode:
        print(run.stderr[-3000:])
        raise SystemExit(f"{path}: the measuring process failed")
    return json.loads(run.stdout.strip().splitlines()[-1])


# -- the parent ----------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--stores", help="folder of stores to reuse (made there if absent; measured on a copy)")
    parser.add_argument("--ab", help="another checkout (e.g. of main): its launches measured alternately with ours")
    parser.add_argument("--launches", type=int, default=2, help="launches measured with the statuses kept")
    parser.add_argument("--launches-only", action="store_true", help="measure the launches only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    parser.add_argument("--launch-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.code:  # the code measured: this checkout's, or the --ab one's
            sys.path.insert(0, args.code)
            for name in [m for m in sys.modules if m == "pfmp_tui" or m.startswith("pfmp_tui.")]:
                del sys.modules[name]
        child(args.child, args.saves, args.launch_only)
        return
    folder = Path(args.stores) if args.stores else Path(tempfile.mkdtemp(prefix="bench-tui-"))
    results: dict[str, dict] = {}
    for size in args.sizes.split(","):
        n = SIZES[size]
        t = time.perf_counter()
        kept = build_store(folder, n)
        # Measured on a copy: the saves change the store, and a store kept with --stores
        # must give the next run the same school (the same attestations still to save).
        print(f"{size} ({n} learners): store ready in {time.perf_counter() - t:.1f} s", flush=True)
        codes = [("this", ROOT)] + ([("ab", Path(args.ab).resolve())] if args.ab else [])
        launches: dict[str, dict[str, list]] = {}
        for name, code in codes:  # alternated: each code on its own fresh copy, cold then kept
            work = Path(tempfile.mkdtemp(prefix=f"bench-tui-{size}-"))
            shutil.copytree(kept.parent, work / kept.parent.name)
            path = work / kept.parent.name / kept.name
            found = launches[name] = {}
            for i in range(1 + args.launches):
                r = run_child(path, args.saves, launch_only=True, code=code)
                for key in ("launch", "school", "import"):
                    found.setdefault(f"{key} {'cold' if i == 0 else 'kept'}", []).extend(r[key])
                for phase_name in ("launch", "school"):
                    key = f"frozen {phase_name} {'cold' if i == 0 else 'kept'}"
                    found.setdefault(key, []).append(r["frozen"].get(phase_name, 0.0))
            shutil.rmtree(work, ignore_errors=True)
        if args.launches_only:
            results[size] = {"launches": launches, "frozen": {}}
            report(size, results[size])
            continue
        # Measured on a copy: the saves change the store, and a store kept with --stores
        # must give the next run the same school (the same attestations still to save).
        for name, code in reversed(codes):  # --ab's first, then this checkout's
            work = Path(tempfile.mkdtemp(prefix=f"bench-tui-{size}-"))
            shutil.copytree(kept.parent, work / kept.parent.name)
            path = work / kept.parent.name / kept.name
            run_child(path, args.saves, launch_only=True, code=code)  # the day's statuses kept, as on a second launch
            found = run_child(path, args.saves, code=code)
            shutil.rmtree(work, ignore_errors=True)
            if name == "ab":
                print(f"  --ab {args.ab}:")
                report(size, found, indent="    ")
            else:
                results[size] = found
        results[size]["launches"] = launches
        report(size, results[size])
    if "S" in results and "L" in results and not args.launches_only:
        s, l = results["S"], results["L"]
        parts = []
        for key in ("launch", "school", "list", "search", "save", "blocked", "fiche", "other", "rss_mb"):
            if s.get(key) and l.get(key):
                parts.append(f"{key} {statistics.median(l[key]) / statistics.median(s[key]):.1f}×")
        parts.append(f"frozen {max(l['frozen'].values()) / max(max(s['frozen'].values()), 1e-3):.1f}×")
        print("L / S (medians): " + " · ".join(parts))


def report(size: str, r: dict, indent: str = "  ") -> None:
    def fig(key: str, unit: str = "s") -> str:
        values = r[key]
        if unit == "MB":
            return f"{values[0]:.0f} MB"
        if len(values) == 1:
            return f"{values[0] * 1000:.0f} ms"
        return (f"median {statistics.median(values) * 1000:.0f} ms, p95 {pct(values, 0.95) * 1000:.0f} ms"
                f" (n={len(values)})")

    frozen = " ".join(f"{k} {v * 1000:.0f}" for k, v in r["frozen"].items())
    for name, found in r.get("launches", {}).items():
        who = "" if name == "this" else " [--ab]"
        for case, words in (("cold", "statuses not kept (first run of a day)"), ("kept", "statuses kept")):
            def ms(key: str) -> str:
                values = found.get(f"{key} {case}", [])
                return "/".join(f"{v * 1000:.0f}" for v in values) or "–"
            print(f"{indent}launch{who}, {words}: dashboard {ms('launch')} ms · school read {ms('school')} ms"
                  f" · longest frame {ms('frozen launch')} / {ms('frozen school')} ms · import {ms('import')} ms")
    if "launch" not in r:
        return
    print(f"{indent}launch → dashboard   {fig('launch')}  (statuses kept)")
    print(f"{indent}school read          {fig('school')}  (every screen ready)")
    print(f"{indent}list shown           {fig('list')}")
    print(f"{indent}search rows          {fig('search')}")
    print(f"{indent}save → screen        {fig('save')}  (save itself: {fig('blocked')})")
    if r.get("save_paused"):
        print(f"{indent}  until pilot.pause  {fig('save_paused')}  (the measure before 2026-12-02: + an idle wait ≥ 20 ms)")
    if r.get("fiche"):
        print(f"{indent}save from a fiche    {fig('fiche')}  (fiche over the list over the dashboard)")
    if r.get("fiche_paused"):
        print(f"{indent}  until pilot.pause  {fig('fiche_paused')}")
    print(f"{indent}other session shown  {fig('other')}")
    print(f"{indent}longest frozen frame per phase (ms): {frozen}")
    print(f"{indent}peak RSS             {fig('rss_mb', 'MB')}", flush=True)
    if size in ("M", "L"):  # the targets: p95 for saves, the longest frame, else the median
        at = 0 if size == "M" else 1
        marks = []
        for key, target in TARGETS.items():
            if key == "frozen":
                value = max(r["frozen"].values())
            elif not r.get(key):
                continue
            elif key in ("save", "fiche"):
                value = pct(r[key], 0.95)
            else:
                value = statistics.median(r[key])
            marks.append(f"{key} {'PASS' if value <= target[at] else 'MISS'}")
        print(indent + "targets              " + " · ".join(marks), flush=True)


if __name__ == "__main__":
    main()
