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
  5. delete the files the new manifest no longer names, with the statuses kept beside
     them (status_files.py), without listing the folder; after a writer that was killed
     (its name is still in the lock file) and every FULL_CLEANUP_EVERY commits, also
     the orphans the folder holds.
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
import errno
import fcntl
import getpass
import hashlib
import os
import re
import signal
import stat
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from . import journal_file, shard_cache
from .buckets import parse_bucket
from .status_files import SUFFIX as STATUS_SUFFIX

STORE_FORMAT = "pfmp-store"
# 2: data files named after the whole main file, buckets and their index, checksums, the
# journal and the user list (issues 10, 13, 16). A pfmp of schema 1 would read such a store
# and, on its next write, drop the index, checksums, journal and users: it must refuse it.
# Stores of schema 1 are read as they are and rewritten as schema 2 by their first write.
SCHEMA_VERSION = 2
CORE = "core"
UNCHANGED = "Aucun fichier n'a été modifié."
LOCK_TIMEOUT_ENV = "PFMP_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 5.0  # seconds a command waits for another one's write before giving up
_SHARD = r"[a-z0-9-]+"  # shard names: "core", "c-<slug>-<hash>" (no dot)
FULL_CLEANUP_EVERY = 64  # commits between two looks for orphans in the folder (_collect_garbage)


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _is_bucket(shard: str) -> bool:
    return parse_bucket(shard) is not None


def _new_items(entries: dict, known: dict | None):
    """The (key, value) pairs of `entries` that `known` (already checked) does not hold."""
    if known is None:
        return entries.items()
    try:
        return entries.items() - known.items()
    except TypeError:  # a value that is not a string (unhashable): check them all
        return entries.items()


class _LockWaitExpired(Exception):
    """Raised by the timer signal that ends a bounded lock wait."""


class StoreError(Exception):
    """The store cannot be used (corrupt, newer version, unreadable). Nothing was changed."""


class BrokenStore(StoreError):
    """Data files are there but the main file (their manifest) is missing: refused, untouched."""


@dataclass(frozen=True)
class LockHolder:
    """Who holds the store's write lock, as the holder wrote it in the lock file."""

    pid: int | None = None
    login: str | None = None
    since: datetime | None = None

    def describe(self) -> str:
        who = self.login or "un autre utilisateur"
        parts = []
        if self.pid is not None:
            parts.append(f"processus {self.pid}")
        if self.since is not None:
            parts.append(f"depuis {self.since.astimezone():%d/%m/%Y %H:%M:%S}")
        return f"{who} ({', '.join(parts)})" if parts else who


class StoreBusy(StoreError):
    """Another process held the store's lock longer than the wait allowed. Nothing was changed.

    `holder` is who holds it when the lock file says so (None: unknown, e.g. a reader).
    """

    def __init__(self, path: Path, holder: LockHolder | None, waited: float):
        self.path = path
        self.holder = holder
        self.waited = waited
        who = holder.describe() if holder is not None else "un autre processus"
        super().__init__(
            f"magasin occupé par {who} : verrou de {path} toujours pris après {waited:g} s. "
            f"{UNCHANGED} Réessayez dans un moment (attente réglable par ${LOCK_TIMEOUT_ENV}, en secondes)."
        )


