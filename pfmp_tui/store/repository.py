"""Typed access to the store: services get domain records, never raw dicts.

Where records live: `layout`; documents ⇄ records: `documents`; typed views of
shard files and snapshots: `views`; what a deletion takes along: `cascades`.

The Repository keeps a typed view of each shard file it has read, keyed by the
file's name: files are immutable, so a view is never stale, and a long-lived
Repository (the TUI's) only re-reads the shards changed since its last look.

Every stored document carries ``_rev``, bumped on each change: an update names the
revision it was based on and is refused (`ConflictError`) if someone saved since.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from bisect import bisect_left, bisect_right
from functools import partial
from operator import itemgetter
from itertools import chain
from typing import Any, Callable, Iterator, NamedTuple, TypeVar

from ..domain.convention import minor_hours_errors
from ..domain.errors import Collector, FieldError, ValidationFailed
from ..domain.absences import absence_errors, makes_up_errors
from ..domain.interchange import OPTIONAL_KEYS, REFERENCES, SPECS, check_references, validate_record
from ..domain.requirements import DEFAULT_PROFILE
from ..domain.rules import CandidateStatus, sort_key
from ..domain.model import Appreciation, Assessment, Dataset

from . import audit, shard_cache, status_files
from .checks import shard_statuses
from .cascades import _blockers, _dependents, describe_removed, iter_kinds
from .conflicts import ConflictError
from .integrity import ReferenceCheck, check_document, outside_references
from .documents import FROM_DOC, SHEET_ITEM, _sheet_doc, record_doc
from .lazy import LazyList
from .layout import CORE_KINDS, COHORT_KINDS, KIND_LABELS, KIND_PLURALS, PLACEMENT_KINDS, SHEET_KINDS, SHEETS, STUDENT_KINDS
from .buckets import (
    CAPACITY,
    INDEX,
    INDEXED_KINDS,
    LAYOUT_VERSION,
    TEACHING,
    bucket_for,
    bucket_name,
    buckets_of,
    depth_for,
    head_of,
    index_entry,
    parse_bucket,
    partition,
    student_hash,
)
from .storage import UNCHANGED, CORE, Store, StoreError, Transaction, TxStorage, file_mode, shard_for_cohort
from .views import FREEZE_AFTER, LazyUnion, ShardView, Snapshot, _ById, _gc_paused, _union

T = TypeVar("T")

__all__ = [
    "CORE_KINDS", "COHORT_KINDS", "FREEZE_AFTER", "FROM_DOC", "KIND_LABELS", "KIND_PLURALS", "SHEET_ITEM",
    "SHEET_KINDS", "SHEETS", "STUDENT_KINDS", "ConflictError", "Repository", "ShardView", "Snapshot",
    "describe_removed", "iter_kinds",
]


@dataclass(frozen=True)
class Changes:
    """What `Repository.changes` found: see there."""

    generation: int
    core: bool  # cohorts, organisations or tutors changed
    cohorts: frozenset[str]  # ids of the cohorts with a shard written or removed
    gone: frozenset[str]  # shards of cohorts that no longer exist
    files: dict[str, str]  # the new picture (pass it to the next `changes`)


class _Ref(NamedTuple):
    """A record known by its id only (what `add_all` checks references against); as a
    placement, one no extension rule of the incoming records looks into."""

    id: str
    makes_up: None = None


class _Kept(NamedTuple):
    """A bucket's statuses kept in memory: valid for any day `as_of … through` and
    `profile`, with the core file `core_key`, or any core whose records `deps` have the
    digest `fp`."""

    as_of: date  # the day they were computed for: never used before it
    through: date  # the last day they stay the same (domain/stability.py)
    profile: str
    core_key: tuple | None
    deps: list[tuple[str, str]] | None
    fp: str | None
    statuses: list[CandidateStatus]


class TeacherLoad(NamedTuple):
    """A placement as a teacher's load: who follows it, from when to when."""

    teacher: str
    start: date
    end: date


