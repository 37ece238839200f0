"""Issue 15 §1 in the terminal UI: SIECLE's responsables export brings the legal representatives.

The learners' import takes the responsables' export as an optional second file, and
« Représentants légaux (SIECLE) » completes learners already stored from both exports. The
preview lists, under each learner, the representatives it sets; nothing is written before
^s; a bad row of either file names its own file and line, and refuses the whole import
unless the good rows are asked for. Read back from the store every time.

Fixtures (tests/data/siecle, from i15-siecle): ExportXML_ElevesAvecAdresses.xml (4 learners
and one who left) and ExportXML_ResponsablesAvecAdresses.xml, and its copy with 6 bad rows.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from textual.widgets import Checkbox, DataTable, Input, Select

from pfmp_tui.domain import roles
from pfmp_tui.domain.model import LegalRepresentative
from pfmp_tui.services import access
from pfmp_tui.services.importing import import_students
from pfmp_tui.store import audit
from pfmp_tui.store.repository import Repository
from pfmp_tui.tui.screens.importing import ImportScreen
from pfmp_tui.tui.screens.planning.commands import palette_commands
from tests.conftest import store_bytes
from tests.test_tui_import import preview, repo, text_of  # noqa: F401 - the fixture `repo` (demo of 20)
from tests.test_tui_key_burst import burst, drained, typed
from tests.tui_support import make_app, settle

DATA = Path(__file__).parent / "data" / "siecle"
ELEVES = DATA / "ExportXML_ElevesAvecAdresses.xml"
RESP = DATA / "ExportXML_ResponsablesAvecAdresses.xml"
RESP_BAD = DATA / "ExportXML_ResponsablesAvecAdresses_erreurs.xml"
COHORT = "2nde-agora-2029"
NEW = {"CŒURDACIER Zoé", "LEFÈVRE Noël", "N'DIAYE Aïssata", "GARNIER Hugo"}


def representatives(repo: Repository) -> dict[str, list[tuple]]:
    return {s.full_name: [(r.first_name, r.last_name, r.relation) for r in s.legal_representatives]
            for s in repo.dataset().students if s.full_name in NEW}


async def open_import(pilot, what: str, students: Path | str, responsables: Path | str = "",
                      cohort: str | None = COHORT) -> ImportScreen:
    app = pilot.app
    app.action_import(what)
    await settle(pilot, lambda: isinstance(app.screen, ImportScreen))
    screen = app.screen
    if what == "students":
        screen.query_one("#import-cohort", Select).value = cohort
    screen.query_one("#import-responsables", Input).value = str(responsables)
    field = screen.query_one("#import-path", Input)
    field.focus()
    field.value = str(students)
    await pilot.press("enter")
    await settle(pilot, lambda: screen.report is not None or text_of(screen, "#import-error"))
    return screen


async def test_learners_with_their_representatives_previewed_then_written(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = store_bytes(db_path.parent)
        screen = await open_import(pilot, "students", ELEVES, RESP)
        rows = preview(screen)
        # Each learner, then each representative the import sets (names, relation), marks readable without colour.
        zoe = rows.index(next(r for r in rows if r[2] == "CŒURDACIER Zoé"))
        assert rows[zoe] == ("+", "11", "CŒURDACIER Zoé", "naiss. 02/03/2009 · INE 1234567890A")
        assert rows[zoe + 1] == ("+", "", "└ Hélène CŒURDACIER", "mère · à ajouter")
        assert rows[zoe + 2] == ("+", "", "└ Marc CŒURDACIER", "père · à ajouter")
        noel = rows.index(next(r for r in rows if r[2] == "LEFÈVRE Noël"))
        assert rows[noel + 1] == ("+", "", "└ Sophie ROUSSEAU-LEFÈV…", "tuteur · à ajouter")  # in full below
        assert ("-", "46", "MARTIN Léo") in [r[:3] for r in rows]  # left the school: no row for his father
        summary = text_of(screen, "#import-summary")
        assert "+ 4 à créer" in summary and "- 1 ligne ignorée" in summary and "✗ 0 ligne rejetée" in summary
        assert "représentants légaux de 4 élèves : + 5 à ajouter\n" in summary + "\n"  # nothing else to say
        # The row under the cursor is told in full below the table.
        table = screen.query_one(DataTable)
        table.focus()
        table.move_cursor(row=zoe + 1)
        await pilot.pause()
        detail = text_of(screen, "#import-row-detail")
        assert "Hélène CŒURDACIER (mère), représentant légal 1 · 06 12 34 56 78" in detail
        assert "12 RUE DES TANNEURS, 69003 LYON" in detail
        assert store_bytes(db_path.parent) == before  # the preview wrote nothing

        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, ImportScreen))
        reps = representatives(repo)
        assert reps["CŒURDACIER Zoé"] == [("Hélène", "CŒURDACIER", "mère"), ("Marc", "CŒURDACIER", "père")]
        assert reps["LEFÈVRE Noël"] == [("Sophie", "ROUSSEAU-LEFÈVRE", "tuteur")]  # not the RESP_LEGAL 0 contact
        assert {s.full_name for s in repo.dataset().students if s.cohort_id == COHORT} >= NEW

        # The same two files again: every learner already up to date, nothing to import.
        screen = await open_import(pilot, "students", ELEVES, RESP)
        assert [r[0] for r in preview(screen)].count("=") == 4
        assert "Tout est déjà à jour" in text_of(screen, "#import-summary")
        assert "représentants légaux : aucun changement" in text_of(screen, "#import-summary")


def _learners_with_a_bad_row_on_line_18(tmp_path: Path) -> Path:
    """Zoé's DATE_NAISS moved to line 18, where the responsables' file has its bad MEL too."""
    data = ELEVES.read_bytes().replace(b"?>\n", b"?>\n\n\n", 1).replace(b"02/03/2009", b"31/02/2009")
    path = tmp_path / "ExportXML_ElevesAvecAdresses.xml"
    path.write_bytes(data)
    return path


async def test_bad_rows_of_both_files_each_name_their_file_and_are_all_counted(repo, tmp_path, db_path):
    eleves = _learners_with_a_bad_row_on_line_18(tmp_path)
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = store_bytes(db_path.parent)
        screen = await open_import(pilot, "students", eleves, RESP_BAD)
        rejected = [r for r in preview(screen) if r[0] == "✗"]
        assert rejected[0] == ("✗", "18", "élèves", "DATE_NAISS : date invalide « 31/02/2…")  # in full below
        assert [(r[1], r[2], r[3].split(" :")[0]) for r in rejected[1:]] == [
            ("18", "responsables", "MEL"), ("42", "responsables", "TEL_PORTABLE"),
            ("78", "responsables", "CODE_PARENTE"), ("92", "responsables", "PERSONNE_ID"),
            ("104", "responsables", "RESP_LEGAL"), ("117", "responsables", "CODE_POSTAL")]
        # Seven bad rows, two of them on line 18: the count is the CLI's (file, line), not the line numbers.
        assert "✗ 7 lignes rejetées" in text_of(screen, "#import-summary")
        table = screen.query_one(DataTable)
        table.focus()
        table.move_cursor(row=1)
        await pilot.pause()
        assert f"{RESP_BAD}, ligne 18, MEL : adresse électronique invalide" in text_of(screen, "#import-row-detail")

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "7 lignes rejetées : rien n'est importé" in text_of(screen, "#import-error")
        assert store_bytes(db_path.parent) == before

        keep = screen.query_one("#import-keep-good", Checkbox)
        assert keep.display
        keep.value = True
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, ImportScreen))
        reps = representatives(repo)
        assert "CŒURDACIER Zoé" not in reps  # her row was bad: not created
        assert reps["N'DIAYE Aïssata"] == []  # her mother's row was bad: nothing set
        assert reps["LEFÈVRE Noël"] == []  # « 99 » is no known relation: nothing set
        report = next((tmp_path / "exports").glob("import-eleves-rejets_*.csv")).read_text(encoding="utf-8-sig")
        assert "31/02/2009" in report and "helene.coeurdacier@@example.org" in report


async def test_a_learners_csv_with_responsables_is_refused_in_french(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = store_bytes(db_path.parent)
        screen = await open_import(pilot, "students", DATA / "liste_eleves_2AGORA1.csv", RESP)
        error = text_of(screen, "#import-error")
        assert error.startswith("✗ Responsables : les responsables se lient aux élèves par ELEVE_ID")
        assert "pas une liste CSV" in error and "--" not in error
        assert screen.report is None and not preview(screen)
        # A learners' file given as the responsables' one: the service's reason, under the screen's field name.
        screen.query_one("#import-path", Input).value = str(ELEVES)
        screen.query_one("#import-responsables", Input).value = str(DATA / "liste_eleves_2AGORA1.csv")
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: not screen.busy and bool(text_of(screen, "#import-error")))
        assert "l'export XML SIECLE « ResponsablesAvecAdresses » est attendu" in text_of(screen, "#import-error")
        assert store_bytes(db_path.parent) == before


async def test_another_file_typed_after_the_preview_is_not_written_with_the_old_preview(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = store_bytes(db_path.parent)
        screen = await open_import(pilot, "students", ELEVES, RESP)
        assert screen.report is not None
        field = screen.query_one("#import-responsables", Input)
        field.focus()
        await pilot.press("end", "backspace")  # « ….xm »: not the file previewed
        await pilot.pause()
        assert screen.report is None and not preview(screen)
        assert "Changé depuis l'aperçu" in text_of(screen, "#import-summary")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "rien n'est écrit sans aperçu" in text_of(screen, "#import-error")
        assert store_bytes(db_path.parent) == before
        await pilot.press("l", "enter")  # the same file again: a new preview, then ^s writes it
        await settle(pilot, lambda: screen.report is not None)
        screen.query_one("#import-division", Input).value = "2AGORA2"  # another division: another preview
        await pilot.pause()
        assert screen.report is None and "Changé depuis l'aperçu" in text_of(screen, "#import-summary")
        screen.query_one("#import-division", Input).value = ""
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: screen.report is not None)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, ImportScreen))
        assert len(representatives(repo)["CŒURDACIER Zoé"]) == 2


async def test_save_asked_while_the_preview_is_read_is_said_then_forgotten(repo, tmp_path, db_path):
    """« entrée ^s » in one read: the ^s finds the file still being read; it is told, nothing is written."""
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = store_bytes(db_path.parent)
        screen = await open_import(pilot, "students", ELEVES, RESP)
        screen.action_preview()  # reading again (a worker thread) ...
        screen.action_apply()  # ... and ^s before its answer is handled
        assert screen.busy and screen.report is None
        assert "Aperçu en cours de lecture : rien n'est écrit sans aperçu" in text_of(screen, "#import-error")
        await settle(pilot, lambda: screen.report is not None)
        assert text_of(screen, "#import-error") == ""  # no longer true once the preview is shown
        assert store_bytes(db_path.parent) == before


async def test_representatives_complete_stored_learners_from_the_palette(repo, tmp_path, db_path):
    import_students(repo, ELEVES, COHORT)  # the learners first, without their representatives
    other = next(c.id for c in repo.dataset().cohorts if c.id != COHORT)
    zoe, rev = next(repo.get("students", s.id) for s in repo.dataset().students if s.full_name == "CŒURDACIER Zoé")
    stored = (LegalRepresentative("CŒURDACIER", "Hélène", "mère", "helene.coeurdacier@example.org", "06 00 00 00 00",
                                  "12 RUE DES TANNEURS, 69003 LYON"),
              LegalRepresentative("DUPONT", "Jean", "beau-père"))
    # Moved since (this import must not move her back), with representatives SIECLE partly disagrees with.
    repo.update("students", replace(zoe, cohort_id=other, legal_representatives=stored), rev)
    n_students = len(repo.dataset().students)
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        entry = next(cb for title, _, cb in palette_commands(app) if title == "Représentants légaux (SIECLE)…")
        entry()
        await settle(pilot, lambda: isinstance(app.screen, ImportScreen))
        screen = app.screen
        assert screen.sub_title == "Représentants légaux (SIECLE)"
        assert not screen.query("#import-cohort")  # no cohort: nobody is moved
        # Both files are required.
        screen.query_one("#import-path", Input).value = str(ELEVES)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Responsables : indiquez l'export des responsables" in text_of(screen, "#import-error")
        assert app.focused is screen.query_one("#import-responsables", Input)
        before = store_bytes(db_path.parent)
        app.screen.query_one("#import-responsables", Input).value = str(RESP)
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: screen.report is not None)
        rows = preview(screen)
        assert [r[2] for r in rows if r[0] == "~" and not r[2].startswith("└")] == [
            "CŒURDACIER Zoé", "LEFÈVRE Noël", "N'DIAYE Aïssata", "GARNIER Hugo"]
        zoe_row = rows.index(("~", "11", "CŒURDACIER Zoé", "représentants légaux : 2 → 2"))
        assert rows[zoe_row + 1:zoe_row + 4] == [
            ("~", "", "└ Hélène CŒURDACIER", "mère · à mettre à jour : téléphone"),
            ("+", "", "└ Marc CŒURDACIER", "père · à ajouter"),
            ("-", "", "└ Jean DUPONT", "beau-père · à retirer")]  # SIECLE no longer lists him
        summary = text_of(screen, "#import-summary")
        assert "~ 4 élèves à mettre à jour · = 0 à jour" in summary and "+ 0 à créer" not in summary
        assert "représentants légaux de 4 élèves : + 4 à ajouter · ~ 1 à mettre à jour · - 1 à retirer" in summary
        assert "^s : enregistrer ces représentants légaux" in summary
        assert store_bytes(db_path.parent) == before

        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, ImportScreen))
        reps = representatives(repo)
        assert reps["CŒURDACIER Zoé"] == [("Hélène", "CŒURDACIER", "mère"), ("Marc", "CŒURDACIER", "père")]
        assert reps["GARNIER Hugo"] == [("Paul", "GARNIER", "père")]
        students = repo.dataset().students
        assert len(students) == n_students  # nobody created
        zoe = next(s for s in students if s.full_name == "CŒURDACIER Zoé")
        assert zoe.cohort_id == other  # nobody moved
        assert zoe.legal_representatives[0].phone == "06 12 34 56 78"  # SIECLE's number replaced the stored one


async def test_typed_in_one_burst_then_written(repo, tmp_path, monkeypatch):
    """Both paths, Tab between them, Enter, then ^s: keys posted with no pause, applied in order."""
    for f in (ELEVES, RESP):
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.chdir(tmp_path)
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_import("students")
        await settle(pilot, lambda: isinstance(app.screen, ImportScreen))
        screen = app.screen
        screen.query_one("#import-cohort", Select).value = COHORT
        screen.query_one("#import-path", Input).focus()
        await pilot.pause()
        burst(app, *typed(ELEVES.name), "tab", *typed(RESP.name), "enter")
        await drained(pilot)
        await settle(pilot, lambda: screen.report is not None)
        assert screen.query_one("#import-path", Input).value == ELEVES.name
        assert screen.query_one("#import-responsables", Input).value == RESP.name
        assert "représentants légaux de 4 élèves : + 5 à ajouter" in text_of(screen, "#import-summary")
        burst(app, "ctrl+s")
        await drained(pilot)
        await settle(pilot, lambda: not isinstance(app.screen, ImportScreen))
        assert representatives(repo)["N'DIAYE Aïssata"] == [("Mariama", "N'DIAYE", "mère")]


async def test_a_role_that_may_not_import_does_not_see_it(repo, tmp_path, db_path):
    access.set_role(repo, "chef", roles.COORDINATION, must_exist=False)
    access.set_role(repo, audit.current_login(), roles.PROFESSEUR, must_exist=True)
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [title for title, _, _ in palette_commands(app)]
        assert not [t for t in titles if t.startswith(("Importer", "Représentants légaux"))]
        start = app.screen
        app.action_import("representatives")  # however it is asked: not opened, and told why
        await pilot.pause()
        assert app.screen is start


def test_preview_with_representatives_snapshot(snap_compare, repo, tmp_path, monkeypatch):
    """80×24: the learners' import with the responsables' export, the cursor on a representative."""
    for f in (ELEVES, RESP):
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.chdir(tmp_path)  # relative paths: the same picture wherever the tests run

    async def run_before(pilot) -> None:
        screen = await open_import(pilot, "students", ELEVES.name, RESP.name)
        table = screen.query_one(DataTable)
        table.focus()
        table.move_cursor(row=1)
        await pilot.pause()

    assert snap_compare(make_app(repo, tmp_path), terminal_size=(80, 24), run_before=run_before)
