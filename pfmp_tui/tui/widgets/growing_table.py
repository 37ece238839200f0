"""A DataTable that adds its rows as they come into view (issue 13).

`DataTable.add_row` builds and measures every cell: 15,000 rows took 1.6–1.9 s of
the UI thread, and a search re-did it at each refresh. A `GrowingTable` is handed
all of its items at once (`show_items`) but turns into rows only what fills the
screen and a margin; more are added, a chunk at a time, when the view or the
cursor comes near the last row added (scrolling, ↓, page down, the mouse wheel).
« Bottom » (ctrl+end) adds the rest in chunks, one per frame, then goes there.
Columns have fixed widths, so that a chunk never changes the table's layout.

Everything else — keys, cursor, `RowSelected`, zebra stripes, header — is the
DataTable's: `row_count` and `rows` are the rows added so far, `total` all of them.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, Sequence, TypeVar

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.widgets import DataTable

T = TypeVar("T")

# A row: its key and its cells, in column order.
RowMaker = Callable[[Any], tuple[str, Sequence[Any]]]


class GrowingTable(DataTable, Generic[T]):
    CHUNK = 60  # rows added at a time when the view nears the last one (a few ms of the UI thread)
    MARGIN_PAGES = 2  # add a chunk when the view comes within this many pages of the last row added

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._items: Sequence[Any] = ()
        self._make_row: RowMaker | None = None
        self._positions: dict[str, int] | None = None  # key -> index in _items, built on demand
        self._key_of: Callable[[Any], str] | None = None
        self._filling = False
        self._growing = False  # add_row moves the cursor: its watcher must not grow in the middle

    @property
    def total(self) -> int:
        """Rows the table holds, added or not yet."""
        return len(self._items)

    @property
    def complete(self) -> bool:
        return self.row_count >= len(self._items)

    def show_items(self, items: Sequence[T], make_row: RowMaker, key_of: Callable[[T], str],
                   at_least: int = 0) -> None:
        """Replace the rows by `items` (row i is `make_row(items[i])`): all of them if they
        are no more than `at_least`, else the first screenfuls now and the rest as they
        come into view (each search of a big school re-built 120 rows: 60–120 ms a key)."""
        self._items = ()  # clear() moves the cursor: nothing of the old rows to grow then
        self.clear()
        self._items, self._make_row, self._key_of = items, make_row, key_of
        self._positions = None
        self._filling = False
        self._grow_to(len(items) if len(items) <= at_least else self._first_rows())

    def update_items(self, items: Sequence[T], make_row: RowMaker, key_of: Callable[[T], str],
                     at_least: int = 0) -> None:
        """`show_items`, keeping the rows already added when the same keys fill them (in any
        order): only the cells that differ are replaced and the rows put in the new order.

        After a save the list is the same learners but one, whose status (and rank) changed:
        building its first screenfuls again was 60–180 rows made, measured and rendered, a
        frozen frame of 60–150 ms at 1,500 learners when the list came back (issue 13)."""
        if not self._patch(items, make_row, key_of, at_least):
            self.show_items(items, make_row, key_of, at_least)

    def _patch(self, items: Sequence[T], make_row: RowMaker, key_of: Callable[[T], str], at_least: int) -> bool:
        added = self.row_count
        if not added or self._make_row is None:
            return False
        window = [make_row(item) for item in items[:added]]
        keys = [key for key, _ in window]
        by_value = {row_key.value: row_key for row_key in self.rows}
        wanted = set(keys)
        gone = [value for value in by_value if value not in wanted]
        columns = [column.key for column in self.ordered_columns]
        if (len(wanted) != len(keys) or len(gone) > max(2, added // 10)
                or any(len(cells) != len(columns) for _, cells in window)):
            return False  # mostly other rows: built again
        self._growing = True
        try:
            for value in gone:  # left the first rows (another rank, out of the filter)
                self.remove_row(by_value.pop(value))
            for key, cells in window:
                row_key = by_value.get(key)
                if row_key is None:  # came into the first rows: added, put in its place below
                    by_value[key] = self.add_row(*cells, key=key)
                    continue
                row = self._data[row_key]
                for column, cell in zip(columns, cells):
                    if not _same_cell(row.get(column), cell):
                        self.update_cell(row_key, column, cell)
            order = [by_value[key] for key in keys]
            if order != [self._row_locations.get_key(i) for i in range(len(order))]:
                # What `DataTable.sort` does with its result: the rows keep their cells, in a new
                # order; `rows` (in the order they were added) follows it.
                self._row_locations = TwoWayDict({row_key: i for i, row_key in enumerate(order)})
                self.rows = {row_key: self.rows[row_key] for row_key in order}
                self._update_count += 1
                self.refresh()
        finally:
            self._growing = False
        self._items, self._make_row, self._key_of = items, make_row, key_of
        self._positions = None
        self._filling = False
        self._grow_to(len(items) if len(items) <= at_least else max(self.row_count, self._first_rows()))
        return True

    def index_of(self, key: str) -> int | None:
        """The index among all the items (added or not) of the row keyed `key`."""
        if self._positions is None and self._key_of is not None:
            key_of = self._key_of
            self._positions = {key_of(item): i for i, item in enumerate(self._items)}
        return None if self._positions is None else self._positions.get(key)

    def move_to_key(self, key: str, within: int | None = None) -> bool:
        """Put the cursor on the row keyed `key` (adding rows up to it); False if absent, or
        if it is more than `within` rows past the rows added (adding thousands of rows at
        once is a frozen frame: 15,000 at 15,000 learners)."""
        index = self.index_of(key)
        if index is None or (within is not None and index >= self.row_count + within):
            return False
        self._grow_to(index + 1 + self._page())
        self.move_cursor(row=index)
        return True

    # -- growing -----------------------------------------------------------------------------------
    def _page(self) -> int:
        return max(self.scrollable_content_region.height, self.size.height, 20)

    def _first_rows(self) -> int:
        return self._page() * (1 + self.MARGIN_PAGES)

    def _grow_to(self, count: int) -> None:
        make = self._make_row
        if make is None:
            return
        end = min(count, len(self._items))
        if self._growing or end <= self.row_count:
            return
        self._growing = True
        try:
            for item in self._items[self.row_count:end]:
                key, cells = make(item)
                self.add_row(*cells, key=key)
        finally:
            self._growing = False

    def _grow_if_near_end(self) -> None:
        if self._growing or self.complete:
            return
        bottom = max(self.scroll_y + self._page(), self.cursor_row + 1)
        if bottom + self._page() * self.MARGIN_PAGES >= self.row_count:
            self._grow_to(self.row_count + max(self.CHUNK, self._page() * self.MARGIN_PAGES))

    def _update_dimensions(self, new_rows: Any) -> None:
        """With every column of a fixed width, no row label and rows one line high, the
        DataTable's measure of every cell of every new row (`measure` of its renderable)
        changes nothing: skipped (a third of the cost of adding a row)."""
        rows = self.rows
        if (self._labelled_row_exists or any(c.auto_width for c in self.columns.values())
                or any(rows[k].auto_height or rows[k].label is not None for k in new_rows if k in rows)):
            super()._update_dimensions(new_rows)
            return
        # What the DataTable's method does once it has measured: the scrollable size.
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header_height = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, self._total_row_height + header_height)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._grow_if_near_end()

    def watch_cursor_coordinate(self, old_coordinate: Coordinate, new_coordinate: Coordinate) -> None:
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)
        self._grow_if_near_end()

    def action_scroll_bottom(self) -> None:
        """The last row: the rest added a chunk per frame (no frozen frame), then there."""
        if self.complete:
            super().action_scroll_bottom()
            return
        if self._filling:
            return
        self._filling = True
        items = self._items

        def step() -> None:
            if self._items is not items or not self._filling:
                return  # new rows meanwhile (a search): that fill is moot
            self._grow_to(self.row_count + self.CHUNK * 5)
            if self.complete:
                self._filling = False
                super(GrowingTable, self).action_scroll_bottom()
            else:
                self.call_after_refresh(step)

        step()


def _same_cell(a: Any, b: Any) -> bool:
    """Two cells that draw the same (rich's Text compares its text and spans, not its style)."""
    if isinstance(a, Text) and isinstance(b, Text):
        return a.plain == b.plain and a.style == b.style and a.spans == b.spans and a.justify == b.justify
    return type(a) is type(b) and a == b
