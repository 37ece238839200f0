"""Screen layouts shared by several screens."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static


class TableDetailScreen(Screen):
    """A summary line, a table of rows, and a scrolling detail of the selected row under it
    (the periods of a cohort, placing its learners). Subclasses name the widgets' ids,
    give the table's COLUMNS (title, key, width) and implement `show_state(state)`."""

    SUMMARY_ID = ""
    TABLE_ID = ""
    DETAIL_ID = ""  # its scrolling box is DETAIL_ID + "-box"
    COLUMNS: tuple[tuple[str, str, int | None], ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id=self.SUMMARY_ID)
        yield DataTable(id=self.TABLE_ID, cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id=f"{self.DETAIL_ID}-box", can_focus=False):
            yield Static("", id=self.DETAIL_ID)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for title, key, width in self.COLUMNS:
            table.add_column(title, key=key, width=width)
        table.focus()
        if self.app.state is not None:
            self.show_state(self.app.state)

    def show_state(self, state) -> None:  # pragma: no cover - every subclass has its own
        raise NotImplementedError
