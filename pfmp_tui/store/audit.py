"""The journal entry of a commit, and the role check, computed just before it commits.

The Repository calls `before_commit` inside its write transaction, after the change
and before the manifest is replaced. The change is found by comparing, for each
table TinyDB replaced in a dirty shard, the revisions of its documents with the
committed typed view of the shard (a cheap int comparison per document of that one
shard; a document whose revision moved is diffed field by field). The entry::

    {"id": 42, "generation": 42, "at": "2026-12-01T21:30:05+01:00", "user": "mdurand",
     "from": "10.0.4.7", "via": "cli:assign", "note": null,
     "changes": [{"kind": "placements", "id": "p1", "op": "update", "student": "s1", "rev": 4,
                  "fields": {"teacher": ["alebrun", "mdurand"]}}]}

``op`` is create (with ``after``, the whole document), update (``fields``: dotted
path → [before, after]) or delete (``before``). A bulk change of more than
`DETAIL_LIMIT` records (a demo, a whole load) is summarised per kind instead
(``"summary": {"students": {"create": 1500}}``).

Who: the Unix login of the process (never an environment variable) and the SSH
client's address when there is one; which verb or screen: `acting(via=...)`.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import pwd
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

import orjson

from ..domain import roles
from ..domain.interchange import record_to_dict
from . import journal_file
from .storage import StoreError

DETAIL_LIMIT = 2000
SHEETS = "assessment_sheets"


class PermissionDenied(StoreError):
    """The user's role does not allow this change: nothing was changed.

    A StoreError, so that every screen and verb that reports a refused write
    already reports this one (in French, naming the role needed)."""


def current_login() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # pragma: no cover - a uid without a passwd entry
        return f"uid-{os.getuid()}"


def ssh_client() -> str | None:
    conn = os.environ.get("SSH_CONNECTION", "").split()
    return conn[0] if conn else None


@dataclass(frozen=True)
class Context:
    via: str = "api"
    note: str | None = None
    redact: bool = False  # a purge: the entry names records, never their values


_default: Any = "api"  # a string, or a function giving one (the TUI: its current screen)
_context: contextvars.ContextVar[Context | None] = contextvars.ContextVar("pfmp_audit", default=None)


def set_default(via: Any) -> None:
    """The process-wide `via` (``tui:…``), used by threads that have no context of their own."""
    global _default
    _default = via


def context() -> Context:
    ctx = _context.get()
    if ctx is not None:
        return ctx
    try:
        return Context(via=_default() if callable(_default) else _default)
    except Exception:  # noqa: BLE001 - naming the screen must never stop a save
        return Context(via="tui")


@contextlib.contextmanager
def acting(via: str, note: str | None = None, redact: bool = False) -> Iterator[None]:
    token = _context.set(Context(via=via, note=note, redact=redact))
    try:
        yield
    finally:
        _context.reset(token)


_extras: contextvars.ContextVar[dict | None] = contextvars.ContextVar("pfmp_commit_extras", default=None)


@contextlib.contextmanager
def commit_extras(*, journal: bytes | None = None, users: Any = False) -> Iterator[None]:
    """What the next commit also installs: a whole journal, a user list (a restore)."""
    token = _extras.set({"journal": journal, "users": users})
    try:
        yield
    finally:
        _extras.reset(token)


def role_of(users: dict[str, str] | None, login: str) -> str | None:
    """No user list: everyone is coordination (a store from before issue 16)."""
    if users is None:
        return roles.COORDINATION
    return users.get(login)


# -- diffing ----------------------------------------------------------------------------
def diff_fields(before: dict, after: dict, prefix: str = "") -> dict[str, list]:
    out: dict[str, list] = {}
    for key in list(before) + [k for k in after if k not in before]:
        b, a = before.get(key), after.get(key)
        if b == a:
            continue
        if isinstance(b, dict) and isinstance(a, dict):
            out.update(diff_fields(b, a, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = [b, a]
    return out


def _strip(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "_rev"}


class _Collector:
    def __init__(self) -> None:
        self.changes: dict[tuple[str, str], dict] = {}
        self.counts: dict[str, dict[str, int]] = {}
        self.total = 0

    def add(self, kind: str, rid: str, before: dict | None, after: dict | None, rev: int | None,
            student: str | None, teacher: str | None) -> None:
        key = (kind, rid)
        known = self.changes.get(key)
        if known is not None:  # a record moving between shards: one delete + one create
            before = known["_before"] if known["_before"] is not None else before
            after = after if after is not None else known["_after"]
            rev = rev if rev is not None else known["rev"]
            student = student or known["student"]
            teacher = teacher or known["_teacher"]
        else:
            self.total += 1
        self.changes[key] = {"kind": kind, "id": rid, "_before": before, "_after": after, "rev": rev,
                             "student": student, "_teacher": teacher}

    def entries(self) -> tuple[list[dict], list[roles.Change]]:
        out, checks = [], []
        for ch in self.changes.values():
            before, after = ch.pop("_before"), ch.pop("_after")
            teacher = ch.pop("_teacher")
            if before is None and after is not None:
                ch["op"], ch["after"] = "create", after
                fields: tuple[str, ...] = tuple(after)
            elif after is None and before is not None:
                ch["op"], ch["before"] = "delete", before
                fields = tuple(before)
            else:
                diff = diff_fields(before or {}, after or {})
                if not diff:
                    continue  # moved with its student, nothing of its own changed
                ch["op"], ch["fields"] = "update", diff
                fields = tuple(diff)
            out.append(ch)
            checks.append(roles.Change(ch["kind"], ch["id"], ch["op"], fields, teacher))
        return out, checks


def _student_of(kind: str, doc: dict | None, placements: "_Placements") -> str | None:
    if doc is None:
        return None
    if kind == "students":
        return doc.get("id")
    if "student_id" in doc:
        return doc["student_id"]
    placement = placements.get(doc.get("placement_id"))
    return None if placement is None else placement.get("student_id")


def before_commit(repo: Any, tx: Any) -> None:
    """Compute the entry of `tx`, check the user's role, hand the entry to the store."""
    from .buckets import INDEX
    from .documents import FROM_DOC

    ctx = context()
    login = current_login()
    users = tx.base.users
    extras = _extras.get()
    if extras is not None:
        _extras.set(None)  # for one commit only
        if extras["journal"] is not None:
            tx.journal_rewrite = extras["journal"]
        if extras["users"] is not False:
            tx.users = extras["users"]
    extra: list[dict] = getattr(tx, "audit_changes", [])
    if not (tx.dirty or tx.dropped or extra or tx.users is not False):
        return
    collector = _Collector()
    role_checks: list[roles.Change] = []
    summarised_shards = 0
    for shard in sorted(tx.dirty | tx.dropped):
        if shard == INDEX:
            continue  # where records are, not records
        base_file = tx.base.shards.get(shard)
        if base_file is not None and shard not in tx.loaded:
            summarised_shards += 1  # dropped whole without being read (a load --replace)
            continue
        # The committed tables, as read: TinyDB replaces a table it changes and the
        # Repository replaces a document whole, so these are the before-image.
        base = tx.loaded.get(shard, {})
        tables = tx.tables(shard)
        placements = _Placements(tables.get("placements", {}), base.get("placements", {}))
        for kind in FROM_DOC:
            old, new = base.get(kind, {}), tables.get(kind, {})
            if old is new:
                continue
            for rid, doc in new.items():
                before = old.get(rid)
                if before is doc:
                    continue
                after = _strip(doc)
                before = None if before is None else _strip(before)
                if before == after:
                    continue
                collector.add(kind, rid, before, after, doc.get("_rev", 1), _student_of(kind, after, placements),
                              _teacher(kind, before, after, placements))
            for rid in old.keys() - new.keys():
                before = _strip(old[rid])
                collector.add(kind, rid, before, None, None, _student_of(kind, before, placements),
                              _teacher(kind, before, None, placements))
        old_sheets, new_sheets = base.get(SHEETS, {}), tables.get(SHEETS, {})
        if old_sheets is not new_sheets:
            for pid in old_sheets.keys() | new_sheets.keys():
                was_doc, now_doc = old_sheets.get(pid), new_sheets.get(pid)
                if was_doc is now_doc:
                    continue
                rev = None if now_doc is None else now_doc.get("_rev", 1)
                placement = placements.get(pid)
                student = None if placement is None else placement.get("student_id")
                teacher = None if placement is None else placement.get("teacher")
                for kind, now_map, was_map in (("assessments", _items(pid, now_doc), _items(pid, was_doc)),
                                               ("appreciations", _notes(pid, now_doc), _notes(pid, was_doc))):
                    for rid in now_map.keys() | was_map.keys():
                        if now_map.get(rid) != was_map.get(rid):
                            collector.add(kind, rid, was_map.get(rid), now_map.get(rid), rev, student, teacher)
    entries, role_checks = collector.entries()
    if ctx.redact:
        for ch in entries:
            for key in ("before", "after", "fields"):
                ch.pop(key, None)
            ch["redacted"] = True
    for ch in extra:
        entries.append(ch)
        role_checks.append(roles.Change(ch["kind"], ch["id"], ch["op"], tuple(ch.get("fields", ()))))
    if tx.users is not False and not any(c["kind"] == "users" for c in extra):
        role_checks.append(roles.Change("users", "*", "update"))
    if summarised_shards:
        role_checks.append(roles.Change("store", "*", "delete"))
    # The role check: on the committed user list (a user list being created is checked
    # against the rule « no list: everyone is coordination »).
    refused = roles.refusal(role_of(users, login), login, role_checks, _what)
    if refused:
        raise PermissionDenied(refused)
    if tx.base.generation == 0 and users is None and tx.users is False:
        tx.users = {login: roles.COORDINATION}  # a store created from scratch: its creator coordinates
    if not entries and not summarised_shards and tx.users is False:
        return
    generation = tx.base.generation + 1
    if tx.journal_rewrite is not None:
        previous = journal_file._last_of(tx.journal_rewrite) or 0
    else:
        previous = journal_file.last_id(tx.base.journal)
    entry: dict[str, Any] = {
        "id": previous + 1,
        "generation": generation,
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "user": login,
        "from": ssh_client(),
        "via": ctx.via,
    }
    if ctx.note:
        entry["note"] = ctx.note
    if len(entries) > DETAIL_LIMIT or summarised_shards:
        summary: dict[str, dict[str, int]] = {}
        for ch in entries:
            per = summary.setdefault(ch["kind"], {})
            per[ch["op"]] = per.get(ch["op"], 0) + 1
        entry["summary"] = summary
        if summarised_shards:
            entry["replaced_shards"] = summarised_shards
        entry["changes"] = []
    else:
        entry["changes"] = entries
    tx.journal_lines.append(orjson.dumps(entry))


