"""A crash-safe, multi-process store made of immutable TinyDB shard files.

Layout (for ``--db db/pfmp.json``)::

    db/pfmp.json                 the manifest: schema version, generation, shard → file
    db/pfmp.json.lock            the lock file (flock: shared to read, exclusive to write)
    db/pfmp.core.41.json         TinyDB file: cohorts, organisations, tutors
    db/pfmp.c-2nde-a-1f3e….38.json   TinyDB file: one cohort's students, periods,
                                 placements, assessment sheets, certificates, contracts

Why this shape (see benchmarks/README.md): an edit rewrites only the shard it touches
(one cohort of ~30 learners, a few hundred KB whatever the size of the school), never
the whole school.

How a write stays all or nothing, whatever the number of files:
  1. take the exclusive lock for the whole read-modify-write;
  2. read the manifest (never a cached copy) and the shards the change needs;
  3. write each changed shard to a *new* file named with the next generation
     (temp file, fsync, os.replace, then one fsync of the folder);
  4. commit by replacing the manifest the same way: this single os.replace is the
     instant the change happens;
  5. delete the files the new manifest no longer names (and orphans of crashed writers).
A crash before 4 leaves the old manifest naming the old, untouched files (the new
ones are orphans, removed by the next writer); after 4, the new store. Readers take
the shared lock, so they never see a half-written change nor a deleted file.

Shard files are never modified once written: a parse of one can be kept in memory
keyed by its file name (and the store's uid) and can never be stale. The store keeps
no such cache itself (the Repository keeps typed views); the manifest is re-read at
the start of every transaction.

Files are created with mode 0600, or 0660 when PFMP_SHARED_GROUP=1 (a store shared
by the members of a group: give the folder that group and the setgid bit), whatever
the umask.
"""

from __future__ import annotations

import contextlib
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

from . import journal_file, shard_cache

STORE_FORMAT = "pfmp-store"
SCHEMA_VERSION = 1
CORE = "core"
UNCHANGED = "Aucun fichier n'a été modifié."


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


def _write_temp(path: Path, data: bytes) -> Path:
    """`data` in a fsynced temp file beside `path`, with the store's mode whatever the umask."""
    # An unpredictable name, created exclusively and never through a link: in a folder
    # shared by a group, nobody can plant a symlink where the next temp file will be.
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, file_mode())
    try:
        os.fchmod(fd, file_mode())  # the umask may have narrowed (or a stale temp widened) it
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
    return tmp


