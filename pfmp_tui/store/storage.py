"""A crash-safe, multi-process store made of immutable TinyDB shard files.

Layout (for ``--db db/pfmp.json``)::

    db/pfmp.json                 the manifest: schema version, generation, shard → file
    db/pfmp.json.lock            the lock file (flock: shared to read, exclusive to write)
    db/pfmp.core.41.json         TinyDB file: cohorts, organisations, tutors
    db/pfmp.c-2nde-a-1f3e….38.json   TinyDB file: one cohort's students, periods,
                                 placements, assessment sheets, certificates, contracts

Why this shape (see README « Stockage »): an edit rewrites only the shard it touches
(one cohort, a few hundred KB even for a large school), never the whole school.

How a write stays all or nothing, whatever the number of files:
  1. take the exclusive lock for the whole read-modify-write;
  2. read the manifest (never a cached copy) and the shards the change needs;
  3. write each changed shard to a *new* file named with the next generation
     (temp file, fsync, os.replace, fsync of the folder);
  4. commit by replacing the manifest the same way: this single os.replace is the
     instant the change happens;
  5. delete the files the new manifest no longer names.
A crash before 4 leaves the old manifest naming the old, untouched files (the new
ones are orphans, removed by the next writer); after 4, the new store. Readers take
the shared lock, so they never see a half-written change nor a deleted file.

Shard files are never modified once written, so a parsed shard can be kept in memory
keyed by its file name: it can never be stale. The manifest itself is re-read at the
start of every transaction.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

STORE_FORMAT = "pfmp-store"
SCHEMA_VERSION = 1
CORE = "core"


class StoreError(Exception):
    """The store cannot be used (corrupt, newer version, unreadable). Nothing was changed."""


class StrIdTable(Table):
    """TinyDB table keyed by our own string ids (never TinyDB's integer counter)."""

    document_id_class = str

    def _get_next_id(self):  # pragma: no cover - guarded: every insert names its id
        raise StoreError("internal: a document was inserted without its string id")


class ShardDB(TinyDB):
    table_class = StrIdTable


def file_mode() -> int:
    """0600, or 0660 when the store is shared by a group of users (PFMP_SHARED_GROUP=1)."""
    return 0o660 if os.environ.get("PFMP_SHARED_GROUP") == "1" else 0o600


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Write `data` to `path` so that `path` holds either its old or its new content.

    Temp file in the same folder (created with the store's restrictive mode), fsync,
    os.replace, then fsync of the folder so the rename itself is durable.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, file_mode())
    try:
        os.fchmod(fd, file_mode())
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    os.replace(tmp, path)
    if sync_dir:
        _fsync_dir(path.parent)


def shard_for_cohort(cohort_id: str) -> str:
    """Shard name of a cohort: readable prefix + hash (ids may hold any character)."""
    slug = re.sub(r"[^a-z0-9]+", "-", cohort_id.lower()).strip("-")[:24] or "x"
    digest = hashlib.sha1(cohort_id.encode("utf-8")).hexdigest()[:10]
    return f"c-{slug}-{digest}"


@dataclass
class Manifest:
    generation: int = 0
    shards: dict[str, str] = field(default_factory=dict)  # shard name -> file name
    # Random id of this store, so that in-memory caches keyed by file name never mix
    # two stores created one after the other at the same path.
    uid: str = ""

    def key(self, file_name: str) -> str:
        return f"{self.uid}/{file_name}"

    def to_bytes(self) -> bytes:
        doc = {
            "format": STORE_FORMAT,
            "schema_version": SCHEMA_VERSION,
            "uid": self.uid,
            "generation": self.generation,
            "shards": dict(sorted(self.shards.items())),
        }
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2)


class TxStorage(Storage):
    """The TinyDB storage of one shard inside a transaction.

    `read` gives the shard's tables; `write` records them as the shard's new content
    and marks the shard dirty. Nothing reaches the disk until the transaction
    commits, and then through `atomic_write` only.
    """

    def __init__(self, tx: "Transaction", shard: str):
        self._tx = tx
        self._shard = shard

    def read(self) -> dict[str, Any] | None:
        return self._tx._tables(self._shard, private=True)

    def write(self, data: dict[str, Any]) -> None:
        if not self._tx.writable:
            raise StoreError("internal: write attempted in a read-only transaction")
        self._tx._data[self._shard] = data
        self._tx.dropped.discard(self._shard)
        self._tx.dirty.add(self._shard)

    def close(self) -> None:
        pass


