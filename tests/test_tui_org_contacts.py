"""Organisations' contact details and tutors searched / created wherever an organisation is
(issue 15 §3), through the real TUI (`App.run_test`), each result read back from the store.

Keys are typed with Pilot and, where it matters, posted in one burst with no pause (what a
slow SSH link delivers): the contact fields, the search dialog opened by a letter.
"""

from __future__ import annotations

from textual.widgets import DataTable, Input, OptionList, Select, Static, TextArea

from pfmp_tui.domain.model import Dataset, Organisation, Tutor
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.dialogs import ConfirmScreen
from pfmp_tui.tui.screens.forms import FormScreen, widget_id
from pfmp_tui.tui.screens.pick import PickScreen
from pfmp_tui.tui.screens.placing import AssignScreen, PlacingScreen
from pfmp_tui.tui.screens.records import RecordsScreen
from tests.conftest import store_bytes
from tests.test_tui import make_app, repo, text_of  # noqa: F401  (the fixture `repo`)
from tests.test_tui_key_burst import burst, drained, typed
from tests.tui_support import settle

CAEN = Organisation("o2", "Garage du Port", None, "2 quai Vendeuvre", "14000", "Caen", "FR",
                    phone="02 31 00 11 22", email="atelier@garage-du-port.fr")
BLANC = Tutor("t2", "o2", "Blanc", "Hugo", email="hugo.blanc@garage-du-port.fr", phone="06 12 34 56 78",
              job_title="Chef d'atelier")


def stored(db_path, kind: str, record_id: str):
    """The record as another process reads it from the files (not the app's memory)."""
    found = Repository(Store(db_path)).get(kind, record_id)
    return found[0] if found else None


def field(screen, key: str):
    return screen.query_one(f"#{widget_id(key)}")


def error_of(screen, key: str) -> str:
    return str(screen.query_one(f"#err-{widget_id(key)}", Static).render())


async def open_form(pilot, form: str, **kwargs) -> FormScreen:
    pilot.app.open_form(form, **kwargs)
    await settle(pilot, lambda: isinstance(pilot.app.screen, FormScreen))
    return pilot.app.screen


# -- the organisation form -----------------------------------------------------------------------------
async def test_an_organisation_is_created_with_its_contacts_typed_in_one_burst(repo, tmp_path, db_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "organisations")
        assert app.focused is field(form, "name")
        # Name, then Tab past SIRET, address, postcode, city, country (FR kept) to the contacts.
        burst(app, *typed("Garage Le Roux"), "tab", "tab", "tab", "tab", "tab", "tab",
              *typed("02 99 00 11 22"), "tab", *typed("atelier@garage-leroux.fr"), "tab",
              *typed("www.garage-leroux.fr"), "tab", *typed("Yann Le Roux"), "tab", *typed("gérant"), "tab",
              *typed("Fermé le lundi"), "ctrl+s")
        await drained(pilot)
        await settle(pilot, lambda: not isinstance(app.screen, FormScreen))
        org = next(o for o in Repository(Store(db_path)).dataset().organisations if o.name == "Garage Le Roux")
        assert (org.country, org.phone, org.email, org.website, org.representative, org.representative_title,
                org.notes) == ("FR", "02 99 00 11 22", "atelier@garage-leroux.fr", "www.garage-leroux.fr",
                               "Yann Le Roux", "gérant", "Fermé le lundi")

        # The organisations list shows them under the table, for the row under the cursor.
        app.action_records("organisations")
        await settle(pilot, lambda: isinstance(app.screen, RecordsScreen))
        records = app.screen
        table = records.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(org.id))
        await pilot.pause()
        detail = text_of(records, "#records-detail")
        assert "Tél. 02 99 00 11 22 · Courriel atelier@garage-leroux.fr · Site www.garage-leroux.fr" in detail
        assert "Représentant : Yann Le Roux, gérant" in detail and "Tuteurs : aucun" in detail
        assert "Notes : Fermé le lundi" in detail
        table.move_cursor(row=table.get_row_index("o1"))  # Mairie de Lyon: nothing recorded, said so
        await pilot.pause()
        detail = text_of(records, "#records-detail")
        assert "Tél. — · Courriel — · Site —" in detail and "Tuteurs : Anne Petit" in detail


