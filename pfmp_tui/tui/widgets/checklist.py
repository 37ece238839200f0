"""A scrollable list of choices ticked with space (or entry): the competences targeted
by a convention's annexe pédagogique, among the 37 (issue 15).

One focusable widget (↑ ↓ move, space ticks), so that keys arriving in a burst reach it
in order (tui/key_order.py) and a form's Tab goes past it in one step. The state of
each line is written (« ☑ » / « ☐ »), not only coloured. `value` is the tuple of the
ticked ids in the list's order: forms read and set it like an Input's.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from .toggles import CHECKED, UNCHECKED


class CheckList(OptionList):
    # One line a choice (« … » when cut): the list stays short enough to scroll through.
    DEFAULT_CSS = "CheckList { text-wrap: nowrap; text-overflow: ellipsis; }"
    BINDINGS = [Binding("space", "toggle", "Cocher / décocher", show=False)]

    class Changed(Message):
        def __init__(self, check_list: CheckList) -> None:
            super().__init__()
            self.check_list = check_list

        @property
        def control(self) -> CheckList:
            return self.check_list

    def __init__(self, choices: Iterable[tuple[str, str]], value: Iterable[str] = (), **kwargs) -> None:
        """`choices`: (id, label) in the order shown; `value`: the ids ticked."""
        self._choices = list(choices)
        self._ticked = {key for key in value if key in {k for k, _ in self._choices}}
        super().__init__(*(Option(self._prompt(key, label), id=key) for key, label in self._choices), **kwargs)

    def _prompt(self, key: str, label: str) -> Content:
        return Content(f"{CHECKED if key in self._ticked else UNCHECKED} {label}")

    @property
    def value(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self._choices if key in self._ticked)

    @value.setter
    def value(self, ticked: Iterable[str] | str | None) -> None:
        wanted = set() if not ticked or isinstance(ticked, str) else set(ticked)
        if wanted == self._ticked:
            return
        self._ticked = wanted & {k for k, _ in self._choices}
        for key, label in self._choices:
            self.replace_option_prompt(key, self._prompt(key, label))
        self.post_message(self.Changed(self))

    def action_toggle(self) -> None:
        option = self.highlighted_option
        if option is None or option.id is None:
            return
        self._ticked ^= {option.id}
        label = dict(self._choices)[option.id]
        self.replace_option_prompt(option.id, self._prompt(option.id, label))
        self.post_message(self.Changed(self))

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # entry ticks too, and goes no further (a form does not submit)
        self.action_toggle()
