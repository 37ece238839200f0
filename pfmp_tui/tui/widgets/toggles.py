"""Checkboxes and radio buttons whose state is written, not only coloured.

Textual's `Checkbox` draws « ▐X▌ » ticked or not, told apart by colour alone: over a
monochrome terminal, in the light theme, or for a colour-blind coordinator, « Signée par
le tuteur ▐X▌ oui » reads the same both ways. Here the state is a symbol and a word that
differ: « ☑ oui » / « ☐ non » for a checkbox, « ● » / « ○ » for a radio button, in every
theme (the colours stay, as a second cue).
"""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widgets import Checkbox, RadioButton

CHECKED, UNCHECKED = "☑", "☐"
SELECTED, UNSELECTED = "●", "○"


class _StateWritten:
    """Shared rendering: state symbol, then the label for that state."""

    ON_SYMBOL = CHECKED
    OFF_SYMBOL = UNCHECKED

    def _state_label(self) -> Content:
        on, off = self._state_texts  # type: ignore[attr-defined]
        if on is None:
            return self._label  # type: ignore[attr-defined]
        return Content(on if self.value else off)  # type: ignore[attr-defined]

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")  # type: ignore[attr-defined]
        return Content.assemble((self.ON_SYMBOL if self.value else self.OFF_SYMBOL, style))  # type: ignore[attr-defined]

    def render(self) -> Content:
        label_style = self.get_visual_style("toggle--label")  # type: ignore[attr-defined]
        label = self._state_label()
        if not label:
            return self._button
        return Content.assemble(self._button, label.pad(1, 0).stylize_before(label_style))

    def get_content_width(self, container: Size, viewport: Size) -> int:
        on, off = self._state_texts  # type: ignore[attr-defined]
        widest = max(len(on), len(off)) if on is not None else self._label.cell_length  # type: ignore[attr-defined]
        return 1 + (1 + widest if widest else 0)


class StateCheckbox(_StateWritten, Checkbox):
    """A checkbox reading « ☑ <on> » or « ☐ <off> » (default « ☑ oui » / « ☐ non »)."""

    def __init__(self, value: bool = False, *, on: str = "oui", off: str = "non", label: str | None = None,
                 **kwargs) -> None:
        """`label` (a sentence that stays, « ☑ label » / « ☐ label ») or the words `on` / `off`."""
        super().__init__(label if label is not None else (on if value else off), value, **kwargs)
        self._state_texts: tuple[str | None, str | None] = (None, None) if label is not None else (on, off)

    @property
    def state_text(self) -> str:
        """What the checkbox says, as a person reads it (tests, snapshots)."""
        return f"{CHECKED if self.value else UNCHECKED} {self._state_label().plain}"


class StateRadioButton(_StateWritten, RadioButton):
    """A radio button reading « ● label » when chosen, « ○ label » otherwise."""

    ON_SYMBOL = SELECTED
    OFF_SYMBOL = UNSELECTED

    def __init__(self, label: str = "", value: bool = False, **kwargs) -> None:
        super().__init__(label, value, **kwargs)
        self._state_texts = (None, None)

    @property
    def state_text(self) -> str:
        return f"{SELECTED if self.value else UNSELECTED} {self._state_label().plain}"
