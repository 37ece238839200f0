"""Assessments built when someone looks at them, not when a shard is read.

Levels are most of a school's records (37 × 3 placements × every learner: 1.6 million
at 15,000 learners); building them all at launch took seconds for screens that show a
handful. A view keeps each sheet's stored arrays and turns one sheet into `Assessment`
objects on first use (`LazySheets`); the list of every assessment of a snapshot is a
`LazyList`, filled on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Callable, Iterator

import orjson

from ..domain.model import Assessment
from .documents import _sheet_items
from .storage import StoreError


class LazySheets(Mapping):
    """placement id -> its assessments, each sheet built from its stored levels on first use.

    What a view keeps of a sheet is packed: its number of levels, its first level (R12
    asks whether a placement is assessed) and the others as the JSON bytes they were
    read from — 60 bytes a level instead of ~340 as parsed lists and strings (1.1
    million levels at 15,000 learners: ~300 MB less for the TUI)."""

    __slots__ = ("_packed", "_built", "where")

    def __init__(self, docs: dict[str, dict], where: str = "le magasin"):
        dumps = orjson.dumps
        packed: dict[str, tuple[int, Any, bytes | None]] = {}
        for placement_id, doc in docs.items():  # placement id -> stored sheet document
            items = doc["items"]
            if not isinstance(items, list):
                raise TypeError("items")
            # bytes(memoryview(...)): an exact copy (orjson's own buffer is several times larger)
            packed[placement_id] = (len(items), items[0] if items else None,
                                    bytes(memoryview(dumps(items))) if len(items) > 1 else None)
        self._packed = packed
        self._built: dict[str, list[Assessment]] = {}
        self.where = where  # the file, for the message if a stored sheet is malformed

    def _items(self, placement_id: str) -> list:
        count, head, blob = self._packed[placement_id]
        if blob is not None:
            return orjson.loads(blob)
        return [head] if count else []

    def _refuse(self) -> StoreError:
        return StoreError(
            f"magasin corrompu : {self.where} contient un enregistrement illisible. "
            "Aucun fichier n'a été modifié. Restaurez une sauvegarde."
        )

    def __getitem__(self, placement_id: str) -> list[Assessment]:
        items = self._built.get(placement_id)
        if items is None:
            stored = self._items(placement_id)
            try:
                items = _sheet_items(placement_id, stored)
            except (KeyError, TypeError, ValueError, IndexError, AttributeError):
                raise self._refuse() from None
            self._built[placement_id] = items
        return items

    def __contains__(self, placement_id: object) -> bool:
        return placement_id in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def heads(self, placement_id: str) -> list[Assessment]:
        """The sheet's first assessment only (or none): whether a placement is assessed."""
        if placement_id in self._built:
            return self._built[placement_id][:1]
        count, head, _ = self._packed[placement_id]
        if not count:
            return []
        try:
            return _sheet_items(placement_id, [head])
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return self[placement_id][:1]  # raises the store's message

    def count(self, placement_id: str) -> int:
        """How many assessments one sheet holds, without building them."""
        return self._packed[placement_id][0]

    def count_items(self) -> int:
        """How many assessments, without building them."""
        return sum(packed[0] for packed in self._packed.values())

    def item_ids(self) -> dict[str, str]:
        """assessment id -> placement id, without building the assessments."""
        try:
            return {item[0]: pid for pid in self._packed for item in self._items(pid)}
        except (KeyError, TypeError, IndexError):
            raise self._refuse() from None


class LazyAssessments(Mapping):
    """assessment id -> assessment over every sheet of a view, built on first use."""

    __slots__ = ("_sheets", "_index", "_ids", "_count")

    def __init__(self, sheets: LazySheets):
        self._sheets = sheets
        self._index: dict[str, Assessment] | None = None
        self._ids: dict[str, str] | None = None
        self._count: int | None = None  # the view is immutable: counted once

    def _all(self) -> dict[str, Assessment]:
        if self._index is None:
            self._index = {a.id: a for pid in self._sheets for a in self._sheets[pid]}
        return self._index

    def ids(self) -> dict[str, str]:
        """assessment id -> placement id (cheaper than the assessments themselves)."""
        if self._index is not None:
            return {aid: a.placement_id for aid, a in self._index.items()}
        if self._ids is None:
            self._ids = self._sheets.item_ids()
        return self._ids

    def __getitem__(self, assessment_id: str) -> Assessment:
        return self._all()[assessment_id]

    def __contains__(self, assessment_id: object) -> bool:
        if self._index is not None:
            return assessment_id in self._index
        return assessment_id in self.ids()

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        if self._index is not None:
            return len(self._index)
        if self._count is None:
            self._count = self._sheets.count_items()
        return self._count

    def values(self):  # type: ignore[override]
        return self._all().values()

    def items(self):  # type: ignore[override]
        return self._all().items()


_FILLING = threading.RLock()


class LazyList(list):
    """A list filled by `fill()` the first time it is used (read or changed).

    Python code sees an ordinary list. (C code that reads a list's storage directly
    without calling its methods — `str.join`, orjson — would see it empty before
    its first use: the store never hands it to those.)
    """

    __slots__ = ("_fill",)

    def __init__(self, fill: Callable[[], list]):
        super().__init__()
        self._fill: Callable[[], list] | None = fill

    @property
    def materialised(self) -> bool:
        return self._fill is None

    def _load(self) -> None:
        if self._fill is None:
            return
        with _FILLING:  # another thread sees it unfilled until it is whole
            fill = self._fill
            if fill is not None:
                super().extend(fill())
                self._fill = None


def _wrap(name: str) -> Callable:
    method = getattr(list, name)

    def wrapped(self: LazyList, *args: Any, **kwargs: Any) -> Any:
        self._load()
        return method(self, *args, **kwargs)

    wrapped.__name__ = name
    return wrapped


for _name in (
    "__len__", "__iter__", "__getitem__", "__contains__", "__reversed__", "__eq__", "__ne__", "__lt__",
    "__le__", "__gt__", "__ge__", "__add__", "__mul__", "__rmul__", "__iadd__", "__imul__", "__setitem__",
    "__delitem__", "__repr__", "__reduce_ex__", "append", "extend", "insert", "pop", "remove", "clear",
    "index", "count", "copy", "sort", "reverse",
):
    setattr(LazyList, _name, _wrap(_name))
LazyList.__hash__ = None  # type: ignore[assignment]
