"""Importing from the terminal UI (issue 7): a preview first, nothing written until ^s.

The SIECLE CSV of a division previewed (learners to create, the other division's
learner left aside), the store unchanged, then written on confirmation; a file
with bad rows refused with each row's line, column and reason, then imported
without them (their report under exports/) when asked; organisations whose
headers are not recognised go through the mapping step.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from pfmp_tui.services.demo import build_demo
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.screens.importing import (
    ImportScreen,
    MappingScreen,
    PathSuggester,
)
from tests.conftest import store_bytes
from tests.tui_support import TODAY, make_app, settle

DATA = Path(__file__).parent / "data" / "siecle"
COHORT = "2nde-agora-2029"


@pytest.fixture
def repo(db_path: Path) -> Repository:
    repo = Repository(Store(db_path))
    repo.add_all(build_demo(20, 1, today=TODAY), replace=True)
    return repo


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def preview(screen) -> list[tuple[str, str, str, str]]:
    table = screen.query_one("#import-preview", DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def open_import(pilot, what: str, path: Path, cohort: str | None = None, division: str = "") -> ImportScreen:
    app = pilot.app
    app.action_import(what)
    await settle(pilot, lambda: isinstance(app.screen, ImportScreen))
    screen = app.screen
    if cohort is not None:
        screen.query_one("#import-cohort", Select).value = cohort
        screen.query_one("#import-division", Input).value = division
    field = screen.query_one("#import-path", Input)
    field.focus()
    field.value = str(path)
    await pilot.press("enter")
    await settle(pilot, lambda: screen.report is not None or text_of(screen, "#import-error"))
    return screen


def students_of(repo: Repository, cohort: str) -> set[str]:
    return {s.full_name for s in repo.dataset().students if s.cohort_id == cohort}


async def test_siecle_preview_writes_nothing_until_confirmed(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = store_bytes(db_path.parent)
        known = students_of(repo, COHORT)
        screen = await open_import(pilot, "students", DATA / "liste_eleves_2AGORA1.csv", COHORT, "2AGORA1")
        rows = preview(screen)
        created = [r for r in rows if r[0] == "+"]
        assert [r[2] for r in created] == ["CŒURDACIER Zoé", "LEFÈVRE Noël", "N'DIAYE Aïssata", "DUPRÉ-LŒW Anaïs"]
        assert created[0][1:] == ("2", "CŒURDACIER Zoé", "naiss. 02/03/2009 · INE 1234567890A")
        assert "sans INE" in created[2][3]
        skipped = [r for r in rows if r[0] == "-"]
        assert skipped == [("-", "6", "BERNARD Chloé", "ignoré : autre division « 2AGORA2 »")]
        summary = text_of(screen, "#import-summary")
        assert "rien n'est encore écrit" in summary and "+ 4 à créer" in summary and "- 1 ligne ignorée" in summary
        assert "^s : importer dans 2nde AGOrA 2029" in summary
        assert store_bytes(db_path.parent) == before  # the preview wrote nothing

        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, ImportScreen))
        assert students_of(repo, COHORT) - known == {"CŒURDACIER Zoé", "LEFÈVRE Noël", "N'DIAYE Aïssata", "DUPRÉ-LŒW Anaïs"}

        # The same file again: nothing new, nothing to import.
        screen = await open_import(pilot, "students", DATA / "liste_eleves_2AGORA1.csv", COHORT, "2AGORA1")
        assert [r[0] for r in preview(screen)].count("=") == 4
        assert "Tout est déjà à jour" in text_of(screen, "#import-summary")


async def test_bad_rows_refuse_the_import_unless_the_good_ones_are_asked_for(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = store_bytes(db_path.parent)
        screen = await open_import(pilot, "students", DATA / "liste_eleves_erreurs.csv", COHORT)
        rejected = [r for r in preview(screen) if r[0] == "✗"]
        assert rejected[0] == ("✗", "3", "colonne « NE(E) LE »", "date invalide « 31/02/2008 »")
        assert [r[1] for r in rejected] == ["3", "4", "5"]
        keep = screen.query_one("#import-keep-good", Checkbox)
        assert keep.display

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "3 lignes rejetées : rien n'est importé" in text_of(screen, "#import-error")
        assert store_bytes(db_path.parent) == before

        keep.value = True
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, ImportScreen))
        assert {"CŒURDACIER Zoé", "GARNIER Théo"} <= students_of(repo, COHORT)
        reports = list((tmp_path / "exports").glob("import-eleves-rejets_*.csv"))
        assert len(reports) == 1
        assert "31/02/2008" in reports[0].read_text(encoding="utf-8-sig")


async def test_a_missing_file_and_a_missing_cohort_are_said(repo, tmp_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_import(pilot, "students", tmp_path / "absent.csv")
        assert "choisissez la cohorte" in text_of(screen, "#import-error")
        screen.query_one("#import-cohort", Select).value = COHORT
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: "fichier introuvable" in text_of(screen, "#import-error"))
        assert screen.report is None


async def test_organisations_with_unknown_headers_go_through_the_mapping(repo, tmp_path, db_path):
    sheet = tmp_path / "partenaires.csv"
    sheet.write_text("Libellé;CP;Commune;Référent\nCrêperie du Port;35400;Saint-Malo;Mme Anne PETIT\n"
                     "Garage Breizh;35000;Rennes;\n", encoding="utf-8")
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = store_bytes(db_path.parent)
        screen = await open_import(pilot, "organisations", sheet)
        await settle(pilot, lambda: isinstance(app.screen, MappingScreen))
        mapping = app.screen
        assert "colonne obligatoire introuvable" in text_of(screen, "#import-error")
        assert mapping.headers == ["Libellé", "CP", "Commune", "Référent"]
        # Recognised headers come pre-filled; the name is chosen by hand.
        assert mapping.query_one("#map-postcode", Select).value == "CP"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "choisissez sa colonne" in text_of(mapping, "#form-error")
        mapping.query_one("#map-name", Select).value = "Libellé"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ImportScreen) and screen.report is not None)
        rows = preview(screen)
        assert [r[2] for r in rows if r[0] == "+"] == ["Crêperie du Port", "Anne PETIT", "Garage Breizh"]
        assert "nom de l'organisation ← « Libellé »" in text_of(screen, "#import-summary")
        assert store_bytes(db_path.parent) == before
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, ImportScreen))
        orgs = {o.name: o for o in repo.dataset().organisations}
        assert orgs["Crêperie du Port"].city == "Saint-Malo"
        tutor = next(t for t in repo.dataset().tutors if t.organisation_id == orgs["Crêperie du Port"].id)
        assert (tutor.last_name, tutor.first_name) == ("PETIT", "Anne")


def test_unrecognised_headers_travel_with_the_error(tmp_path):
    """The mapping step gets the file's headers from the error itself, not by parsing its text."""
    from pfmp_tui.domain.siecle import HeadersNotRecognised
    from pfmp_tui.services.importing import preview_organisations

    path = tmp_path / "orgs.csv"
    path.write_text("Libellé;CP\nMairie;35000\n", encoding="utf-8")
    with pytest.raises(HeadersNotRecognised) as info:
        preview_organisations(Repository(Store(tmp_path / "pfmp.json")), path)
    assert info.value.headers == ["Libellé", "CP"]
    assert "entêtes trouvés" in str(info.value)


async def test_path_suggester_completes_like_a_shell(tmp_path):
    (tmp_path / "exports").mkdir()
    (tmp_path / "ExportXML_ElevesSansAdresses.zip").write_bytes(b"")
    suggest = PathSuggester()
    assert await suggest.get_suggestion(f"{tmp_path}/Exp") == f"{tmp_path}/ExportXML_ElevesSansAdresses.zip"
    assert await suggest.get_suggestion(f"{tmp_path}/ex") == f"{tmp_path}/exports/"
    assert await suggest.get_suggestion(f"{tmp_path}/nothing") is None