class Repository:
    def __init__(self, store: Store):
        self.store = store
        # Key of a shard file (shard_cache.cache_key: store, uid, name, checksum) -> its typed view.
        self._views: dict[tuple, ShardView] = {}
        # Tables this Repository has just committed, turned into views on first use
        # (saves re-reading the file; lazy so that a bulk load builds nothing).
        self._fresh: dict[tuple, tuple[dict, ShardView | None, frozenset[str]]] = {}
        self._built = 0  # records put in views during the current snapshot
        # What the last snapshot merged, reused while its parts are the same objects.
        self._merged: dict[str, tuple[list, Any]] = {}
        self._indexes: dict[str, tuple[list, dict]] = {}
        self._where_cache: tuple[tuple, dict[str, dict[str, str]]] | None = None
        # Key of a shard file -> its learners' statuses, and what they were computed from.
        self._statuses: dict[tuple, _Kept] = {}
        self._digests: tuple[tuple | None, dict] = (None, {})  # core key -> (kind, id) -> record digest
        self._idents: dict[tuple, tuple | None] = {}  # key of a view -> its file's identity when read
        # The last school-wide ranking: (profile, its parts by id, sort keys, statuses).
        self._ranked: tuple[str, dict[int, list], list, list] | None = None
        self._lock = threading.RLock()
        self._references = ReferenceCheck()  # no stored record names one of no file (issue 10)
        self._tx: Transaction | None = None  # the open `transaction()`, joined by every read and write
        self._tx_failed = False
        self._minted: set[str] = set()  # ids made by `mint_id`, not yet saved
        self._snapshotted = False  # a snapshot of the school was made

    # -- views ----------------------------------------------------------------------
    def _view(self, tx: Transaction, shard: str) -> ShardView:
        file_name = tx.file_of(shard)
        key = None
        if not (shard in tx.dirty or shard in tx.dropped or file_name is None):
            key = shard_cache.cache_key(tx, file_name)
        if key is None:  # uncommitted, absent or unreadable: never kept past the transaction
            return self._working_view(tx, shard, file_name)
        view = self._views.get(key)
        if view is None:
            with _gc_paused():
                fresh = self._fresh.pop(key, None)
                tables, base, unchanged = fresh or (tx.tables(shard), None, frozenset())
                view = ShardView.build_checked(tables, str(self.store.path.with_name(file_name)), base, unchanged)
                tx.forget(shard)  # a read of the school holds one parse at a time
            self._views[key] = view
            # What the file was when it was parsed (the identity this transaction read it
            # with, kept parse or not) or written (kept with the committed tables).
            self._idents[key] = shard_cache.CACHE.identity(key) if fresh else shard_cache.file_identity(tx, file_name)
            self._built += view.size(base)
        return view

    def _working_view(self, tx: Transaction, shard: str, file_name: str | None) -> ShardView:
        """The view of a shard as this transaction holds it (changed, not committed), kept
        for the transaction: asked for again, it is built again only for the documents
        that changed since (a bulk change of a shard costs its records, not records ×
        the shard's size)."""
        tables = tx.tables(shard)
        working = tx.__dict__.setdefault("_working_views", {})
        previous = working.get(shard)
        now = dict(tables)  # kind -> table object (TinyDB replaces a table it changes)
        if previous is not None and len(previous[0]) == len(now) and all(
                previous[0].get(kind) is table for kind, table in now.items()):
            return previous[1]
        view = ShardView.build_checked(tables, shard if file_name is None else str(self.store.path.with_name(file_name)),
                                       previous=previous)
        working[shard] = (now, view)
        return view

    def _forget_old_views(self, tx: Transaction) -> None:
        live = set(tx.manifest.shards.values())
        folder, uid = str(self.store.path.parent), tx.manifest.uid
        for cache in (self._views, self._fresh, self._statuses, self._idents):
            for key in [k for k in cache if k[0] != folder or k[1] != uid or k[2] not in live]:
                del cache[key]
        shard_cache.CACHE.forget(folder, uid, live)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Transaction]:
        """`Store.read()` under this Repository's lock: its caches are shared by the
        threads of one process (the TUI loads in a worker while the screen saves)."""
        with self._lock:
            if self._tx is not None:  # inside `transaction()`: read what it holds
                yield self._tx
                return
            with self.store.read() as tx:
                yield tx

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Transaction]:
        """`Store.write()`, keeping what it committed for the next views; inside
        `transaction()`, that transaction (committed when it ends).

        A store of the previous layout is rearranged in bounded buckets first; before
        the commit, a bucket grown past its capacity is split and the index follows
        what changed (store/buckets.py): all in the transaction's one commit."""
        with self._lock:
            if self._tx is not None:
                try:
                    yield self._tx
                except BaseException:
                    self._tx_failed = True  # it may have half-applied its change: no commit
                    raise
                return
            with self.store.write() as tx:
                self._tx, self._tx_failed = tx, False
                try:
                    self._arrange(tx)
                    yield tx
                    if self._tx_failed:
                        raise StoreError("internal: an operation failed inside a transaction and its error "
                                         "was caught; nothing was written")
                    if tx.dirty or tx.dropped:
                        self._check_read_shards(tx)
                        self._split_full_buckets(tx)
                        self._write_index(tx)
                    audit.before_commit(self, tx)  # the journal entry and the role check (issue 16)
                finally:
                    self._tx = None
            self._remember_commit(tx)

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Repository"]:
        """One read-decide-write under the store's exclusive lock (issue 10, case 4).

        Every read (`snapshot`, `get`, `dataset`…) and write (`create`, `update`,
        `upsert_all`, `add_all`, `delete`, `set_assessments`) of this Repository inside
        the block joins one transaction: what is read is what the decision is made on,
        nobody can write in between, and all the writes commit at once when the block
        ends (none if it raises). An error raised by a write inside must end the block.
        """
        with self._writing():
            yield self

    def atomically(self, decide_and_write: Callable[["Repository"], T]) -> T:
        """`decide_and_write(self)` inside one `transaction()`; its result."""
        with self.transaction():
            return decide_and_write(self)

    def _check_read_shards(self, tx: Transaction) -> None:
        """Every shard file this transaction rewrites or drops held readable records (its
        typed view builds), so that a malformed document is refused, not carried over."""
        for shard in sorted(set(tx.loaded) & (tx.dirty | tx.dropped)):
            file_name = tx.base.shards.get(shard)
            if file_name is None or shard == INDEX:
                continue
            key = shard_cache.cache_key(tx, file_name)
            view = None if key is None else self._views.get(key)
            if view is None:
                view = ShardView.build_checked(tx.loaded[shard], str(self.store.path.with_name(file_name)))
                if key is not None:
                    self._views[key] = view
            self._check_outside_references(tx, view, str(self.store.path.with_name(file_name)), shard=shard)

    def _check_outside_references(self, tx: Transaction, view: ShardView, where: str, needs=None,
                                  shard: str | None = None) -> None:
        """What a shard being rewritten names elsewhere exists (integrity.py's check, on one
        shard, against the core, its cohort's head and the index): a « ghost » is refused,
        not carried over. The index is read only for what the core and the head do not hold."""
        if INDEX not in tx.manifest.shards or INDEX in tx.dirty or INDEX in tx.dropped:
            return  # the previous layout: the rearranging write reads every shard's view
        core = self._view(tx, CORE)
        head = None if shard is None else head_of(shard)
        ids = None
        for (target, ref), (kind, record_id, field) in (outside_references(view) if needs is None else needs).items():
            if target in CORE_KINDS:
                if ref in core.records[target]:
                    continue
            elif target == "periods" and head is not None and head != shard and (
                    ref in self._view(tx, head).records.get("periods", {})):
                continue
            else:
                ids = self._where(tx) if ids is None else ids
                if ids is not None and ref in ids.get(target, {}):
                    continue
            if self._locate(tx, target, ref) is None:
                raise StoreError(
                    f"magasin corrompu : {where} : {KIND_LABELS.get(kind, kind)} « {record_id[:60]} », "
                    f"{field} renvoie à « {ref[:60]} », introuvable dans le magasin. {UNCHANGED} "
                    "Restaurez une sauvegarde."
                )

    # -- layout: buckets and index -----------------------------------------------------
    @staticmethod
    def _replace_tables(tx: Transaction, shard: str, tables: dict) -> None:
        TxStorage(tx, shard).write(tables)

    def _arrange(self, tx: Transaction) -> None:
        """A store without an index is in the previous layout (one shard per cohort
        holding all its learners): move the learners into buckets."""
        if INDEX in tx.manifest.shards:
            return
        for shard in tx.shard_names():
            if shard == CORE or parse_bucket(shard) is not None or head_of(shard) is None:
                continue
            tables = tx.tables(shard)
            students = tables.get("students", {})
            if not students and not any(tables.get(k) for k in STUDENT_KINDS) and not tables.get(SHEETS):
                continue
            depth = depth_for(len(students))
            groups: dict[str, set[str]] = {}
            for sid in students:
                groups.setdefault(bucket_name(shard, depth, student_hash(sid) % (1 << depth)), set()).add(sid)
            for bucket, sids in sorted(groups.items()):
                self._replace_tables(tx, bucket, partition(tables, sids))
            self._replace_tables(tx, shard, {"periods": tables["periods"]} if tables.get("periods") else {})

    def _split_full_buckets(self, tx: Transaction) -> None:
        todo = sorted(s for s in tx.dirty if parse_bucket(s) is not None)
        while todo:
            shard = todo.pop()
            tables = tx.tables(shard)
            students = tables.get("students", {})
            if len(students) <= CAPACITY:
                continue
            head, depth, index = parse_bucket(shard)
            if depth >= 48:  # 64-bit hashes: only ids colliding on 48 bits could get here
                continue
            low, high = set(), set()
            for sid in students:
                (high if student_hash(sid) >> depth & 1 else low).add(sid)
            tx.drop(shard)
            for i, sids in ((index, low), (index + (1 << depth), high)):
                if sids:
                    name = bucket_name(head, depth + 1, i)
                    self._replace_tables(tx, name, partition(tables, sids))
                    todo.append(name)

    def _write_index(self, tx: Transaction) -> None:
        """The index says which ids each cohort shard holds (kept in the same commit)."""
        current = tx.tables(INDEX)
        entries = current.get("shards", {})
        changed: dict | None = None
        for shard in sorted(tx.dirty | tx.dropped):
            if head_of(shard) is None:
                continue
            entry = {} if shard in tx.dropped else index_entry(tx.tables(shard))
            if entries.get(shard, {}) != entry:
                changed = dict(entries) if changed is None else changed
                if entry:
                    changed[shard] = entry
                else:
                    changed.pop(shard, None)
        if changed is None and INDEX in tx.manifest.shards and INDEX not in tx.dropped:
            return
        self._replace_tables(tx, INDEX, {
            "layout": {"store": {"version": LAYOUT_VERSION, "bucket_capacity": CAPACITY}},
            "shards": entries if changed is None else changed,
        })

    def _where(self, tx: Transaction) -> dict[str, dict[str, str]] | None:
        """kind -> id -> shard, from the committed index (None: no index, scan the shards)."""
        file_name = tx.file_of(INDEX)
        if file_name is None or INDEX in tx.dirty or INDEX in tx.dropped:
            return None
        key = shard_cache.cache_key(tx, file_name)
        if key is not None and self._where_cache is not None and self._where_cache[0] == key:
            return self._where_cache[1]
        where: dict[str, dict[str, str]] = {kind: {} for kind in INDEXED_KINDS}
        try:
            for shard, entry in tx.tables(INDEX).get("shards", {}).items():
                for kind, ids in entry.items():
                    if kind not in where:
                        continue  # not a kind: TEACHING
                    target = where[kind]
                    for rid in ids:
                        target[rid] = shard
        except (AttributeError, TypeError):
            raise StoreError(f"magasin corrompu : l'index ({file_name}) est illisible. "
                             "Aucun fichier n'a été modifié. Restaurez une sauvegarde.") from None
        if key is not None:
            self._where_cache = (key, where)
        return where

    def _cohort_shards(self, tx: Transaction, cohort_id: str) -> list[str]:
        """The head and buckets of a cohort (those that exist)."""
        head = shard_for_cohort(cohort_id)
        names = tx.shard_names()
        return [s for s in names if s == head] + sorted(buckets_of(head, names))

    def _remember_commit(self, tx: Transaction) -> None:
        if tx.committed:
            for shard in tx.dirty:
                file_name = tx.file_of(shard)
                if file_name is None:
                    continue
                key = shard_cache.cache_key(tx, file_name)
                if key is None:
                    continue
                base_file = tx.base.shards.get(shard)
                base_key = None if base_file is None else shard_cache.cache_key(tx, base_file)
                base = None if base_key is None else self._views.get(base_key)
                tables = tx.tables(shard)
                shard_cache.remember(tx, file_name, tables)
                self._fresh[key] = (tables, base, tx.unchanged_tables(shard))
            self._forget_old_views(tx)

    def _shards(self, tx: Transaction) -> list[str]:
        """The cohort shards (heads and buckets)."""
        return [shard for shard in tx.shard_names() if shard != CORE and shard != INDEX]

    def snapshot(self) -> Snapshot:
        """The whole store, typed. Only shards changed since the last call are read.

        A large school holds millions of small objects (1.6 million assessments at
        15,000 learners): Python's cyclic garbage collector would scan them all again
        and again (pauses of 0.1 s to 1 s in the middle of edits). When a snapshot
        builds many of them (the first load, or after a bulk import by someone else),
        `gc.freeze()` takes every object then alive out of those scans. Views hold no
        reference cycles: one that is dropped later is still freed at once. (An object
        of the application alive at that instant that later becomes garbage *in a
        cycle* is never reclaimed: the price of one freeze per big load.)
        """
        with self._reading() as tx, _gc_paused():
            self._built = 0
            # After its first snapshot, a Repository (the TUI's) builds views only for the
            # files written since, by another session: where someone is working, the next edit
            # is likely (their parses are kept, within the cache's budget). The first read of
            # the school keeps none.
            tx.keep_buckets = tx.keep_buckets or self._snapshotted
            snap = self._snapshot(tx)
            self._snapshotted = True
            self._forget_old_views(tx)
            if self._built >= FREEZE_AFTER:
                # Before the collector runs again: else its next pass scans them all once.
                gc.freeze()
        return snap

    def _snapshot(self, tx: Transaction) -> Snapshot:
        shards = [shard for shard in tx.shard_names() if shard != INDEX]
        views = [self._view(tx, shard) for shard in shards]
        lists: dict[str, list] = {}
        revs: dict[str, dict[str, int]] = {}
        for kind in Dataset.KINDS:
            parts = [view.records[kind] for view in views if view.records[kind]]
            if kind in CORE_KINDS:  # one shard: nothing to gather
                lists[kind] = self._merge(kind, parts, lambda ps: list(chain.from_iterable(p.values() for p in ps)))
            else:  # gathered from every bucket on first use (a commit changes one: store/lazy.py)
                lists[kind] = self._merge(kind, parts, lambda ps: LazyList(
                    lambda: list(chain.from_iterable(p.values() for p in ps))))
            parts = [view.revs[kind] for view in views if view.revs.get(kind)]
            revs[kind] = self._merge(f"revs/{kind}", parts, LazyUnion)
        sheet_revs = self._merge("sheet_revs", [view.sheet_revs for view in views if view.sheet_revs], LazyUnion)
        data = Dataset(**lists)
        by_id = _ById(data, self._indexes)
        if not tx.dirty and not tx.dropped:  # what the files hold (a change in progress is checked as it is made)
            self._references.check(views, [partial(self._where_is, tx.file_of(s) or s) for s in shards])
        return Snapshot(tx.generation, data, revs, sheet_revs, by_id)

    def _where_is(self, file_name: str) -> str:
        return str(self.store.path.with_name(file_name))

    def _merge(self, name: str, parts: list[dict], combine) -> Any:
        """`combine(parts)`, or the previous snapshot's result if its parts are the same
        objects (and it still has its size: a caller may have changed it)."""
        previous = self._merged.get(name)
        if (
            previous is not None
            and len(previous[0]) == len(parts)
            and all(a is b for a, b in zip(previous[0], parts))
            and (isinstance(previous[1], LazyUnion)  # read-only
                 or isinstance(previous[1], LazyList) and not previous[1].materialised
                 or len(previous[1]) == sum(map(len, parts)))
        ):
            return previous[1]
        merged = combine(parts)
        self._merged[name] = (parts, merged)
        return merged

    def dataset(self) -> Dataset:
        return self.snapshot().data

    def check(self) -> None:
        """Refuse a corrupt, incomplete or newer store up front (StoreError), like
        `Store.check`, but keeping the views it built for the next snapshot (the TUI
        checked, then parsed every shard a second time to load)."""
        self.snapshot()

    # -- whole-store reads that need no typed assessments ------------------------------
    def statuses(self, as_of: date, cohort_id: str | None = None, *,
                 profile: str = DEFAULT_PROFILE) -> list[CandidateStatus]:
        """Every candidate's status (of `cohort_id`'s learners if given), worst first:
        what `rules.check_dataset(self.dataset(), ...)` gives, computed bucket by bucket
        (store/checks.py) and kept with each bucket's file, in memory and on disk
        (store/status_files.py): a new process reads no bucket whose statuses were
        kept for a range of days holding this one (from the day computed through the
        day one of them next changes), and a change of the core (a tutor added)
        recomputes only the buckets naming a record that changed. A cohort reads its
        own shards and the core only."""
        with self._reading() as tx, _gc_paused():  # statuses hold no cycles
            core_file = tx.file_of(CORE)
            core = self._view(tx, CORE)
            core_key = None
            if core_file is not None and CORE not in tx.dirty and CORE not in tx.dropped:
                core_key = shard_cache.cache_key(tx, core_file)
            if self._digests[0] != core_key or core_key is None:
                self._digests = (core_key, {})
            shards = self._shards(tx) if cohort_id is None else self._cohort_shards(tx, cohort_id)
            parts: list[list[CandidateStatus]] = []
            made = 0
            for shard in shards:
                part, fresh = self._bucket_statuses(tx, shard, core, core_key, as_of, profile)
                made += fresh
                parts.append(part)
            self._forget_old_views(tx)
            if cohort_id is None:
                results = self._ranking(parts, profile)
            else:
                results = [r for part in parts for r in part if r.cohort_id == cohort_id]
                results.sort(key=sort_key)
            if made >= FREEZE_AFTER // 50:
                gc.freeze()  # a thousand statuses or more (and their views) built: out of the collector's scans
        return results

    def _ranking(self, parts: list[list[CandidateStatus]], profile: str) -> list[CandidateStatus]:
        """The statuses of `parts`, worst first: the previous ranking with the parts that
        changed taken out and put in (a commit changes a bucket or two: each status found
        and placed by bisection, no pass over the school), else sorted."""
        previous = self._ranked
        current = {id(p): p for p in parts}
        # The ranking is a function of the parts' statuses only: the same parts (kept
        # across days) are the same ranking whatever the day.
        if previous is not None and previous[0] == profile:
            before, keys, ranked = previous[1], previous[2], previous[3]
            gone = [p for pid, p in before.items() if current.get(pid) is not p]
            added = [p for pid, p in current.items() if before.get(pid) is not p]
            if not gone and not added:
                return list(ranked)
            if sum(map(len, gone)) + sum(map(len, added)) <= 4_096:
                keys, ranked = list(keys), list(ranked)
                for r in (r for p in gone for r in p):
                    i = bisect_left(keys, sort_key(r))
                    while ranked[i] is not r:  # equal keys: the same learner twice (never in a store)
                        i += 1
                    del keys[i], ranked[i]
                for r in (r for p in added for r in p):
                    k = sort_key(r)
                    i = bisect_right(keys, k)
                    keys.insert(i, k)
                    ranked.insert(i, r)
                self._ranked = (profile, current, keys, ranked)
                return list(ranked)
        pairs = sorted(((sort_key(r), r) for p in parts for r in p), key=itemgetter(0))
        keys, ranked = [k for k, _ in pairs], [r for _, r in pairs]
        self._ranked = (profile, current, keys, ranked)
        return list(ranked)

    def _bucket_statuses(self, tx: Transaction, shard: str, core: ShardView, core_key: tuple | None,
                         as_of: date, profile: str) -> tuple[list[CandidateStatus], int]:
        """One bucket's statuses, and how many were built (not reused)."""
        file_name = tx.file_of(shard)
        key = None
        if file_name is not None and core_key is not None and shard not in tx.dirty and shard not in tx.dropped:
            key = shard_cache.cache_key(tx, file_name)
        kept = self._statuses.get(key) if key is not None else None
        if kept is not None and kept.as_of <= as_of <= kept.through and kept.profile == profile:
            if kept.core_key == core_key:
                return kept.statuses, 0
            if kept.deps is not None and self._fingerprint(tx, kept.deps, core) == kept.fp:
                self._statuses[key] = kept._replace(core_key=core_key)
                return kept.statuses, 0
        sha = None if file_name is None else tx.manifest.sums.get(file_name)
        entry_key = None
        if key is not None and sha is not None:
            ident = shard_cache.file_identity(tx, file_name)
            entry_key = None if ident is None else status_files.key(file_name, sha, ident, tx.manifest.uid, profile)
        if entry_key is not None:
            found = status_files.read(status_files.path_for(self.store.path, file_name), entry_key, as_of)
            if found is not None and self._fingerprint(tx, found.deps, core) == found.fp:
                self._statuses[key] = _Kept(found.computed, found.through, profile, core_key, found.deps, found.fp,
                                            found.statuses)
                return found.statuses, len(found.statuses)
        view = self._view(tx, shard)
        needs = outside_references(view)
        if file_name is not None:  # a « ghost » reference is refused, never counted for nobody
            self._check_outside_references(tx, view, str(self.store.path.with_name(file_name)), needs, shard=shard)
        part, through = shard_statuses(view, core.records["cohorts"], core.records["organisations"], as_of, profile)
        deps = self._dependencies(tx, shard, needs)
        fp = None if deps is None else self._fingerprint(tx, deps, core)
        if fp is None:
            deps = None
        if key is not None:
            self._statuses[key] = _Kept(as_of, through, profile, core_key, deps, fp, part)
            # On disk only if the file is still what the view was read from (a file changed
            # under a long-lived process is not vouched for by what it read before).
            if entry_key is not None and deps is not None and self._idents.get(key) == ident:
                status_files.write(status_files.path_for(self.store.path, file_name), entry_key, deps, fp, part,
                                   file_mode(), as_of, through)
        return part, len(part)

    def _dependencies(self, tx: Transaction, shard: str, needs: dict) -> list[tuple[str, str]] | None:
        """What a bucket's statuses and its reference check read outside the bucket: the
        core records it names (its cohort, the organisations and tutors of its
        placements), and its cohort's head file when its placements name periods (held
        there). None when it names records elsewhere (another cohort's period, another
        bucket's record): its statuses are then kept for this very core file only, and
        not on disk."""
        deps: set[tuple[str, str]] = set()
        head = head_of(shard)
        for target, ref in needs:
            if target in CORE_KINDS:
                deps.add((target, ref))
            elif (target == "periods" and head is not None and head != shard
                  and ref in self._view(tx, head).records.get("periods", {})):
                deps.add((status_files.SHARD, head))
            else:
                return None
        return sorted(deps)

    def _fingerprint(self, tx: Transaction, deps: list[tuple[str, str]], core: ShardView) -> str | None:
        def shard_sum(name: str) -> str | None:
            file_name = tx.file_of(name)
            if file_name is None or name in tx.dirty or name in tx.dropped:
                return None
            return tx.manifest.sums.get(file_name)

        return status_files.fingerprint(deps, core.records, self._digests[1], shard_sum)

    def shard_files(self) -> tuple[int, dict[str, str]]:
        """(generation, shard -> file name) as committed: cheap (the manifest only)."""
        with self._reading() as tx:
            return tx.generation, dict(tx.manifest.shards)

    def changes(self, since: dict[str, str]) -> "Changes":
        """What changed since a `shard_files()` picture: whether the core did, and which
        cohorts (their ids) had a shard written or removed. A screen rebuilds those only."""
        with self._reading() as tx:
            now = dict(tx.manifest.shards)
            touched = {s for s in set(now) | set(since) if now.get(s) != since.get(s)}
            heads = {shard_for_cohort(c): c for c in self._view(tx, CORE).records["cohorts"]}
            cohorts = set()
            unknown = set()
            for shard in touched:
                head = head_of(shard)
                if head is None:
                    continue
                if head in heads:
                    cohorts.add(heads[head])
                else:
                    unknown.add(shard)  # a cohort deleted since (its shards gone)
            return Changes(tx.generation, CORE in touched, frozenset(cohorts), frozenset(unknown), now)

    def document(self) -> dict[str, list[dict]]:
        """kind -> its records as interchange objects, sorted by id: what
        `to_document(self.dataset())` lists, made from the stored documents (no typed
        records: a dump of a large school builds nothing it does not write)."""
        out: dict[str, list[dict]] = {kind: [] for kind in Dataset.KINDS}
        with self._reading() as tx, _gc_paused():  # plain dicts and lists: no cycles
            for shard in tx.shard_names():
                if shard == INDEX:
                    continue
                file_name = tx.file_of(shard)
                # Not kept by the transaction, nor (a bucket) by the process: a dump reads the school once.
                tables = shard_cache.load_tables(tx, file_name, keep=parse_bucket(shard) is None)
                try:
                    for kind in FROM_DOC:
                        out[kind].extend(_interchange(kind, doc) for doc in tables.get(kind, {}).values())
                    for pid, sheet in tables.get(SHEETS, {}).items():
                        out["assessments"].extend(_item_object(pid, i) for i in sheet["items"])
                        out["appreciations"].extend(_note_object(pid, n) for n in sheet.get("notes") or ())
                except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                    raise StoreError(
                        f"magasin corrompu : {self.store.path.with_name(file_name or shard)} contient un "
                        "enregistrement illisible. Aucun fichier n'a été modifié. Restaurez une sauvegarde."
                    ) from None
        check_document(out, str(self.store.path))  # no record naming one of no file (issue 10)
        for records in out.values():
            records.sort(key=lambda r: r["id"])
        return out

    # -- locating -------------------------------------------------------------------------
    def _locate(self, tx: Transaction, kind: str, record_id: str) -> str | None:
        """The shard holding record `record_id` of `kind`, or None."""
        if kind in CORE_KINDS:
            return CORE if record_id in self._view(tx, CORE).records[kind] else None
        where = self._where(tx) if kind in INDEXED_KINDS else None
        if where is not None:
            # The committed index, and the shards this transaction changed (a record
            # created or moved by it is not in the index yet).
            listed = where[kind].get(record_id)
            candidates = [] if listed is None or listed in tx.dropped else [listed]
            candidates += sorted(s for s in tx.dirty if s != listed and s != CORE and s != INDEX)
            for shard in candidates:
                if record_id in self._view(tx, shard).records.get(kind, {}):
                    return shard
            return None
        for shard in self._shards(tx):
            if record_id in self._view(tx, shard).records.get(kind, {}):
                return shard
        return None

    def _shard_for(self, tx: Transaction, kind: str, record: Any) -> str:
        if kind in CORE_KINDS:
            return CORE
        if kind == "periods":
            return shard_for_cohort(record.cohort_id)
        if kind == "students":
            head = shard_for_cohort(record.cohort_id)
            current = self._locate(tx, "students", record.id)
            if current is not None and parse_bucket(current) is not None and head_of(current) == head:
                return current  # staying in their cohort: staying in their bucket
            return bucket_for(head, record.id, tx.shard_names())
        if kind in SHEET_KINDS or kind in PLACEMENT_KINDS:
            shard = self._locate(tx, "placements", record.placement_id)
        else:
            shard = self._locate(tx, "students", record.student_id)
        if shard is None:  # references are checked before: defensive
            raise StoreError(f"référence introuvable pour {KIND_LABELS[kind]} « {record.id} »")
        return shard

    def _get(self, tx: Transaction, kind: str, record_id: str) -> tuple[Any, int, str] | None:
        shard = self._locate(tx, kind, record_id)
        if shard is None:
            return None
        view = self._view(tx, shard)
        if kind in SHEET_KINDS:
            a = view.records[kind][record_id]
            return a, view.sheet_revs.get(a.placement_id, 1), shard
        return view.records[kind][record_id], view.revs[kind][record_id], shard

    def get(self, kind: str, record_id: str) -> tuple[Any, int] | None:
        """(record, rev) fresh from the store, or None."""
        with self._reading() as tx:
            tx.keep_buckets = True  # one record: its bucket is what an edit would rewrite
            found = self._get(tx, kind, record_id)
            if found is not None:
                self._keep_parse(tx, found[2])
            return None if found is None else found[:2]

    def _keep_parse(self, tx: Transaction, shard: str) -> None:
        """Make sure the process keeps the parse of `shard`'s file (shard_cache): a record
        of it is being looked at, and the write that may follow rewrites that file from
        its parse. Best effort: a file that cannot be read now is refused by that write."""
        file_name = tx.file_of(shard)
        if tx.writable or shard in tx.dirty or shard in tx.dropped or shard_cache.is_kept(tx, file_name):
            return
        with contextlib.suppress(StoreError, OSError):
            shard_cache.load_tables(tx, file_name, keep=True)

    # -- checks ------------------------------------------------------------------------------
    def _exists(self, tx: Transaction, kind: str, record_id: str) -> bool:
        return self._locate(tx, kind, record_id) is not None

    def _check_refs(self, tx: Transaction, kind: str, record: Any, path: str = "") -> None:
        errs = Collector()
        prefix = f"{path}." if path else ""
        for (k, key), target in REFERENCES.items():
            if k != kind:
                continue
            ref = getattr(record, key)
            if ref is not None and not self._exists(tx, target, ref):
                errs.add(f"{prefix}{key}", f"référence inconnue « {ref} » ({KIND_LABELS[target]} introuvable)")
        if kind == "placements" and record.tutor_id and not errs:
            tutor = self._get(tx, "tutors", record.tutor_id)
            if tutor and tutor[0].organisation_id != record.organisation_id:
                errs.add(f"{prefix}tutor_id", f"le tuteur « {record.tutor_id} » n'appartient pas à cette organisation")
        if not errs:
            self._check_extensions(tx, kind, record, prefix.rstrip("."), errs)
        if kind == "placements" and record.terms is not None and not errs:  # a minor's hours
            student = self._get(tx, "students", record.student_id)
            if student:
                errs.errors.extend(minor_hours_errors(student[0], record, record.terms, f"{prefix}terms"))
        errs.raise_if_any()

    def _check_extensions(self, tx: Transaction, kind: str, record: Any, path: str, errs: Collector) -> None:
        """CONTRACT « Extensions » across records, on the shard concerned only (the cost of
        an edit does not grow with the school): an absence inside its placement, a
        make-up placement of the same learner with no cycle, a placement's new dates
        still holding its absences (R18)."""
        if kind == "absences":
            found = self._get(tx, "placements", record.placement_id)
            absence_errors(record, found[0] if found else None, path, errs)
        elif kind == "placements":
            student_shard = self._locate(tx, "students", record.student_id)
            view = self._view(tx, student_shard) if student_shard else None
            placements = dict(view.records["placements"]) if view else {}
            old_shard = self._locate(tx, "placements", record.id)
            if old_shard and old_shard != student_shard:  # changing cohort: its links come along
                placements.update(self._view(tx, old_shard).records["placements"])
            placements[record.id] = record
            if record.makes_up is not None and record.makes_up not in placements:
                found = self._get(tx, "placements", record.makes_up)
                if found:
                    placements[record.makes_up] = found[0]
            mine = Collector()
            makes_up_errors(placements, {record.id: path or "placements"}, mine)
            for e in mine.errors:
                errs.add(e.path, e.message)
            if old_shard:
                for absence in self._view(tx, old_shard).records.get("absences", {}).values():
                    if absence.placement_id == record.id and (absence.start < record.start or absence.end > record.end):
                        errs.add(f"{path + '.' if path else ''}start",
                                 f"l'absence du {absence.start:%d/%m/%Y} au {absence.end:%d/%m/%Y} sortirait de la "
                                 f"PFMP : modifiez ou supprimez-la d'abord (R18)")

    # -- writing -------------------------------------------------------------------------------
    def _put_doc(self, tx: Transaction, shard: str, kind: str, record: Any, rev: int) -> None:
        # Replace the document whole (TinyDB's upsert would `update` the parsed one in
        # place, and parses are shared by the process: shard_cache).
        doc = record_doc(kind, record, rev)
        tx.db(shard).table(kind)._update_table(lambda docs: docs.__setitem__(record.id, doc))

    def _remove_doc(self, tx: Transaction, shard: str, kind: str, record_id: str) -> None:
        tx.db(shard).table(kind).remove(doc_ids=[record_id])

    def create(self, kind: str, record: Any) -> int:
        """Add a new record; its id must be new. Returns its revision (1)."""
        if kind in SHEET_KINDS:
            raise ValueError("use set_assessments for assessments and appreciations")
        record = validate_record(kind, record)  # what load would refuse, refused here too
        with self._writing() as tx:
            if self._exists(tx, kind, record.id):
                raise ValidationFailed(FieldError("id", f"l'identifiant « {record.id} » existe déjà"))
            self._check_refs(tx, kind, record)
            self._put_doc(tx, self._shard_for(tx, kind, record), kind, record, 1)
        return 1

    def update(self, kind: str, record: Any, expected_rev: int) -> int:
        """Replace a record if nobody saved it since `expected_rev`; returns the new revision."""
        if kind in SHEET_KINDS:
            raise ValueError("use set_assessments for assessments and appreciations")
        record = validate_record(kind, record)  # what load would refuse, refused here too
        with self._writing() as tx:
            return self._update_in(tx, kind, record, expected_rev)

    def _update_in(self, tx: Transaction, kind: str, record: Any, expected_rev: int | None) -> int:
        """Replace `record` inside `tx` (any revision if `expected_rev` is None)."""
        found = self._get(tx, kind, record.id)
        if found is None:
            raise ConflictError(kind, record.id, None, None)
        current, rev, old_shard = found
        if expected_rev is not None and rev != expected_rev:
            raise ConflictError(kind, record.id, current, rev)
        file_name = tx.file_of(old_shard)
        if old_shard not in tx.dirty and file_name is not None:  # a stored « ghost » is the store's fault
            self._check_outside_references(tx, self._view(tx, old_shard), str(self.store.path.with_name(file_name)),
                                           shard=old_shard)
        self._check_refs(tx, kind, record)
        new_shard = self._shard_for(tx, kind, record)
        if new_shard != old_shard:
            self._move(tx, kind, record.id, old_shard, new_shard)
        self._put_doc(tx, new_shard, kind, record, rev + 1)
        return rev + 1

    def upsert_all(self, data: Dataset, expected_revs: Mapping[tuple[str, str], int] | None = None) -> None:
        """Add the new records of `data` and replace the existing ones, in one commit.

        `expected_revs[(kind, id)]` is the revision a replaced record was read at (a
        ConflictError if someone saved it since), or 0 for a record that must still be
        new. References may point to the store or to `data`. All or nothing.
        """
        if data.assessments or data.appreciations:
            raise ValueError("use set_assessments for assessments and appreciations")
        data = _validated(data)  # what load would refuse, refused here too
        expected = expected_revs or {}
        with self._writing() as tx:
            # With an index, each record is looked up where it lives (the cost is the
            # records', not the school's); without one (the previous layout), in a snapshot.
            snap = self._snapshot(tx) if self._where(tx) is None else None
            created, updated = Dataset(), []
            for kind in Dataset.KINDS:
                for record in getattr(data, kind):
                    if snap is not None:
                        rev = snap.rev(kind, record.id)
                        current = None if rev is None else snap.get(kind, record.id)
                    else:
                        found = self._get(tx, kind, record.id)
                        current, rev = (None, None) if found is None else found[:2]
                    want = expected.get((kind, record.id))
                    if rev is None:
                        if want:  # read at a revision, since deleted
                            raise ConflictError(kind, record.id, None, None)
                        getattr(created, kind).append(record)
                    else:
                        if want == 0:  # meant to be new, created meanwhile
                            raise ConflictError(kind, record.id, current, rev)
                        updated.append((kind, record, want))
            if not created.is_empty():
                errs = Collector()
                base = snap.data if snap is not None else self._known(tx, created)
                known = _merge_datasets(base, [(k, r) for k, r, _ in updated])
                check_references(created, errs, known=known)
                errs.raise_if_any()
                self._write_bulk(tx, created)
            for kind, record, want in updated:
                self._update_in(tx, kind, record, want)

    def _move(self, tx: Transaction, kind: str, record_id: str, old: str, new: str) -> None:
        """A record leaving its shard: a student or a period changing cohort, a placement,
        certificate or contract changing student. A student takes all their records to
        the new cohort's shard, a placement its assessment sheet."""
        view = self._view(tx, old)  # before any change: the committed view
        self._remove_doc(tx, old, kind, record_id)
        if kind == "students":
            for k in STUDENT_KINDS:
                for rid, rec in view.records.get(k, {}).items():
                    if rec.student_id == record_id:
                        self._remove_doc(tx, old, k, rid)
                        self._put_doc(tx, new, k, rec, view.revs[k][rid] + 1)
                        if k == "placements":
                            self._move_sheet(tx, view, rid, old, new)
                            self._move_placement_records(tx, view, rid, old, new)
        elif kind == "placements":
            self._move_sheet(tx, view, record_id, old, new)
            self._move_placement_records(tx, view, record_id, old, new)

    def _move_placement_records(self, tx: Transaction, view: ShardView, placement_id: str, old: str, new: str) -> None:
        """The absences of a placement follow it to its new shard."""
        for k in PLACEMENT_KINDS:
            for rid, rec in view.records.get(k, {}).items():
                if rec.placement_id == placement_id:
                    self._remove_doc(tx, old, k, rid)
                    self._put_doc(tx, new, k, rec, view.revs[k][rid] + 1)

    def _remove_placement_records(self, tx: Transaction, view: ShardView, shard: str, placement_id: str) -> None:
        for k in PLACEMENT_KINDS:
            for rid, rec in view.records.get(k, {}).items():
                if rec.placement_id == placement_id:
                    self._remove_doc(tx, shard, k, rid)

    def _move_sheet(self, tx: Transaction, view: ShardView, placement_id: str, old: str, new: str) -> None:
        if placement_id in view.sheets:
            self._write_sheet(tx, new, placement_id, view.sheets[placement_id], view.sheet_revs[placement_id] + 1,
                              view.notes.get(placement_id, []))
            tx.db(old).table(SHEETS).remove(doc_ids=[placement_id])

    def _write_sheet(self, tx: Transaction, shard: str, placement_id: str, items: list[Assessment], rev: int,
                     notes: list[Appreciation]) -> None:
        table = tx.db(shard).table(SHEETS)
        if not items and not notes:
            table.remove(doc_ids=[placement_id])
            return
        # Replace the document whole: TinyDB's upsert merges keys, and would keep
        # the « notes » of a sheet whose last appreciation was just removed.
        doc = _sheet_doc(placement_id, items, rev, notes)
        table._update_table(lambda docs: docs.__setitem__(placement_id, doc))

    def sheet(self, placement_id: str) -> tuple[list[Assessment], int]:
        """All assessments of a placement and the sheet's revision (0 if none yet)."""
        with self._reading() as tx:
            tx.keep_buckets = True
            shard = self._locate(tx, "placements", placement_id)
            if shard is None:
                raise ValidationFailed(FieldError("placement_id", f"stage « {placement_id} » introuvable"))
            view = self._view(tx, shard)
            self._keep_parse(tx, shard)  # a fiche or a grid shown: its saves rewrite this bucket
            return list(view.sheets.get(placement_id, [])), view.sheet_revs.get(placement_id, 0)

    def sheet_full(self, placement_id: str) -> tuple[list[Assessment], list[Appreciation], int]:
        """The assessments and general appreciations of a placement, and the sheet's revision."""
        with self._reading() as tx:
            tx.keep_buckets = True
            shard = self._locate(tx, "placements", placement_id)
            if shard is None:
                raise ValidationFailed(FieldError("placement_id", f"stage « {placement_id} » introuvable"))
            view = self._view(tx, shard)
            self._keep_parse(tx, shard)
            return (list(view.sheets.get(placement_id, [])), list(view.notes.get(placement_id, [])),
                    view.sheet_revs.get(placement_id, 0))

    def mint_id(self, prefix: str) -> str:
        """A new id for a level or an appreciation: `prefix` and 96 random bits (os.urandom).

        No other record has it: the chance that it equals one of the 1.6 million ids of
        a large school is 1.6e6 / 2**96 ≈ 2e-23. So `set_assessments` does not look for
        it in the other buckets (what grew with the school: every bucket's ids read, 0.32 s
        at 15,000 learners for the first grid saved in a process, issue 13); an id given
        by a caller (an import, the Python API) is still looked for in the whole store.
        Used once: a minted id saved, or given to a second sheet, is checked like any other."""
        minted = f"{prefix}-{os.urandom(12).hex()}"
        with self._lock:
            self._minted.add(minted)
        return minted

    def _take_minted(self, ids: set[str]) -> set[str]:
        """The ids of `ids` this Repository minted and that were not used yet, now used."""
        with self._lock:
            taken = ids & self._minted
            self._minted -= taken
        return taken

    def set_assessments(self, placement_id: str, items: list[Assessment], expected_rev: int,
                        appreciations: list[Appreciation] | None = None) -> int:
        """Replace all the assessments of a placement at once (the grid is saved as one sheet),
        and its general appreciations when `appreciations` is given (else they are kept)."""
        with self._writing() as tx:
            shard = self._locate(tx, "placements", placement_id)
            if shard is None:
                raise ConflictError("placements", placement_id, None, None)
            view = self._view(tx, shard)
            rev = view.sheet_revs.get(placement_id, 0)
            if rev != expected_rev:
                raise ConflictError("assessments", placement_id, view.sheets.get(placement_id), rev)
            errs = Collector()
            items = _validated_list("assessments", items, errs)
            if appreciations is not None:
                appreciations = _validated_list("appreciations", appreciations, errs)
            errs.raise_if_any()
            seen: dict[str, int] = {}
            for i, a in enumerate(items):
                if a.placement_id != placement_id:
                    errs.add(f"assessments[{i}].placement_id", "l'évaluation ne porte pas sur ce stage")
                elif a.id in seen:
                    errs.add(f"assessments[{i}].id", f"l'identifiant « {a.id} » est en double (assessments[{seen[a.id]}])")
                else:
                    seen[a.id] = i
            # An assessment id is unique in the whole store; ids this sheet already holds
            # are known to be (saving a grid again looks at no other shard), and so are the
            # ids minted for it (`mint_id`).
            own = {a.id for a in view.sheets[placement_id]} if placement_id in view.sheets else set()
            new_ids = seen.keys() - own
            new_ids -= self._take_minted(set(new_ids))
            for other in self._shards(tx) if new_ids else ():
                taken = self._view(tx, other).assessment_ids()
                for aid in new_ids & taken.keys():
                    if taken[aid] != placement_id:
                        errs.add(f"assessments[{seen[aid]}].id", f"l'identifiant « {aid} » existe déjà")
            notes = view.notes.get(placement_id, []) if appreciations is None else appreciations
            note_ids: dict[str, int] = {}
            for i, n in enumerate(notes):
                if n.placement_id != placement_id:
                    errs.add(f"appreciations[{i}].placement_id", "l'appréciation ne porte pas sur ce stage")
                elif n.id in note_ids:
                    errs.add(f"appreciations[{i}].id", f"l'identifiant « {n.id} » est en double")
                else:
                    note_ids[n.id] = i
            new_notes = note_ids.keys() - {n.id for n in view.notes.get(placement_id, ())}
            new_notes -= self._take_minted(set(new_notes))
            for other in self._shards(tx) if new_notes else ():
                taken = self._view(tx, other).records["appreciations"]
                for nid in new_notes & taken.keys():
                    if taken[nid].placement_id != placement_id:
                        errs.add(f"appreciations[{note_ids[nid]}].id", f"l'identifiant « {nid} » existe déjà")
            errs.raise_if_any()
            self._write_sheet(tx, shard, placement_id, items, rev + 1, notes)
        return rev + 1

    # -- deleting ----------------------------------------------------------------------------------
    def dependents(self, kind: str, record_id: str) -> dict[str, int]:
        """What a deletion would take with it (kind -> count), for the confirmation dialog."""
        with self._reading() as tx:
            return _dependents(self._snapshot(tx).data, kind, record_id, lambda pids: self._count_levels(tx, pids))

    def _count_levels(self, tx: Transaction, placement_ids: set[str]) -> int:
        """How many assessments these placements' sheets hold (none built)."""
        total = 0
        for pid in placement_ids:
            shard = self._locate(tx, "placements", pid)
            if shard is not None:
                sheets = self._view(tx, shard).sheets
                total += sheets.count(pid) if pid in sheets else 0
        return total

    def delete(self, kind: str, record_id: str, expected_rev: int | None = None) -> dict[str, int]:
        """Delete a record and what depends on it; returns what was removed (kind -> count)."""
        with self._writing() as tx:
            found = self._get(tx, kind, record_id)
            if found is None:
                raise ConflictError(kind, record_id, None, None)
            current, rev, shard = found
            if expected_rev is not None and rev != expected_rev:
                raise ConflictError(kind, record_id, current, rev)
            data = self._snapshot(tx).data
            blockers = _blockers(data, kind, record_id)
            if blockers:
                raise ValidationFailed(FieldError("id", blockers))
            removed = _dependents(data, kind, record_id, lambda pids: self._count_levels(tx, pids))
            if kind == "cohorts":
                for cohort_shard in self._cohort_shards(tx, record_id):
                    tx.drop(cohort_shard)
                self._remove_doc(tx, CORE, "cohorts", record_id)
            elif kind == "students":
                view = self._view(tx, shard)
                self._remove_doc(tx, shard, "students", record_id)
                for k in STUDENT_KINDS:
                    for rid, rec in view.records.get(k, {}).items():
                        if rec.student_id == record_id:
                            self._remove_doc(tx, shard, k, rid)
                            if k == "placements":
                                self._remove_placement_records(tx, view, shard, rid)
                            if k == "placements" and rid in view.sheets:
                                tx.db(shard).table(SHEETS).remove(doc_ids=[rid])
            elif kind == "organisations":
                view = self._view(tx, CORE)
                for tid, t in view.records["tutors"].items():
                    if t.organisation_id == record_id:
                        self._remove_doc(tx, CORE, "tutors", tid)
                self._remove_doc(tx, CORE, "organisations", record_id)
            elif kind == "placements":
                view = self._view(tx, shard)
                if record_id in view.sheets:
                    tx.db(shard).table(SHEETS).remove(doc_ids=[record_id])
                self._remove_placement_records(tx, view, shard, record_id)
                self._remove_doc(tx, shard, "placements", record_id)
            elif kind in SHEET_KINDS:
                view = self._view(tx, shard)
                pid = current.placement_id
                items = [a for a in view.sheets.get(pid, []) if a.id != record_id]
                notes = [n for n in view.notes.get(pid, []) if n.id != record_id]
                self._write_sheet(tx, shard, pid, items, rev + 1, notes)
            else:
                self._remove_doc(tx, shard, kind, record_id)
        return removed

    # -- bulk ---------------------------------------------------------------------------------------
    def add_all(self, incoming: Dataset, *, replace: bool = False, validated: bool = False) -> None:
        """Add every record of `incoming` in one commit (all or nothing).

        Without `replace`, an id the store already has is refused, and references may
        point to records already in the store. With `replace`, the store becomes `incoming`.
        Either way `incoming` must be whole: no id twice, every reference resolved.
        Every record is validated as `load` does, unless `validated` says it was already
        (a document read by `parse_document`).
        """
        if not validated:
            incoming = _validated(incoming)
        with self._writing() as tx:
            if replace:
                for shard in tx.shard_names():
                    tx.drop(shard)
                existing = Dataset()
            else:
                existing = self._known(tx, incoming)
            errs = Collector()
            for kind in Dataset.KINDS:
                have = {r.id for r in getattr(existing, kind)}
                seen: dict[str, int] = {}
                for i, r in enumerate(getattr(incoming, kind)):
                    if r.id in have:
                        errs.add(f"{kind}[{i}].id", f"l'identifiant « {r.id} » existe déjà dans le magasin")
                    elif r.id in seen:
                        errs.add(f"{kind}[{i}].id", f"l'identifiant « {r.id} » est en double ({kind}[{seen[r.id]}])")
                    else:
                        seen[r.id] = i
            check_references(incoming, errs, known=None if replace else existing)
            errs.raise_if_any()
            self._write_bulk(tx, incoming)

    def _known(self, tx: Transaction, incoming: Dataset) -> Dataset:
        """What `add_all` must know of the store to check `incoming`'s ids and references.

        With an index, that is the core's records and the ids the index lists (a few
        placements added to a school read the index, the core and their learners'
        buckets, not the school); levels and appreciations have no index entry: adding
        some reads every shard, as does a store of the previous layout."""
        where = self._where(tx)
        if where is None or incoming.assessments or incoming.appreciations:
            return self._snapshot(tx).data
        core = self._view(tx, CORE)
        known = Dataset(**{kind: list(core.records[kind].values()) for kind in CORE_KINDS})
        # Placements the extension rules look into (R18: `makes_up` chains stay within one
        # learner, an absence names its placement): those of the buckets concerned, whole.
        shards = {where["students"].get(p.student_id) for p in incoming.placements}
        shards |= {where["placements"].get(a.placement_id) for a in incoming.absences}
        real: dict[str, Any] = {}
        for shard in sorted(s for s in shards if s is not None):
            real.update(self._view(tx, shard).records.get("placements", {}))
        for kind in INDEXED_KINDS:
            if kind == "placements":
                known.placements.extend(real[rid] if rid in real else _Ref(rid) for rid in where.get(kind, {}))
            else:
                getattr(known, kind).extend(_Ref(rid) for rid in where.get(kind, {}))
        return known

    def core_dataset(self) -> Dataset:
        """Cohorts, organisations and tutors only (the core shard): what resolving an
        organisation or a tutor by name needs."""
        with self._reading() as tx:
            core = self._view(tx, CORE)
            return Dataset(**{kind: list(core.records[kind].values()) for kind in CORE_KINDS})

    def cohort_dataset(self, cohort_id: str) -> Dataset:
        """The core and one cohort's records (its periods, learners and theirs): what a
        verb about one cohort needs, read from that cohort's shards only. Read-only,
        like a snapshot's; its `assessments` are built on first use."""
        with self._reading() as tx:
            core = self._view(tx, CORE)
            views = [self._view(tx, shard) for shard in self._cohort_shards(tx, cohort_id)]
        out = Dataset(**{kind: list(core.records[kind].values()) for kind in CORE_KINDS})
        for kind in Dataset.KINDS:
            if kind in CORE_KINDS:
                continue
            parts = [view.records[kind] for view in views if view.records.get(kind)]
            if kind == "assessments":
                setattr(out, kind, LazyList(lambda parts=parts: [a for p in parts for a in p.values()]))
            else:
                setattr(out, kind, [r for p in parts for r in p.values()])
        return out

    def teacher_loads(self) -> list[TeacherLoad]:
        """(teacher, start, end) of every placement that has a teacher, in the school:
        from the index (store/buckets.py), without reading the buckets; inside a
        transaction, the shards it changed count as they are now."""
        with self._reading() as tx:
            if self._where(tx) is None:
                return [TeacherLoad(p.teacher, p.start, p.end) for p in self._snapshot(tx).data.placements if p.teacher]
            loads = []
            fromiso = date.fromisoformat
            changed = {s for s in tx.dirty | tx.dropped if head_of(s) is not None}
            try:
                entries = [e for s, e in tx.tables(INDEX).get("shards", {}).items() if s not in changed]
                entries += [index_entry(tx.tables(s)) for s in sorted(changed) if s not in tx.dropped]
                for entry in entries:
                    for t, a, b, n in entry.get(TEACHING, ()):
                        loads.extend([TeacherLoad(t, fromiso(a), fromiso(b))] * n)
            except (AttributeError, TypeError, ValueError):
                raise StoreError("magasin corrompu : l'index est illisible. Aucun fichier n'a été modifié. "
                                 "Restaurez une sauvegarde.") from None
            return loads

    def _write_bulk(self, tx: Transaction, incoming: Dataset) -> None:
        shards = tx.shard_names()
        newcomers: dict[str, int] = {}  # cohort head -> learners arriving
        for s in incoming.students:
            head = shard_for_cohort(s.cohort_id)
            newcomers[head] = newcomers.get(head, 0) + 1
        # A cohort that has no bucket yet gets as many as its learners need at once.
        fresh_depth = {head: depth_for(n) for head, n in newcomers.items() if not buckets_of(head, shards)}
        student_shard = {
            s.id: bucket_for(shard_for_cohort(s.cohort_id), s.id, shards, fresh_depth.get(shard_for_cohort(s.cohort_id), 0))
            for s in incoming.students
        }
        placement_shard = {p.id: student_shard.get(p.student_id) for p in incoming.placements}

        def shard_of_student(student_id: str) -> str:
            shard = student_shard.get(student_id)
            if shard is None:
                shard = self._locate(tx, "students", student_id)
                if shard is None:  # references are checked before: defensive
                    raise StoreError(f"référence introuvable : élève « {student_id} »")
                student_shard[student_id] = shard
            return shard

        def shard_of_placement(placement_id: str) -> str:
            shard = placement_shard.get(placement_id)
            if shard is None:
                shard = self._locate(tx, "placements", placement_id)
                if shard is None:
                    raise StoreError(f"référence introuvable : stage « {placement_id} »")
                placement_shard[placement_id] = shard
            return shard

        grouped: dict[tuple[str, str], list[dict]] = {}

        def add(shard: str, kind: str, record: Any) -> None:
            grouped.setdefault((shard, kind), []).append(record_doc(kind, record, 1))

        for kind in CORE_KINDS:
            for r in getattr(incoming, kind):
                add(CORE, kind, r)
        for r in incoming.students:
            add(shard_of_student(r.id), "students", r)
        for r in incoming.periods:
            add(shard_for_cohort(r.cohort_id), "periods", r)
        for kind in STUDENT_KINDS:
            for r in getattr(incoming, kind):
                add(shard_of_student(r.student_id), kind, r)
        incoming_placements = {p.id: p for p in incoming.placements}
        for kind in PLACEMENT_KINDS:  # absences join their placement's shard
            for r in getattr(incoming, kind):
                p = incoming_placements.get(r.placement_id)
                add(shard_of_student(p.student_id) if p is not None else shard_of_placement(r.placement_id), kind, r)
        # Assessments and appreciations join their placement's sheet (one document per
        # placement), merged with what that sheet already holds.
        by_placement: dict[str, tuple[list[Assessment], list[Appreciation]]] = {}
        for a in incoming.assessments:
            by_placement.setdefault(a.placement_id, ([], []))[0].append(a)
        for n in incoming.appreciations:
            by_placement.setdefault(n.placement_id, ([], []))[1].append(n)
        for placement_id, (items, notes) in by_placement.items():
            rev = 0
            if placement_id not in placement_shard:  # a placement already stored: its sheet's levels stay
                view = self._view(tx, shard_of_placement(placement_id))
                items.extend(view.sheets[placement_id] if placement_id in view.sheets else ())
                notes.extend(view.notes.get(placement_id, ()))
                rev = view.sheet_revs.get(placement_id, 0)
            grouped.setdefault((shard_of_placement(placement_id), SHEETS), []).append(
                _sheet_doc(placement_id, items, rev + 1, notes)
            )
        for (shard, kind), docs in grouped.items():
            key = "placement_id" if kind == SHEETS else "id"
            # upsert_multiple does not exist in TinyDB: one update of the table for all docs.
            tx.db(shard).table(kind)._update_table(lambda table, docs=docs, key=key: table.update({d[key]: d for d in docs}))



