"""Start the TUI on a store: the one module of the TUI that opens the store itself.

Everything else in `pfmp_tui.tui` reaches the store through services (import-linter:
« only the TUI's bootstrap opens the store », pyproject.toml).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from ..store.buckets import INDEX
from ..store.repository import Repository
from ..store.storage import Store, StoreError, lock_timeout
from .app import PfmpApp
from .state import AppState, load_state, preview_state


def _repository(db_path: Path) -> Repository:
    # Saves run on the interface's thread: wait for another process's lock at most 1 s,
    # then say « magasin occupé par … » rather than freeze the screen (issue 10).
    return Repository(Store(db_path, timeout=min(lock_timeout(), 1.0)))


def _read_index(repo: Repository) -> None:
    with repo.store.read() as tx:  # the statuses and the views do not need it: read for its refusal
        tx.tables(INDEX)


def open_preview(db_path: Path, today: date | None = None) -> tuple[Repository, AppState | None]:
    """The repository of a session and what its dashboard draws first (issue 13).

    Before anything is drawn, the manifest, the core, the index and every candidate's
    status are read (`state.preview_state`: each bucket's statuses kept beside its file
    for the day, so a bucket is parsed only if they were not): a corrupt, incomplete or
    newer store raises StoreError here. The learners' records are read after, by the app
    in a worker (`load_state`, every file parsed at most once in the session); a file
    damaged so that only that read finds it makes the app stop with the reason
    (`PfmpApp.launch_error`), nothing written."""
    repo = _repository(db_path)
    try:
        preview: AppState | None = preview_state(repo, today or date.today())
    except ValueError:  # records that cannot be checked: the app's load says so in its own words
        preview = None
    _read_index(repo)
    return repo, preview


def open_state(db_path: Path, today: date | None = None) -> tuple[Repository, AppState | None]:
    """The repository and its whole state, every shard file parsed once (read before
    the app starts: tests and scripts; `pfmp tui` draws first, see `open_preview`)."""
    repo = _repository(db_path)
    try:
        state: AppState | None = load_state(repo, today or date.today())
    except ValueError:  # records that cannot be checked: the app says so in its own words
        state = None
    _read_index(repo)
    return repo, state


def run_tui(db_path: Path, *, user: str | None = None) -> int:
    """Open the TUI on the store at `db_path` (the CLI's `pfmp` / `pfmp tui`); its exit code.

    The dashboard is drawn from the statuses and the cohorts while the school's records
    are read; a store the app could not read at launch is refused like one the
    bootstrap refuses (StoreError: « pfmp : … », exit code 1, no traceback)."""
    terminal = sys.stderr.isatty()
    if terminal:  # the first launch of a day computes the statuses first (seconds at 15,000 learners)
        sys.stderr.write("pfmp : lecture de l'école…")
        sys.stderr.flush()
    try:
        repo, preview = open_preview(db_path)
    finally:
        if terminal:
            sys.stderr.write("\r\033[K")  # the line goes: the dashboard takes the screen, or the refusal says why
            sys.stderr.flush()
    app = PfmpApp(repo, user=user, preview=preview)
    app.run()
    if app.launch_error is not None:
        raise StoreError(app.launch_error)
    return app.return_code or 0
