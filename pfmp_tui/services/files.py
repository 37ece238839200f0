"""Files the tool writes for people (exports, papers, reports): private, never overwritten by accident."""

from __future__ import annotations

import os
from pathlib import Path

from ..domain.errors import FieldError, ValidationFailed
from ..store.storage import atomic_write, file_mode


def unique_path(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem.suffix``, or ``stem-2``, ``stem-3``… so that no existing file is named."""
    candidate, n = Path(folder) / f"{stem}{suffix}", 2
    while os.path.lexists(candidate):
        candidate, n = Path(folder) / f"{stem}-{n}{suffix}", n + 1
    return candidate


def folder_mode() -> int:
    """0700, or 2770 when shared by a group (PFMP_SHARED_GROUP=1): the group can write
    into it, and what is created inside stays the group's (setgid)."""
    return 0o2770 if file_mode() == 0o660 else 0o700


def make_private_folder(folder: Path) -> None:
    """Create `folder` and every missing parent with `folder_mode()`, whatever the umask.

    A dangling symlink on the way (``exports`` → a folder that is gone) is bad input
    with a message the user can act on, not « File exists »."""
    folder = Path(folder)
    missing: list[Path] = []
    current = folder
    while not current.is_dir():
        if os.path.islink(current):
            raise ValidationFailed(FieldError(
                str(current), f"lien symbolique vers « {os.readlink(current)} », qui n'existe pas : "
                "créez ce dossier ou supprimez le lien",
            ))
        if current.exists():
            raise ValidationFailed(FieldError(str(current), "c'est un fichier, pas un dossier : choisissez un autre chemin"))
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for level in reversed(missing):
        try:
            level.mkdir(mode=0o700)
        except FileExistsError:
            if not level.is_dir():
                raise
            continue  # created meanwhile by another process: keep its mode
        os.chmod(level, folder_mode())  # exact, whatever the umask


def write_private(path: Path, data: bytes) -> Path:
    """Write personal data: missing folders created 0700 (2770 when shared), the file 0600
    (0660), atomically (an existing file named by the user is replaced whole)."""
    path = Path(path)
    if path.is_dir():
        raise ValidationFailed(FieldError(
            str(path), f"c'est un dossier : indiquez un nom de fichier, par exemple {path / ('export' + (path.suffix or '.csv'))}",
        ))
    make_private_folder(path.parent)
    atomic_write(path, data)
    return path
