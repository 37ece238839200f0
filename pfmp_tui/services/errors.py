"""The store's errors, as the user interfaces see them (they talk to services, not to the store).

- `ConflictError`: the record changed or went since it was read (another session); nothing written.
- `StoreError`: the store cannot be read or written (corrupt, newer, locked, disk); nothing written.
"""

from __future__ import annotations

from ..store.conflicts import ConflictError
from ..store.storage import StoreError

__all__ = ["ConflictError", "StoreError"]
