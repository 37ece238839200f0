"""Files the tool writes for people (exports, papers, reports): private, never overwritten by accident."""

from __future__ import annotations

import os
from pathlib import Path

from ..store.storage import atomic_write, file_mode


def unique_path(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem.suffix``, or ``stem-2``, ``stem-3``… so that no existing file is named."""
    candidate, n = Path(folder) / f"{stem}{suffix}", 2
    while os.path.lexists(candidate):
        candidate, n = Path(folder) / f"{stem}-{n}{suffix}", n + 1
    return candidate


def write_private(path: Path, data: bytes) -> Path:
    """Write personal data: the folder created 0700 (0770 when shared), the file 0600
    (0660), atomically (an existing file named by the user is replaced whole)."""
    path = Path(path)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o770 if file_mode() == 0o660 else 0o700)
    atomic_write(path, data)
    return path
