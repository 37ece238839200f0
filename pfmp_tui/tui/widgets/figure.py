"""A figure of the dashboard: a focusable line that opens the list behind it."""

from __future__ import annotations

import functools

from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from .. import keys
from ..state import CandidateFilter


@functools.lru_cache(maxsize=2048)
def markup(text: str) -> Content:
    """`Content.from_markup(text)`, kept: the dashboard's lines come back at every save
    (issue 13: parsing them again was ≈ 3 ms a save; Content is immutable)."""
    return Content.from_markup(text)


class Figure(Static, can_focus=True):
    """One count (or bar) of the dashboard; Enter or a click opens the candidates it counts."""

    BINDINGS = keys.bindings("figure")

    class Chosen(Message):
        def __init__(self, filter: CandidateFilter, title: str) -> None:
            super().__init__()
            self.filter = filter
            self.title = title

    def __init__(self, content: Content | str, filter: CandidateFilter, *, title: str = "",
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(content, id=id, classes=classes)
        self.filter = filter
        self.title = title

    def show(self, content: Content | str, filter: CandidateFilter, title: str = "") -> None:
        self.filter = filter
        self.title = title
        # The same width of text keeps the same size: a repaint, not a layout of the whole
        # dashboard (hundreds of figures in a big school, issue 13).
        same_size = _cells(content) == _cells(self.content)
        self.update(content, layout=not same_size)

    def action_open(self) -> None:
        self.post_message(self.Chosen(self.filter, self.title))

    def on_click(self) -> None:
        self.focus()
        self.action_open()


def _cells(content: object) -> int | None:
    if isinstance(content, Content):
        return content.cell_length
    return None  # a string may hold markup: measured by a layout

