"""The learner's fiche is kept mounted and shown again for the next learner, its widgets
updated in place after a save, and its footer rebuilt only when its keys change (issue
13). Each of these must look and behave exactly like a fiche just built."""

from __future__ import annotations

from contextlib import asynccontextmanager

from pfmp_tui.services import editing
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.dashboard import DashboardScreen
from pfmp_tui.tui.widgets.steady_footer import SteadyFooter
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input
from textual.widgets._footer import FooterKey

from tests.tui_support import TODAY, demo_repo, make_app, settle


def two_learners(state):
    """Two learners with several placements each, one with an ended placement to attest."""
    many = [s for s in state.data.students if len(state.placements_by_student.get(s.id, [])) >= 2]
    first = next(s for s in many if any(p.attestation is None and p.end < TODAY
                                        for p in state.placements_by_student[s.id]))
    second = next(s for s in many if s.id != first.id and s.cohort_id != first.cohort_id)
    return first, second


async def fiche_of(app, pilot, student_id: str) -> CandidateScreen:
    app.open_candidate(student_id)
    await settle(pilot, lambda: isinstance(app.screen, CandidateScreen) and app.screen.student_id == student_id)
    return app.screen


@asynccontextmanager
async def demo_app(tmp_path):
    """The app on the demo school at 80×24, settled: (app, pilot, repo, first, second learner)."""
    repo = demo_repo(tmp_path / "db" / "pfmp.json")
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        yield (app, pilot, repo, *two_learners(app.state))


async def fresh_screenshot(repo, tmp_path, student_id: str) -> str:
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await fiche_of(app, pilot, student_id)
        return app.export_screenshot()


async def test_the_fiche_shown_again_for_another_learner_is_what_a_new_one_shows(tmp_path):
    async with demo_app(tmp_path) as (app, pilot, repo, first, second):
        kept = await fiche_of(app, pilot, first.id)
        await pilot.press("down")  # the second placement, the file scrolled to it
        kept.query_one("#file").scroll_end(animate=False)
        await pilot.pause()
        assert kept.query_one("#placements", DataTable).cursor_row == 1
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        again = await fiche_of(app, pilot, second.id)
        assert again is kept  # the same screen, not composed again
        reused = app.export_screenshot()
        assert f"Fiche de {second.full_name}" in reused.replace("&#160;", " ")
    assert reused == await fresh_screenshot(repo, tmp_path, second.id)


async def test_a_fiche_asked_for_while_the_kept_one_is_open_is_a_new_screen(tmp_path):
    async with demo_app(tmp_path) as (app, pilot, repo, first, second):
        kept = await fiche_of(app, pilot, first.id)
        other = await fiche_of(app, pilot, second.id)  # e.g. from the palette, over the first
        assert other is not kept and kept in app.screen_stack
        app.pop_screen()
        await settle(pilot, lambda: app.screen is kept)
        assert kept.student_id == first.id and f"Fiche de {first.full_name}" == kept.sub_title


async def test_a_save_updates_the_fiche_in_place_as_a_new_fiche_would_show_it(tmp_path):
    async with demo_app(tmp_path) as (app, pilot, repo, first, _):
        screen = await fiche_of(app, pilot, first.id)
        table = screen.query_one("#placements", DataTable)
        ended = next(p for p in app.state.placements_by_student[first.id] if p.attestation is None and p.end < TODAY)
        table.move_cursor(row=table.get_row_index(ended.id))
        rows = dict(table.rows)
        identity = screen.query_one("#identity").content
        base, rev = repo.get("placements", ended.id)
        values = {**editing.attestation_defaults(base, TODAY), "attestation.signed_by_tutor": False}
        app._saved(editing.save(repo, "attestation", values, base=base, rev=rev))
        await settle(pilot, lambda: app.state.get("placements", ended.id).attestation is not None)
        app.clear_notifications()
        await pilot.pause()
        assert dict(table.rows) == rows and all(table.rows[k] is rows[k] for k in rows)  # not rebuilt
        assert screen.query_one("#identity").content is identity  # unchanged text: not laid out again
        assert "! non signée" in str(table.get_row(ended.id)[-1])
        assert table.cursor_row == table.get_row_index(ended.id)
        shown = app.export_screenshot()
    # the same file, built from scratch on the saved store, with its cursor on that placement
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await fiche_of(app, pilot, first.id)
        table = screen.query_one("#placements", DataTable)
        table.move_cursor(row=table.get_row_index(ended.id))
        await pilot.pause()
        assert app.export_screenshot() == shown


class Keys(Screen):
    BINDINGS = [Binding("f2", "first", "Premier"), Binding("f3", "second", "Second"), Binding("f4", "third", "Caché")]
    hide_third = True

    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield Input(id="two")
        yield self.footer

    def check_action(self, action: str, parameters) -> bool | None:
        return not (action == "third" and self.hide_third)

    def action_first(self) -> None: ...
    def action_second(self) -> None: ...
    def action_third(self) -> None: ...


class FooterApp(App):
    def __init__(self, footer: Footer) -> None:
        super().__init__()
        self.footer = footer

    def on_mount(self) -> None:
        screen = Keys()
        screen.footer = self.footer
        self.push_screen(screen)


def keys_shown(footer: Footer) -> list[tuple[str, str]]:
    return [(k.key, k.description) for k in footer.query(FooterKey)]


async def test_the_steady_footer_keeps_its_keys_until_they_change_and_shows_what_a_footer_shows():
    shown = {}
    for kind in (Footer, SteadyFooter):
        app = FooterApp(kind())
        async with app.run_test(size=(80, 10)) as pilot:
            await pilot.pause()
            footer = app.screen.query_one(Footer)
            before = list(footer.query(FooterKey))
            app.screen.query_one("#two").focus()  # the same keys
            await pilot.pause()
            same = list(footer.query(FooterKey))
            if kind is SteadyFooter:
                assert same == before and all(a is b for a, b in zip(same, before))  # not rebuilt
            app.screen.hide_third = False
            app.screen.refresh_bindings()  # one more key
            await pilot.pause()
            shown[kind] = (keys_shown(footer), app.export_screenshot())
            assert ("f4", "Caché") in shown[kind][0] and ("f2", "Premier") in shown[kind][0]
    assert shown[Footer] == shown[SteadyFooter]
