"""The small things users hit (issue 12): a tutor created from the placement dialog, the theme
remembered, ^p once in the help, French everywhere (Textual's own footer texts too), the file
opening at its top at 80×24."""

from __future__ import annotations

import json

from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Select, Static
from textual.widgets._select import SelectOverlay

from pfmp_tui.domain.model import Dataset
from pfmp_tui.tui import textual_french
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.candidates import CandidatesScreen
from pfmp_tui.tui.screens.dialogs import HelpScreen
from pfmp_tui.tui.screens.forms import FormScreen, widget_id
from pfmp_tui.tui.screens.placing import AssignScreen, PlacingScreen
from pfmp_tui.tui.screens.planning import PeriodsScreen
from pfmp_tui.tui.settings import settings_path
from tests.test_tui_planning import MARCH, NEW, repo, rows  # noqa: F401  (the fixture `repo`)
from tests.tui_support import make_app, settle


async def test_a_tutor_is_created_from_the_placement_dialog_and_chosen(repo, tmp_path):  # noqa: F811
    repo.add_all(Dataset(periods=[MARCH]))
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_periods(NEW)
        await settle(pilot, lambda: isinstance(app.screen, PeriodsScreen) and rows(app.screen, "#periods"))
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, PlacingScreen))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, AssignScreen))
        assign = app.screen
        await pilot.press(*"mairie chateaugiron")
        await pilot.press("enter")
        await pilot.pause()
        assert assign.organisation_id is not None and app.focused.id == "tutor-search"
        await pilot.press(*"Claire Dubois")
        await pilot.press("ctrl+n")  # from the tutors' search: a new tutor, not a new organisation
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert form.form == "tutors"
        assert form.query_one(f"#{widget_id('organisation_id')}", Select).value == assign.organisation_id
        assert form.query_one(f"#{widget_id('first_name')}", Input).value == "Claire"
        assert form.query_one(f"#{widget_id('last_name')}", Input).value == "Dubois"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is assign and assign.tutor_id is not None)
        tutor = app.state.get("tutors", assign.tutor_id)
        assert (tutor.first_name, tutor.last_name, tutor.organisation_id) == ("Claire", "Dubois", assign.organisation_id)
        assert "Claire Dubois" in str(assign.query_one("#org-chosen", Static).render())

        # From the organisations' search, ^n still creates the organisation, with what was typed.
        assign.query_one("#org-search", Input).focus()
        assign.query_one("#org-search", Input).value = "Boulangerie Martin"
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.form == "organisations"
        assert app.screen.query_one(f"#{widget_id('name')}", Input).value == "Boulangerie Martin"


async def test_the_theme_is_remembered(repo, tmp_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "textual-light"
    assert json.loads(settings_path().read_text(encoding="utf-8")) == {"theme": "textual-light"}
    assert settings_path().stat().st_mode & 0o077 == 0  # the user's file only
    again = make_app(repo, tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "textual-light"


async def test_help_lists_ctrl_p_once(repo, tmp_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert text.count("^p") == 1, text


async def test_textual_s_own_footer_texts_are_french(repo, tmp_path):  # noqa: F811
    assert textual_french.description(SelectOverlay, "dismiss") == "Fermer la liste"
    assert textual_french.description(CommandPalette, "escape") == "Fermer le menu"
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidates()
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen))
        app.screen.query_one("#f-status", Select).focus()
        await pilot.press("enter")  # the select's list opens: its key shows in the footer
        await pilot.pause(0.2)
        shown = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert "Fermer la liste" in shown and "Dismiss menu" not in shown


async def test_the_file_opens_at_its_top_at_80x24(repo, tmp_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # The learner whose file is longest (most alerts and placements): its top would scroll away.
        student = max(app.state.data.students,
                      key=lambda s: (len(app.state.by_student[s.id].flags), len(app.state.placements_by_student.get(s.id, []))))
        app.open_candidate(student.id)
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await pilot.pause(0.2)
        file = app.screen
        assert file.query_one("#file").scroll_y == 0
        assert app.focused is file.query_one("#placements", DataTable)
        assert file.query_one("#identity").region.y >= 1 and file.query_one("#requirement").region.bottom <= 23