def atomic_write(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Write `data` to `path` so that `path` holds either its old or its new content.

    Temp file in the same folder (created with the store's restrictive mode), fsync,
    os.replace, then fsync of the folder so the rename itself is durable.
    """
    path = Path(path)
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
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
    # The journal (store/journal_file.py): its file and the length of its committed part,
    # so that what a crashed writer appended past it is ignored, then cut off.
    journal: dict[str, Any] | None = None
    users: dict[str, str] | None = None  # login -> role (services/access.py); None: no list

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
        if self.journal is not None:
            doc["journal"] = self.journal
        if self.users is not None:
            doc["users"] = dict(sorted(self.users.items()))
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
        return self._tx.tables(self._shard)

    def write(self, data: dict[str, Any]) -> None:
        if not self._tx.writable:
            raise StoreError("internal: write attempted in a read-only transaction")
        self._tx._data[self._shard] = data
        self._tx.dropped.discard(self._shard)
        self._tx.dirty.add(self._shard)

    def close(self) -> None:
        pass


class Transaction:
    """One consistent view of the store under its lock; writable for `Store.write()`.

    Each shard is parsed at most once per transaction, from its immutable file: the
    parse belongs to this transaction alone, so TinyDB may change it in place.
    """

    def __init__(self, store: "Store", manifest: Manifest, writable: bool):
        self.store = store
        self.manifest = manifest  # the committed manifest once the transaction commits
        self.base = manifest  # the manifest the transaction started from
        self.writable = writable
        self.dirty: set[str] = set()
        self.dropped: set[str] = set()
        self.committed = False
        self._data: dict[str, dict] = {}
        # shard -> {table name -> table} as parsed from the base file: a table still the
        # same object at commit is unchanged (TinyDB replaces a table it modifies).
        self.loaded: dict[str, dict[str, dict]] = {}
        self._dbs: dict[str, ShardDB] = {}
        # Journal hook (store/journal_file.py): lines appended by this commit, or the
        # journal's whole new content (purge, restore); the user list when it changes.
        self.journal_lines: list[bytes] = []
        self.journal_rewrite: bytes | None = None
        self.users: dict[str, str] | None | bool = False  # False: unchanged

    @property
    def generation(self) -> int:
        return self.manifest.generation

    def shard_names(self) -> list[str]:
        names = (set(self.manifest.shards) | set(self._data)) - self.dropped
        return sorted(names)

    def file_of(self, shard: str) -> str | None:
        return self.manifest.shards.get(shard)

    def tables(self, shard: str) -> dict[str, Any]:
        """The raw tables of a shard ({} for a shard not in the store)."""
        data = self._data.get(shard)
        if data is None:
            # A committed file's parse is shared by the process (shard_cache); `data` is our own copy.
            data = {} if shard in self.dropped else shard_cache.load_tables(self, self.manifest.shards.get(shard))
            self._data[shard] = data
            self.loaded[shard] = dict(data)
        return data

    def unchanged_tables(self, shard: str) -> frozenset[str]:
        """Tables of `shard` whose content is still that of its base file."""
        loaded = self.loaded.get(shard, {})
        return frozenset(name for name, table in self.tables(shard).items() if loaded.get(name) is table)

    def db(self, shard: str) -> ShardDB:
        if shard not in self._dbs:
            self._dbs[shard] = ShardDB(storage=TxStorage, tx=self, shard=shard)
        return self._dbs[shard]

    def drop(self, shard: str) -> None:
        """Remove a whole shard (e.g. a deleted cohort, or `load --replace`)."""
        self.dropped.add(shard)
        self.dirty.discard(shard)
        self._data[shard] = {}
        self._dbs.pop(shard, None)

    def revive(self, shard: str) -> None:
        self.dropped.discard(shard)


class Store:
    """The store at `path` (the manifest file); other files live beside it."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    # -- locking ---------------------------------------------------------------
    def _open_lock(self, exclusive: bool) -> int:
        if not exclusive:
            # A reader needs no write access to the lock file (flock works on any fd).
            with contextlib.suppress(FileNotFoundError):
                return os.open(self.lock_path, os.O_RDONLY)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, file_mode())
        try:
            st = os.fstat(fd)
            if st.st_uid == os.geteuid() and st.st_mode & 0o777 != file_mode():
                os.fchmod(fd, file_mode())  # the umask narrowed it at creation
        except OSError:
            pass  # someone else's lock file in a shared folder: usable as it is
        return fd

    def _make_folder(self) -> None:
        """Create the store's folder private to its owner (or its group when shared)."""
        folder = self.path.parent
        if folder.is_dir():
            return
        mode = 0o2770 if file_mode() == 0o660 else 0o700
        folder.mkdir(parents=True, exist_ok=True, mode=mode & 0o777)
        with contextlib.suppress(OSError):
            os.chmod(folder, mode)  # the umask narrowed it

    @contextlib.contextmanager
    def _locked(self, exclusive: bool) -> Iterator[None]:
        folder = self.path.parent
        try:
            if exclusive:
                self._make_folder()
            elif not folder.exists():
                yield
                return
            fd = self._open_lock(exclusive)
        except OSError as exc:
            raise StoreError(
                f"verrou du magasin inaccessible ({self.lock_path}) : {exc.strerror}. {UNCHANGED}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    # -- reading ----------------------------------------------------------------
    def _corrupt(self, why: str) -> StoreError:
        return StoreError(f"magasin corrompu ({self.path}) : {why}. {UNCHANGED} Restaurez une sauvegarde.")

    def _read_manifest(self) -> Manifest:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Manifest(uid=os.urandom(8).hex())
        except OSError as exc:
            raise StoreError(f"magasin illisible ({self.path}) : {exc.strerror}. {UNCHANGED}") from None
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise self._corrupt("ce n'est pas du JSON valide") from None
        if not isinstance(doc, dict) or doc.get("format") != STORE_FORMAT:
            raise StoreError(f"{self.path} n'est pas un magasin pfmp (format inattendu). {UNCHANGED}")
        version = doc.get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self._corrupt("version de schéma absente ou invalide")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"magasin {self.path} créé par une version plus récente de pfmp (schéma {version}, "
                f"celle-ci ne comprend que le schéma {SCHEMA_VERSION}) : mettez pfmp à jour. {UNCHANGED}"
            )
        shards = doc.get("shards")
        generation = doc.get("generation")
        if (
            not isinstance(shards, dict)
            or not isinstance(generation, int)
            or isinstance(generation, bool)
            or not all(
                isinstance(k, str) and isinstance(f, str) and f and "/" not in f and f != self.path.name
                for k, f in shards.items()
            )
        ):
            raise self._corrupt("manifeste incomplet")
        uid = doc.get("uid")
        if not isinstance(uid, str):
            raise self._corrupt("identifiant du magasin absent")
        journal, users = doc.get("journal"), doc.get("users")
        if not journal_file.valid_ref(journal) or not (
            users is None or (isinstance(users, dict) and all(isinstance(v, str) for v in users.values()))
        ):
            raise self._corrupt("journal ou liste des utilisateurs illisible")
        return Manifest(generation=generation, shards=dict(shards), uid=uid, journal=journal, users=users)

    def _load_shard(self, file_name: str | None) -> dict:
        """Parse one shard file (never cached here: the caller owns the result)."""
        if file_name is None:
            return {}
        path = self.path.with_name(file_name)
        try:
            tables = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            raise StoreError(f"magasin incomplet : le fichier {path} manque. {UNCHANGED} Restaurez une sauvegarde.") from None
        except OSError as exc:
            raise StoreError(f"magasin illisible : {path} : {exc.strerror}. {UNCHANGED}") from None
        except orjson.JSONDecodeError:
            raise StoreError(f"magasin corrompu : {path} n'est pas du JSON valide. {UNCHANGED} Restaurez une sauvegarde.") from None
        # A TinyDB file: {table: {doc id: document}}.
        if not isinstance(tables, dict) or not all(
            isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
            for table in tables.values()
        ):
            raise StoreError(f"magasin corrompu : {path} n'est pas une base TinyDB. {UNCHANGED} Restaurez une sauvegarde.")
        return tables

    def _check_files(self, manifest: Manifest) -> None:
        """Every file the manifest names is there (a write on an incomplete store is refused)."""
        if not manifest.shards:
            return
        try:
            present = {entry.name for entry in os.scandir(self.path.parent)}
        except OSError as exc:
            raise StoreError(f"magasin illisible ({self.path.parent}) : {exc.strerror}. {UNCHANGED}") from None
        for file_name in sorted(manifest.shards.values()):
            if file_name not in present:
                raise StoreError(
                    f"magasin incomplet : le fichier {self.path.with_name(file_name)} manque. "
                    f"{UNCHANGED} Restaurez une sauvegarde."
                )

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
        """Refuse a corrupt, incomplete or newer store up front (raises StoreError)."""
        with self.read() as tx:
            for shard in tx.shard_names():
                tx.tables(shard)

    @contextlib.contextmanager
    def read(self) -> Iterator[Transaction]:
        with self._locked(exclusive=False):
            tx = Transaction(self, self._read_manifest(), writable=False)
            try:
                yield tx
            finally:
                tx._dbs.clear()  # TinyDB ⇄ transaction is a reference cycle: break it

    @contextlib.contextmanager
    def write(self) -> Iterator[Transaction]:
        """A read-modify-write under the exclusive lock; commits if the block succeeds."""
        with self._locked(exclusive=True):
            manifest = self._read_manifest()
            self._check_files(manifest)
            tx = Transaction(self, manifest, writable=True)
            try:
                yield tx
                if tx.dirty or tx.dropped or tx.journal_lines or tx.journal_rewrite is not None or tx.users is not False:
                    self._commit(tx)
            finally:
                # TinyDB ⇄ transaction is a reference cycle: break it, so that the parsed
                # shards are freed at once rather than by a later garbage collection.
                tx._dbs.clear()

    # -- committing ----------------------------------------------------------------
    def _commit(self, tx: Transaction) -> None:
        old = tx.manifest
        new = Manifest(generation=old.generation + 1, shards=dict(old.shards), uid=old.uid,
                       journal=old.journal, users=old.users if tx.users is False else tx.users)
        stem = self.path.stem
        written: list[str] = []
        replaced = False
        manifest_tmp: Path | None = None
        try:
            for shard in sorted(tx.dropped):
                new.shards.pop(shard, None)
            for shard in sorted(tx.dirty):
                tables = {name: table for name, table in tx._data[shard].items() if table}
                tx._data[shard] = tables
                if not tables:
                    new.shards.pop(shard, None)
                    continue
                file_name = f"{stem}.{shard}.{new.generation}.json"
                written.append(file_name)
                atomic_write(self.path.with_name(file_name), orjson.dumps(tables), sync_dir=False)
                new.shards[shard] = file_name
            new.journal, created = journal_file.write(self.path, old.journal, new.generation,
                                                      tx.journal_lines, tx.journal_rewrite, write_temp=_write_temp,
                                                      fsync_dir=_fsync_dir, file_mode=file_mode)
            written += created
            if written:
                _fsync_dir(self.path.parent)
            manifest_bytes = new.to_bytes()
            manifest_tmp = _write_temp(self.path, manifest_bytes)
            os.replace(manifest_tmp, self.path)  # the commit point
            replaced = True
            _fsync_dir(self.path.parent)
        except BaseException as exc:
            if not replaced:
                # An interruption (Ctrl-C) may land just after os.replace returned.
                with contextlib.suppress(OSError, NameError):
                    replaced = self.path.read_bytes() == manifest_bytes
            if not replaced:
                # The old manifest still rules: the new files are orphans, remove them now
                # (a crash would leave them to the next writer's clean-up).
                for file_name in written:
                    with contextlib.suppress(OSError):
                        os.unlink(self.path.with_name(file_name))
                with contextlib.suppress(OSError):
                    journal_file.undo(self.path, old.journal)
                if manifest_tmp is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(manifest_tmp)
            if isinstance(exc, OSError):
                if replaced:
                    raise StoreError(
                        f"modification enregistrée, mais sa mise sur disque n'a pas pu être confirmée "
                        f"({self.path.parent} : {exc.strerror})"
                    ) from None
                raise StoreError(
                    f"écriture impossible dans {self.path.parent} : {exc.strerror}. "
                    "Rien n'a été enregistré ; le magasin est intact."
                ) from None
            raise
        finally:
            if replaced:
                tx.manifest = new
                tx.committed = True
        self._collect_garbage(new)

    def _collect_garbage(self, manifest: Manifest) -> None:
        """Delete shard files and temp files that the committed manifest does not name.

        Runs under the exclusive lock, so no other writer has files in progress and no
        reader is reading.
        """
        keep = set(manifest.shards.values())
        if manifest.journal is not None:
            keep.add(manifest.journal["file"])
        stem = re.escape(self.path.stem)
        shard_file = re.compile(rf"^(\.)?{stem}\.[a-z0-9-]+\.\d+\.json(\.\d+-[0-9a-f]+\.tmp)?$")
        manifest_tmp = re.compile(rf"^\.{re.escape(self.path.name)}\.\d+-[0-9a-f]+\.tmp$")
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.path.parent):
                name = entry.name
                if ((shard_file.match(name) or journal_file.is_journal_file(self.path, name)) and name not in keep) \
                        or manifest_tmp.match(name):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def files(self) -> list[Path]:
        """The manifest and every shard file it names (for backups and tests)."""
        with self.read() as tx:
            if not self.path.exists():
                return []
            journal = [] if tx.manifest.journal is None else [self.path.with_name(tx.manifest.journal["file"])]
            return [self.path] + [self.path.with_name(f) for f in sorted(tx.manifest.shards.values())] + journal

    def read_journal(self, tx: Transaction) -> bytes:
        """The committed journal (JSON lines) as seen by `tx` (read under its lock)."""
        try:
            return journal_file.read(self.path, tx.manifest.journal)
        except journal_file.JournalError as exc:
            raise StoreError(f"{exc}. {UNCHANGED} Restaurez une sauvegarde.") from None