def _validated_list(kind: str, records: list, errs: Collector) -> list:
    out = []
    for i, record in enumerate(records):
        try:
            out.append(validate_record(kind, record, f"{kind}[{i}]"))
        except ValidationFailed as exc:
            errs.errors.extend(exc.errors)
    return out


def _validated(data: Dataset) -> Dataset:
    """`data` with each record as `load` reads it; ValidationFailed naming every bad field."""
    errs = Collector()
    out = Dataset(**{kind: _validated_list(kind, getattr(data, kind), errs) for kind in Dataset.KINDS})
    errs.raise_if_any()
    return out


_KEYS = {kind: tuple(SPECS[kind][1]) for kind in SPECS}
_KEYSETS = {kind: frozenset(keys) | {"_rev"} for kind, keys in _KEYS.items()}
# Extension keys are stored only when set (`interchange.OPTIONAL_KEYS`).
_OPTIONAL_KEYS = {kind: OPTIONAL_KEYS.get(kind, frozenset()) for kind in _KEYS}
_BASE_KEYSETS = {kind: keys - _OPTIONAL_KEYS[kind] for kind, keys in _KEYSETS.items()}


def _interchange(kind: str, doc: dict) -> dict:
    """A stored document as its interchange object (the same keys, in the contract's order)."""
    keys = doc.keys()
    if keys == _KEYSETS[kind] or keys == _BASE_KEYSETS[kind]:
        out = dict(doc)  # written by record_doc: already in the contract's order
        del out["_rev"]
        return out
    optional = OPTIONAL_KEYS.get(kind, frozenset())  # extension keys: stored only when not null
    return {k: doc[k] for k in _KEYS[kind] if k in doc or k not in optional}


