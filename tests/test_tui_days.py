"""The TUI's days that count (issue 14): the allocation screen of a cohort with what blocks each payment
(R17), the candidate's file (absences, make-up, days per school year R1, mobility R15), the list
filter « à l'étranger ». Real app (`App.run_test`) on the demo, at 80×24."""

from __future__ import annotations

from textual.widgets import DataTable, Select, Static

from pfmp_tui.tui.screens.allocation import AllocationScreen
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.candidates import CandidatesScreen
from pfmp_tui.tui.screens.planning import CohortChoiceScreen
from tests.tui_support import make_app, settle


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_allocation_screen_per_cohort_shows_what_blocks(demo, tmp_path):
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_allocation("1re-agora-2028")
        await settle(pilot, lambda: isinstance(app.screen, AllocationScreen))
        screen = app.screen
        table = screen.query_one(DataTable)
        assert table.row_count > 0
        summary = text_of(screen, "#allocation-summary")
        assert "1re AGOrA" in summary and "bloquée(s)" in summary and "€" in summary
        # Walk to a blocked row: the detail says why, in words (not colour alone).
        blocked = [i for i, r in enumerate(screen.rows.values()) if r.line.blocked_by]
        assert blocked
        table.move_cursor(row=blocked[0])
        await pilot.pause()
        detail = text_of(screen, "#allocation-detail")
        assert "✗ bloqué" in detail
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, AllocationScreen))
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, AllocationScreen))


async def test_dashboard_key_asks_which_cohort(demo, tmp_path):
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")  # the focused figure's cohort, else the person chooses one
        await settle(pilot, lambda: isinstance(app.screen, (CohortChoiceScreen, AllocationScreen)))
        if isinstance(app.screen, CohortChoiceScreen):
            await pilot.press("enter")
            await settle(pilot, lambda: isinstance(app.screen, AllocationScreen))
        assert app.screen.query_one(DataTable).row_count > 0


async def test_candidate_file_shows_absences_makeup_and_days_per_year(demo, tmp_path):
    makeup = next(p for p in demo.dataset().placements if p.makes_up)
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate(makeup.student_id)
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        days = text_of(app.screen, "#days")
        assert "Par année scolaire (R1)" in days
        assert "Absences (R18)" in days and "rattrapage prévu" in days
        assert "↺ rattrapage du" in days
        assert "Allocation PFMP (R17)" in days


async def test_list_filter_abroad(demo, tmp_path):
    data = demo.dataset()
    foreign = {o.id for o in data.organisations if o.country != "FR"}
    abroad = {p.student_id for p in data.placements if p.organisation_id in foreign}
    assert abroad
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen))
        app.screen.query_one("#f-special", Select).value = "abroad"
        await settle(pilot, lambda: app.screen.query_one("#candidates", DataTable).row_count == len(abroad))
        shown = {k.value for k in app.screen.query_one("#candidates", DataTable).rows}
        assert shown == abroad
