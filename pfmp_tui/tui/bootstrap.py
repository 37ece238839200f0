"""Start the TUI on a store: the one module of the TUI that opens the store itself.

Everything else in `pfmp_tui.tui` reaches the store through services (import-linter:
« only the TUI's bootstrap opens the store », pyproject.toml).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..store.buckets import INDEX
from ..store.repository import Repository
from ..store.storage import Store, lock_timeout
from .app import PfmpApp
from .state import AppState, load_state


def open_state(db_path: Path, today: date | None = None) -> tuple[Repository, AppState | None]:
    """The repository of a session and its first state, every shard file parsed once.

    A corrupt, incomplete or newer store raises StoreError here, before anything is
    drawn: reading the state builds every shard's typed view (what `Store.check` would
    parse, kept for the session instead of parsed twice, issue 13) and the index is
    read too (the views do not need it)."""
    # Saves run on the interface's thread: wait for another process's lock at most 1 s,
    # then say « magasin occupé par … » rather than freeze the screen (issue 10).
    repo = Repository(Store(db_path, timeout=min(lock_timeout(), 1.0)))
    try:
        state: AppState | None = load_state(repo, today or date.today())
    except ValueError:  # records that cannot be checked: the app says so in its own words
        state = None
    with repo.store.read() as tx:
        tx.tables(INDEX)
    return repo, state


def run_tui(db_path: Path, *, user: str | None = None) -> int:
    """Open the TUI on the store at `db_path` (the CLI's `pfmp` / `pfmp tui`); its exit code."""
    repo, state = open_state(db_path)
    app = PfmpApp(repo, user=user, state=state)
    app.run()
    return app.return_code or 0
