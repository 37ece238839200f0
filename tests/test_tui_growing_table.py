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


def moved(order: list[int], status: dict[int, str]):
    """Items as (number, status); rows of `cells` with that status."""
    items = [(i, status.get(i, "! à risque" if i % 3 else "✓ valide")) for i in order]
    return items, (lambda item: (f"s{item[0]}", [Text(f"Élève n° {item[0]} avec un nom long"),
                                                  Text(item[1], style="bold" if "✗" in item[1] else ""),
                                                  Text("3 ans")])), (lambda item: f"s{item[0]}")


class TwoGrowing(Tables):
    CSS = "GrowingTable { height: 20; }"  # the same page for both

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield GrowingTable(id="growing", cursor_type="row")
            yield GrowingTable(id="fresh", cursor_type="row")


async def test_updated_in_place_a_list_shows_what_a_rebuilt_one_shows():
    """A save changes one learner's status and rank: the rows already added are kept (the
    same Row objects), the changed cells replaced, the order that of the new items; keys,
    cells, lines on screen and later growth are those of a table rebuilt from scratch."""
    app = TwoGrowing()
    async with app.run_test(size=(120, 30)) as pilot:
        growing = app.query_one("#growing", GrowingTable)
        fresh = app.query_one("#fresh", GrowingTable)
        await pilot.pause()
        order = list(range(5000))
        growing.show_items(*moved(order, {}), at_least=120)
        await pilot.pause()
        first = growing.row_count
        kept = dict(growing.rows)
        # s3 gets worse and goes to the top; s10 leaves the first rows (far down), s7's text changes.
        order2 = [3] + [i for i in order if i not in (3, 10)] + [10]
        status = {3: "✗ non valide", 7: "✓ valide"}
        growing.update_items(*moved(order2, status), at_least=120)
        fresh.show_items(*moved(order2, status), at_least=120)
        await pilot.pause()
        assert growing.row_count == fresh.row_count == first
        assert [k.value for k in growing.rows] == [k.value for k in fresh.rows] == [f"s{i}" for i in order2[:fresh.row_count]]
        assert all(growing.rows[k] is kept[k] for k in growing.rows if k in kept)  # the same rows, not rebuilt
        assert [[c.plain for c in growing.get_row_at(i)] for i in range(fresh.row_count)] == \
            [[c.plain for c in fresh.get_row_at(i)] for i in range(fresh.row_count)]
        assert growing.get_row(growing.get_row_at(0) and "s3")[1].style == "bold"
        for y in range(growing.size.height):
            assert growing.render_line(y).text == fresh.render_line(y).text
        assert growing.virtual_size == fresh.virtual_size
        for table in (growing, fresh):  # and they grow alike
            table.move_cursor(row=table.row_count - 1)
        await pilot.pause()
        assert [k.value for k in growing.rows] == [k.value for k in fresh.rows]
        assert growing.move_to_key("s10", within=growing.CHUNK) is False  # far down: not built there
        assert growing.move_to_key("s11") is True and growing.cursor_row == order2.index(11)


async def test_mostly_other_rows_are_built_again():
    app = Tables()
    async with app.run_test(size=(120, 30)) as pilot:
        growing = app.query_one("#growing", GrowingTable)
        growing.show_items(*moved(list(range(300)), {}), at_least=120)
        await pilot.pause()
        before = dict(growing.rows)
        growing.update_items(*moved(list(range(300, 0, -1)), {}), at_least=120)  # another filter's rows
        await pilot.pause()
        assert not any(growing.rows.get(k) is row for k, row in before.items())
        assert [k.value for k in growing.rows] == [f"s{i}" for i in range(300, 0, -1)][:growing.row_count]
