"""The terminal UI driven like a person would, on a temporary store (Textual's Pilot).

Dashboard → filtered list → candidate file → forms (bad date and bad SIRET refused
with their French message, nothing saved) → the status changes. A second writer on
the same store: its change shows up, and a conflicting save is refused, nothing lost.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.services.demo import build_demo
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.app import PfmpApp
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.candidates import CandidatesScreen
from pfmp_tui.tui.screens.dashboard import DashboardScreen
from pfmp_tui.tui.screens.dialogs import ConfirmScreen, ConflictScreen, ExportScreen, HelpScreen
from pfmp_tui.tui.screens.forms import FormScreen, widget_id
from pfmp_tui.tui.screens.records import RecordsScreen
from pfmp_tui.tui.widgets.figure import Figure
from tests import tui_support
from tests.conftest import store_bytes
from tests.tui_support import TODAY, settle


def make_app(repo: Repository, tmp_path: Path, **kwargs) -> PfmpApp:
    kwargs.setdefault("poll_interval", 0.2)  # these tests watch the store for other sessions
    return tui_support.make_app(repo, tmp_path, **kwargs)


def school() -> dict:
    """Two cohorts; MARTIN Zoé is « à risque » only for a missing attestation (R11)."""
    signed = {"status": "signed", "signed_on": "2025-06-01"}
    return {
        "format": "pfmp-interchange", "version": 1,
        "cohorts": [
            {"id": "c1", "label": "Tle AGOrA", "exam_session": 2027, "dossier_deadline": "2027-05-14",
             "holiday_zone": "B"},
            {"id": "c2", "label": "1re AGOrA", "exam_session": 2028, "dossier_deadline": "2028-05-12",
             "holiday_zone": "B"},
        ],
        "students": [
            {"id": "s1", "ine": "1234567890A", "last_name": "Martin", "first_name": "Zoé", "birth_date": "2008-03-02",
             "email": None, "cohort_id": "c1", "voie": "scolaire", "cycle_years": 3, "positioned": False,
             "derogation": None},
            {"id": "s2", "ine": "2234567890B", "last_name": "Durand", "first_name": "Léo", "birth_date": None,
             "email": None, "cohort_id": "c1", "voie": "scolaire", "cycle_years": 3, "positioned": False,
             "derogation": None},
            {"id": "s3", "ine": None, "last_name": "Bernard", "first_name": "Inès", "birth_date": None,
             "email": None, "cohort_id": "c2", "voie": "apprentissage", "cycle_years": None, "positioned": False,
             "derogation": None},
        ],
        "organisations": [
            {"id": "o1", "name": "Mairie de Lyon", "siret": "21690123100011", "address": None, "postcode": "69001",
             "city": "Lyon", "country": "FR"},
        ],
        "tutors": [
            {"id": "t1", "organisation_id": "o1", "last_name": "Petit", "first_name": "Anne", "email": None,
             "phone": None, "job_title": "Secrétaire générale"},
        ],
        "periods": [],
        "placements": [
            {"id": "p0", "student_id": "s1", "period_id": None, "organisation_id": "o1", "tutor_id": "t1",
             "teacher": "mdurand", "start": "2025-09-01", "end": "2025-12-19", "convention": signed,
             "attestation": {"received_on": "2025-12-22", "signed_by_tutor": True, "days_completed": 80,
                             "activities": "Accueil"}},
            {"id": "p1", "student_id": "s1", "period_id": None, "organisation_id": "o1", "tutor_id": "t1",
             "teacher": "mdurand", "start": "2026-10-05", "end": "2026-10-30", "convention": signed,
             "attestation": None},
            {"id": "p2", "student_id": "s1", "period_id": None, "organisation_id": "o1", "tutor_id": "t1",
             "teacher": "mdurand", "start": "2027-01-04", "end": "2027-01-15", "convention": signed,
             "attestation": None},
        ],
        "assessments": [],
        "work_certificates": [],
        "contracts": [
            {"id": "k1", "student_id": "s3", "employer": "Mairie de Lyon", "start": "2026-09-01", "end": "2028-06-30"},
        ],
    }


@pytest.fixture
def repo(db_path: Path) -> Repository:
    repo = Repository(Store(db_path))
    repo.add_all(parse_document(school()))
    return repo


def rows(screen, table_id: str = "#candidates") -> list[str]:
    return [key.value for key in screen.query_one(table_id, DataTable).rows]


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def type_into(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)


def status_of(app: PfmpApp, student_id: str) -> str:
    return app.state.by_student[student_id].status


# -- dashboard and list -------------------------------------------------------------------------
async def test_dashboard_figure_opens_the_list_behind_it(repo, tmp_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        figure = app.screen.query_one("#fig-a_risque-c1", Figure)
        assert "! à risque" in str(figure.render()) and " 2 " in str(figure.render())
        overdue = app.screen.query_one("#fig-overdue", Figure)
        assert "1 attestation en retard" in str(overdue.render())
        figure.focus()
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen))
        assert sorted(rows(app.screen)) == ["s1", "s2"]
        assert "2 élèves sur 3" in text_of(app.screen, "#summary")
        await pilot.press("escape")
        assert app.focused is figure
        await pilot.press("down")  # ↑ ↓ walk through the figures
        assert app.focused.id == "fig-non_valide-c1"
        await pilot.press("up")
        assert app.focused is figure
        app.screen.query_one("#fig-ending", Figure).focus()
        await pilot.press("up")
        assert app.focused.id == "fig-overdue"
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen))
        assert rows(app.screen) == ["s1"]


async def test_list_filters_and_incremental_search(repo, tmp_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen))
        screen = app.screen
        assert len(rows(screen)) == 3
        table = screen.query_one(DataTable)
        first = table.get_row_at(0)
        assert first[0].plain == "DURAND Léo" and first[1].plain == "! à risque"  # worst first, marker
        martin = table.get_row("s1")
        assert martin[2].plain == "16 sem. / 22 sem." and martin[3].plain == "Tle 2027"
        await pilot.press("slash")
        await pilot.press(*"zoe")  # accents do not matter
        await settle(pilot, lambda: rows(app.screen) == ["s1"])
        await type_into(pilot, "#search", "2234567890")  # INE
        await settle(pilot, lambda: rows(app.screen) == ["s2"])
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: len(rows(app.screen)) == 3)
        screen.query_one("#f-voie", Select).value = "apprentissage"
        await settle(pilot, lambda: rows(app.screen) == ["s3"])
        assert table.get_row("s3")[2].plain == "contrat (R7)"
        screen.query_one("#f-voie", Select).clear()
        screen.query_one("#f-teacher", Select).value = "mdurand"
        await settle(pilot, lambda: rows(app.screen) == ["s1"])
        assert "réf. mdurand" in text_of(app.screen, "#summary")


# -- candidate file and forms -------------------------------------------------------------------
async def test_add_placement_then_attestation_changes_the_status(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s1")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        file = app.screen
        assert "! à risque" in text_of(file, "#requirement")
        assert "Attestation de PFMP manquante" in text_of(file, "#flags")
        assert rows(file, "#placements") == ["p0", "p1", "p2"]

        # A new placement: a bad date is refused with the domain's message, nothing saved.
        await pilot.press("s")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one(f"#{widget_id('organisation_id')}", Select).value = "o1"
        await pilot.pause()
        form.query_one(f"#{widget_id('tutor_id')}", Select).value = "t1"
        await type_into(pilot, f"#{widget_id('start')}", "31/02/2027")
        await type_into(pilot, f"#{widget_id('end')}", "26/02/2027")
        before = store_bytes(db_path.parent)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert text_of(form, f"#err-{widget_id('start')}") == "✗ date invalide « 31/02/2027 »"
        assert store_bytes(db_path.parent) == before
        await type_into(pilot, f"#{widget_id('start')}", "15/02/2027")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen) and len(rows(app.screen, "#placements")) == 4)
        new = [p for p in app.state.data.placements if p.student_id == "s1" and p.id not in ("p0", "p1", "p2")]
        assert len(new) == 1 and new[0].start == date(2027, 2, 15) and new[0].tutor_id == "t1"

        # The attestation of the ended placement p1 (R11): « à risque » becomes « en cours ».
        table = app.screen.query_one("#placements", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index("p1"))
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert form.query_one(f"#{widget_id('attestation.days_completed')}", Input).value == "20"
        assert form.query_one(f"#{widget_id('attestation.received_on')}", Input).value == "28/11/2026"
        await type_into(pilot, f"#{widget_id('attestation.days_completed')}", "25")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "25 jours dépassent les 20 jours ouvrés" in text_of(form, f"#err-{widget_id('attestation.days_completed')}")
        await type_into(pilot, f"#{widget_id('attestation.days_completed')}", "20")
        form.query_one(f"#{widget_id('attestation.signed_by_tutor')}").value = True
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen) and status_of(app, "s1") == "en_cours")
        assert "… en cours" in text_of(app.screen, "#requirement")
        assert "Attestation de PFMP manquante" not in text_of(app.screen, "#flags")
        stored, _ = repo.get("placements", "p1")
        assert stored.attestation.days_completed == 20 and stored.attestation.signed_by_tutor


async def test_bad_siret_is_refused_and_nothing_saved(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, RecordsScreen))
        assert rows(app.screen, "#records") == ["o1"]
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        await type_into(pilot, f"#{widget_id('name')}", "Boulangerie Ravel")
        await type_into(pilot, f"#{widget_id('siret')}", "123 456 789 01234")
        before = store_bytes(db_path.parent)
        await pilot.press("tab")  # leaving the field checks it already
        await pilot.pause()
        message = text_of(form, f"#err-{widget_id('siret')}")
        assert message == "✗ SIRET invalide « 123 456 789 01234 » (clé de contrôle de Luhn fausse)"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and store_bytes(db_path.parent) == before
        await type_into(pilot, f"#{widget_id('siret')}", "216 901 231 00011")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, RecordsScreen) and len(rows(app.screen, "#records")) == 2)
        assert any(o.name == "Boulangerie Ravel" and o.siret == "21690123100011" for o in repo.dataset().organisations)


async def test_delete_asks_first_and_says_what_goes_with_it(repo, tmp_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s1")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await pilot.press("ctrl+delete")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        message = text_of(app.screen, "#confirm-message")
        assert "Cela supprime aussi : 3 stage" in message and "(PFMP)" in message
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        assert repo.get("students", "s1") is not None
        await pilot.press("delete")  # the placement under the cursor: p0
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Rien d'autre" in text_of(app.screen, "#confirm-message")
        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen) and rows(app.screen, "#placements") == ["p1", "p2"])
        assert repo.get("placements", "p0") is None


# -- several sessions on one store --------------------------------------------------------------
async def test_change_by_another_session_appears(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s2")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        assert "DURAND Léo" in text_of(app.screen, "#identity")
        other = Repository(Store(db_path))  # another coordinator, another process
        student, rev = other.get("students", "s2")
        other.update("students", replace(student, last_name="Durand-Morel"), rev)
        other.create("placements", replace(repo.get("placements", "p2")[0], id="px", student_id="s2"))
        await settle(pilot, lambda: "DURAND-MOREL Léo" in text_of(app.screen, "#identity"))
        assert rows(app.screen, "#placements") == ["px"]


async def test_a_save_over_other_fields_changed_elsewhere_merges_them_and_says_so(repo, tmp_path, db_path):
    """Issue 12: the other session changed the e-mail, I changed the first name: both are kept."""
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s2")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, f"#{widget_id('first_name')}", "Léon")
        # Typed first: an untouched form follows a change made elsewhere (issue 12), a changed one keeps it.
        other = Repository(Store(db_path))
        student, rev = other.get("students", "s2")
        other.update("students", replace(student, email="leo.durand@example.fr"), rev)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen) and "Léon" in text_of(app.screen, "#identity"))
        stored, stored_rev = repo.get("students", "s2")
        assert (stored.first_name, stored.email, stored_rev) == ("Léon", "leo.durand@example.fr", rev + 2)
        said = [n.message for n in app._notifications]
        assert any("Une autre session avait changé : Courriel." in m for m in said), said


async def test_conflicting_save_on_the_same_field_lets_me_pick_and_then_saves(repo, tmp_path, db_path):
    """Both changed the first name: both values shown; « Revenir à ma saisie » then ^s saves (it is
    no longer refused forever); their other change is merged in; per field, I can keep theirs."""
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s2")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        await type_into(pilot, f"#{widget_id('first_name')}", "Léon")
        # Typed first: an untouched form follows a change made elsewhere (issue 12), a changed one keeps it.
        other = Repository(Store(db_path))
        student, rev = other.get("students", "s2")
        theirs = replace(student, first_name="Léonard", email="leo.durand@example.fr")
        other.update("students", theirs, rev)
        before = store_bytes(db_path.parent)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConflictScreen))
        conflict = app.screen
        table = conflict.query_one(DataTable)
        by_label = {table.get_row_at(i)[1]: table.get_row_at(i) for i in range(table.row_count)}
        assert by_label["Prénom"] == ["≠", "Prénom", "Léon", "Léonard", "● la vôtre"]
        assert by_label["Courriel"] == ["←", "Courriel", "—", "leo.durand@examp…", "la leur"]  # cut with …
        assert store_bytes(db_path.parent) == before  # nothing written, nothing overwritten
        await pilot.press("escape")  # back to my input, their e-mail merged in
        await settle(pilot, lambda: app.screen is form)
        assert form.query_one(f"#{widget_id('first_name')}", Input).value == "Léon"
        assert form.query_one(f"#{widget_id('email')}", Input).value == "leo.durand@example.fr"
        await pilot.press("ctrl+s")  # works now
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen) and "Léon" in text_of(app.screen, "#identity"))
        stored, stored_rev = repo.get("students", "s2")
        assert (stored.first_name, stored.email, stored_rev) == ("Léon", "leo.durand@example.fr", rev + 2)

        # Again, and this time keep theirs on the clash (entrée on the row), then ^s in the dialog.
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, f"#{widget_id('first_name')}", "Lionel")
        student, rev = other.get("students", "s2")
        other.update("students", replace(student, first_name="Leo"), rev)
        await type_into(pilot, f"#{widget_id('ine')}", "2234567890C")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.press("enter")
        assert app.screen.query_one(DataTable).get_row("first_name")[-1] == "● la leur"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen) and "Leo" in text_of(app.screen, "#identity"))
        stored, _ = repo.get("students", "s2")
        assert (stored.first_name, stored.ine, stored.email) == ("Leo", "2234567890C", "leo.durand@example.fr")


async def test_taking_the_stored_version_drops_my_changes_only_when_asked(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s2")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        await type_into(pilot, f"#{widget_id('first_name')}", "Léon")
        # Typed first: an untouched form follows a change made elsewhere (issue 12), a changed one keeps it.
        other = Repository(Store(db_path))
        student, rev = other.get("students", "s2")
        other.update("students", replace(student, first_name="Léonard"), rev)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.click("#theirs")
        await settle(pilot, lambda: app.screen is form)
        assert form.query_one(f"#{widget_id('first_name')}", Input).value == "Léonard"
        assert not form.dirty
        await pilot.press("escape")  # nothing typed since: no question
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        assert repo.get("students", "s2")[0].first_name == "Léonard"


# -- around it ---------------------------------------------------------------------------------
async def test_export_from_the_tui_writes_the_file_and_says_where(repo, tmp_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        written = list((tmp_path / "exports").iterdir())
        assert [p.name for p in written] == ["attestations-manquantes_2026-11-28.csv"]
        content = written[0].read_text(encoding="utf-8-sig")
        assert "Martin" in content and "R11" in content
        messages = [n.message for n in app._notifications]
        assert any(str(written[0].resolve()) in m for m in messages)


async def test_help_lists_the_keys_of_the_screen(repo, tmp_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s1")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "Fiche élève" in text and "Nouveau stage" in text and "Dérogation" in text and "Partout" in text
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))


async def test_command_palette_runs_the_main_actions(repo, tmp_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"cohorte 1re")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen))
        assert rows(app.screen) == ["s3"] and app.screen.filter.cohort_id == "c2"
        await pilot.press("ctrl+p")
        await pilot.press(*"nouvel eleve")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.form == "students"
        # The list was filtered on a cohort: the new student's form starts in it.
        assert app.screen.query_one(f"#{widget_id('cohort_id')}", Select).value == "c2"


async def test_thousands_of_candidates_load_in_a_worker(tmp_path, db_path):
    repo = Repository(Store(db_path))
    repo.add_all(build_demo(2000, 3, today=TODAY), replace=True)
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, timeout=30)
        await pilot.press("l")
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen), timeout=30)
        table = app.screen.query_one("#candidates", DataTable)
        assert table.total == 2000 and "2000 élèves sur 2000" in text_of(app.screen, "#summary")
        assert 24 <= len(rows(app.screen)) < 2000  # rows are added as they come into view (issue 13)
        target = app.state.data.students[1234]
        await pilot.press("slash", *target.ine)
        await settle(pilot, lambda: rows(app.screen) == [target.id], timeout=30)
