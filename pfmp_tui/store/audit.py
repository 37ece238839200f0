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


def _student_of(kind: str, doc: dict | None, placements: dict[str, Any]) -> str | None:
    if doc is None:
        return None
    if kind == "students":
        return doc.get("id")
    if "student_id" in doc:
        return doc["student_id"]
    placement = placements.get(doc.get("placement_id"))
    return None if placement is None else placement.student_id


def before_commit(repo: Any, tx: Any) -> None:
    """Compute the entry of `tx`, check the user's role, hand the entry to the store."""
    from .documents import FROM_DOC, _sheet_items, _sheet_notes
    from .views import ShardView

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
        base_file = tx.base.shards.get(shard)
        base = None
        if base_file is not None:
            base = repo._views.get(tx.base.key(base_file))
            if base is None:
                if shard in tx.dropped and shard not in tx.dirty:
                    summarised_shards += 1
                    continue
                base = ShardView.build_checked(repo.store._load_shard(base_file), base_file)
        base = base or ShardView.build({})
        tables = {} if (shard in tx.dropped and shard not in tx.dirty) else tx.tables(shard)
        unchanged = tx.unchanged_tables(shard) if tables else frozenset()
        new_placements = tables.get("placements", {})

        class _P:  # a placement's student and teacher, from the new tables or the base
            @staticmethod
            def get(pid: Any) -> Any:
                doc = new_placements.get(pid)
                if doc is not None:
                    return _Doc(doc)
                return base.records["placements"].get(pid)

        for kind in FROM_DOC:
            if kind in unchanged:
                continue
            old, old_revs = base.records.get(kind, {}), base.revs.get(kind, {})
            table = tables.get(kind, {})
            for rid, doc in table.items():
                rev = doc.get("_rev", 1)
                if old_revs.get(rid) == rev and rid in old:
                    continue
                before = record_to_dict(kind, old[rid]) if rid in old else None
                after = _strip(doc)
                collector.add(kind, rid, before, after, rev, _student_of(kind, after, _P),
                              _teacher(kind, old.get(rid), after, _P))
            for rid in old.keys() - table.keys():
                before = record_to_dict(kind, old[rid])
                collector.add(kind, rid, before, None, None, _student_of(kind, before, _P),
                              _teacher(kind, old[rid], None, _P))
        if SHEETS not in unchanged:
            sheets = tables.get(SHEETS, {})
            for pid in set(sheets) | set(base.sheets) | set(base.notes):
                sheet = sheets.get(pid)
                rev = None if sheet is None else sheet.get("_rev", 1)
                if rev is not None and rev == base.sheet_revs.get(pid):
                    continue
                items = [] if sheet is None else _sheet_items(pid, sheet["items"])
                notes = [] if sheet is None else _sheet_notes(pid, sheet.get("notes") or [])
                placement = _P.get(pid)
                student = None if placement is None else placement.student_id
                teacher = None if placement is None else placement.teacher
                for kind, now_list, was_list in (("assessments", items, base.sheets.get(pid, [])),
                                                 ("appreciations", notes, base.notes.get(pid, []))):
                    now = {r.id: record_to_dict(kind, r) for r in now_list}
                    was = {r.id: record_to_dict(kind, r) for r in was_list}
                    for rid in now.keys() | was.keys():
                        if now.get(rid) != was.get(rid):
                            collector.add(kind, rid, was.get(rid), now.get(rid), rev, student, teacher)
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


class _Doc:
    """A placement document read like a Placement (student_id, teacher)."""

    __slots__ = ("student_id", "teacher")

    def __init__(self, doc: dict):
        self.student_id = doc.get("student_id")
        self.teacher = doc.get("teacher")


def _teacher(kind: str, old: Any, after: dict | None, placements: Any) -> str | None:
    if kind == "placements":
        before_teacher = None if old is None else old.teacher
        after_teacher = None if after is None else after.get("teacher")
        return before_teacher if old is None or before_teacher == after_teacher or after is None else None
    pid = (after or {}).get("placement_id") or getattr(old, "placement_id", None)
    if pid is None:
        return None
    placement = placements.get(pid)
    return None if placement is None else placement.teacher


_KIND_WORDS = {
    "assessments": "modifier une évaluation", "appreciations": "modifier une appréciation",
    "placements": "modifier un stage", "students": "modifier un élève", "users": "gérer les utilisateurs",
    "store": "remplacer le magasin", "visits": "modifier une visite",
}


def _what(change: roles.Change) -> str:
    return _KIND_WORDS.get(change.kind, "modifier le magasin")
