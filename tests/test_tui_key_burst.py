"""Keys that arrive together (SSH, tmux, a paste, a fast typist) are applied in order (issue 12).

Every test here posts a whole burst of key events at once, with no pause between them (not
Pilot's `press`, which waits after each key), then waits for the app to be done, and checks
that the result is what typing them slowly would give: edits in the field that had focus
when each key was typed, focus moves (Tab / Shift+Tab) between them, checkboxes, selects,
the assessment grid, and ^s saving what was typed just before it.
"""

from __future__ import annotations

import time
from datetime import date

from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.widgets import DataTable, Input, Select

from pfmp_tui.tui.key_order import OrderedKeys
from pfmp_tui.tui.screens.assessment import AssessmentScreen
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.forms import FormScreen, widget_id
from pfmp_tui.tui.widgets.toggles import StateCheckbox
from tests.test_tui import make_app, repo, school  # noqa: F401  (the fixture `repo`)
from tests.tui_support import settle

CHARACTERS = {"space": " ", "tab": "\t", "enter": "\r"}


def key_event(key: str) -> events.Key:
    """The event a terminal read gives for `key` (a key name, or one character)."""
    if len(key) == 1:
        return events.Key(_character_to_key(key) if not key.isalnum() else key, key)
    return events.Key(key, CHARACTERS.get(key))


def burst(app: App, *keys: str) -> None:
    """Post every key at once, as one read from the terminal delivers them."""
    for key in keys:
        app.post_message(key_event(key))


def typed(text: str) -> list[str]:
    return list(text)


async def drained(pilot, timeout: float = 10.0) -> None:
    """Wait until every key of the burst was handled and the screen settled."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    await pilot.pause()
    while time.monotonic() < deadline:
        if app.keys_pending == 0:
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{app.keys_pending} keys still pending")


def field(screen, key: str):
    return screen.query_one(f"#{widget_id(key)}")


# -- the upstream bug, and the fix ------------------------------------------------------------------
class BareInput(App):
    def compose(self):
        yield Input("15", id="i")


class OrderedInput(OrderedKeys, BareInput):
    pass


async def test_plain_textual_applies_a_burst_out_of_order():
    """Why `key_order` exists: on Textual 8.2.8, ctrl+u (a non-priority binding) runs after the
    printable keys that followed it. If this starts failing, Textual fixed it upstream."""
    app = BareInput()
    async with app.run_test() as pilot:
        burst(app, "end", "ctrl+u", "1", "2")
        for _ in range(5):
            await pilot.pause()
        assert app.query_one(Input).value == ""  # not « 12 »


async def test_a_burst_on_a_bare_input_is_applied_in_order():
    app = OrderedInput()
    async with app.run_test() as pilot:
        burst(app, "end", "ctrl+u", "1", "2")
        await drained(pilot)
        assert app.query_one(Input).value == "12"
        burst(app, "home", "x", "end", "backspace", "backspace", "3", "left", "4")
        await drained(pilot)
        assert app.query_one(Input).value == "x43"


# -- forms ------------------------------------------------------------------------------------------
async def open_attestation(pilot, student_id: str = "s1", placement_id: str = "p1") -> FormScreen:
    app = pilot.app
    app.open_candidate(student_id)
    await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
    table = app.screen.query_one("#placements", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(placement_id))
    await pilot.pause()
    await pilot.press("a")
    await settle(pilot, lambda: isinstance(app.screen, FormScreen))
    return app.screen


async def test_attestation_burst_then_save_stores_what_was_typed(repo, tmp_path):  # noqa: F811
    """The issue's case: `Tab Space Tab End ctrl+u 1 2` then ^s, all in one read."""
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_attestation(pilot)
        assert app.focused is field(form, "attestation.received_on")
        signed = field(form, "attestation.signed_by_tutor")
        assert isinstance(signed, StateCheckbox) and signed.state_text == "☑ oui"  # signed by default
        burst(app, "ctrl+u", *typed("27/11/2026"), "tab", "space", "tab", "end", "ctrl+u", "1", "2", "ctrl+s")
        await drained(pilot)
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        stored, _ = repo.get("placements", "p1")
        assert stored.attestation.received_on == date(2026, 11, 27)
        assert stored.attestation.signed_by_tutor is False  # the space unticked it
        assert stored.attestation.days_completed == 12


async def test_tab_and_shift_tab_across_a_form_in_one_burst(repo, tmp_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_form("organisations")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        burst(app, *typed("Mairie"), "tab", *typed("21690123100011"), "tab", *typed("1 rue"),
              "shift+tab", "shift+tab", "end", *typed(" de Lyon"), "tab", "tab", "end", *typed(" Neuve"),
              "tab", *typed("69001"), "tab", *typed("Lyon"), "shift+tab", "end", "backspace", "2")
        await drained(pilot)
        assert field(form, "name").value == "Mairie de Lyon"
        assert field(form, "siret").value == "21690123100011"
        assert field(form, "address").value == "1 rue Neuve"
        assert field(form, "postcode").value == "69002"
        assert field(form, "city").value == "Lyon"
        assert app.focused is field(form, "postcode")


async def test_checkbox_and_select_in_one_burst(repo, tmp_path):  # noqa: F811
    """Selects open, move and close within the burst; the checkbox toggles exactly as often as typed."""
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_form("students")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        cohort = field(form, "cohort_id")
        options = [value for _, value in cohort._options if value is not Select.NULL]
        # Nom, Prénom, INE, naissance, courriel, then the cohort select: open (on the blank), down to
        # the first cohort, enter; the voie select (on « scolaire »): open, down, enter; the cycle:
        # untouched; the checkbox: three spaces. Typed slowly, the same keys give the same values.
        burst(app, *typed("Rousseau"), "tab", *typed("Léa"), "tab", "tab", "tab", "tab",
              "enter", "down", "enter", "tab", "enter", "down", "enter", "tab", "tab",
              "space", "space", "space")
        await drained(pilot)
        assert field(form, "last_name").value == "Rousseau" and field(form, "first_name").value == "Léa"
        assert cohort.value == options[0] == "c1"
        assert field(form, "voie").value == "apprentissage"  # one down from « scolaire »
        assert field(form, "cycle_years").value == 3
        positioned = field(form, "positioned")
        assert app.focused is positioned and positioned.value is True and positioned.state_text == "☑ oui"


# -- the assessment grid ----------------------------------------------------------------------------
async def test_a_burst_of_levels_sets_the_competences_in_order(repo, tmp_path):  # noqa: F811
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_candidate("s1")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        table = app.screen.query_one("#placements", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index("p0"))
        await pilot.pause()
        burst(app, "g", "3", "3", "4", "2")  # opening the grid is in the burst too
        await drained(pilot)
        grid = app.screen
        assert isinstance(grid, AssessmentScreen)
        assert {code: grid.levels.get(code) for code in ("1.1.1", "1.1.2", "1.1.3", "1.1.4")} == {
            "1.1.1": 3, "1.1.2": 3, "1.1.3": 4, "1.1.4": 2}
        assert grid.current_code() == "1.2.1"
        burst(app, "ctrl+s")
        await drained(pilot)
        await settle(pilot, lambda: "✓ enregistrée" in str(grid.query_one("#grid-count").render()))
        items, _ = repo.sheet("p0")
        assert {a.competence: a.level for a in items} == {"1.1.1": 3, "1.1.2": 3, "1.1.3": 4, "1.1.4": 2}