# A sheet's level [id, competence, level, assessor, date, comment] and note [id, assessor,
# date, comment] as interchange objects, keys in the contract's order (checked below).
def _item_object(placement_id: str, i: list) -> dict:
    if len(i) != 6:
        raise ValueError("level")
    return {"id": i[0], "placement_id": placement_id, "competence": i[1], "level": i[2], "comment": i[5],
            "assessor": i[3], "date": i[4]}


def _note_object(placement_id: str, n: list) -> dict:
    if len(n) != 4:
        raise ValueError("note")
    return {"id": n[0], "placement_id": placement_id, "assessor": n[1], "date": n[2], "comment": n[3]}


if (tuple(_item_object("p", ["i", "c", 1, "a", "d", "m"])) != _KEYS["assessments"]
        or tuple(_note_object("p", ["i", "a", "d", "m"])) != _KEYS["appreciations"]):  # pragma: no cover
    raise AssertionError("sheet arrays and the interchange's keys disagree")


def _merge_datasets(base: Dataset, replacements: list[tuple[str, Any]]) -> Dataset:
    """`base` with some records replaced (for checking references of a mixed batch)."""
    out = Dataset()
    by_kind: dict[str, dict[str, Any]] = {}
    for kind, record in replacements:
        by_kind.setdefault(kind, {})[record.id] = record
    for kind in Dataset.KINDS:
        repl = by_kind.get(kind, {})
        getattr(out, kind).extend(repl.get(r.id, r) for r in getattr(base, kind))
    return out

