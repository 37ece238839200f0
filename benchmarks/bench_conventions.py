"""Issue 15: « Conventions DOCX de toute la période » from the TUI's placing screen, and the
reminders preview, on a demo school; headless, run by hand.

    .venv/bin/python benchmarks/bench_conventions.py [--students 1500] [--store DIR] [--runs 1] [--send]

The school is made by the real command line (`pfmp demo --students N`) unless --store
names one already made. The app runs headless (`App.run_test`, 80×24) on the period
with the most placements, and measures:

- conventions: from the palette entry to the notification that they are written (wall),
  how many progress texts the placing screen showed, and the longest the event loop
  (the UI thread) went without running meanwhile (a 5 ms ticker): a frozen screen shows
  as a long frame;
- reminders preview: from opening the screen (« r ») to its table filled (PDF
  attachments included), and the longest frame meanwhile;
- with --send: the reminders sent to a local aiosmtpd server (from ^s and the confirmation
  to the last result shown: attestation PDFs made, messages sent, each recorded), the
  messages received and the longest frame;
- peak RSS of the process.
No SQLite side: nothing here is a store write pattern (the batch write of the marks is
i13's `upsert_all`, measured in bench_store.py).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Frames:
    """The longest gap between two ticks of a 5 ms timer on the app's loop."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0

    def tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def reset(self) -> None:
        self.last, self.worst = time.perf_counter(), 0.0


SMTP_PORT = 0  # --send: a local aiosmtpd server the reminders go to (this process)
INBOX: list = []


def start_smtp(db: Path) -> None:
    """A real SMTP server on 127.0.0.1 (aiosmtpd, its own thread), named in pfmp.toml."""
    global SMTP_PORT
    import socket

    from aiosmtpd.controller import Controller

    class Inbox:
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
            INBOX.append(len(envelope.original_content))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        SMTP_PORT = s.getsockname()[1]
    Controller(Inbox(), hostname="127.0.0.1", port=SMTP_PORT).start()
    (db.parent / "pfmp.toml").write_text(
        f'[school]\nname = "Lycée de démonstration"\n\n[smtp]\nhost = "127.0.0.1"\nport = {SMTP_PORT}\n'
        'security = "none"\nsender = "PFMP <pfmp@lycee.example>"\n', encoding="utf-8")


async def run(db: Path, out: Path) -> dict:
    from pfmp_tui.services.data_io import open_repository
    from pfmp_tui.tui.screens.dialogs import ConfirmScreen
    from pfmp_tui.tui.app import PfmpApp
    from pfmp_tui.tui.screens.placing import PlacingScreen
    from pfmp_tui.tui.screens.reminders import RemindersScreen
    from pfmp_tui.tui.targets import Placing

    repo = open_repository(db)
    data = repo.dataset()
    period_id, n = Counter(p.period_id for p in data.placements if p.period_id).most_common(1)[0]
    app = PfmpApp(repo, exports_dir=out, poll_interval=0)
    figures: dict = {"period": period_id, "placements": n}
    async with app.run_test(size=(80, 24)) as pilot:
        frames = Frames()
        app.set_interval(0.005, frames.tick)
        while app.state is None or app.loading_state:
            await pilot.pause(0.05)
        app.open_target(Placing(period_id))
        while not isinstance(app.screen, PlacingScreen):
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        screen = app.screen
        seen: list[str] = []
        shown = screen._conventions_progress
        screen._conventions_progress = lambda text: (seen.append(text), shown(text))
        start = len(app._notifications)
        frames.reset()
        t0 = time.perf_counter()
        screen.action_conventions()
        while not any("écrite(s)" in x.message or "impossible" in (x.title or "")
                      for x in list(app._notifications)[start:]):
            await pilot.pause(0.05)
        figures["conventions_s"] = time.perf_counter() - t0
        figures["conventions_frame_ms"] = frames.worst * 1000
        figures["progress_texts"] = len([s for s in seen if s])
        figures["written"] = len(list(out.glob("convention_*.docx")))
        await app.workers.wait_for_complete()

        app.pop_screen()
        await pilot.pause(0.2)
        frames.reset()
        t0 = time.perf_counter()
        app.action_reminders()
        while not (isinstance(app.screen, RemindersScreen) and not app.screen.busy and app.screen.shown):
            await pilot.pause(0.02)
        figures["reminders_preview_s"] = time.perf_counter() - t0
        figures["reminders_frame_ms"] = frames.worst * 1000
        figures["reminder_messages"] = len(app.screen.drafts)
        if SMTP_PORT:
            screen = app.screen
            received = len(INBOX)
            frames.reset()
            t0 = time.perf_counter()
            await pilot.press("ctrl+s")
            while not isinstance(app.screen, ConfirmScreen):
                await pilot.pause(0.02)
            await pilot.press("o")
            while app.screen is not screen or screen.sending:
                await pilot.pause(0.05)
            figures["send_s"] = time.perf_counter() - t0
            figures["send_frame_ms"] = frames.worst * 1000
            figures["messages_received"] = len(INBOX) - received
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1500)
    parser.add_argument("--store", type=Path, help="a folder holding db/pfmp.json already made")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--send", action="store_true", help="also send the reminders to a local aiosmtpd server")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.send:
            start_smtp(args.child)
        with tempfile.TemporaryDirectory() as out:
            print(repr(asyncio.run(run(args.child, Path(out)))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.store or Path(tmp)
        db = folder / "db" / "pfmp.json"
        if not db.exists():
            subprocess.run([sys.executable, "-m", "pfmp_tui", "--db", str(db), "demo", "--students",
                            str(args.students)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        results = []
        for _ in range(args.runs):
            # A fresh copy each run: generation marks the conventions « générées ».
            copy = Path(tmp) / f"run{len(results)}"
            subprocess.run(["cp", "-a", str(db.parent), str(copy)], check=True)
            child = subprocess.run([sys.executable, __file__, "--child", str(copy / "pfmp.json")]
                                   + (["--send"] if args.send else []), check=True,
                                   capture_output=True, text=True, cwd=ROOT)
            results.append(eval(child.stdout.strip().splitlines()[-1]))  # noqa: S307 - our own repr
        first = results[0]
        print(f"school: {args.students} learners · period {first['period']}: {first['placements']} placements")
        keys = ["conventions_s", "conventions_frame_ms", "progress_texts", "written", "reminders_preview_s",
                "reminders_frame_ms", "reminder_messages", "rss_mb"]
        if args.send:
            keys[-1:-1] = ["send_s", "send_frame_ms", "messages_received"]
        for key in keys:
            values = [r[key] for r in results]
            med = statistics.median(values)
            print(f"  {key:<22} median {med:10.3f}   max {max(values):10.3f}   (runs: {len(values)})")


if __name__ == "__main__":
    main()