class Transaction:
    """One consistent view of the store under its lock; writable for `Store.write()`."""

    def __init__(self, store: "Store", manifest: Manifest, writable: bool):
        self.store = store
        self.manifest = manifest
        self.writable = writable
        self.dirty: set[str] = set()
        self.dropped: set[str] = set()
        self._data: dict[str, dict] = {}
        self._private: set[str] = set()
        self._dbs: dict[str, ShardDB] = {}

    @property
    def generation(self) -> int:
        return self.manifest.generation

    def shard_names(self) -> list[str]:
        names = (set(self.manifest.shards) | set(self._data)) - self.dropped
        return sorted(names)

    def file_of(self, shard: str) -> str | None:
        return self.manifest.shards.get(shard)

    def _tables(self, shard: str, private: bool = False) -> dict[str, Any]:
        if shard not in self._data:
            if shard in self.dropped:
                self._data[shard] = {}
                self._private.add(shard)
            else:
                self._data[shard] = self.store._load_shard(self.manifest, self.manifest.shards.get(shard))
        if private and shard not in self._private:
            # TinyDB mutates what it reads: give it a copy, so the cached parse of the
            # immutable file stays pristine even if this transaction fails half-way.
            self._data[shard] = orjson.loads(orjson.dumps(self._data[shard]))
            self._private.add(shard)
        return self._data[shard]

    def tables(self, shard: str) -> dict[str, Any]:
        """The raw tables of a shard (read-only use)."""
        return self._tables(shard)

    def db(self, shard: str) -> ShardDB:
        if shard not in self._dbs:
            self._dbs[shard] = ShardDB(storage=TxStorage, tx=self, shard=shard)
        return self._dbs[shard]

    def drop(self, shard: str) -> None:
        """Remove a whole shard (e.g. a deleted cohort, or `load --replace`)."""
        self.dropped.add(shard)
        self.dirty.discard(shard)
        self._data[shard] = {}
        self._private.add(shard)
        self._dbs.pop(shard, None)

    def revive(self, shard: str) -> None:
        self.dropped.discard(shard)