async def test_bad_contacts_are_refused_naming_each_field_and_nothing_is_saved(repo, tmp_path, db_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "organisations", record_id="o1")
        for key, value in (("phone", "123"), ("email", "contact@mairie"), ("website", "mairie lyon")):
            field(form, key).value = value
        before = store_bytes(db_path.parent)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "numéro de téléphone invalide « 123 »" in error_of(form, "phone")
        assert "adresse électronique invalide « contact@mairie »" in error_of(form, "email")
        assert "site web invalide « mairie lyon »" in error_of(form, "website")
        top = text_of(form, "#form-error")
        assert "Rien n'est enregistré : Téléphone, Courriel, Site web à corriger." in top
        assert app.focused is field(form, "phone")  # the first field to correct
        assert store_bytes(db_path.parent) == before

        # Leaving a field (Tab) keeps the top line while a field is still wrong.
        field(form, "phone").value = "04 72 10 30 30"
        await pilot.press("tab")
        await pilot.pause()
        assert error_of(form, "phone") == ""
        assert "Courriel, Site web à corriger" in text_of(form, "#form-error")
        field(form, "email").value = "contact@mairie-lyon.fr"
        field(form, "website").value = "https://www.lyon.fr"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is not form)
        org = stored(db_path, "organisations", "o1")
        assert (org.phone, org.email, org.website) == ("04 72 10 30 30", "contact@mairie-lyon.fr", "https://www.lyon.fr")


async def test_a_tutor_s_e_mail_is_editable_and_checked(repo, tmp_path, db_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "tutors", record_id="t1")
        field(form, "email").value = "anne.petit@"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "adresse électronique invalide" in error_of(form, "email")
        assert "Courriel (rappels) à corriger" in text_of(form, "#form-error")
        assert stored(db_path, "tutors", "t1").email is None
        field(form, "email").value = "anne.petit@mairie-lyon.fr"
        field(form, "phone").value = "+33 4 72 10 30 30"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is not form)
        tutor = stored(db_path, "tutors", "t1")
        assert (tutor.email, tutor.phone) == ("anne.petit@mairie-lyon.fr", "+33 4 72 10 30 30")


async def test_unsaved_contacts_are_asked_about_and_merged_with_another_session(repo, tmp_path, db_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "organisations", record_id="o1")
        field(form, "phone").focus()
        await pilot.press(*"04 72 10 30 30")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "(Téléphone)" in text_of(app.screen, "#confirm-message")
        await pilot.press("n")  # go on typing
        await settle(pilot, lambda: app.screen is form)
        # Meanwhile another session records the e-mail: both are kept on ^s.
        other = Repository(Store(db_path))
        org, rev = other.get("organisations", "o1")
        from dataclasses import replace
        other.update("organisations", replace(org, email="mairie@lyon.fr"), rev)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is not form)
        org = stored(db_path, "organisations", "o1")
        assert (org.phone, org.email) == ("04 72 10 30 30", "mairie@lyon.fr")


