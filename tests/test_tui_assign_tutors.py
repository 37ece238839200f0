"""The placement dialog of the placing screen (and of the frise): tutors searched among every
organisation and created there, like organisations (issue 15 §3); read back from the store."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Select

from pfmp_tui.domain.model import Dataset
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.screens.dialogs import ConfirmScreen
from pfmp_tui.tui.screens.forms import FormScreen, widget_id
from pfmp_tui.tui.screens.placing import AssignScreen, PlacingScreen
from tests.test_tui import text_of
from tests.test_tui_key_burst import burst, drained, typed
from tests.test_tui_planning import MARCH, open_placing, repo  # noqa: F401  (the fixture `repo`)
from tests.tui_support import make_app, settle
from tests.conftest import store_bytes


def options(screen, selector: str) -> list[str]:
    listed = screen.query_one(selector, OptionList)
    return [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]


async def open_assign(pilot, student_id: str = "t-1") -> AssignScreen:
    await open_placing(pilot)
    placing = pilot.app.screen
    table = placing.query_one("#placing")
    table.move_cursor(row=table.get_row_index(student_id))
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(pilot.app.screen, AssignScreen))
    return pilot.app.screen


async def test_a_tutor_found_among_every_organisation_brings_their_organisation(repo, tmp_path, db_path):  # noqa: F811
    repo.add_all(Dataset(periods=[MARCH]))
    tutor = next(t for t in repo.dataset().tutors if t.email)
    org = next(o for o in repo.dataset().organisations if o.id == tutor.organisation_id)
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assign = await open_assign(pilot)
        assert assign.organisation_id is None
        assert options(assign, "#tutor-list") == ["  tapez un nom, une organisation ou un courriel"]
        # By e-mail, typed in one burst straight after Tab Tab, then entrée: the tutor and the host.
        burst(app, "tab", "tab", *typed(tutor.email.split("@")[0]), "enter")
        await drained(pilot)
        assert app.focused is assign.query_one("#assign-teacher", Input)
        assert (assign.organisation_id, assign.tutor_id) == (org.id, tutor.id)
        chosen = text_of(assign, "#org-chosen")
        assert f"✓ {org.name} · tuteur : {tutor.full_name}" in chosen and f"Courriel {tutor.email}" in chosen
        # By organisation name: its tutors are found too.
        search = assign.query_one("#tutor-search", Input)
        search.value = org.name
        await pilot.pause()
        assert any(tutor.full_name in o for o in options(assign, "#tutor-list"))
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, PlacingScreen))
        placement = next(p for p in Repository(Store(db_path)).dataset().placements
                         if p.student_id == "t-1" and p.period_id == MARCH.id)
        assert (placement.organisation_id, placement.tutor_id) == (org.id, tutor.id)


async def test_a_tutor_created_before_any_organisation_is_chosen(repo, tmp_path, db_path):  # noqa: F811
    repo.add_all(Dataset(periods=[MARCH]))
    org = sorted(repo.dataset().organisations, key=lambda o: o.name)[0]
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assign = await open_assign(pilot)
        search = assign.query_one("#tutor-search", Input)
        search.focus()
        await pilot.press(*"Ines Kerbrat")
        assert options(assign, "#tutor-list") == ["  aucun tuteur ne correspond (^n : le créer)"]
        await pilot.press("ctrl+n")  # no organisation yet: the tutor form asks which one
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert form.form == "tutors"
        assert form.query_one(f"#{widget_id('organisation_id')}", Select).value is Select.NULL
        assert (form.query_one(f"#{widget_id('first_name')}", Input).value,
                form.query_one(f"#{widget_id('last_name')}", Input).value) == ("Ines", "Kerbrat")
        before = store_bytes(db_path.parent)
        await pilot.press("ctrl+s")  # refused: the organisation is required, and said so
        await pilot.pause()
        assert app.screen is form and "Organisation à corriger" in text_of(form, "#form-error")
        assert store_bytes(db_path.parent) == before
        # The organisation chosen by typing in the form's search (a letter opens it).
        form.query_one(f"#{widget_id('organisation_id')}", Select).focus()
        await pilot.press(*org.name[:12].lower())
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is form)
        form.query_one(f"#{widget_id('email')}", Input).value = "ines.kerbrat@exemple.fr"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is assign and assign.tutor_id is not None)
        tutor = Repository(Store(db_path)).get("tutors", assign.tutor_id)[0]
        assert (tutor.first_name, tutor.last_name, tutor.organisation_id, tutor.email) == (
            "Ines", "Kerbrat", org.id, "ines.kerbrat@exemple.fr")
        assert assign.organisation_id == org.id  # the new tutor's organisation is chosen with them

        # Leaving with a choice not saved asks first; « non » keeps the dialog.
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "2 changements non enregistrés (Organisation, Tuteur) seront perdus" in text_of(
            app.screen, "#confirm-message")
        await pilot.press("n")
        await settle(pilot, lambda: app.screen is assign)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, PlacingScreen))
        placement = next(p for p in Repository(Store(db_path)).dataset().placements
                         if p.student_id == "t-1" and p.period_id == MARCH.id)
        assert (placement.organisation_id, placement.tutor_id) == (org.id, tutor.id)
