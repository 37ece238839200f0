"""References between the records of the stored files, checked as they are read (issue 10).

A file edited by hand, or restored apart from the others, can name a learner, a
placement or an organisation that is not in the store (« ghost »): read as it is, it
ends deep in a rule as an unexpected KeyError. Each shard view's references that it
does not satisfy itself are listed once, when the view is first checked (views are
immutable and cached by file name); a snapshot checks the new views' against the
whole store, and the records that left it against the views that stayed.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Sequence

from ..domain.interchange import REFERENCES
from .layout import KIND_LABELS
from .storage import UNCHANGED, StoreError

Needs = dict[tuple[str, str], tuple[str, str, str]]  # (target kind, id) -> (kind, record id, field)


# Levels and appreciations are stored in one sheet per placement: the sheet's key is
# their reference, checked once per sheet rather than once per level.
_BY_SHEET = frozenset({"assessments", "appreciations"})


def outside_references(view: Any) -> Needs:
    """The references of one view's records that the view does not hold itself."""
    records: Mapping[str, Mapping[str, Any]] = view.records
    needs: Needs = {}
    for (kind, key), target in REFERENCES.items():
        if kind in _BY_SHEET:
            continue
        local = records.get(target, {})
        for record_id, record in records.get(kind, {}).items():
            ref = getattr(record, key)
            if ref is not None and ref not in local:
                needs.setdefault((target, ref), (kind, record_id, key))
    placements = records.get("placements", {})
    for kind, sheets in (("assessments", getattr(view, "sheets", {})), ("appreciations", getattr(view, "notes", {}))):
        for placement_id in sheets:  # keys only: the levels themselves are built lazily (store/lazy.py)
            if placement_id not in placements:
                needs.setdefault(("placements", placement_id), (kind, placement_id, "placement_id"))
    return needs


_TARGETS = frozenset(REFERENCES.values())


class ReferenceCheck:
    """Remembers each view's outside references and which records the views hold, so
    that checking a snapshot after a commit costs what the commit changed: the new
    views' references are looked up, and the records that left the store are looked
    for among the references of the views that stayed."""

    def __init__(self) -> None:
        self._views: dict[int, tuple[Any, Needs, Any]] = {}  # id(view) -> (view, its needs, where)
        self._present: dict[tuple[str, str], int] = {}  # (kind, id) -> how many views hold it
        self._needed: dict[tuple[str, str], set[int]] = {}  # (kind, id) -> views naming it from outside
        self._checked: tuple[int, ...] | None = None

    def check(self, views: Sequence[Any], where: Sequence[Any]) -> None:
        """Raise StoreError (« magasin corrompu ») for a reference to a record of no file.
        `where[i]` names the file of `views[i]` (a string, or a function giving it)."""
        key = tuple(id(v) for v in views)
        if key == self._checked:
            return
        try:
            self._update(views, where)
        except BaseException:
            self.__init__()  # the next check starts over (and raises again)
            raise
        self._checked = key

    def _records(self, view: Any) -> Iterator[tuple[str, str]]:
        for kind in _TARGETS:
            for record_id in view.records.get(kind, ()):
                yield kind, record_id

    def _update(self, views: Sequence[Any], where: Sequence[Any]) -> None:
        current = {id(v): (v, w) for v, w in zip(views, where)}
        gone = [vid for vid, (view, _, _) in self._views.items() if current.get(vid, (None,))[0] is not view]
        present, needed = self._present, self._needed
        left: set[tuple[str, str]] = set()
        for vid in gone:
            view, needs, _ = self._views.pop(vid)
            for rec in self._records(view):
                n = present[rec] - 1
                if n:
                    present[rec] = n
                else:
                    del present[rec]
                    left.add(rec)
            for ref in needs:
                users = needed.get(ref)
                if users is not None:
                    users.discard(vid)
                    if not users:
                        del needed[ref]
        new = []
        for vid, (view, name) in current.items():
            if vid in self._views:
                continue
            needs = outside_references(view)
            self._views[vid] = (view, needs, name)
            for rec in self._records(view):
                present[rec] = present.get(rec, 0) + 1
            for ref in needs:
                needed.setdefault(ref, set()).add(vid)
            new.append(vid)
        for vid in new:  # the new views' references, against every view
            view, needs, name = self._views[vid]
            for ref, what in needs.items():
                if ref not in present:
                    self._refuse(name, ref, what)
        for ref in left:  # records gone: named by a view that stayed?
            if ref not in present and ref in needed:
                vid = next(iter(needed[ref]))
                view, needs, name = self._views[vid]
                self._refuse(name, ref, needs[ref])

    @staticmethod
    def _refuse(name: Any, ref: tuple[str, str], what: tuple[str, str, str]) -> None:
        kind, record_id, field = what
        raise StoreError(
            f"magasin corrompu : {name() if callable(name) else name} : {KIND_LABELS.get(kind, kind)} "
            f"« {record_id[:60]} », {field} renvoie à « {ref[1][:60]} », introuvable dans le magasin. {UNCHANGED} "
            "Restaurez une sauvegarde."
        )


def check_document(records: Mapping[str, list[dict]], where: str) -> None:
    """The same check on the interchange objects `Repository.document()` builds for a dump
    (a dump must load back: one naming a record of no file is refused, not written)."""
    ids = {target: {r["id"] for r in records.get(target, ())} for target in set(REFERENCES.values())}
    for (kind, key), target in REFERENCES.items():
        known = ids[target]
        for record in records.get(kind, ()):
            ref = record.get(key)
            if ref is not None and ref not in known:
                raise StoreError(
                    f"magasin corrompu ({where}) : {KIND_LABELS.get(kind, kind)} « {str(record['id'])[:60]} », "
                    f"{key} renvoie à « {str(ref)[:60]} », introuvable dans le magasin. {UNCHANGED} "
                    "Restaurez une sauvegarde."
                )
