"""Issue 10: a writer stopped while holding the lock never freezes the terminal UI: the
load gives up after a bounded wait, says « Magasin occupé » with the holder, and the
screen keeps the state it had (a real process holds the lock, stopped with SIGSTOP)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from tests.test_tui_planning import repo  # noqa: F401 - the fixture: a demo school
from tests.tui_support import make_app, settle

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="signals are POSIX")

HOLDER = """
    import sys, time
    from pfmp_tui.store.storage import Store
    with Store(sys.argv[1]).write():
        print("holding", flush=True)
        time.sleep(60)
"""


async def test_a_stopped_writer_shows_busy_and_the_ui_keeps_its_state(repo, tmp_path: Path, db_path: Path):
    app = make_app(Repository(Store(db_path, timeout=0.3)), tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        state = app.state
        holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(HOLDER), str(db_path)], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "holding"
            holder.send_signal(signal.SIGSTOP)
            start = time.monotonic()
            app.reload()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                await pilot.pause(0.05)
                if any(n.title == "Magasin occupé" for n in app._notifications):
                    break
            notes = [n for n in app._notifications if n.title == "Magasin occupé"]
            assert notes, [n.title for n in app._notifications]
            assert f"processus {holder.pid}" in notes[0].message
            assert time.monotonic() - start < 5
            assert app.state is state  # the last state stays on screen
            await pilot.press("l")  # and the interface still answers
            await pilot.pause(0.2)
        finally:
            holder.send_signal(signal.SIGCONT)
            holder.kill()
            holder.communicate()
