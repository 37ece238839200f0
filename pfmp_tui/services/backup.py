"""Backups (issue 16): the whole store and its journal in one compressed, private file.

A backup is gzip-compressed JSON::

    {"format": "pfmp-backup", "version": 1, "created": "2026-12-01T02:00:00+01:00",
     "generation": 812, "users": {"login": "role"} | null,
     "document": {… the interchange document, as `pfmp dump` writes it …},
     "journal": "… the journal's JSON lines …"}

It is taken under the store's shared lock, held from the first byte read to the
last: no writer can commit in between, so it never mixes two generations. Holding
the interchange document (CONTRACT.md) rather than the store's files, it survives
changes of the store's layout, and `restore` validates it exactly like `pfmp load`.

`restore` refuses a newer backup format (and a newer interchange document), keeps a
copy of the store it replaces (« avant-restauration »), then installs data, user
list and journal in one commit, journalled as a restore.
"""

from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson

from ..domain.errors import FieldError, ValidationFailed
from ..domain.interchange import parse_document, to_document
from ..store import audit
from ..store.repository import Repository
from ..store.storage import StoreError, atomic_write, file_mode
from . import access

FORMAT = "pfmp-backup"
VERSION = 1
SUFFIX = ".pfmp-backup.gz"
ROTATED = re.compile(r"^pfmp-\d{8}-\d{6}" + re.escape(SUFFIX) + "$")


@dataclass(frozen=True)
class Backup:
    created: str
    generation: int
    users: dict[str, str] | None
    document: dict
    journal: bytes


def snapshot_bytes(repo: Repository) -> tuple[bytes, int]:
    """The backup of `repo` (compressed) and the generation it holds."""
    store = repo.store
    with store.read() as tx:  # the shared lock, for the whole copy
        journal = store.read_journal(tx)
        snap = repo.snapshot()  # a second shared lock of this process: no writer can come between
        if snap.generation != tx.generation:  # pragma: no cover - guarded by the lock above
            raise StoreError("le magasin a changé pendant la sauvegarde : recommencez")
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "created": datetime.now().astimezone().isoformat(timespec="seconds"),
            "generation": tx.generation,
            "users": tx.manifest.users,
            "document": to_document(snap.data),
            "journal": journal.decode("utf-8"),
        }
    return gzip.compress(orjson.dumps(doc), compresslevel=5, mtime=0), doc["generation"]


def _private_folder(folder: Path) -> None:
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o2770 if file_mode() == 0o660 else 0o700)


def default_name(now: datetime | None = None, prefix: str = "pfmp") -> str:
    return f"{prefix}-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}{SUFFIX}"


def backup(repo: Repository, output: str | Path | None, backups_dir: Path, keep: int | None = None) -> tuple[Path, list[Path]]:
    """`pfmp backup`: write the file (0600), then keep only the `keep` newest rotated ones."""
    access.require(repo, "backup")
    if keep is not None and keep < 1:
        raise ValidationFailed(FieldError("--keep", "au moins 1 sauvegarde à garder"))
    data, _ = snapshot_bytes(repo)
    if output is None:
        path = backups_dir / default_name()
    else:
        path = Path(output)
        if path.is_dir() or str(output).endswith("/"):
            path = path / default_name()
    _private_folder(path.parent)
    atomic_write(path, data)
    removed: list[Path] = []
    if keep is not None:
        rotated = sorted(p for p in path.parent.iterdir() if ROTATED.match(p.name))
        for old in rotated[:-keep]:
            old.unlink()
            removed.append(old)
    return path, removed


def read_backup(path: str | Path) -> Backup:
    where = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ValidationFailed(FieldError(where, "fichier introuvable")) from None
    try:
        doc = orjson.loads(gzip.decompress(raw))
    except (OSError, EOFError, orjson.JSONDecodeError):
        raise ValidationFailed(FieldError(where, "ce n'est pas une sauvegarde pfmp (gzip + JSON illisible)")) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValidationFailed(FieldError(where, "ce n'est pas une sauvegarde pfmp (format inattendu)"))
    version = doc.get("version")
    if not isinstance(version, int) or version < 1:
        raise ValidationFailed(FieldError(f"{where}: version", "version de sauvegarde absente ou invalide"))
    if version > VERSION:
        raise ValidationFailed(FieldError(f"{where}: version", f"sauvegarde faite par une version plus récente de pfmp "
                                          f"(format {version}, celle-ci lit le format {VERSION}) : mettez pfmp à jour"))
    users = doc.get("users")
    if users is not None and not (isinstance(users, dict) and all(isinstance(v, str) for v in users.values())):
        raise ValidationFailed(FieldError(f"{where}: users", "liste des utilisateurs illisible"))
    journal = doc.get("journal", "")
    if not isinstance(journal, str):
        raise ValidationFailed(FieldError(f"{where}: journal", "journal illisible"))
    return Backup(str(doc.get("created", "")), int(doc.get("generation", 0)), users, doc.get("document"),
                  journal.encode("utf-8"))


def restore(repo: Repository, path: str | Path, backups_dir: Path) -> tuple[Backup, Path | None]:
    """`pfmp restore`: the store becomes the backup (data, users, journal) in one commit.

    Returns the backup and the copy of the replaced store (None if it was empty)."""
    access.require(repo, "restore")
    saved = read_backup(path)
    data = parse_document(saved.document)  # validated exactly like `pfmp load`
    before = None
    if not repo.dataset().is_empty():
        before, _ = backup(repo, backups_dir / default_name(prefix="pfmp-avant-restauration"), backups_dir)
    with audit.acting(audit.context().via, note=f"restauration de {Path(path).name} (sauvegarde du {saved.created})"), \
            audit.commit_extras(journal=saved.journal, users=saved.users):
        repo.add_all(data, replace=True)
    return saved, before
