"""The handles a user interface holds on the store: the repository of a session and its snapshots.

Only their types cross into the interfaces; opening the store is the bootstrap's job
(`tui/bootstrap.py`, `data_io.open_repository` for the command line).
"""

from __future__ import annotations

from ..store.repository import Repository
from ..store.views import Snapshot

__all__ = ["Repository", "Snapshot"]
