"""Start the TUI on a store: the one module of the TUI that opens the store itself.

Everything else in `pfmp_tui.tui` reaches the store through services (import-linter:
« only the TUI's bootstrap opens the store », pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

from ..store.repository import Repository
from ..store.storage import Store, lock_timeout
from .app import PfmpApp


def run_tui(db_path: Path, *, user: str | None = None) -> int:
    """Open the TUI on the store at `db_path` (the CLI's `pfmp` / `pfmp tui`); its exit code."""
    # Saves run on the interface's thread: wait for another process's lock at most 1 s,
    # then say « magasin occupé par … » rather than freeze the screen (issue 10).
    app = PfmpApp(Repository(Store(db_path, timeout=min(lock_timeout(), 1.0))), user=user)
    app.run()
    return app.return_code or 0
