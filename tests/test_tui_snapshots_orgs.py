"""Snapshots at 80×24 of what issue 15 §3 changed: the organisation form with its contacts
(and a refused e-mail), the search dialog of the placement form, the placement dialog
with a tutor found among every organisation. Demo school of seed 1, `today` pinned."""

from __future__ import annotations

from textual.widgets import Input

from pfmp_tui.tui.screens.placing import AssignScreen
from tests.test_tui_snapshots import first_at_risk, ready, type_into
from tests.tui_support import make_app


def _org_with_contacts(app) -> str:
    """The first organisation (by name) whose phone, e-mail and representative the demo filled."""
    orgs = sorted(app.state.data.organisations, key=lambda o: o.name)
    return next(o.id for o in orgs if o.phone and o.email and o.representative)


def test_organisation_form_with_a_bad_e_mail(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        pilot.app.open_form("organisations", record_id=_org_with_contacts(pilot.app))
        await ready(pilot)
        await type_into(pilot, "email", "contact@garage")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_tutor_search_from_the_placement_form(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        pilot.app.open_candidate(first_at_risk(pilot.app))
        await ready(pilot)
        await pilot.press("s")
        await ready(pilot)
        await pilot.press("tab")  # the tutor field
        await pilot.press(*"mar")  # a letter opens the search, the others go into it
        await ready(pilot)

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_placement_dialog_with_a_tutor_found_by_name(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        app = pilot.app
        student = first_at_risk(app)
        placement = app.state.placements_by_student[student][-1]
        app.push_screen(AssignScreen(placement.id))
        await ready(pilot, lambda: isinstance(app.screen, AssignScreen))
        search = app.screen.query_one("#tutor-search", Input)
        search.focus()
        search.value = ""
        await pilot.press(*"mar")
        await pilot.pause()

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)