class Store:
    """The store at `path` (the manifest file); other files live beside it."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._cache: dict[str, dict] = {}  # shard file name -> parsed tables (immutable files)

    # -- locking ---------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self, exclusive: bool) -> Iterator[None]:
        folder = self.path.parent
        if exclusive:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.exists():
            yield
            return
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, file_mode())
        except PermissionError as exc:
            raise StoreError(f"verrou du magasin inaccessible ({self.lock_path}) : {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    # -- reading ----------------------------------------------------------------
    def _read_manifest(self) -> Manifest:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Manifest(uid=os.urandom(8).hex())
        except OSError as exc:
            raise StoreError(f"magasin illisible ({self.path}) : {exc.strerror}") from None
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise StoreError(
                f"magasin corrompu ({self.path}) : ce n'est pas du JSON valide. "
                "Le fichier n'a pas été modifié ; restaurez une sauvegarde."
            ) from None
        if not isinstance(doc, dict) or doc.get("format") != STORE_FORMAT:
            raise StoreError(
                f"{self.path} n'est pas un magasin pfmp (format inattendu). Le fichier n'a pas été modifié."
            )
        version = doc.get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise StoreError(f"magasin corrompu ({self.path}) : version de schéma absente. Le fichier n'a pas été modifié.")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"magasin créé par une version plus récente de pfmp (schéma {version}, "
                f"celle-ci comprend le schéma {SCHEMA_VERSION}) : mettez pfmp à jour. Le fichier n'a pas été modifié."
            )
        shards = doc.get("shards")
        generation = doc.get("generation")
        if (
            not isinstance(shards, dict)
            or not isinstance(generation, int)
            or not all(isinstance(k, str) and isinstance(f, str) and "/" not in f for k, f in shards.items())
        ):
            raise StoreError(f"magasin corrompu ({self.path}) : manifeste incomplet. Le fichier n'a pas été modifié.")
        uid = doc.get("uid")
        if not isinstance(uid, str):
            raise StoreError(f"magasin corrompu ({self.path}) : identifiant absent. Le fichier n'a pas été modifié.")
        return Manifest(generation=generation, shards=dict(shards), uid=uid)

    def _load_shard(self, manifest: Manifest, file_name: str | None) -> dict:
        if file_name is None:
            return {}
        cached = self._cache.get(manifest.key(file_name))
        if cached is not None:
            return cached
        path = self.path.with_name(file_name)
        try:
            tables = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            raise StoreError(f"magasin incomplet : le fichier {path} manque. Rien n'a été modifié.") from None
        except orjson.JSONDecodeError:
            raise StoreError(f"magasin corrompu : {path} n'est pas du JSON valide. Rien n'a été modifié.") from None
        if not isinstance(tables, dict):
            raise StoreError(f"magasin corrompu : {path} n'est pas une base TinyDB. Rien n'a été modifié.")
        self._cache[manifest.key(file_name)] = tables
        return tables

    def generation(self) -> int:
        """Cheap probe for watchers: the committed generation (0 for an empty store)."""
        with self._locked(exclusive=False):
            return self._read_manifest().generation

    def stamp(self) -> tuple[int, int, int] | None:
        """(inode, size, mtime_ns) of the manifest: changes on every commit, no lock needed."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def check(self) -> None:
        """Refuse a corrupt or newer store up front (raises StoreError)."""
        with self.read() as tx:
            for shard in tx.shard_names():
                tx.tables(shard)

    @contextlib.contextmanager
    def read(self) -> Iterator[Transaction]:
        with self._locked(exclusive=False):
            yield Transaction(self, self._read_manifest(), writable=False)

    @contextlib.contextmanager
    def write(self) -> Iterator[Transaction]:
        """A read-modify-write under the exclusive lock; commits if the block succeeds."""
        with self._locked(exclusive=True):
            tx = Transaction(self, self._read_manifest(), writable=True)
            yield tx
            if tx.dirty or tx.dropped:
                self._commit(tx)

    # -- committing ----------------------------------------------------------------
    def _commit(self, tx: Transaction) -> None:
        old = tx.manifest
        new = Manifest(generation=old.generation + 1, shards=dict(old.shards), uid=old.uid)
        stem = self.path.stem
        written: list[str] = []
        try:
            for shard in sorted(tx.dropped):
                new.shards.pop(shard, None)
            for shard in sorted(tx.dirty):
                tables = {name: table for name, table in tx._data[shard].items() if table}
                if not tables:
                    new.shards.pop(shard, None)
                    continue
                file_name = f"{stem}.{shard}.{new.generation}.json"
                atomic_write(self.path.with_name(file_name), orjson.dumps(tables), sync_dir=False)
                written.append(file_name)
                new.shards[shard] = file_name
                self._cache[new.key(file_name)] = tables
            if written:
                _fsync_dir(self.path.parent)
            atomic_write(self.path, new.to_bytes())  # the commit point
        except BaseException:
            for file_name in written:
                self._cache.pop(new.key(file_name), None)
                with contextlib.suppress(OSError):
                    os.unlink(self.path.with_name(file_name))
            raise
        tx.manifest = new
        self._collect_garbage(new)

    def _collect_garbage(self, manifest: Manifest) -> None:
        """Delete shard files and temp files that the committed manifest does not name."""
        keep = set(manifest.shards.values())
        stem = re.escape(self.path.stem)
        pattern = re.compile(rf"^(\.)?{stem}\.[a-z0-9-]+\.\d+\.json(\.\d+\.tmp)?$")
        for entry in os.scandir(self.path.parent):
            if pattern.match(entry.name) and entry.name not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                self._cache.pop(manifest.key(entry.name), None)
        tmp = re.compile(rf"^\.{re.escape(self.path.name)}\.\d+\.tmp$")
        for entry in os.scandir(self.path.parent):
            if tmp.match(entry.name):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)

    def files(self) -> list[Path]:
        """The manifest and every shard file it names (for backups and tests)."""
        with self.read() as tx:
            return [self.path] + [self.path.with_name(f) for f in sorted(tx.manifest.shards.values()) if f]


def is_missing_error(exc: OSError) -> bool:
    return exc.errno == errno.ENOENT
