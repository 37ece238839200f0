"""Undo one journal entry in one commit (`pfmp revert`), if nothing it touched moved since.

Each record of the entry must still be as the entry left it: same revision for what
it created or changed, still absent for what it deleted. Then the records it
created are removed, those it deleted come back, and the fields it changed get
their old values; the result is checked like any other write (references) and
committed, so the undo is itself journalled.
"""

from __future__ import annotations

from typing import Any

from ..domain.errors import Collector, ValidationFailed, FieldError
from ..domain.interchange import check_references, parse_record, record_to_dict
from ..domain.model import Dataset
from .repository import KIND_LABELS, SHEET_KINDS, SHEETS, Repository, _merge_datasets


class RevertRefused(Exception):
    """The entry cannot be undone (records changed since, or a summarised bulk entry)."""


def _set_path(doc: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        if not isinstance(doc.get(key), dict):
            doc[key] = {}
        doc = doc[key]
    doc[last] = value


def _label(kind: str, rid: str) -> str:
    return f"{KIND_LABELS.get(kind, kind)} « {rid} »"


def revert(repo: Repository, entry: dict) -> None:
    if entry.get("summary") is not None or entry.get("replaced_shards"):
        raise RevertRefused(
            f"l'entrée {entry['id']} est une opération en masse résumée (chargement, démonstration, restauration) : "
            "elle ne s'annule pas ligne à ligne ; restaurez une sauvegarde (pfmp restore). Rien n'a été modifié."
        )
    changes = [c for c in entry.get("changes", []) if c["kind"] in Dataset.KINDS]
    user_changes = [c for c in entry.get("changes", []) if c["kind"] == "users"]
    with repo._writing() as tx:
        snap = repo._snapshot(tx)
        moved: list[str] = []
        for ch in changes:
            kind, rid = ch["kind"], ch["id"]
            current = snap.get(kind, rid)
            if kind in SHEET_KINDS:
                rev = None if current is None else snap.sheet_revs.get(current.placement_id)
            else:
                rev = snap.rev(kind, rid)
            if ch["op"] == "delete":
                if current is not None:
                    moved.append(f"{_label(kind, rid)} (recréé depuis)")
            elif current is None:
                moved.append(f"{_label(kind, rid)} (supprimé depuis)")
            elif rev != ch.get("rev"):
                moved.append(f"{_label(kind, rid)} (modifié depuis)")
        users = dict(tx.base.users or {})
        for ch in user_changes:
            for login, (before, after) in ch.get("fields", {}).items():
                if users.get(login) != after:
                    moved.append(f"utilisateur « {login} » (modifié depuis)")
                elif before is None:
                    users.pop(login, None)
                else:
                    users[login] = before
        if moved:
            raise RevertRefused(
                f"l'entrée {entry['id']} ne peut pas être annulée : " + ", ".join(moved)
                + ". Rien n'a été modifié."
            )
        if user_changes:
            tx.users = users or None
            tx.audit_changes = [{"kind": "users", "id": login, "op": "update", "fields": {login: [a, b]}}
                                for ch in user_changes for login, (b, a) in ch.get("fields", {}).items()]
        removes: list[tuple[str, str]] = []
        puts: list[tuple[str, Any]] = []
        for i, ch in enumerate(changes):
            kind, rid = ch["kind"], ch["id"]
            if ch["op"] == "create":
                removes.append((kind, rid))
                continue
            if ch["op"] == "delete":
                doc = dict(ch["before"])
            else:
                doc = record_to_dict(kind, snap.get(kind, rid))
                for path, (before, _after) in ch["fields"].items():
                    _set_path(doc, path, before)
            puts.append((kind, parse_record(kind, doc, f"changes[{i}]")))
        apply(repo, tx, snap, puts, removes, f"l'entrée {entry['id']} ne peut pas être annulée")


def apply(repo: Repository, tx: Any, snap: Any, puts: list[tuple[str, Any]], removes: list[tuple[str, str]],
          refusal: str) -> None:
    """Inside `tx`: replace or recreate the records `puts`, remove `removes` (kind, id),
    assessment sheets rebuilt whole; refused (ValidationFailed) if a reference would break."""
    # The store as it will be: every reference must still resolve.
    gone = set(removes)
    target = _merge_datasets(snap.data, puts)
    for kind in Dataset.KINDS:
        records = getattr(target, kind)
        have = {r.id for r in records}
        records[:] = [r for r in records if (kind, r.id) not in gone]
        records.extend(r for k, r in puts if k == kind and r.id not in have)
    errs = Collector()
    check_references(target, errs)
    if errs.errors:
        raise ValidationFailed(FieldError("id", f"{refusal} : d'autres enregistrements en dépendent ({errs.errors[0]})"))
    order = {k: n for n, k in enumerate(Dataset.KINDS)}
    for kind, rid in sorted((r for r in removes if r[0] not in SHEET_KINDS), key=lambda r: -order[r[0]]):
        shard = repo._locate(tx, kind, rid)
        repo._remove_doc(tx, shard, kind, rid)
        if kind == "placements" and rid in tx.tables(shard).get(SHEETS, {}):
            tx.db(shard).table(SHEETS).remove(doc_ids=[rid])  # its assessment sheet goes with it
    for kind, record in sorted((p for p in puts if p[0] not in SHEET_KINDS), key=lambda p: order[p[0]]):
        if snap.get(kind, record.id) is not None and (kind, record.id) not in gone:
            repo._update_in(tx, kind, record, None)
        else:
            repo._put_doc(tx, repo._shard_for(tx, kind, record), kind, record, 1)
    placements = {r.placement_id for k, r in puts if k in SHEET_KINDS}
    placements |= {snap.get(k, rid).placement_id for k, rid in removes if k in SHEET_KINDS}
    for pid in sorted(placements):
        shard = repo._locate(tx, "placements", pid)
        if shard is None:
            continue  # its placement goes too
        items = [a for a in target.assessments if a.placement_id == pid]
        notes = [n for n in target.appreciations if n.placement_id == pid]
        repo._write_sheet(tx, shard, pid, items, snap.sheet_revs.get(pid, 0) + 1, notes)
