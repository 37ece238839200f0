"""The TUI side of issue 16: a save is journalled with its screen, a learner's history from
their file, the « Journal » screen (filter, undo), and keys hidden by role — with the same
refusal as the CLI when a change gets through to the commit."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import DataTable, Input, Static

from pfmp_tui.domain import roles
from pfmp_tui.services import access, journal
from pfmp_tui.store import audit
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.dialogs import ConfirmScreen
from pfmp_tui.tui.screens.forms import FormScreen, widget_id
from pfmp_tui.tui.screens.journal import JournalScreen
from pfmp_tui.tui.screens.users import UsersScreen
from tests.conftest import store_bytes
from tests.test_tui import make_app, repo, rows, text_of  # noqa: F401 - the fixture `repo`
from tests.tui_support import settle

ME = audit.current_login()


async def _open_attestation(app, pilot, placement: str = "p1"):
    app.open_candidate("s1")
    await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
    table = app.screen.query_one("#placements", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(placement))
    await pilot.press("a")
    await settle(pilot, lambda: isinstance(app.screen, FormScreen))
    form = app.screen
    form.query_one(f"#{widget_id('attestation.signed_by_tutor')}").value = True
    return form


async def test_a_tui_save_is_journalled_with_its_screen_then_shown_in_the_learners_history(repo, tmp_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _open_attestation(app, pilot)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        entry = journal.entries(repo)[-1]
        assert entry["via"] == "tui:FormScreen" and entry["user"] == ME
        change = entry["changes"][0]
        assert change["id"] == "p1" and change["student"] == "s1"
        assert change["fields"]["attestation"][0] is None and change["fields"]["attestation"][1]["signed_by_tutor"]

        await pilot.press("h")  # the learner's history, from their file
        await settle(pilot, lambda: isinstance(app.screen, JournalScreen) and app.screen.loaded)
        screen = app.screen
        assert "Historique de" in text_of(screen, "#journal-title")
        assert rows(screen, "#journal-table")[0] == str(entry["id"])  # newest first
        detail = text_of(screen, "#journal-detail")
        assert "tui:FormScreen" in detail and "attestation" in detail
        screen.query_one("#journal-filter", Input).value = "s1 @personne"
        await pilot.pause()
        assert rows(screen, "#journal-table") == []
        assert "0 entrée(s)" in text_of(screen, "#journal-title")
    # Once the app has ended, a change from the same process is the Python API's again.
    p1, rev = repo.get("placements", "p1")
    repo.update("placements", replace(p1, teacher="x"), rev)
    assert journal.entries(repo)[-1]["via"] == "api"


async def test_the_journal_screen_undoes_an_entry(repo, tmp_path):
    p1, rev = repo.get("placements", "p1")
    repo.update("placements", replace(p1, teacher="alebrun"), rev)
    changed = journal.entries(repo)[-1]["id"]
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot, lambda: isinstance(app.screen, JournalScreen) and app.screen.loaded)
        assert rows(app.screen, "#journal-table")[0] == str(changed)
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, JournalScreen))
        await settle(pilot, lambda: rows(app.screen, "#journal-table")[0] == str(changed + 1))
    assert repo.get("placements", "p1")[0].teacher == p1.teacher
    assert journal.entries(repo)[-1]["note"] == f"annule l'entrée {changed}"


def _make_me(repo, monkeypatch, role: str) -> None:
    """The store's creator (ME) hands coordination to « chef » and takes `role`."""
    access.set_role(repo, "chef", roles.COORDINATION, must_exist=False)
    access.set_role(repo, ME, role, must_exist=True)


async def test_a_teacher_does_not_see_what_they_may_not_do_and_a_refused_save_changes_nothing(
        repo, tmp_path, db_path, monkeypatch):
    _make_me(repo, monkeypatch, roles.PROFESSEUR)  # p1's référent is « mdurand », not ME
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s1")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        screen = app.screen
        assert screen.check_action("new_placement", ()) is False
        assert screen.check_action("delete_item", ()) is False
        assert screen.check_action("attestation", ()) is True
        assert app.check_action("export", ()) is False
        await pilot.press("s")  # hidden: nothing opens
        await pilot.pause()
        assert app.screen is screen
        form = await _open_attestation(app, pilot)
        before = store_bytes(db_path.parent)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # refused at the commit: the form stays, with the reason
        message = text_of(form, "#form-error")
        assert "professeur (référent de ce stage) ou coordination" in message and "rôle professeur" in message
        assert store_bytes(db_path.parent) == before


async def test_lecture_sees_the_users_screen_but_cannot_change_it(repo, tmp_path, db_path, monkeypatch):
    _make_me(repo, monkeypatch, roles.LECTURE)
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_users()
        await settle(pilot, lambda: isinstance(app.screen, UsersScreen))
        assert set(rows(app.screen, "#users-table")) == {"chef", ME}
        before = store_bytes(db_path.parent)
        table = app.screen.query_one("#users-table", DataTable)
        table.move_cursor(row=table.get_row_index(ME))
        await pilot.press("r")
        await pilot.pause()
        assert store_bytes(db_path.parent) == before
        assert any("gérer les utilisateurs" in n.message and "demande le rôle coordination" in n.message
                   for n in app._notifications)
