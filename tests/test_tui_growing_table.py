"""GrowingTable's shortcuts (issue 13) change nothing on screen: with fixed column widths
it skips the DataTable's per-cell measuring, and it adds all the rows of a short list,
the first screenfuls only of a long one."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable

from pfmp_tui.tui.widgets.growing_table import GrowingTable

WIDTHS = {"name": 18, "status": 12, "voie": 8}


def cells(i: int) -> list[Text]:
    return [Text(f"Élève n° {i} avec un nom long"), Text("! à risque" if i % 3 else "✓ valide"), Text("3 ans")]


class Tables(App):
    def compose(self) -> ComposeResult:
        with Horizontal():
            yield DataTable(id="plain", cursor_type="row")
            yield GrowingTable(id="growing", cursor_type="row")

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            for key, width in WIDTHS.items():
                table.add_column(key, key=key, width=width)


async def test_fixed_widths_give_the_same_size_and_lines_as_a_data_table():
    app = Tables()
    async with app.run_test(size=(120, 30)) as pilot:
        plain = app.query_one("#plain", DataTable)
        growing = app.query_one("#growing", GrowingTable)
        for i in range(50):
            plain.add_row(*cells(i), key=f"s{i}")
        growing.show_items(list(range(50)), lambda i: (f"s{i}", cells(i)), lambda i: f"s{i}", at_least=120)
        await pilot.pause()
        assert growing.row_count == 50 and growing.complete  # a short list: every row at once
        assert growing.virtual_size == plain.virtual_size
        assert growing.size == plain.size
        for y in range(growing.size.height):
            assert growing.render_line(y).text == plain.render_line(y).text
        growing.move_cursor(row=40)
        plain.move_cursor(row=40)
        await pilot.pause()
        assert growing.scroll_y == plain.scroll_y > 0


async def test_a_long_list_adds_its_first_screenfuls_then_more_as_the_cursor_goes_down():
    app = Tables()
    async with app.run_test(size=(120, 30)) as pilot:
        growing = app.query_one("#growing", GrowingTable)
        items = list(range(5000))
        growing.show_items(items, lambda i: (f"s{i}", cells(i)), lambda i: f"s{i}", at_least=120)
        await pilot.pause()
        first = growing.row_count
        assert 20 <= first < 120 and growing.total == 5000
        growing.focus()
        for _ in range(first):
            await pilot.press("down")
        await pilot.pause()
        assert growing.row_count > first and growing.cursor_row == first
        assert [k.value for k in growing.rows][:3] == ["s0", "s1", "s2"]
        assert growing.virtual_size.height == growing.row_count + 1  # the rows and the header
