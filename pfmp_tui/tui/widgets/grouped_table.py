"""A DataTable with heading rows (bloc, activity) that the cursor steps over.

The assessment grid and the progress grid list the 37 competences under their
bloc and activity. The headings are rows of the table (so they scroll with it),
but the cursor never rests on one: moving onto a heading carries on in the same
direction, to the next competence.
"""

from __future__ import annotations

from typing import Any

from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist


class GroupedTable(DataTable):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._headings: set[int] = set()
        self._last_row = 0

    def add_heading(self, *cells: Any, key: str) -> None:
        self._headings.add(self.row_count)
        self.add_row(*cells, key=key)

    def clear(self, columns: bool = False) -> GroupedTable:
        self._headings.clear()
        self._last_row = 0
        super().clear(columns)
        return self

    def is_heading(self, row: int) -> bool:
        return row in self._headings

    def item_rows(self) -> list[int]:
        return [i for i in range(self.row_count) if i not in self._headings]

    def next_item(self, row: int, step: int = 1) -> int | None:
        """The first row that is not a heading from `row` (included) in direction `step`."""
        while 0 <= row < self.row_count:
            if row not in self._headings:
                return row
            row += step
        return None

    def row_key_at(self, row: int) -> str | None:
        if not 0 <= row < self.row_count:
            return None
        return self.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value

    def move_to_key(self, key: str | None) -> bool:
        """Put the cursor on the row `key` (True), or leave it where it is (False)."""
        if key is None:
            return False
        try:
            row = self.get_row_index(key)
        except RowDoesNotExist:  # the row is gone
            return False
        self._last_row = row
        self.move_cursor(row=row)
        return True

    def first_item(self) -> None:
        row = self.next_item(0)
        if row is not None:
            self._last_row = row
            self.move_cursor(row=row, scroll=False)
            self.scroll_home(animate=False)

    def _step_over_headings(self, row: int) -> None:
        if row != self.cursor_row:  # a stale message: the cursor moved on since (a refill)
            return
        if row not in self._headings:
            self._last_row = row
            return
        step = 1 if row >= self._last_row else -1
        target = self.next_item(row, step)
        if target is None:  # the first competence is under the headings: stay, and show them
            target = self.next_item(row, -step)
            if step < 0:
                self.scroll_home(animate=False)
        if target is not None:
            self._last_row = target
            self.move_cursor(row=target)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._step_over_headings(event.cursor_row)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._step_over_headings(event.coordinate.row)