# -- tutors where organisations are chosen ---------------------------------------------------------------
async def test_the_placement_form_searches_and_creates_tutors(repo, tmp_path, db_path):  # noqa: F811
    repo.add_all(Dataset(organisations=[CAEN], tutors=[BLANC]))
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s2")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await pilot.press("s")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert app.focused is field(form, "organisation_id")
        assert "tapez pour chercher" in field(form, "organisation_id").prompt

        # A tutor found by their e-mail, organisation not chosen yet: both are filled in.
        field(form, "tutor_id").focus()
        await pilot.pause()
        await pilot.press("ctrl+f")
        await settle(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press(*"hugo.blanc@")
        await pilot.pause()
        listed = app.screen.query_one("#pick-list", OptionList)
        assert listed.option_count == 1 and "Hugo Blanc · Garage du Port" in str(listed.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is form)
        assert (field(form, "organisation_id").value, field(form, "tutor_id").value) == ("o2", "t2")

        # ^n on the tutor field: a new tutor attached to the organisation chosen, then chosen.
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen is not form)
        tutor_form = app.screen
        assert tutor_form.form == "tutors" and field(tutor_form, "organisation_id").value == "o2"
        field(tutor_form, "last_name").value = "Marie"
        field(tutor_form, "first_name").value = "Léa"
        field(tutor_form, "email").value = "lea.marie@garage-du-port.fr"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is form and field(form, "tutor_id").value not in ("t2", Select.BLANK))
        new_id = field(form, "tutor_id").value
        assert stored(db_path, "tutors", new_id).email == "lea.marie@garage-du-port.fr"

        field(form, "start").value = "01/02/2027"
        field(form, "end").value = "26/02/2027"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is not form and not isinstance(app.screen, ConfirmScreen))
        placement = next(p for p in Repository(Store(db_path)).dataset().placements if p.student_id == "s2")
        assert (placement.organisation_id, placement.tutor_id) == ("o2", new_id)


async def test_a_letter_on_the_organisation_field_opens_the_search_even_in_a_burst(repo, tmp_path, db_path):  # noqa: F811
    repo.add_all(Dataset(organisations=[CAEN], tutors=[BLANC]))
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "tutors")
        assert app.focused is field(form, "organisation_id")
        burst(app, *typed("garage port"), "enter", "tab", *typed("Martin"), "tab", *typed("Paul"), "ctrl+s")
        await drained(pilot)
        await settle(pilot, lambda: not isinstance(app.screen, (FormScreen, PickScreen)))
        tutor = next(t for t in Repository(Store(db_path)).dataset().tutors if t.last_name == "Martin")
        assert (tutor.organisation_id, tutor.first_name) == ("o2", "Paul")


async def test_the_records_lists_find_tutors_by_organisation_and_e_mail(repo, tmp_path):  # noqa: F811
    repo.add_all(Dataset(organisations=[CAEN], tutors=[BLANC]))
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_records("tutors")
        await settle(pilot, lambda: isinstance(app.screen, RecordsScreen))
        screen = app.screen
        for text, expected in (("garage", ["t2"]), ("hugo.blanc", ["t2"]), ("mairie lyon", ["t1"]), ("", ["t2", "t1"])):
            search = screen.query_one("#records-search", Input)
            search.value = text
            await pilot.pause()
            assert [k.value for k in screen.query_one(DataTable).rows] == expected, text
        # The cursor stayed on the last row found (Anne Petit): her contacts, then Hugo Blanc's.
        assert "Courriel — (aucun rappel possible) · Tél. — · 3 stages" in text_of(screen, "#records-detail")
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("t2"))
        await pilot.pause()
        assert "Courriel hugo.blanc@garage-du-port.fr · Tél. 06 12 34 56 78 · aucun stage" in text_of(screen, "#records-detail")


async def test_find_and_create_keys_belong_to_the_organisation_and_tutor_fields(repo, tmp_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "tutors")
        assert app.focused is field(form, "organisation_id")
        assert form.check_action("find", ()) and form.check_action("create", ())
        await pilot.press("question_mark")  # punctuation does not open the search
        await pilot.pause()
        assert app.screen is form
        field(form, "last_name").focus()
        await pilot.pause()
        assert not form.check_action("find", ()) and not form.check_action("create", ())
        await pilot.press("ctrl+n")  # nothing to create from the name field
        await pilot.pause()
        assert app.screen is form
