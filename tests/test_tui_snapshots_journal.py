"""Snapshots of the issue 16 screens at 80×24: the « Journal » and « Utilisateurs » screens.

Deterministic: the demo school (seed 1, 28/11/2026) with a journal of fixed entries
(times, authors and addresses written here, not taken from the clock).
"""

from __future__ import annotations

import orjson

from pfmp_tui.services import access
from pfmp_tui.tui.screens.journal import JournalScreen
from pfmp_tui.tui.screens.users import UsersScreen
from tests.tui_support import make_app, settle

ENTRIES = [
    {"id": 1, "generation": 1, "at": "2026-09-01T08:12:00+02:00", "user": "cmartin", "from": "10.0.4.7",
     "via": "cli:demo", "summary": {"students": {"create": 90}, "placements": {"create": 270}}, "changes": []},
    {"id": 2, "generation": 2, "at": "2026-11-27T16:40:00+01:00", "user": "mdurand", "from": "10.0.4.21",
     "via": "tui:FormScreen", "changes": [
         {"kind": "placements", "id": "plc-0001-1", "op": "update", "student": "stu-0001", "rev": 2,
          "fields": {"attestation": [None, {"received_on": "2026-11-27", "signed_by_tutor": True,
                                            "days_completed": 20, "activities": "Accueil"}]}}]},
    {"id": 3, "generation": 3, "at": "2026-11-28T09:05:00+01:00", "user": "cmartin", "from": None,
     "via": "cli:assign", "changes": [
         {"kind": "placements", "id": "plc-0002-1", "op": "update", "student": "stu-0002", "rev": 3,
          "fields": {"teacher": ["mdurand", "alebrun"]}}]},
]


def _with_journal(repo) -> None:
    store = repo.store
    with store.write() as tx:  # fixed entries and users (not the login running the tests)
        tx.journal_rewrite = b"".join(orjson.dumps(e) + b"\n" for e in ENTRIES)
        tx.users = {"cmartin": "coordination", "mdurand": "professeur", "alebrun": "administration"}


def test_journal_screen(snap_compare, demo, tmp_path):
    _with_journal(demo)

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.push_screen(JournalScreen("@cmartin"))
        await settle(pilot, lambda: isinstance(pilot.app.screen, JournalScreen) and pilot.app.screen.loaded)

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_users_screen(snap_compare, demo, tmp_path, monkeypatch):
    _with_journal(demo)
    monkeypatch.setattr(access, "current_login", lambda: "cmartin")

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.push_screen(UsersScreen())
        await settle(pilot, lambda: isinstance(pilot.app.screen, UsersScreen))

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)
