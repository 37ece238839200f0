"""Parses of immutable shard files, kept once per process.

A shard file is never modified once written (storage.py): its parse can be reused
by every later transaction of the process, keyed by the store's uid, the file's name
and its SHA-256 as the manifest gives it. A legitimate change of a file under the same
name (a restore) comes with its checksum in the manifest, so it has another key. A
file changed alone (damaged, edited by hand) no longer matches its checksum: a new
process refuses it when it reads it, and a *write* never builds on a kept parse of a
file that changed: before a transaction uses a kept parse, the file's identity as the
kernel sees it (device, inode, size, modification and change times — the change time
cannot be set back by a program) is compared with the one it had when it was parsed
or written, and the file is read again (and refused) if they differ. The typed views
a long-lived Repository (the TUI's) holds are keyed like the parses, and reused
without a stat per file: the cost of a snapshot after one commit does not grow with
the number of files (a file damaged under it is refused by the next write of it, and
by every new process). Files of
older stores, which have no checksum in their manifest, are keyed by their identity.

What is kept is bounded by the size of the files (`BUDGET` bytes of buckets' JSON and
`SMALL_BUDGET` of the other shards', least recently used first out; a parse takes
about 4.5 times its file's size in memory):
the typed views of the Repository are what stays for the whole school; raw parses
are for the next edits of the shards about to be touched, so that a write
transaction does not re-parse the shard it is about to replace. Which parses are
kept (`keep`): those a write transaction read or committed, the small shards every
write reads (the core, the index, the cohorts' heads), and the bucket of a record
someone is looking at one by one (`Repository.get`, `sheet`: what an edit starts
from). A read of the whole school (a snapshot, a check, a dump) parses each bucket,
builds its view and lets the parse go: keeping its last 12 MB of files was about
60 MB of memory in the TUI for parses that the next edits seldom wanted (issue 13);
a long session editing one bucket after another keeps about 18 MB of them.

A transaction gets its own top-level dict of the cached tables: TinyDB replaces a
table it changes (it never edits one in place), and the Repository replaces a
document whole (never `dict.update` on a cached one).
"""

from __future__ import annotations

import gc
import os
import threading
from collections import OrderedDict
from typing import Any

from .buckets import parse_bucket

# Bytes of bucket files whose parse is kept (a bucket is a few hundred KB, its parse
# about 4.5 times that): the buckets being edited, about 11 at 350 KB (≈ 18 MB of memory).
BUDGET = 4 * 1024 * 1024
# Bytes of the other shard files whose parse is kept (the core, the index, the cohorts'
# heads: read by every write; at 15,000 learners the index is 2 MB and the core 0.6 MB).
SMALL_BUDGET = 8 * 1024 * 1024

Identity = tuple[int, int, int, int, int]


def _is_bucket(file_name: str) -> bool:
    """Whether a shard file is a bucket's: « <main file>.<shard>.<generation>.json »."""
    parts = file_name.rsplit(".", 3)
    return len(parts) == 4 and parse_bucket(parts[1]) is not None


class _Cache:
    def __init__(self) -> None:
        # key -> (tables, file size, identity, whether a bucket's), least recently used first
        self._items: OrderedDict[tuple, tuple[dict, int, Identity | None, bool]] = OrderedDict()
        self._bytes = 0  # of buckets' files
        self._small = 0  # of the other files
        self._lock = threading.Lock()
        self.parses = 0  # files parsed by this process (for tests and benchmarks)
        self.hits = 0

    def get(self, key: tuple) -> tuple[dict, Identity | None] | None:
        """(tables, the file's identity when they were parsed or written), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[0], found[2]

    def identity(self, key: tuple) -> Identity | None:
        """The identity the file had when the parse kept under `key` was made (None: not kept)."""
        with self._lock:
            found = self._items.get(key)
            return None if found is None else found[2]

    def _drop(self, key: tuple) -> None:
        _, size, _, bucket = self._items.pop(key)
        if bucket:
            self._bytes -= size
        else:
            self._small -= size

    def put(self, key: tuple, tables: dict, size: int, ident: Identity | None = None) -> None:
        bucket = _is_bucket(key[2])
        budget = BUDGET if bucket else SMALL_BUDGET
        if size > budget:
            return
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (tables, size, ident, bucket)
            if bucket:
                self._bytes += size
            else:
                self._small += size
            while (self._bytes if bucket else self._small) > budget:
                self._drop(next(k for k, item in self._items.items() if item[3] == bucket))

    def forget(self, folder: str, uid: str, keep: set[str]) -> None:
        """Drop the parses of this store's files that its manifest no longer names."""
        with self._lock:
            for key in [k for k in self._items if k[0] == folder and k[1] == uid and k[2] not in keep]:
                self._drop(key)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = self._small = 0


