"""Start the TUI on a store: the one module of the TUI that opens the store itself.

Everything else in `pfmp_tui.tui` reaches the store through services (import-linter:
« only the TUI's bootstrap opens the store », pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

from ..store.repository import Repository
from ..store.storage import Store
from .app import PfmpApp


def run_tui(db_path: Path, *, user: str | None = None) -> int:
    """Open the TUI on the store at `db_path` (the CLI's `pfmp` / `pfmp tui`); its exit code."""
    app = PfmpApp(Repository(Store(db_path)), user=user)
    app.run()
    return app.return_code or 0
