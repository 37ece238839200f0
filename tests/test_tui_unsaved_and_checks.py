"""Nothing typed is dropped silently, and slips are confirmed before they are saved (issue 12).

Every way out of a changed form asks first (Échap, ^q, the palette); a form follows a change
made underneath when nothing was typed and says ^s will merge when something was; soft checks
(attestation received before its PFMP ended, a signature in the future, a name that looks like
a date) ask « Enregistrer quand même ? »; after creating a record the cursor is on it; a
search carries into the new record's form; `x` on a filtered list exports that list.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date

from textual.widgets import DataTable, Input, Static

from pfmp_tui.services.handles import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.candidates import CandidatesScreen
from pfmp_tui.tui.screens.dashboard import DashboardScreen
from pfmp_tui.tui.screens.dialogs import ConfirmScreen, ExportScreen
from pfmp_tui.tui.screens.forms import FormScreen, widget_id
from pfmp_tui.tui.screens.records import RecordsScreen
from pfmp_tui.tui.targets import Records
from tests.conftest import store_bytes
from tests.test_tui_key_burst import open_attestation
from tests.test_tui import make_app, repo, rows, text_of, type_into  # noqa: F401  (the fixture `repo`)
from tests.tui_support import settle


def message_of(screen) -> str:
    return str(screen.query_one("#confirm-message", Static).render())


async def open_student_form(pilot, student_id: str = "s2") -> FormScreen:
    app = pilot.app
    app.open_candidate(student_id)
    await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
    await pilot.press("e")
    await settle(pilot, lambda: isinstance(app.screen, FormScreen))
    return app.screen


# -- leaving a changed form ----------------------------------------------------------------------
async def test_escape_in_a_changed_form_asks_and_keeps_the_input(repo, tmp_path, db_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_student_form(pilot)
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        form = await open_student_form(pilot)
        await type_into(pilot, f"#{widget_id('first_name')}", "Léon")
        await type_into(pilot, f"#{widget_id('email')}", "leon@example.fr")
        before = store_bytes(db_path.parent)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert message_of(app.screen) == ("2 changements non enregistrés (Prénom, Courriel) seront perdus "
                                          "(^s pour enregistrer d'abord).")
        await pilot.press("n")  # keep typing
        await settle(pilot, lambda: app.screen is form)
        assert form.query_one(f"#{widget_id('first_name')}", Input).value == "Léon"
        await type_into(pilot, f"#{widget_id('email')}", "")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert message_of(app.screen).startswith("1 changement non enregistré (Prénom) sera perdu")
        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        assert store_bytes(db_path.parent) == before


async def test_ctrl_q_and_the_palette_ask_before_leaving_a_changed_form(repo, tmp_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_student_form(pilot)
        await type_into(pilot, f"#{widget_id('first_name')}", "Léon")
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot, lambda: app.screen is form)
        assert app.is_running
        await pilot.press("ctrl+p")
        await pilot.press(*"liste des eleves")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Prénom" in message_of(app.screen)
        await pilot.press("n")
        await settle(pilot, lambda: app.screen is form)
        await pilot.press("ctrl+p")
        await pilot.press(*"liste des eleves")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("o")  # give it up: the form goes, the list opens
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen))
        assert form not in app.screen_stack
        await pilot.press("ctrl+q")  # nothing changed any more: quits at once
        await pilot.pause(0.3)
        assert not app.is_running


async def test_a_change_made_underneath_is_followed_or_merged(repo, tmp_path, db_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_student_form(pilot)
        other = Repository(Store(db_path))
        student, rev = other.get("students", "s2")
        other.update("students", replace(student, email="leo@example.fr"), rev)
        await settle(pilot, lambda: form.query_one(f"#{widget_id('email')}", Input).value == "leo@example.fr")
        assert not form.dirty  # nothing typed: the form follows the store
        await type_into(pilot, f"#{widget_id('first_name')}", "Léon")
        student, rev = other.get("students", "s2")
        other.update("students", replace(student, ine="2234567890C"), rev)
        await settle(pilot, lambda: "^s fusionnera" in text_of(form, "#form-error"))
        assert form.query_one(f"#{widget_id('first_name')}", Input).value == "Léon"  # my input stays
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        stored, _ = repo.get("students", "s2")
        assert (stored.first_name, stored.ine, stored.email) == ("Léon", "2234567890C", "leo@example.fr")


# -- soft checks -----------------------------------------------------------------------------------
async def test_an_attestation_received_before_its_pfmp_ended_is_confirmed_first(repo, tmp_path, db_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_attestation(pilot)  # p1: 05/10/2026 → 30/10/2026
        await type_into(pilot, f"#{widget_id('attestation.received_on')}", "20/10/2026")
        before = store_bytes(db_path.parent)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert message_of(app.screen) == ("! Attestation reçue le 20/10/2026, avant la fin de la PFMP (30/10/2026) : "
                                          "est-ce bien la date de réception ? (R11)")
        await pilot.press("n")  # « Corriger »
        await settle(pilot, lambda: app.screen is form)
        assert store_bytes(db_path.parent) == before
        await type_into(pilot, f"#{widget_id('attestation.received_on')}", "05/12/2026")  # TODAY is 28/11/2026
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "c'est dans le futur (aujourd'hui 28/11/2026)" in message_of(app.screen)
        await pilot.press("o")  # « Enregistrer quand même »
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        assert repo.get("placements", "p1")[0].attestation.received_on == date(2026, 12, 5)


async def test_a_future_signature_and_a_name_like_a_date_are_confirmed_first(repo, tmp_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s1")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        table = app.screen.query_one("#placements", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index("p2"))
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, f"#{widget_id('convention.signed_on')}", "01/12/2026")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Convention signée le 01/12/2026 : c'est dans le futur" in message_of(app.screen)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, f"#{widget_id('convention.signed_on')}", "01/06/2025")
        await pilot.press("ctrl+s")  # nothing to confirm: saved
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, f"#{widget_id('last_name')}", "02/03/2008")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert message_of(app.screen) == "! Nom « 02/03/2008 » : ressemble à une date ou à un nombre (colonne décalée ?)."


# -- after creating, searching, exporting ------------------------------------------------------
async def test_a_new_record_gets_the_cursor_and_the_search_text(repo, tmp_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_target(Records("organisations"))
        await settle(pilot, lambda: isinstance(app.screen, RecordsScreen))
        records = app.screen
        await pilot.press("slash")
        await pilot.press(*"Mairie de Caen")
        await pilot.press("enter")
        assert rows(records, "#records") == []
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one(f"#{widget_id('name')}", Input).value == "Mairie de Caen"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is records and len(rows(records, "#records")) == 1)
        new_id = next(o.id for o in app.state.data.organisations if o.name == "Mairie de Caen")
        assert records.current_id() == new_id
        said = [n.message for n in app._notifications]
        assert "Organisation créée." in said and not any("(e)" in m for m in said)

        # A new placement in the file: the cursor is on it, not on the row it was on.
        app.open_candidate("s1")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        file = app.screen
        await pilot.press("s")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one(f"#{widget_id('organisation_id')}").value = "o1"
        await type_into(pilot, f"#{widget_id('start')}", "01/03/2027")
        await type_into(pilot, f"#{widget_id('end')}", "26/03/2027")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is file and len(rows(file, "#placements")) == 4)
        await pilot.pause(0.2)
        table = file.query_one("#placements", DataTable)
        created = next(p.id for p in app.state.data.placements if p.start == date(2027, 3, 1))
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == created
        assert "Stage (PFMP) créé." in [n.message for n in app._notifications]


async def test_x_on_a_filtered_list_exports_that_list(repo, tmp_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        app.open_candidates()
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen))
        await pilot.press("slash")
        await pilot.press(*"durand")
        await settle(pilot, lambda: rows(app.screen) == ["s2"])
        await pilot.press("enter")  # back to the table
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert "Seulement la liste affichée : 1 élève" in text_of(app.screen, "#export-listed")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [written] = list((tmp_path / "exports").iterdir())
        lines = list(csv.reader(written.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
        assert {line[1] for line in lines[1:]} == {"Durand"}  # Martin (à risque too) is not in this list
        assert all(line[0] == "Tle AGOrA 2027" for line in lines[1:])  # the cohort with its session
