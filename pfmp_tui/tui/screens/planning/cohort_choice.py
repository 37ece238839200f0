"""Which cohort? The dialog asked when the screen behind shows none (see `navigation.with_cohort`)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ... import keys


class CohortChoiceScreen(ModalScreen[str | None]):
    """Which cohort? (when the screen behind shows none)."""

    CSS_PATH = "cohort_choice.tcss"
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

