"""Snapshots at 80×24 of the visits dialogs and the placements list (issue 15 §3).

Deterministic: the demo school of seed 1 built for 28/11/2026, `today` pinned, no
store polling. Regenerate with ``pytest tests/test_tui_snapshots_visits.py --snapshot-update``
and look at the SVGs under ``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input

from pfmp_tui.tui.app import PfmpApp
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.placement_list import PlacementListScreen
from pfmp_tui.tui.screens.visits import VisitFormScreen, VisitsScreen
from tests.test_tui_snapshots import ready
from tests.tui_support import make_app

LATE = ("stu-0028", "plc-0028-3")  # mdurand's, visit v1 planned 25/11 and not done


async def _visits_of_late(pilot) -> None:
    app = pilot.app
    await ready(pilot)
    app.open_candidate(LATE[0])
    await ready(pilot, lambda: isinstance(app.screen, CandidateScreen))
    table = app.screen.query_one("#placements", DataTable)
    table.move_cursor(row=table.get_row_index(LATE[1]))
    table.focus()
    await pilot.press("v")
    await ready(pilot, lambda: isinstance(app.screen, VisitsScreen))


def test_visits_dialog(snap_compare, demo, tmp_path):
    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=_visits_of_late)


def test_plan_visit_form_with_an_error(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await _visits_of_late(pilot)
        await pilot.press("n")
        await ready(pilot, lambda: isinstance(pilot.app.screen, VisitFormScreen))
        await pilot.press(*"31/02/2026", "ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_visit_done_form(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await _visits_of_late(pilot)
        await pilot.press("enter")
        await ready(pilot, lambda: isinstance(pilot.app.screen, VisitFormScreen))
        report = pilot.app.screen.query_one("#visit-report", Input)
        report.focus()
        await pilot.press(*"Bonne intégration")

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_placements_without_visit(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        pilot.app.screen.query_one("#sig-visits").focus()
        await pilot.press("enter")
        await ready(pilot, lambda: isinstance(pilot.app.screen, PlacementListScreen))

    app = PfmpApp(demo, today=date(2026, 12, 2), user="mdurand", poll_interval=0, exports_dir=tmp_path / "exports")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
