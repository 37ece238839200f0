"""Which cohort a planning action is for: the one in view, else one the person chooses."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ... import keys
from ...state import cohort_name


def cohort_in_view(screen: Screen) -> str | None:
    """The cohort the person is looking at: the screen's own, its list filter's, or the
    focused dashboard figure's."""
    getter = getattr(screen, "current_cohort_id", None)
    if callable(getter):
        found = getter()
        if found:
            return found
    if getattr(screen, "kind", None) == "cohorts":  # the cohorts list: the one under the cursor
        return screen.current_id()
    cohort = getattr(getattr(screen, "filter", None), "cohort_id", None)
    if cohort:
        return cohort
    return getattr(getattr(screen.focused, "filter", None), "cohort_id", None)


def cohort_actions_available(screen: Screen) -> bool:
    """« p Périodes » and « f Frise » of the records screen: on the cohorts list only."""
    kind = getattr(screen, "kind", None)
    return kind is None or kind == "cohorts"


class CohortChoiceScreen(ModalScreen[str | None]):
    """Which cohort? (when the screen behind shows none)."""

    KEY_SCOPE = "dialog"
    BINDINGS = keys.bindings("dialog")

    def __init__(self, title: str, cohorts: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.cohorts = cohorts

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="choice-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield OptionList(*(Option(name, id=cid) for name, cid in self.cohorts), id="cohort-choice")
            yield Static("entrée : choisir · échap : fermer", classes="dialog-hint")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


def with_cohort(app: App, cohort_id: str | None, title: str, then: Callable[[str], None]) -> None:
    """Run `then(cohort)` on `cohort_id`, else on the cohort in view, else on one the person chooses."""
    cohort_id = cohort_id or cohort_in_view(app.screen)
    if cohort_id:
        then(cohort_id)
        return
    state = getattr(app, "state", None)
    cohorts = [(cohort_name(c), c.id) for c in state.cohorts()] if state is not None else []
    if not cohorts:
        app.notify("Aucune cohorte : créez-en une d'abord (« c » puis « n »).", severity="warning")
        return
    app.push_screen(CohortChoiceScreen(title, cohorts), lambda chosen: then(chosen) if chosen else None)
