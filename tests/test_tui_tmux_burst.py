"""The real `pfmp` program in tmux at 80×24: one `send-keys` carries a whole burst (issue 12).

tmux writes the keys of one `send-keys` to the program's terminal in one go, as a slow SSH
link or a paste does. From the candidate file, one burst opens the attestation form of the
ended PFMP, types the date, unticks « signée », replaces the days and saves; the store must
hold exactly that; then one burst opens the first PFMP's grid, keys four levels and saves. On
Textual alone the attestation burst saved « Reçue le » = « 12 », the days untouched and
the box unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from tests.test_tui import school

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux absent")

ROOT = Path(__file__).resolve().parent.parent


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket
        self.start = time.monotonic()
        self.seen: list[tuple[float, str]] = []  # (seconds since start, screen) each time it changed

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20).stdout

    def screen(self) -> str:
        shown = self.run("capture-pane", "-p", "-t", "pfmp")
        if not self.seen or self.seen[-1][1] != shown:
            self.seen.append((time.monotonic() - self.start, shown))
        return shown

    def history(self, last: int = 6) -> str:
        """The screens seen, when they changed: what a failure on a slow machine needs to be explained."""
        times = " ".join(f"{t:.1f}" for t, _ in self.seen)
        shown = "\n".join(f"--- at {t:.1f} s\n{screen}" for t, screen in self.seen[-last:])
        return f"screen changes at (s): {times}\n{shown}"

    def wait_for(self, *texts: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if all(t in shown for t in texts):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"not on screen after {timeout:.0f} s: {texts!r}\n{self.history()}")

    def click(self, x: int, y: int) -> None:
        """A left click at column x, line y (0-based), as the terminal sends it (SGR mouse)."""
        sequence = f"\x1b[<0;{x + 1};{y + 1}M\x1b[<0;{x + 1};{y + 1}m"
        self.run("send-keys", "-t", "pfmp", "-H", *(f"{ord(c):02x}" for c in sequence))

    def wait_for_row(self, row: str, text: str, toast: str, timeout: float = 20.0) -> str:
        """Wait until the line showing `row` also shows `text`. A notification whose title is
        `toast` may cover the end of that line for its few seconds: it is clicked away, as a
        person would (Textual closes a notification on a click), rather than waited out."""
        deadline = time.monotonic() + timeout
        clicked: set[int] = set()
        while time.monotonic() < deadline:
            lines = self.screen().splitlines()
            if any(row in line and text in line for line in lines):
                return "\n".join(lines)
            for y, line in enumerate(lines):
                x = line.find(toast)
                if x >= 0 and y not in clicked:
                    clicked.add(y)
                    self.click(x, y)
            time.sleep(0.1)
        raise AssertionError(f"not on the line of {row!r} after {timeout:.0f} s: {text!r}"
                             f" (notification clicked on lines {sorted(clicked)})\n{self.history()}")


@pytest.fixture
def tmux(tmp_path: Path):
    t = Tmux(f"i12-test-{os.getpid()}-{tmp_path.name}")
    yield t
    t.run("kill-server")


def start_program(tmux: Tmux, tmp_path: Path, db_path: Path) -> None:
    """The test school in a store, and the real `pfmp` on it in tmux at 80×24 (no user keymap,
    no saved theme), until its dashboard is drawn."""
    Repository(Store(db_path)).add_all(parse_document(school()))
    env = {k: v for k, v in os.environ.items() if k not in ("PFMP_DB", "PFMP_DEBUG", "TMUX")}
    env.update(PFMP_KEYMAP=str(tmp_path / "none.toml"), XDG_CONFIG_HOME=str(tmp_path / "config"), TERM="xterm-256color")
    command = " ".join([sys.executable, "-m", "pfmp_tui", "--db", str(db_path)])
    subprocess.run(["tmux", "-L", tmux.socket, "-f", "/dev/null", "new-session", "-d", "-s", "pfmp", "-x", "80",
                    "-y", "24", "-c", str(ROOT), command], env=env, check=True, timeout=20)
    tmux.wait_for("Tableau de bord", "1 attestation en retard")


def test_one_send_keys_burst_in_the_real_program_saves_what_was_typed(tmux, tmp_path, db_path):
    start_program(tmux, tmp_path, db_path)
    tmux.run("send-keys", "-t", "pfmp", "Enter")  # the overdue attestations: MARTIN Zoé
    tmux.wait_for("1 élève sur 3", "MARTIN Zoé")
    tmux.run("send-keys", "-t", "pfmp", "Enter")
    tmux.wait_for("Fiche de MARTIN Zoé", "05/10/26→30/10/26")
    # One write: the second PFMP, « a », the whole form, ^s.
    tmux.run("send-keys", "-t", "pfmp", "Down", "a", "C-u", "27/11/2026", "Tab", "Space", "Tab", "End", "C-u",
             "1", "2", "C-s")
    deadline = time.monotonic() + 20
    attestation = None
    while time.monotonic() < deadline and attestation is None:
        time.sleep(0.2)
        found = Repository(Store(db_path)).get("placements", "p1")
        attestation = found[0].attestation if found else None
    assert attestation is not None, tmux.history()
    assert attestation.received_on == date(2026, 11, 27)
    assert attestation.signed_by_tutor is False
    assert attestation.days_completed == 12
    # The row of the second PFMP says so, on screen (its end may be under « Enregistré »).
    tmux.wait_for_row("05/10/26→30/10/26", "! non signée", toast="Enregistré")
    # The assessment grid of the first PFMP in one write too: four levels in order, then ^s.
    tmux.run("send-keys", "-t", "pfmp", "Up", "g", "3", "3", "4", "2", "C-s")
    tmux.wait_for("4/37 évaluées", "✓ enregistrée")
    items, _ = Repository(Store(db_path)).sheet("p0")
    assert {a.competence: a.level for a in items} == {"1.1.1": 3, "1.1.2": 3, "1.1.3": 4, "1.1.4": 2}
    tmux.run("send-keys", "-t", "pfmp", "Escape", "C-q")
