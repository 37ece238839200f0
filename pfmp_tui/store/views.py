"""Typed views of immutable shard files, and snapshots of the whole store made of them."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..domain.model import Appreciation, Assessment, Dataset
from .documents import FROM_DOC, _sheet_notes
from .lazy import LazyAssessments, LazySheets
from .layout import SHEETS
from .storage import StoreError


@dataclass
class ShardView:
    """Typed content of one immutable shard file.

    Assessments are built on first use (`lazy`): `sheets[placement id]` builds one
    sheet, `records["assessments"]` all of the shard's.
    """

    records: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # kind -> id -> record
    revs: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> id -> rev
    sheets: Mapping[str, list[Assessment]] = field(default_factory=dict)  # placement id -> assessments
    sheet_revs: dict[str, int] = field(default_factory=dict)
    notes: dict[str, list[Appreciation]] = field(default_factory=dict)  # placement id -> appreciations

    def size(self, base: "ShardView | None" = None) -> int:
        """Records built for this view (those not shared with `base`), assessments not counted."""
        return sum(len(records) for kind, records in self.records.items()
                   if kind != "assessments" and (base is None or records is not base.records[kind]))

    def assessment_ids(self) -> Mapping[str, str]:
        """assessment id -> placement id, without building the assessments."""
        records = self.records.get("assessments")
        return records.ids() if isinstance(records, LazyAssessments) else {k: a.placement_id for k, a in (records or {}).items()}

    @classmethod
    def build(cls, tables: dict, base: "ShardView | None" = None, unchanged: frozenset[str] = frozenset(),
              previous: "tuple[dict, ShardView] | None" = None) -> "ShardView":
        """The view of `tables`; the parts of `base` whose table is `unchanged` are reused
        as they are (same objects: an edit rebuilds only what it touched). `previous` is
        (the tables, by kind, that a view was built from, that view): a table still the
        same object is reused whole, and in a table that changed, a document still the
        same object keeps its record (documents are replaced whole, never changed in
        place): a transaction changing many records of a shard builds each once."""
        view = cls()
        for kind, make in FROM_DOC.items():
            if base is not None and kind in unchanged:
                view.records[kind], view.revs[kind] = base.records[kind], base.revs[kind]
                continue
            table = tables.get(kind, {})
            old_table = None if previous is None else previous[0].get(kind)
            if old_table is table:
                view.records[kind], view.revs[kind] = previous[1].records[kind], previous[1].revs[kind]
                continue
            if old_table is not None:
                old_records, old_revs = previous[1].records[kind], previous[1].revs[kind]
                records, revs = {}, {}
                for doc_id, doc in table.items():
                    if old_table.get(doc_id) is doc:
                        records[doc_id], revs[doc_id] = old_records[doc_id], old_revs[doc_id]
                    else:
                        records[doc_id], revs[doc_id] = make(doc), doc.get("_rev", 1)
                view.records[kind], view.revs[kind] = records, revs
                continue
            view.records[kind] = {doc_id: make(doc) for doc_id, doc in table.items()}
            view.revs[kind] = {doc_id: doc.get("_rev", 1) for doc_id, doc in table.items()}
        if (base is not None and SHEETS in unchanged) or (
                previous is not None and SHEETS in previous[0] and previous[0][SHEETS] is tables.get(SHEETS)):
            source = base if base is not None and SHEETS in unchanged else previous[1]
            view.sheets, view.sheet_revs, view.notes = source.sheets, source.sheet_revs, source.notes
            view.records["assessments"] = source.records["assessments"]
            view.records["appreciations"] = source.records["appreciations"]
            return view
        docs = tables.get(SHEETS, {})
        appreciations: dict[str, Appreciation] = {}
        for placement_id, sheet in docs.items():
            view.sheet_revs[placement_id] = sheet.get("_rev", 1)
            if sheet.get("notes"):
                notes = _sheet_notes(placement_id, sheet["notes"])
                view.notes[placement_id] = notes
                for n in notes:
                    appreciations[n.id] = n
        sheets = LazySheets(docs)
        view.sheets = sheets
        view.records["assessments"] = LazyAssessments(sheets)
        view.records["appreciations"] = appreciations
        return view

    @classmethod
    def build_checked(cls, tables: dict, where: str, base: "ShardView | None" = None,
                      unchanged: frozenset[str] = frozenset(),
                      previous: "tuple[dict, ShardView] | None" = None) -> "ShardView":
        """`build`, turning a malformed document into a French StoreError."""
        try:
            view = cls.build(tables, base, unchanged, previous)
            if isinstance(view.sheets, LazySheets):
                view.sheets.where = where
            return view
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            raise StoreError(
                f"magasin corrompu : {where} contient un enregistrement illisible. "
                "Aucun fichier n'a été modifié. Restaurez une sauvegarde."
            ) from None


class _ById(Mapping):
    """kind -> {id -> record}, each index built from the snapshot's lists on first use.

    Most callers only want `Snapshot.data`: indexing 1.6 million assessments of a
    large school for nothing would cost more than the rest of the snapshot. An index
    is shared with the next snapshots as long as its list is (see `Snapshot`).
    """

    def __init__(self, data: Dataset, shared: dict[str, tuple[list, dict]]):
        self._data = data
        self._shared = shared  # the Repository's: kind -> (list, its index)

    def __getitem__(self, kind: str) -> dict[str, Any]:
        if kind not in Dataset.KINDS:
            raise KeyError(kind)
        records = getattr(self._data, kind)
        known = self._shared.get(kind)
        if known is not None and known[0] is records:
            return known[1]
        index = {r.id: r for r in records}
        self._shared[kind] = (records, index)
        return index

    def __iter__(self) -> Iterator[str]:
        return iter(Dataset.KINDS)

    def __len__(self) -> int:
        return len(Dataset.KINDS)


class Snapshot:
    """A consistent picture of the whole store at one generation.

    Read-only: the lists of `data`, `revs`, `sheet_revs` and the indexes of `by_id`
    are shared with the next snapshots of the same Repository as long as what they
    hold does not change (so that refreshing after an edit costs what the edit
    changed, not the size of the school). Copy a list before changing it.
    """

    __slots__ = ("generation", "data", "revs", "sheet_revs", "by_id")

    def __init__(self, generation: int, data: Dataset, revs: dict[str, dict[str, int]],
                 sheet_revs: dict[str, int], by_id: Mapping[str, dict[str, Any]] | None = None):
        self.generation = generation
        self.data = data
        self.revs = revs
        self.sheet_revs = sheet_revs
        self.by_id = _ById(data, {}) if by_id is None else by_id

    def get(self, kind: str, record_id: str) -> Any | None:
        return self.by_id[kind].get(record_id)

    def rev(self, kind: str, record_id: str) -> int | None:
        return self.revs.get(kind, {}).get(record_id)


# When one snapshot builds views for at least this many records (a first load, not
# the shard of an edit), they are frozen out of the cyclic garbage collector (see
# `Repository.snapshot`).
FREEZE_AFTER = 50_000


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic collection while views are built: they hold no cycles, and a big
    build would otherwise trigger collections scanning everything, again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()



def _union(parts: list[dict]) -> dict:
    merged: dict = {}
    for part in parts:
        merged.update(part)
    return merged


class LazyUnion(Mapping):
    """The union of read-only dicts (one a shard), merged only if much looked into.

    A snapshot's revisions (kind -> id -> rev) are asked for one record at a time (the
    record an edit is about): the first lookups look into each part, and merging them
    all — what grows with the school — happens only after `MERGE_AFTER` lookups, or on
    iteration. Parts are never changed (views are immutable)."""

    MERGE_AFTER = 64
    __slots__ = ("_parts", "_merged", "_lookups")

    def __init__(self, parts: list[dict]):
        self._parts = parts
        self._merged: dict | None = None
        self._lookups = 0

    def _all(self) -> dict:
        merged = self._merged
        if merged is None:
            merged = self._merged = _union(self._parts)
        return merged

    def get(self, key: Any, default: Any = None) -> Any:
        merged = self._merged
        if merged is not None:
            return merged.get(key, default)
        self._lookups += 1
        if self._lookups > self.MERGE_AFTER:
            return self._all().get(key, default)
        for part in reversed(self._parts):  # the last part wins, as in a merge
            if key in part:
                return part[key]
        return default

    def __getitem__(self, key: Any) -> Any:
        missing = object()
        found = self.get(key, missing)
        if found is missing:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        missing = object()
        return self.get(key, missing) is not missing

    def __iter__(self) -> Iterator:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __eq__(self, other: object) -> bool:
        return dict(self._all()) == (dict(other) if isinstance(other, Mapping) else other)

    __hash__ = None  # type: ignore[assignment]
