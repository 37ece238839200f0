"""What the TUI tests share: the pinned day, the app on a store, waiting for it to settle."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from pfmp_tui.services.demo import build_demo
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.app import PfmpApp

TODAY = date(2026, 11, 28)


def demo_repo(db_path: Path, students: int = 90, seed: int = 1) -> Repository:
    """The demo school as of TODAY, in a fresh store."""
    repo = Repository(Store(db_path))
    repo.add_all(build_demo(students, seed, today=TODAY), replace=True)
    return repo


def make_app(repo: Repository, tmp_path: Path, **kwargs) -> PfmpApp:
    """The app on `repo`, today pinned, exports under tmp_path; no store polling unless asked."""
    kwargs.setdefault("user", "mdurand")
    kwargs.setdefault("poll_interval", 0)
    return PfmpApp(repo, today=TODAY, exports_dir=tmp_path / "exports", **kwargs)


async def settle(pilot, until=lambda: True, timeout: float = 30.0) -> None:
    """Wait for the state, for the screen's own loading (lists, periods, planner, frise,
    import preview), then until `until()` holds."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.02)
        screen = app.screen
        if app.state is None or app.loading_state or getattr(screen, "busy", False):
            continue
        if not getattr(screen, "loaded", True) or not getattr(screen, "ready", True):
            continue
        if until():
            await pilot.pause()
            return
    raise AssertionError(f"the app did not reach the expected state in time (screen: {app.screen!r})")
