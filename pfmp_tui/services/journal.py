"""The journal of changes (issue 16): who changed what, read back and undone.

Entries are written by the store itself in the transaction of each change
(store/audit.py); here they are read, filtered (`pfmp history`, the TUI's
« Journal »), shown in French and undone (`pfmp revert`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Iterator

import orjson

from ..store import audit
from ..store.repository import KIND_LABELS, Repository
from ..store.reverting import RevertRefused, revert as _revert
from ..store.storage import StoreError

__all__ = ["Filters", "RevertRefused", "entries", "history", "find", "revert", "describe", "render_table", "acting"]

acting = audit.acting
set_source = audit.set_default  # the TUI: « tui:<screen> » for the changes of threads without a context

OPS = {"create": "création", "update": "modification", "delete": "suppression"}


@dataclass(frozen=True)
class Filters:
    record_id: str | None = None
    student: str | None = None
    since: date | None = None
    user: str | None = None

    def match(self, entry: dict) -> bool:
        if self.user is not None and entry.get("user") != self.user:
            return False
        if self.since is not None and entry.get("at", "")[:10] < self.since.isoformat():
            return False
        changes = entry.get("changes", [])
        if self.record_id is not None and not any(c.get("id") == self.record_id for c in changes):
            return False
        if self.student is not None and not any(c.get("student") == self.student for c in changes):
            return False
        return True

    def narrow(self, entry: dict) -> dict:
        """`entry` with only the changes about the record or learner asked for."""
        if self.record_id is None and self.student is None:
            return entry
        keep = [c for c in entry.get("changes", [])
                if (self.record_id is None or c.get("id") == self.record_id)
                and (self.student is None or c.get("student") == self.student)]
        return {**entry, "changes": keep}


def _parse(raw: bytes) -> Iterator[dict]:
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise StoreError(f"journal corrompu (ligne {n}) : restaurez une sauvegarde. Aucun fichier n'a été modifié.") from None
        yield entry


def entries(repo: Repository) -> list[dict]:
    """Every committed entry, oldest first."""
    store = repo.store
    with store.read() as tx:
        raw = store.read_journal(tx)
    return list(_parse(raw))


def history(repo: Repository, filters: Filters = Filters()) -> list[dict]:
    return [filters.narrow(e) for e in entries(repo) if filters.match(e)]


def find(repo: Repository, entry_id: int) -> dict | None:
    for entry in entries(repo):
        if entry.get("id") == entry_id:
            return entry
    return None


def revert(repo: Repository, entry_id: int, *, via: str = "api") -> int:
    """Undo entry `entry_id`; returns the id of the entry the undo wrote."""
    entry = find(repo, entry_id)
    if entry is None:
        raise RevertRefused(f"aucune entrée n° {entry_id} dans le journal. Rien n'a été modifié.")
    with audit.acting(via, note=f"annule l'entrée {entry_id}"):
        _revert(repo, entry)
    return repo.store.generation()


# -- reading in French ----------------------------------------------------------------------
def _value(v: Any) -> str:
    if v is None:
        return "(vide)"
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, dict):
        return ", ".join(f"{k} : {_value(x)}" for k, x in v.items())
    return f"« {v} »"


def describe(change: dict) -> list[str]:
    """One change in French: its first line, then one line per changed field."""
    kind, rid = change["kind"], change["id"]
    what = "utilisateur" if kind == "users" else KIND_LABELS.get(kind, kind)
    student = change.get("student")
    about = f" (élève {student})" if student and kind != "students" else ""
    head = f"{OPS.get(change['op'], change['op'])} : {what} {rid}{about}"
    lines = [head]
    if change["op"] == "update":
        for path, (before, after) in change.get("fields", {}).items():
            lines.append(f"    {path} : {_value(before)} → {_value(after)}")
    return lines


def entry_head(entry: dict) -> str:
    at = entry.get("at", "")
    when = f"{at[8:10]}/{at[5:7]}/{at[0:4]} {at[11:16]}" if len(at) >= 16 else at
    who = entry.get("user", "?") + (f" ({entry['from']})" if entry.get("from") else "")
    note = f" · {entry['note']}" if entry.get("note") else ""
    return f"n° {entry['id']} · {when} · {who} · {entry.get('via', '?')}{note}"


def render_table(items: Iterable[dict], filters: Filters = Filters()) -> str:
    out: list[str] = []
    for entry in items:
        out.append(entry_head(entry))
        if entry.get("summary"):
            parts = [f"{KIND_LABELS.get(k, k)} : " + ", ".join(f"{n} {OPS.get(op, op)}(s)" for op, n in ops.items())
                     for k, ops in entry["summary"].items()]
            if entry.get("replaced_shards"):
                parts.append("contenu précédent remplacé")
            out.append("  opération en masse — " + " ; ".join(parts))
        for change in filters.narrow(entry).get("changes", []):
            out.extend("  " + line for line in describe(change))
    if not out:
        return "Aucune entrée dans le journal pour ces critères."
    return "\n".join(out)
