"""Snapshots for issue 12: checkbox and radio states written in words (☑ oui / ☐ non, ● / ○) in
both themes, a soft check asking first, and texts cut with « … » at 60×20 and 100×30.

Regenerate with ``pytest tests/test_tui_snapshots_input.py --snapshot-update`` and read the SVGs
(text: tests/__snapshots__/test_tui_snapshots_input/) before committing them.
"""

from __future__ import annotations

from textual.widgets import DataTable

from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.candidates import CandidatesScreen
from tests.test_tui_snapshots import first_at_risk, ready, type_into
from tests.tui_support import make_app


async def open_attestation_form(pilot) -> None:
    """The attestation form of an ended placement without one (R11): pre-filled, signed ticked."""
    app = pilot.app
    await ready(pilot)
    state = app.state
    placement = next(p for p in state.data.placements if p.attestation is None and p.end < state.today
                     and state.get("students", p.student_id) is not None)
    app.open_candidate(placement.student_id)
    await ready(pilot, lambda: isinstance(app.screen, CandidateScreen))
    table = app.screen.query_one("#placements", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(placement.id))
    await pilot.press("a")
    await ready(pilot, lambda: not isinstance(app.screen, CandidateScreen))


def test_attestation_form_says_signed_in_words(snap_compare, demo, tmp_path):
    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=open_attestation_form)


def test_attestation_form_unticked_in_the_light_theme(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await open_attestation_form(pilot)
        pilot.app.theme = "textual-light"
        await pilot.press("tab", "space")  # « Signée par le tuteur » unticked: « ☐ non »
        await pilot.pause()

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_a_name_like_a_date_asks_first(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        pilot.app.open_candidate(first_at_risk(pilot.app))
        await ready(pilot)
        await pilot.press("e")
        await ready(pilot)
        await type_into(pilot, "last_name", "12/03/2008")  # a name that looks like a date
        await pilot.press("ctrl+s")  # asks first (soft check)
        await pilot.pause()

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_dashboard_at_60x20(snap_compare, demo, tmp_path):
    assert snap_compare(make_app(demo, tmp_path), terminal_size=(60, 20), run_before=ready)


def test_candidates_at_60x20(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("l")
        await ready(pilot, lambda: isinstance(pilot.app.screen, CandidatesScreen))

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(60, 20), run_before=run_before)


def test_candidates_at_100x30(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("l")
        await ready(pilot, lambda: isinstance(pilot.app.screen, CandidatesScreen))

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(100, 30), run_before=run_before)


def test_candidate_file_at_100x30(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        pilot.app.open_candidate(first_at_risk(pilot.app))
        await ready(pilot)

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(100, 30), run_before=run_before)
