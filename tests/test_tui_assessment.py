"""The document de liaison in the TUI (issue 6), driven like a person would (Pilot).

A grid keyed from the candidate file (levels by single keys, a comment, the date) is
stored and shown back; leaving unsaved work asks first; a save over a sheet someone
else saved is refused and nothing is overwritten; the progress grid shows several
periods; « Mes élèves » lists what is waiting (R11, R12); the papers are written as
PDF under exports/ and hold the learner's name.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from textual.widgets import DataTable, Input, Static

from pfmp_tui.domain.competences import COMPETENCES
from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.domain.progress import waiting_for
from pfmp_tui.domain.visits import teacher_visits
from pfmp_tui.services import assessing
from pfmp_tui.services.assessing import load_grid, save_grid
from pfmp_tui.services.demo import build_demo
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.app import PfmpApp
from pfmp_tui.tui.liaison import palette_commands
from pfmp_tui.tui.screens.assessment import (
    AssessmentScreen,
    CommentScreen,
    GridConflictScreen,
)
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.dialogs import ConfirmScreen
from pfmp_tui.tui.screens.my_students import MyStudentsScreen
from pfmp_tui.tui.screens.progress import CohortCompetencesScreen, ProgressScreen
from pfmp_tui.tui.screens.records import RecordsScreen
from tests.conftest import store_bytes
from tests.test_tui import school, settle

TODAY = date(2026, 11, 28)
P0_END = date(2025, 12, 19)


@pytest.fixture
def repo(db_path: Path) -> Repository:
    repo = Repository(Store(db_path))
    repo.add_all(parse_document(school()))
    return repo


def make_app(repo: Repository, tmp_path: Path, user: str = "mdurand") -> PfmpApp:
    return PfmpApp(repo, today=TODAY, user=user, exports_dir=tmp_path / "exports", poll_interval=0.2)


def sheet(repo: Repository, placement_id: str) -> dict[str, tuple]:
    items, _ = repo.sheet(placement_id)
    return {a.competence: (a.level, a.comment, a.assessor, a.date) for a in items}


def level_cell(screen: AssessmentScreen, code: str) -> str:
    return screen.query_one("#grid", DataTable).get_cell(code, "level").plain


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_file_on(pilot, student_id: str, placement_id: str) -> CandidateScreen:
    app = pilot.app
    app.open_candidate(student_id)
    await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
    table = app.screen.query_one("#placements", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(placement_id))
    await pilot.pause()
    return app.screen


async def open_grid(pilot, student_id: str, placement_id: str) -> AssessmentScreen:
    await open_file_on(pilot, student_id, placement_id)
    await pilot.press("g")
    await settle(pilot, lambda: isinstance(pilot.app.screen, AssessmentScreen))
    return pilot.app.screen


async def wait_for(pilot, until, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if until():
            return
    raise AssertionError("not reached in time")


# -- the grid ------------------------------------------------------------------------------------------
async def test_a_grid_keyed_from_the_file_is_stored_and_shown_back(repo, tmp_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        file = await open_file_on(pilot, "s1", "p0")
        assert "! non saisie (R12)" in text_of(file, "#placement-detail")
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, AssessmentScreen))
        grid = app.screen
        assert grid.current_code() == "1.1.1"  # the headings are stepped over
        assert "0/37 évaluées" in text_of(grid, "#grid-count")
        assert "Indicateurs d'évaluation" in text_of(grid, "#grid-detail")
        assert "Efficacité de la prise de notes" in text_of(grid, "#grid-detail")  # an indicator of 1.1

        await pilot.press("3", "4", "2", "0")  # 1.1.1 … 1.1.4, the cursor moving on after each
        assert grid.current_code() == "1.2.1"  # past the heading of activity 1.2
        await pilot.press("1")
        assert grid.current_code() == "1.2.2"
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, CommentScreen))
        await pilot.press(*"Bœuf et œuvre : très bien")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is grid)
        assert "✎ « Bœuf et œuvre : très bien »" in text_of(grid, "#grid-detail")
        await pilot.press("d")
        date_input = grid.query_one("#grid-date", Input)
        assert app.focused is date_input and date_input.value == "28/11/2026"  # today by default
        date_input.value = ""
        await pilot.press(*"19/12/2025", "enter")
        assert app.focused is grid.query_one("#grid")
        assert "● non enregistré" in text_of(grid, "#grid-count")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "✓ enregistrée" in text_of(grid, "#grid-count"))

        stored = sheet(repo, "p0")
        assert {code: v[0] for code, v in stored.items()} == {
            "1.1.1": 3, "1.1.2": 4, "1.1.3": 2, "1.2.1": 1, "1.2.2": None}  # 0 stores nothing
        assert stored["1.2.2"][1] == "Bœuf et œuvre : très bien"
        assert {(v[2], v[3]) for v in stored.values()} == {("tutor", P0_END)}

        await pilot.press("escape")  # saved: no question
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        assert "✓ 4/37 compétences, tuteur, 19/12/2025" in text_of(app.screen, "#placement-detail")
        await pilot.press("g")  # reopened: shown back
        await settle(pilot, lambda: isinstance(app.screen, AssessmentScreen))
        again = app.screen
        assert [level_cell(again, c) for c in ("1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.2.1")] == [
            "3 A", "4 M", "2 ECA", "—", "1 NA"]
        assert again.query_one("#grid").get_cell("1.2.2", "mark").plain == "✎"
        assert again.query_one("#grid-date", Input).value == "19/12/2025"
        assert "4/37 évaluées" in text_of(again, "#grid-count")


async def test_the_last_competence_keeps_the_cursor_and_teacher_is_stored(repo, tmp_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = await open_grid(pilot, "s1", "p1")
        table = grid.query_one("#grid", DataTable)
        await pilot.press("ctrl+end")  # the table's own key: the last row
        assert grid.current_code() == "3.3.4"
        await pilot.press("4")
        assert grid.current_code() == "3.3.4" and level_cell(grid, "3.3.4") == "4 M"
        await pilot.press("up")
        assert grid.current_code() == "3.3.3"
        await pilot.press("ctrl+home")
        assert grid.current_code() == "1.1.1" and table.cursor_row == 2
        await pilot.press("t")
        assert str(grid.query_one("#grid-assessor").label) == "enseignant"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "✓ enregistrée" in text_of(grid, "#grid-count"))
        assert sheet(repo, "p1") == {"3.3.4": (4, None, "teacher", TODAY)}


async def test_a_bad_date_is_refused_and_nothing_is_written(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = await open_grid(pilot, "s1", "p0")
        await pilot.press("3")
        grid.query_one("#grid-date", Input).value = "31/02/2026"
        before = store_bytes(db_path.parent)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "✗ Date de l'évaluation : date invalide « 31/02/2026 »" in text_of(grid, "#grid-error")
        assert app.focused is grid.query_one("#grid-date")
        assert store_bytes(db_path.parent) == before


async def test_leaving_unsaved_work_asks_first(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = await open_grid(pilot, "s1", "p0")
        await pilot.press("2", "3")
        before = store_bytes(db_path.parent)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "2 changements non enregistrés" in text_of(app.screen, "#confirm-message")
        await pilot.press("n")  # keep keying
        await settle(pilot, lambda: app.screen is grid)
        assert level_cell(grid, "1.1.2") == "3 A"
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("o")  # give it up
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        assert store_bytes(db_path.parent) == before
        assert sheet(repo, "p0") == {}


async def test_quitting_or_going_home_from_an_unsaved_grid_asks_first(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = await open_grid(pilot, "s1", "p0")
        await pilot.press("3")
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # keep keying: the app is still there
        await settle(pilot, lambda: app.screen is grid)
        app.action_dashboard()  # what the palette's « Tableau de bord » does
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("o")
        await settle(pilot, lambda: len(app.screen_stack) == 2)
        assert sheet(repo, "p0") == {}


async def test_a_conflicting_save_is_refused_and_nothing_is_overwritten(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = await open_grid(pilot, "s1", "p0")
        await pilot.press("1", "1")
        # Meanwhile another session saves the same grid (same session: tutor, today).
        other = Repository(Store(db_path))
        _, rev = load_grid(other, "p0", assessor="tutor", on=TODAY)
        save_grid(other, "p0", {"1.1.1": 4, "2.1.1": 3}, {}, None, "tutor", TODAY, rev)
        theirs = sheet(other, "p0")
        before = store_bytes(db_path.parent)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, GridConflictScreen))
        dialog = app.screen
        assert "rien n'a été écrasé" in text_of(dialog, "#conflict-message")
        rows = dialog.query_one(DataTable)
        shown = {rows.get_row_at(i)[0].plain: (rows.get_row_at(i)[1].plain, rows.get_row_at(i)[2].plain)
                 for i in range(rows.row_count)}
        assert shown == {"1.1.1": ("1 non acquis", "4 maîtrisé"), "1.1.2": ("1 non acquis", "non évalué"),
                         "2.1.1": ("non évalué", "3 acquis")}
        assert store_bytes(db_path.parent) == before and sheet(repo, "p0") == theirs

        await pilot.press("escape")  # back to my grid (issue 12): mine, their 2.1.1 merged in, no longer refused
        await settle(pilot, lambda: app.screen is grid)
        assert level_cell(grid, "1.1.1") == "1 NA" and level_cell(grid, "2.1.1") == "3 A"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "✓ enregistrée" in text_of(grid, "#grid-count"))
        assert {c: v[0] for c, v in sheet(repo, "p0").items()} == {"1.1.1": 1, "1.1.2": 1, "2.1.1": 3}

        def their_save(code: str, level: int) -> None:
            state, rev = load_grid(other, "p0", assessor="tutor", on=TODAY)
            save_grid(other, "p0", {**state.levels, code: level}, state.comments, None, "tutor", TODAY, rev)

        # They change a competence I did not touch: merged and saved at once, and said.
        assert grid.current_code() == "1.1.3"
        await pilot.press("4")
        their_save("2.1.1", 2)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "✓ enregistrée" in text_of(grid, "#grid-count") and not grid.dirty)
        assert {c: v[0] for c, v in sheet(repo, "p0").items()} == {"1.1.1": 1, "1.1.2": 1, "1.1.3": 4, "2.1.1": 2}
        assert any("Une autre session avait évalué : 2.1.1" in n.message for n in app._notifications)

        # The same competence on both sides: asked; taking theirs drops mine.
        assert grid.current_code() == "1.1.4"
        their_save("1.1.4", 1)
        await pilot.press("3")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, GridConflictScreen))
        app.screen.query_one("#theirs").press()  # take the stored version
        await settle(pilot, lambda: app.screen is grid)
        assert level_cell(grid, "1.1.4") == "1 NA" and not grid.dirty


async def test_a_second_evaluation_is_kept_beside_the_first(repo, tmp_path):
    save_grid(repo, "p0", {"1.1.1": 2, "1.1.2": 2}, {}, None, "tutor", P0_END, 0)
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = await open_grid(pilot, "s1", "p0")
        assert level_cell(grid, "1.1.1") == "2 ECA"  # the stored one opens
        await pilot.press("n")  # a new one, dated today, e.g. the teacher's visit
        assert grid.grid.is_new and level_cell(grid, "1.1.1") == "—"
        assert "1 autre (v)" in text_of(grid, "#grid-count")
        await pilot.press("t", "4")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "✓ enregistrée" in text_of(grid, "#grid-count"))
        items, _ = repo.sheet("p0")
        assert sorted((a.assessor, a.date, a.competence, a.level) for a in items) == [
            ("teacher", TODAY, "1.1.1", 4), ("tutor", P0_END, "1.1.1", 2), ("tutor", P0_END, "1.1.2", 2)]
        assert "éval. 1/2 (v)" in text_of(grid, "#grid-count")
        await pilot.press("v")  # the other one
        assert (grid.assessor, grid.grid.on) == ("tutor", P0_END) and level_cell(grid, "1.1.2") == "2 ECA"
        assert "éval. 2/2 (v)" in text_of(grid, "#grid-count")


async def test_a_grid_left_untouched_follows_another_session(repo, tmp_path, db_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = await open_grid(pilot, "s1", "p0")
        other = Repository(Store(db_path))
        save_grid(other, "p0", {"1.1.1": 4}, {}, None, "tutor", TODAY, 0)
        await settle(pilot, lambda: level_cell(grid, "1.1.1") == "4 M")  # nothing keyed here: read again
        assert "✓ enregistrée" in text_of(grid, "#grid-count")


async def test_general_appreciation_field_follows_the_service(repo, tmp_path, monkeypatch):
    monkeypatch.setattr(assessing, "GENERAL_COMMENT_SUPPORTED", False)
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = await open_grid(pilot, "s1", "p0")
        assert not grid.query_one("#grid-general").display
        monkeypatch.setattr(assessing, "GENERAL_COMMENT_SUPPORTED", True)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, AssessmentScreen))
        assert app.screen.query_one("#grid-general").display


async def test_general_appreciation_is_stored_when_supported(repo, tmp_path):
    if not assessing.GENERAL_COMMENT_SUPPORTED:
        pytest.skip("the service does not store the general appreciation yet")
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = await open_grid(pilot, "s1", "p0")
        await pilot.press("3")
        grid.query_one("#grid-general-input", Input).value = "Stagiaire sérieuse, à encourager."
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "✓ enregistrée" in text_of(grid, "#grid-count"))
        state, _ = load_grid(repo, "p0")
        assert state.general_comment == "Stagiaire sérieuse, à encourager." and state.levels["1.1.1"] == 3


# -- progress ------------------------------------------------------------------------------------------
async def test_progress_shows_each_period_and_the_bloc_coverage(repo, tmp_path):
    rev = save_grid(repo, "p0", {"1.1.1": 2, "1.1.2": 3, "2.1.1": 1}, {"2.1.1": "À revoir"}, None,
                    "tutor", P0_END, 0)
    save_grid(repo, "p1", {"1.1.1": 4, "3.1.1": 3}, {}, None, "tutor", date(2026, 10, 30), 0)
    assert rev == 1
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_file_on(pilot, "s1", "p0")
        await pilot.press("p")
        await settle(pilot, lambda: isinstance(app.screen, ProgressScreen))
        screen = app.screen
        table = screen.query_one("#progress", DataTable)
        assert [c.value for c in table.columns][2:] == ["p0", "p1", "p2"]  # one column per period
        assert [str(c.label) for c in table.columns.values()][2:] == ["09/25", "10/26", "01/27"]

        def cells(code: str) -> list[str]:
            return [table.get_cell(code, pid).plain for pid in ("p0", "p1", "p2")]

        assert cells("1.1.1") == ["ECA", "M", "—"]
        assert cells("1.1.2") == ["A", "—", "—"]
        assert cells("2.1.1") == ["NA*", "—", "—"]  # * : a comment
        assert cells("3.1.1") == ["—", "A", "—"]
        coverage = text_of(screen, "#progress-coverage").splitlines()
        assert " 2/12 évaluées ·  2 acquises ou maîtrisées" in coverage[0]  # 1.1.1 latest M, 1.1.2 A
        assert " 1/13 évaluées ·  0 acquises" in coverage[1]
        assert " 1/12 évaluées ·  1 acquises" in coverage[2]
        # The cursor starts on the latest period; the cell says who, when.
        assert screen.selected() == ("1.1.1", "p2")
        table.move_cursor(row=table.get_row_index("2.1.1"), column=2)
        await pilot.pause()
        assert "NA non acquis (tuteur, 19/12/2025) « À revoir »" in text_of(screen, "#progress-detail")
        await pilot.press("enter")  # the grid of that period, on that competence
        await settle(pilot, lambda: isinstance(app.screen, AssessmentScreen))
        assert app.screen.placement_id == "p0" and app.screen.current_code() == "2.1.1"
        await pilot.press("4", "ctrl+s")
        await settle(pilot, lambda: "✓ enregistrée" in text_of(app.screen, "#grid-count"))
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen and table.get_cell("2.1.1", "p0").plain == "M*")


async def test_cohort_competences_never_assessed(repo, tmp_path):
    save_grid(repo, "p0", {c.code: 3 for c in COMPETENCES if c.bloc != 2}, {}, None, "tutor", P0_END, 0)
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [t for t, _, _ in palette_commands(app, app.screen)]
        assert "Compétences jamais évaluées · Tle AGOrA 2027" in titles
        await pilot.press("c")  # the cohorts list, then « v » on the cohort under the cursor
        await settle(pilot, lambda: isinstance(app.screen, RecordsScreen))
        table = app.screen.query_one("#records", DataTable)
        table.move_cursor(row=table.get_row_index("c1"))
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, CohortCompetencesScreen))
        screen = app.screen
        grid = screen.query_one("#cohort-comp", DataTable)
        shown = [k.value for k in grid.rows if k.value[0].isdigit()]
        assert shown == [c.code for c in COMPETENCES if c.bloc == 2]  # bloc 2 only: never assessed
        assert "! 13 compétences jamais évaluées" in text_of(screen, "#cohort-comp-head")
        await pilot.press("j")  # all 37, with how many learners were assessed
        assert len([k for k in grid.rows if k.value[0].isdigit()]) == 37
        assert grid.get_cell("1.1.1", "count").plain == "1/2" and grid.get_cell("2.2.1", "count").plain == "✗ 0/2"


async def test_the_cohorts_key_is_not_offered_on_organisations(repo, tmp_path):
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, RecordsScreen))
        assert "v" not in app.screen.active_bindings
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, RecordsScreen)


# -- Mes élèves --------------------------------------------------------------------------------------
async def test_my_students_lists_what_is_waiting_and_opens_it(repo, tmp_path):
    save_grid(repo, "p1", {"1.1.1": 3}, {}, None, "tutor", date(2026, 10, 30), 0)  # p1: assessed (R12 ok)
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, MyStudentsScreen) and app.screen.loaded)
        screen = app.screen
        table = screen.query_one("#mine-list", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert [(r[0].plain, r[2].plain, r[3].plain) for r in rows] == [
            ("MARTIN Zoé", "! évaluation R12", "01/09/25→19/12/25"),
            ("", "✗ attestation R11", "05/10/26→30/10/26"),
        ]
        assert "1 élève suivi · 2 documents en attente" in text_of(screen, "#mine-summary")  # login: in the header
        await pilot.press("enter")  # the assessment waiting: its grid
        await settle(pilot, lambda: isinstance(app.screen, AssessmentScreen))
        assert app.screen.placement_id == "p0"
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        await pilot.press("down", "enter")  # the attestation waiting: the file, on that placement
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await pilot.pause()
        assert app.screen.selected_placement().id == "p1"


async def test_my_students_for_a_demo_teacher_puts_waiting_first(tmp_path, db_path):
    repo = Repository(Store(db_path))
    data = build_demo(90, 1, today=TODAY)
    repo.add_all(data, replace=True)
    login = "sperrin"
    expected = waiting_for(login, data, TODAY)
    assert any(f.waiting for f in expected) and any(not f.waiting for f in expected)
    app = make_app(repo, tmp_path, user=login)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_my_students()
        await settle(pilot, lambda: isinstance(app.screen, MyStudentsScreen) and app.screen.loaded)
        screen = app.screen
        rows = list(screen.rows.values())
        flagged = [(r.student_id, r.placement_id, r.flag.code) for r in rows if r.flag is not None]
        assert flagged == [(f.student.id, w.placement_id, w.code) for f in expected for w in f.waiting]
        # Documents waiting (R11, R12) or visits to plan / to do (issue 15) first, nothing waiting after.
        visits = {t.placement.student_id for t in teacher_visits(data, login, TODAY)}
        busy = [r for r in rows if r.flag is not None or r.visit is not None]
        assert rows[:len(busy)] == busy
        assert {r.student_id for r in rows[len(busy):]} == {f.student.id for f in expected
                                                           if not f.waiting and f.student.id not in visits}
        assert f"{len(expected)} élèves suivis" in text_of(screen, "#mine-summary")


async def test_my_students_of_an_unknown_login_says_so(repo, tmp_path):
    app = make_app(repo, tmp_path, user="inconnu")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_my_students()
        await settle(pilot, lambda: isinstance(app.screen, MyStudentsScreen) and app.screen.loaded)
        assert "Aucun élève suivi par « inconnu »" in text_of(app.screen, "#mine-summary")
        screen = app.screen
        screen.query_one("#mine-teacher").value = "mdurand"  # another teacher's learners
        await settle(pilot, lambda: screen.loaded and screen.query_one("#mine-list", DataTable).row_count == 3)


# -- papers ------------------------------------------------------------------------------------------
def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


async def test_papers_are_written_under_exports(repo, tmp_path):
    save_grid(repo, "p0", {"1.1.1": 3}, {"1.1.1": "Très bon accueil"}, None, "tutor", P0_END, 0)
    exports = tmp_path / "exports"
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        file = await open_file_on(pilot, "s1", "p0")
        titles = [t for t, _, _ in palette_commands(app, file)]
        assert {"Attestation PDF du stage choisi", "Document de liaison PDF", "Évaluer le stage choisi",
                "Progression de l'élève"} <= set(titles)
        await pilot.press("t")
        await wait_for(pilot, lambda: exports.is_dir() and len(list(exports.glob("attestation_*.pdf"))) == 1)
        await pilot.press("l")
        await wait_for(pilot, lambda: len(list(exports.glob("liaison_*.pdf"))) == 1)
        await app.workers.wait_for_complete()
        messages = [n.message for n in app._notifications]
    attestation = next(exports.glob("attestation_*.pdf"))
    liaison = next(exports.glob("liaison_*.pdf"))
    assert any(str(attestation.resolve()) in m for m in messages)  # the notification says where
    text = pdf_text(attestation)
    assert "Zoé" in text and "MARTIN" in text.upper() and "Mairie de Lyon" in text and "01/09/2025" in text
    text = pdf_text(liaison)
    assert "Zoé" in text and "Identifier les caractéristiques" in text and "Très bon accueil" in text