class _Placements:
    """Placement documents of a shard, new ones first (for a change's learner and référent)."""

    def __init__(self, new: dict, old: dict):
        self.new, self.old = new, old

    def get(self, pid: Any) -> dict | None:
        return self.new.get(pid) or self.old.get(pid)


def _items(pid: str, sheet: dict | None) -> dict[str, dict]:
    from .documents import _sheet_items

    if not sheet:
        return {}
    return {a.id: record_to_dict("assessments", a) for a in _sheet_items(pid, sheet["items"])}


def _notes(pid: str, sheet: dict | None) -> dict[str, dict]:
    from .documents import _sheet_notes

    if not sheet or not sheet.get("notes"):
        return {}
    return {n.id: record_to_dict("appreciations", n) for n in _sheet_notes(pid, sheet["notes"])}


def _teacher(kind: str, before: dict | None, after: dict | None, placements: _Placements) -> str | None:
    """The référent a change is checked against: a placement's own (unchanged) référent,
    or that of the placement an assessment, appreciation or visit belongs to."""
    if kind == "placements":
        if before is None:
            return None  # a new placement: coordination only
        if after is not None and after.get("teacher") != before.get("teacher"):
            return None  # changing the référent: coordination only
        return before.get("teacher")
    pid = (after or before or {}).get("placement_id")
    placement = None if pid is None else placements.get(pid)
    return None if placement is None else placement.get("teacher")


_KIND_WORDS = {
    "assessments": "modifier une évaluation", "appreciations": "modifier une appréciation",
    "placements": "modifier un stage", "students": "modifier un élève", "users": "gérer les utilisateurs",
    "store": "remplacer le magasin", "visits": "modifier une visite",
}


def _what(change: roles.Change) -> str:
    return _KIND_WORDS.get(change.kind, "modifier le magasin")
