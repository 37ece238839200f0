"""References between the records of the stored files, checked as they are read (issue 10).

A file edited by hand, or restored apart from the others, can name a learner, a
placement or an organisation that is not in the store (« ghost »): read as it is, it
ends deep in a rule as an unexpected KeyError. Each shard view's references that it
does not satisfy itself are listed once, when the view is built (views are immutable
and cached by file name); a snapshot checks only those against the whole store, again
only when one of its views changed.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

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


class ReferenceCheck:
    """Remembers each view's outside references and the last set of views found whole."""

    def __init__(self) -> None:
        self._needs: dict[int, tuple[Any, Needs]] = {}  # id(view) -> (view, its needs)
        self._checked: tuple[int, ...] | None = None

    def check(self, views: Sequence[Any], where: Sequence[str], by_id: Mapping[str, Mapping[str, Any]]) -> None:
        """Raise StoreError (« magasin corrompu ») for a reference to a record of no file."""
        key = tuple(id(v) for v in views)
        if key == self._checked:
            return
        alive = set(key)
        for stale in [k for k in self._needs if k not in alive]:
            del self._needs[stale]
        for view, name in zip(views, where):
            known = self._needs.get(id(view))
            if known is None or known[0] is not view:
                known = (view, outside_references(view))
                self._needs[id(view)] = known
            for (target, ref), (kind, record_id, field) in known[1].items():
                if ref not in by_id[target]:
                    raise StoreError(
                        f"magasin corrompu : {name} : {KIND_LABELS.get(kind, kind)} « {record_id[:60]} », "
                        f"{field} renvoie à « {ref[:60]} », introuvable dans le magasin. {UNCHANGED} "
                        "Restaurez une sauvegarde."
                    )
        self._checked = key


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
