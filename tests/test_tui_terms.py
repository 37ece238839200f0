"""Issue 15 §1 in the TUI: the conditions of a placement's convention (hours, night work,
the competences targeted among the 37, activities, gratification, travel, meals,
insurance), from the file (« c ») and the placing screen; read back from the store.
A minor's hours beyond the Code du travail are refused naming the field, nothing saved."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable, Input, Static

from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.domain.model import PlacementTerms
from pfmp_tui.services import convention_terms
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.app import PfmpApp
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.dialogs import ConfirmScreen, ConflictScreen
from pfmp_tui.tui.screens.forms import FormScreen
from pfmp_tui.tui.widgets.checklist import CheckList
from tests.conftest import minimal_document
from tests.test_tui_key_burst import burst, drained
from tests.tui_support import settle

TODAY = date(2026, 1, 12)


def _repo(db_path: Path, birth_date: str = "2009-03-02") -> Repository:
    doc = minimal_document()
    doc["students"][0]["birth_date"] = birth_date  # 16 when p1 starts (05/01/2026): a minor
    repo = Repository(Store(db_path))
    repo.add_all(parse_document(doc), replace=True)
    return repo


def _app(repo: Repository, tmp_path: Path, poll: float = 0) -> PfmpApp:
    return PfmpApp(repo, today=TODAY, user="mdurand", exports_dir=tmp_path / "exports", poll_interval=poll)


async def _open_terms(pilot) -> FormScreen:
    app = pilot.app
    await settle(pilot)
    app.open_candidate("s1")
    await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
    app.screen.query_one("#placements", DataTable).focus()
    await pilot.press("c")
    await settle(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.form == "terms")
    return app.screen


def _terms(repo: Repository) -> PlacementTerms | None:
    return repo.dataset().placements[0].terms


def _error(form: FormScreen, key: str) -> str:
    return str(form.query_one(f"#err-fld-{key.replace('.', '__')}", Static).render())


async def test_terms_typed_in_a_burst_are_saved(tmp_path, db_path):
    repo = _repo(db_path, birth_date="2000-01-01")  # an adult: night work allowed
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _open_terms(pilot)
        assert "Cœurdacier" in str(form.query_one(".dialog-subtitle").render()).title()
        # Everything at once, no pause between keys (as over SSH): hours with a comma,
        # schedule, night work, two competences ticked in the list, the texts.
        burst(app, "7", ",", "5", "tab", "3", "7", ",", "5", "tab", *"9h-17h", "tab", "space", "tab",
              "space", "down", "down", "space", "end", "space", "tab", *"Accueil", "tab", *"400 euros",
              "tab", *"Pass Navigo", "tab", *"Cantine", "tab", *"MAIF 123")
        await drained(pilot)
        checklist = form.query_one(CheckList)
        assert checklist.value == ("1.1.1", "1.1.3", "3.3.4")
        assert str(checklist.get_option("1.1.1").prompt).startswith("☑ 1.1.1")  # not by colour alone
        assert str(checklist.get_option("1.1.2").prompt).startswith("☐ 1.1.2")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, FormScreen))
    assert _terms(repo) == PlacementTerms(
        daily_hours=7.5, weekly_hours=37.5, schedule="9h-17h", night_work=True,
        competences=("1.1.1", "1.1.3", "3.3.4"), activities="Accueil", gratification="400 euros",
        travel="Pass Navigo", meals="Cantine", insurance="MAIF 123")
    # The command line reads the same terms back.
    assert "heures par jour      : 7,5 h" in convention_terms.describe_terms(repo.dataset().placements[0])


async def test_a_minors_hours_and_night_work_are_refused_naming_the_field(tmp_path, db_path):
    repo = _repo(db_path)
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _open_terms(pilot)
        assert "mineur(e) (16 ans) : 8 h par jour, 35 h par semaine au plus, pas de nuit" in str(
            form.query_one(".dialog-subtitle").render())
        await pilot.press("9", "tab", "4", "0", "tab", "tab", "space", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)  # refused: still open, the typing kept
        assert "9 h par jour dépassent les 8 h autorisées (Code du travail L. 3162-1)" in _error(form, "terms.daily_hours")
        assert "40 h par semaine dépassent les 35 h" in _error(form, "terms.weekly_hours")
        assert "le travail de nuit (22 h – 6 h) est interdit" in _error(form, "terms.night_work")
        assert form.query_one("#fld-terms__daily_hours", Input).value == "9"
        assert _terms(repo) is None  # nothing changed
        # Within the limits: saved.
        form.query_one("#fld-terms__daily_hours", Input).focus()
        await pilot.press("ctrl+u", "8", "tab", "ctrl+u", "3", "5", "tab", "tab", "space", "ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, FormScreen))
    assert _terms(repo) == PlacementTerms(daily_hours=8, weekly_hours=35)


async def test_unsaved_terms_ask_before_leaving(tmp_path, db_path):
    repo = _repo(db_path)
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _open_terms(pilot)
        form.query_one(CheckList).focus()
        await pilot.press("space", "escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Compétences visées" in str(app.screen.query_one("#confirm-message").render())
        await pilot.press("n")  # « Continuer la saisie »
        await settle(pilot, lambda: app.screen is form)
        assert form.query_one(CheckList).value == ("1.1.1",)
        await pilot.press("escape", "o")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
    assert _terms(repo) is None


async def test_another_session_changes_the_terms_meanwhile(tmp_path, db_path):
    repo = _repo(db_path)
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _open_terms(pilot)
        await pilot.press("7", "tab", "tab", *"9h-12h")
        # Another session saves other terms of the same placement (pfmp terms).
        convention_terms.set_terms(repo, "p1", {"gratification": "aucune", "schedule": "8h-16h"})
        await pilot.press("ctrl+s")
        # Schedule changed by both: the person chooses; gratification (theirs only) is kept.
        await settle(pilot, lambda: isinstance(app.screen, ConflictScreen))
        shown = "\n".join(str(c) for t in app.screen.query(DataTable) for i in range(t.row_count)
                          for c in t.get_row_at(i))
        assert "Horaires" in shown and "8h-16h" in shown and "9h-12h" in shown
        app.screen.dismiss({"terms.schedule": "mine"})
        await settle(pilot, lambda: not isinstance(app.screen, (FormScreen, ConflictScreen)))
    assert _terms(repo) == PlacementTerms(daily_hours=7, schedule="9h-12h", gratification="aucune")


async def test_from_the_placing_screen_and_its_conventions_show_progress(tmp_path, db_path):
    from pfmp_tui.tui.screens.placing import PlacingScreen
    from pfmp_tui.tui.targets import Placing

    repo = _repo(db_path)
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_target(Placing("pe1"))
        await settle(pilot, lambda: isinstance(app.screen, PlacingScreen))
        placing = app.screen
        table = placing.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("s1"))
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.form == "terms")
        await pilot.press("7", "ctrl+s")
        await settle(pilot, lambda: app.screen is placing)
        assert _terms(repo) == PlacementTerms(daily_hours=7)
        # « Conventions DOCX de toute la période »: in a worker, its progress in the summary.
        seen: list[str] = []
        shown = placing._conventions_progress
        placing._conventions_progress = lambda text: (seen.append(text), shown(text))
        placing.action_conventions()
        await app.workers.wait_for_complete()
        await settle(pilot, lambda: seen and seen[-1] == "")
        # The app re-read the store: the screens know the convention was generated (no poll here).
        await settle(pilot, lambda: app.state.get("placements", "p1").convention.generated_on == TODAY)
    assert seen == ["Conventions : 1/1 remplies, écriture des fichiers…", ""]
    assert len(list((tmp_path / "exports").glob("convention_*.docx"))) == 1


def test_terms_form_at_80x24(snap_compare, tmp_path, db_path):
    repo = _repo(db_path)
    convention_terms.set_terms(repo, "p1", {"daily_hours": 7, "weekly_hours": 35, "schedule": "9 h–12 h, 13 h–16 h",
                                            "competences": ["1.1.2", "2.1.1"], "gratification": "aucune"})

    async def run_before(pilot) -> None:
        await _open_terms(pilot)

    assert snap_compare(_app(repo, tmp_path), terminal_size=(80, 24), run_before=run_before)


async def test_only_coordination_changes_the_terms(tmp_path, db_path, monkeypatch):
    from pfmp_tui.store import audit

    repo = _repo(db_path)
    with repo.store.write() as tx:
        tx.users = {"cmartin": "coordination", "mdurand": "professeur"}
    monkeypatch.setattr(audit, "current_login", lambda: "mdurand")
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s1")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        assert app.screen.check_action("terms", ()) is False  # « c » hidden for a professeur
        # Reached anyway (a keymap, a script): the store refuses, the form says why.
        student = app.state.get("students", "s1")
        app.open_form("terms", record_id="p1", context={"student": student})
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("7", "ctrl+s")
        await settle(pilot)
        assert "coordination" in str(app.screen.query_one("#form-error", Static).render())
    assert _terms(repo) is None


async def test_from_the_timeline(tmp_path, db_path):
    from pfmp_tui.tui.screens.timeline import TimelineScreen
    from pfmp_tui.tui.targets import Timeline

    repo = _repo(db_path)
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_target(Timeline("c1"))
        await settle(pilot, lambda: isinstance(app.screen, TimelineScreen))
        screen = app.screen
        await pilot.press("home")  # the start of the cycle, then week by week to p1 (05/01/2026)
        await settle(pilot)
        for _ in range(120):
            cell = screen.timeline.current_cell
            if cell is not None and cell.placement.id == "p1":
                break
            await pilot.press("right")
        assert screen.timeline.current_cell.placement.id == "p1"
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.form == "terms")
        await pilot.press("8", "ctrl+s")
        await settle(pilot, lambda: app.screen is screen)
    assert _terms(repo) == PlacementTerms(daily_hours=8)