def lock_timeout() -> float:
    """$PFMP_LOCK_TIMEOUT (seconds, ≥ 0), else DEFAULT_LOCK_TIMEOUT."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if raw:
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if value >= 0 and value == value and value != float("inf"):
            return value
    return DEFAULT_LOCK_TIMEOUT


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


def _login() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


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
    # file name -> sha256 of its bytes, verified on every read (a shard edited by hand or
    # damaged on disk is refused, not read as valid JSON). Manifests written before have
    # none for their files: those are read unverified until they are rewritten.
    sums: dict[str, str] = field(default_factory=dict)
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
            "checksums": {f: self.sums[f] for f in sorted(self.shards.values()) if f in self.sums},
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
        # Whether a read-only transaction keeps the parses of the buckets it reads for the
        # next transactions (shard_cache): one that looks at a record or two (an edit is
        # likely to follow), not one that reads the school.
        self.keep_buckets = False
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
            data = {} if shard in self.dropped else shard_cache.load_tables(
                self, self.manifest.shards.get(shard), keep=self.writable or self.keep_buckets or not _is_bucket(shard))
            self._data[shard] = data
            self.loaded[shard] = dict(data)
        return data

    def forget(self, shard: str) -> None:
        """A read-only transaction no longer needs a shard's tables (its typed view is
        built): let them go, so that reading the whole school does not hold every
        parse at once (asked again, they are loaded again)."""
        if not self.writable:
            self._data.pop(shard, None)
            self.loaded.pop(shard, None)
            self._dbs.pop(shard, None)

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
    """The store at `path` (the manifest file); other files live beside it, named after it."""

    def __init__(self, path: str | os.PathLike, *, timeout: float | None = None):
        self.path = Path(path)
        name = self.path.name
        if name in ("", ".", "..") or name.endswith(".lock"):
            raise StoreError(
                f"« {path} » ne peut pas nommer le fichier principal d'un magasin : "
                "indiquez un fichier, par exemple db/pfmp.json"
            )
        self.lock_path = self.path.with_name(name + ".lock")
        # Seconds to wait for another process's lock (None: $PFMP_LOCK_TIMEOUT or the default).
        self.timeout = timeout
        # The lock this thread holds through this Store ("exclusive"/"shared"): a read inside
        # a write (Repository.transaction) must not wait for its own lock.
        self._held = threading.local()
        # Data files are named after the whole main-file name (pfmp.json → pfmp.json.core.3.json):
        # two stores in one folder never share a name. Stores written before kept the stem
        # (pfmp.core.3.json); their manifests still name those files, which are read as they are.
        self._data_file = re.compile(rf"^{re.escape(name)}\.({_SHARD})\.(\d+)\.json$")
        self._legacy_file = re.compile(rf"^{re.escape(self.path.stem)}\.({_SHARD})\.(\d+)\.json$")
        # Statuses kept beside a data file (either naming): deleted with it.
        self._status_file = re.compile(
            rf"^((?:{re.escape(name)}|{re.escape(self.path.stem)})\.{_SHARD}\.\d+\.json){re.escape(STATUS_SUFFIX)}$")
        self._legacy_journal = re.compile(rf"^{re.escape(self.path.stem)}\.journal\.\d+\.jsonl$")
        # The last manifest read, with its bytes: a transaction whose manifest has the same
        # bytes takes it as it is (checking 860 entries at L was most of a read's own cost).
        self._last_manifest: tuple[bytes, Manifest] | None = None
        # The previous writer did not finish (killed): its files may be left, look for them.
        self._unclean = False

    # -- locking ---------------------------------------------------------------------------
    # The lock is an flock on the store's *folder*: a folder cannot be swapped or deleted
    # under its holders the way a lock file can (issue 10: deleting pfmp.json.lock while
    # writers ran let two of them write at once). The lock file only says who holds the
    # write lock (pid, login, since), for the « magasin occupé par … » message.
    def _make_folder(self) -> None:
        """Create the store's folder private to its owner (or its group when shared)."""
        folder = self.path.parent
        if folder.is_dir():
            return
        mode = 0o2770 if file_mode() == 0o660 else 0o700
        folder.mkdir(parents=True, exist_ok=True, mode=mode & 0o777)
        with contextlib.suppress(OSError):
            os.chmod(folder, mode)  # the umask narrowed it

    def _lock_error(self, exc: OSError) -> StoreError:
        return StoreError(f"verrou du magasin inaccessible ({self.lock_path}) : {exc.strerror}. {UNCHANGED}")

    def _open_lock_file(self) -> int:
        """The lock file, never through a symlink, and only if it is a regular file."""
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, file_mode())
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise StoreError(
                    f"{self.lock_path} est un lien symbolique : pfmp ne le suit pas. {UNCHANGED} "
                    "Supprimez ce lien (pfmp recrée le fichier)."
                ) from None
            raise self._lock_error(exc) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise StoreError(
                    f"{self.lock_path} n'est pas un fichier ordinaire. {UNCHANGED} "
                    "Supprimez-le (pfmp recrée le fichier)."
                )
            if st.st_uid == os.geteuid() and st.st_mode & 0o777 != file_mode():
                with contextlib.suppress(OSError):
                    os.fchmod(fd, file_mode())  # the umask narrowed it at creation
        except BaseException:
            os.close(fd)
            raise
        return fd

    def holder(self) -> LockHolder | None:
        """Who wrote the lock file last and still runs (None: nobody known)."""
        try:
            fd = os.open(self.lock_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            raw = os.read(fd, 4096)
        except OSError:
            return None
        finally:
            os.close(fd)
        try:
            doc = orjson.loads(raw)
            pid = doc.get("pid")
            login = doc.get("login")
            since = datetime.fromisoformat(doc["since"]) if isinstance(doc.get("since"), str) else None
        except (orjson.JSONDecodeError, AttributeError, ValueError, TypeError):
            return None
        pid = pid if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0 else None
        if pid is not None and doc.get("host") == os.uname().nodename:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return None  # a holder that crashed: its lock is gone with it
            except OSError:
                pass
        return LockHolder(pid, login if isinstance(login, str) else None, since)

    def _flock(self, fd: int, exclusive: bool) -> None:
        """flock with a bounded wait; StoreBusy (naming the holder) when it runs out.

        In the main thread (the CLI) the wait is a blocking flock cut short by a timer
        signal: the kernel wakes the waiter as soon as the lock is free, so a waiter is
        never starved by a stream of other writers. Elsewhere (the TUI's workers), it polls.
        """
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        timeout = lock_timeout() if self.timeout is None else self.timeout
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        if timeout > 0 and threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
            def expired(signum: int, frame: object) -> None:
                raise _LockWaitExpired

            previous = signal.signal(signal.SIGALRM, expired)
            started, other_timer = time.monotonic(), 0.0
            try:
                other_timer, _ = signal.setitimer(signal.ITIMER_REAL, timeout)
                try:
                    fcntl.flock(fd, mode)
                    return
                except _LockWaitExpired:
                    pass
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            finally:
                signal.signal(signal.SIGALRM, previous)
                if other_timer:  # someone else's alarm (a test runner's): give it back what is left
                    signal.setitimer(signal.ITIMER_REAL, max(other_timer - (time.monotonic() - started), 0.001))
            raise StoreBusy(self.lock_path, self.holder(), timeout)
        deadline = time.monotonic() + timeout
        pause = 0.001
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise StoreBusy(self.lock_path, self.holder(), timeout)
            time.sleep(min(pause, deadline - now))
            pause = min(pause * 2, 0.01)
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass

    @contextlib.contextmanager
    def _locked(self, exclusive: bool) -> Iterator[None]:
        held = getattr(self._held, "mode", None)
        if held == "exclusive" or (held == "shared" and not exclusive):
            yield  # already held by this thread: a read inside a write sees the same store
            return
        if held == "shared":
            raise StoreError("internal: a write was started inside a read of the same store")
        self._held.mode = "exclusive" if exclusive else "shared"
        try:
            with self._lock_folder(exclusive):
                yield
        finally:
            self._held.mode = None

    @contextlib.contextmanager
    def _lock_folder(self, exclusive: bool) -> Iterator[None]:
        folder = self.path.parent
        try:
            if exclusive:
                self._make_folder()
            elif not folder.exists():
                yield
                return
            while True:
                fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    self._flock(fd, exclusive)
                    # The folder we locked is still the one at the path (not renamed away).
                    st, now = os.fstat(fd), os.stat(folder)
                except BaseException:
                    os.close(fd)
                    raise
                if (st.st_dev, st.st_ino) == (now.st_dev, now.st_ino):
                    break
                os.close(fd)
        except OSError as exc:
            raise self._lock_error(exc) from None
        lock_fd = None
        try:
            if exclusive:
                lock_fd = self._open_lock_file()
                with contextlib.suppress(OSError):
                    # A holder that ends empties the lock file: one that was killed left its name.
                    self._unclean = bool(os.pread(lock_fd, 1, 0))
                info = {"pid": os.getpid(), "login": _login(), "host": os.uname().nodename,
                        "since": datetime.now().astimezone().isoformat(timespec="seconds")}
                with contextlib.suppress(OSError):
                    os.ftruncate(lock_fd, 0)
                    os.pwrite(lock_fd, orjson.dumps(info), 0)
            yield
        finally:
            if lock_fd is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(lock_fd, 0)  # nobody holds it any more
                os.close(lock_fd)
            os.close(fd)  # closing releases the flock

    # -- reading ----------------------------------------------------------------
    def _corrupt(self, why: str) -> StoreError:
        return StoreError(f"magasin corrompu ({self.path}) : {why}. {UNCHANGED} Restaurez une sauvegarde.")

    def _read_manifest(self) -> Manifest:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            orphans = self._data_files_without_manifest()
            if orphans:
                shown = ", ".join(orphans[:3]) + (f" et {len(orphans) - 3} autre(s)" if len(orphans) > 3 else "")
                raise BrokenStore(
                    f"magasin cassé : le fichier principal {self.path} manque, mais ses fichiers de données "
                    f"sont là ({shown}). {UNCHANGED} Restaurez {self.path.name} depuis une sauvegarde ; "
                    "ou, pour repartir de zéro, « pfmp demo --force » ou « pfmp load FICHIER --replace --force » "
                    "(les fichiers de données restent là, intacts)."
                ) from None
            return Manifest(uid=os.urandom(8).hex())
        except OSError as exc:
            raise StoreError(f"magasin illisible ({self.path}) : {exc.strerror}. {UNCHANGED}") from None
        last = self._last_manifest
        if last is not None and last[0] == raw:
            return last[1]  # the same bytes: already checked (manifests are never changed in place)
        manifest = self._parse_manifest(raw)
        self._last_manifest = (raw, manifest)
        return manifest

    def _parse_manifest(self, raw: bytes) -> Manifest:
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
        # Entries already in the last manifest read were checked then: a commit changes a few.
        previous = self._last_manifest[1] if self._last_manifest is not None else None
        if (
            not isinstance(shards, dict)
            or not isinstance(generation, int)
            or isinstance(generation, bool)
            or not all(
                isinstance(k, str) and isinstance(f, str) and f and "/" not in f and f != self.path.name
                for k, f in _new_items(shards, None if previous is None else previous.shards)
            )
        ):
            raise self._corrupt("manifeste incomplet")
        uid = doc.get("uid")
        if not isinstance(uid, str):
            raise self._corrupt("identifiant du magasin absent")
        sums = doc.get("checksums", {})
        if not isinstance(sums, dict) or not all(
            isinstance(f, str) and isinstance(d, str) and _SHA256.fullmatch(d)
            for f, d in _new_items(sums, None if previous is None else previous.sums)
        ):
            raise self._corrupt("sommes de contrôle invalides")
        journal, users = doc.get("journal"), doc.get("users")
        if not journal_file.valid_ref(journal) or not (
            users is None or (isinstance(users, dict) and all(isinstance(v, str) for v in users.values()))
        ):
            raise self._corrupt("journal ou liste des utilisateurs illisible")
        return Manifest(generation=generation, shards=dict(shards), uid=uid, sums=dict(sums), journal=journal,
                        users=users)

    def _own_files(self) -> list[str]:
        """Data files named after this store's main file (new naming only)."""
        try:
            return sorted(e.name for e in os.scandir(self.path.parent) if self._data_file.match(e.name))
        except OSError:
            return []

    def _data_files_without_manifest(self) -> list[str]:
        """Data files of this store while its main file is missing (a broken store).

        Files of the old naming (the stem: pfmp.core.3.json) may belong to another store
        of the folder with the same stem: they count only if no manifest there names them.
        """
        try:
            entries = [e.name for e in os.scandir(self.path.parent)]
        except OSError:
            return []
        # Its journal too (journal_file: pfmp.json.journal.<gen>.jsonl, formerly the stem's).
        own = [n for n in entries if self._data_file.match(n) or journal_file.is_journal_file(self.path, n)
               or (self._status_file.match(n) and n.startswith(self.path.name + "."))]
        legacy = [n for n in entries if (self._legacy_file.match(n) or self._legacy_journal.match(n)) and n not in own]
        if legacy:
            named: set[str] = set()
            for other in entries:
                if other == self.path.name or self._legacy_file.match(other) or self._data_file.match(other):
                    continue
                candidate = self.path.with_name(other)
                try:
                    if not other.startswith(self.path.stem) or candidate.stat().st_size > 1_000_000:
                        continue
                    doc = orjson.loads(candidate.read_bytes())
                except (OSError, orjson.JSONDecodeError):
                    continue
                if isinstance(doc, dict) and doc.get("format") == STORE_FORMAT and isinstance(doc.get("shards"), dict):
                    named.update(f for f in doc["shards"].values() if isinstance(f, str))
                    if isinstance(doc.get("journal"), dict) and isinstance(doc["journal"].get("file"), str):
                        named.add(doc["journal"]["file"])
            legacy = [n for n in legacy if n not in named]
        return sorted(own + legacy)

    def start_over(self) -> Path | None:
        """Make a broken store (data files, no main file) an empty store, deleting nothing.

        The data files left there move into a folder of their own beside the store
        (``pfmp.json.sans-manifeste-<date>``), where a restore can still find them; its
        path is returned (None when there was nothing to move).
        """
        with self._locked(exclusive=True):
            if self.path.exists():
                return None
            old = self._data_files_without_manifest()
            aside = None
            if old:
                aside = self.path.with_name(f"{self.path.name}.sans-manifeste-{datetime.now():%Y%m%d-%H%M%S}")
                aside.mkdir(mode=0o770 if file_mode() == 0o660 else 0o700)
                for name in old:
                    os.rename(self.path.with_name(name), aside / name)
                _fsync_dir(self.path.parent)
            atomic_write(self.path, Manifest(uid=os.urandom(8).hex()).to_bytes())
            return aside

    def _load_shard(self, file_name: str | None, digest: str | None = None) -> dict:
        """Parse one shard file (never cached here: the caller owns the result), after
        checking it against its `digest` from the manifest when there is one."""
        if file_name is None:
            return {}
        path = self.path.with_name(file_name)
        try:
            raw = path.read_bytes()
            if digest is not None and hashlib.sha256(raw).hexdigest() != digest:
                raise StoreError(
                    f"magasin corrompu : {path} a été modifié ou abîmé (sa somme de contrôle ne correspond "
                    f"plus au fichier principal). {UNCHANGED} Restaurez une sauvegarde."
                )
            tables = orjson.loads(raw)
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
                tx.forget(shard)

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
        new = Manifest(generation=old.generation + 1, shards=dict(old.shards), uid=old.uid, sums=dict(old.sums),
                       journal=old.journal, users=old.users if tx.users is False else tx.users)
        written: list[str] = []
        replaced = False
        manifest_tmp: Path | None = None
        journal = None
        try:
            if tx.journal_lines or tx.journal_rewrite is not None:
                journal = journal_file.Pending(self.path, old.journal, new.generation, tx.journal_lines,
                                               tx.journal_rewrite, write_temp=_write_temp, fsync_dir=_fsync_dir,
                                               file_mode=file_mode)
            for shard in sorted(tx.dropped):
                new.shards.pop(shard, None)
            for shard in sorted(tx.dirty):
                tables = {name: table for name, table in tx._data[shard].items() if table}
                tx._data[shard] = tables
                if not tables:
                    new.shards.pop(shard, None)
                    continue
                file_name = f"{self.path.name}.{shard}.{new.generation}.json"
                written.append(file_name)
                data = orjson.dumps(tables)
                atomic_write(self.path.with_name(file_name), data, sync_dir=False)
                new.shards[shard] = file_name
                new.sums[file_name] = hashlib.sha256(data).hexdigest()
            if journal is not None:  # written beside the shards, durable before the manifest names it
                new.journal, created = journal.result()
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
                if journal is not None:
                    written += [f for f in journal.settle() if f not in written]
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
        full = self._unclean or new.generation % FULL_CLEANUP_EVERY == 0
        self._collect_garbage(tx.base, new, full=full)
        if full:
            self._unclean = False

    def _collect_garbage(self, base: Manifest, manifest: Manifest, *, full: bool = True) -> None:
        """Delete the files this store no longer needs, and only those.

        Every commit deletes the files the previous manifest named and the committed one
        does not, with the statuses kept beside them: what the commit replaced, without
        listing the folder (its cost does not grow with the school). A full clean-up —
        below — also looks for orphans: after a writer that was killed (it left its name
        in the lock file), and every `FULL_CLEANUP_EVERY` commits (a reader killed while
        keeping statuses, a writer lost with the machine).

        - data files the previous manifest named and the committed one does not;
        - files named after this store's main file (pfmp.json.<shard>.<gen>.json) that the
          committed manifest does not name: orphans of writers killed before their commit
          or during a clean-up;
        - temp files of this store's own names.
        Never a file that no manifest of this store named and that it did not create
        (another store's, of the old naming, a user's). Runs under the exclusive lock, so no other writer
        has files in progress and no reader is reading.
        """
        keep = set(manifest.shards.values())
        if manifest.journal is not None:
            keep.add(manifest.journal["file"])
        dropped = set(base.shards.values()) - keep
        if base.journal is not None and base.journal["file"] not in keep:
            dropped.add(base.journal["file"])  # a rewritten journal's old file
        if not full:
            for file_name in sorted(dropped):
                for gone in (file_name, file_name + STATUS_SUFFIX):
                    with contextlib.suppress(OSError):
                        os.unlink(self.path.with_name(gone))
            return
        name = re.escape(self.path.name)
        temp = re.compile(rf"^\.{name}(\.{_SHARD}\.\d+\.json({re.escape(STATUS_SUFFIX)})?)?\.\d+-[0-9a-f]+\.tmp$")
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.path.parent):
                file_name = entry.name
                own = self._data_file.match(file_name) or journal_file.is_journal_file(self.path, file_name)
                kept_for = self._status_file.match(file_name)  # statuses kept beside a data file (status_files.py)
                if (
                    file_name in dropped
                    or (own and file_name not in keep)
                    or (kept_for and kept_for.group(1) not in keep)
                    or temp.match(file_name)
                ):
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