CACHE = _Cache()


def identity(path: str | os.PathLike) -> Identity | None:
    """What changes whenever the file's content may have changed (None if it is absent)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _folder(tx: Any) -> str:
    folder = tx.__dict__.get("_folder")
    if folder is None:
        folder = tx.__dict__["_folder"] = str(tx.store.path.parent)
    return folder


def _path(tx: Any, file_name: str) -> str:
    return os.path.join(_folder(tx), file_name)


def file_identity(tx: Any, file_name: str) -> Identity | None:
    """`identity` of a shard file, taken once per transaction (all its reads see one state)."""
    known = tx.__dict__.setdefault("_identities", {})
    if file_name not in known:
        known[file_name] = identity(_path(tx, file_name))
    return known[file_name]


def cache_key(tx: Any, file_name: str) -> tuple | None:
    """The key of a committed shard file's parse and views (no system call: see above),
    or None if it cannot be kept (an unverified file that is absent)."""
    sha = tx.manifest.sums.get(file_name)
    if sha is None:  # a file of an older store, with no checksum: keyed by what the kernel says of it
        ident = file_identity(tx, file_name)
        if ident is None:
            return None
        return (_folder(tx), tx.manifest.uid, file_name, ident)
    return (_folder(tx), tx.manifest.uid, file_name, sha)


def _kept(tx: Any, file_name: str, key: tuple | None) -> dict | None:
    """The kept parse of `file_name` if it is still the file parsed or written (its identity)."""
    found = CACHE.get(key) if key is not None else None
    if found is not None and (found[1] is None or found[1] != file_identity(tx, file_name)):
        return None
    return None if found is None else found[0]


def load_tables(tx: Any, file_name: str | None, keep: bool = True) -> dict:
    """The tables of a committed shard file, for `tx` alone (a fresh top-level dict);
    the parse is kept for the next transactions if `keep` (see the module's doc).

    A kept parse is used only if the file is still the one parsed or written (its
    identity): a new view, and a write, never build on a file changed since."""
    if file_name is None:
        return {}
    key = cache_key(tx, file_name)
    cached = _kept(tx, file_name, key)
    if cached is None:
        ident = file_identity(tx, file_name)
        enabled = gc.isenabled()
        gc.disable()  # a parse is plain dicts and lists (no cycles): no collection scanning the heap for it
        try:
            cached = tx.store._load_shard(file_name, tx.manifest.sums.get(file_name))  # checksum verified
        finally:
            if enabled:
                gc.enable()
        CACHE.parses += 1
        if keep and key is not None and ident is not None:
            CACHE.put(key, cached, ident[2], ident)
    return dict(cached)


def is_kept(tx: Any, file_name: str | None) -> bool:
    """Whether a parse of this committed file is kept (and still the file's)."""
    return file_name is not None and _kept(tx, file_name, cache_key(tx, file_name)) is not None


def remember(tx: Any, file_name: str, tables: dict) -> None:
    """Keep the tables a transaction just committed to `file_name` (no re-parse on the next edit)."""
    key = cache_key(tx, file_name)
    ident = identity(_path(tx, file_name))
    if key is not None and ident is not None:
        CACHE.put(key, tables, ident[2], ident)
