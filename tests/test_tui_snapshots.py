"""Snapshots of the main screens at 80×24 (what an SSH session shows) and 120×40.

Deterministic: the demo school of seed 1 built for 28/11/2026, `today` pinned, no
store polling. Regenerate with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the SVGs under ``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

import time
from dataclasses import replace

from textual.widgets import Input

from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.app import PfmpApp
from pfmp_tui.tui.screens.candidates import CandidatesScreen
from pfmp_tui.tui.screens.forms import widget_id
from tests.tui_support import make_app


async def ready(pilot, until=lambda: True) -> None:
    app = pilot.app
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        await pilot.pause(0.02)
        if app.state is None or app.loading_state:
            continue
        if isinstance(app.screen, CandidatesScreen) and not app.screen.loaded:
            continue
        if until():
            await pilot.pause()
            return
    raise AssertionError("not ready")


def first_at_risk(app: PfmpApp, cohort_id: str = "tle-agora-2027") -> str:
    """The worst candidate of the Tle cohort (the results are sorted worst first)."""
    return next(r.student_id for r in app.state.results if r.cohort_id == cohort_id and r.status == "a_risque")


async def type_into(pilot, key: str, text: str) -> None:
    widget = pilot.app.screen.query_one(f"#{widget_id(key)}", Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)


def test_dashboard(snap_compare, demo, tmp_path):
    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=ready)


def test_dashboard_wide(snap_compare, demo, tmp_path):
    assert snap_compare(make_app(demo, tmp_path), terminal_size=(120, 40), run_before=ready)


def test_candidates_list(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("l")
        await ready(pilot, lambda: isinstance(pilot.app.screen, CandidatesScreen))

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_candidates_at_risk_light_theme(snap_compare, demo, tmp_path):
    """The dashboard's « à risque » bar of the Tle cohort, on the light theme."""

    async def run_before(pilot) -> None:
        await ready(pilot)
        pilot.app.theme = "textual-light"
        pilot.app.screen.query_one("#fig-a_risque-tle-agora-2027").focus()
        await pilot.press("enter")
        await ready(pilot, lambda: isinstance(pilot.app.screen, CandidatesScreen))

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_candidate_file(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        pilot.app.open_candidate(first_at_risk(pilot.app))
        await ready(pilot)

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_candidate_file_wide(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        pilot.app.open_candidate(first_at_risk(pilot.app))
        await ready(pilot)

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(120, 40), run_before=run_before)


def test_placement_form_with_a_bad_date(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        pilot.app.open_candidate(first_at_risk(pilot.app))
        await ready(pilot)
        await pilot.press("s")
        await ready(pilot)
        await type_into(pilot, "start", "31/02/2027")
        await type_into(pilot, "end", "12/03/2027")
        await pilot.press("ctrl+s")

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_conflict_dialog(snap_compare, demo, tmp_path, db_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        student_id = first_at_risk(pilot.app)
        pilot.app.open_candidate(student_id)
        await ready(pilot)
        await pilot.press("e")
        await ready(pilot)
        await type_into(pilot, "first_name", "Anne-Sophie")  # typed first: the form keeps it
        other = Repository(Store(db_path))
        student, rev = other.get("students", student_id)
        # The same field changed on both sides (a clash to pick), and another one merged in.
        other.update("students", replace(student, first_name="Anne-Laure", email="autre.session@example.fr"), rev)
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_help(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("l")
        await ready(pilot, lambda: isinstance(pilot.app.screen, CandidatesScreen))
        await pilot.press("question_mark")

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_organisations(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("o")
        await ready(pilot)

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_export_dialog(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("x")
        await ready(pilot)

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)
