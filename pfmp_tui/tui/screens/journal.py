"""« Journal » (issue 16): who changed what, newest first, with a filter; one learner's
history when opened from their file.

The filter line takes words: a date (JJ/MM/AAAA: from that day on), ``@login`` (that
user's changes), anything else an identifier (a record, or a learner: everything about
them). The detail under the table shows each changed field before → after.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from ...domain.errors import ValidationFailed
from ...domain.validation import parse_date
from ...services import journal
from ...services.errors import StoreError
from .. import keys


def parse_filter(text: str) -> journal.Filters:
    record = student = user = since = None
    for word in text.split():
        if word.startswith("@") and len(word) > 1:
            user = word[1:]
            continue
        if "/" in word or (len(word) == 10 and word[4:5] == "-"):
            try:
                since = parse_date(word, "date")
                continue
            except ValidationFailed:
                pass
        record = word
    return journal.Filters(record_id=record, student=student, since=since, user=user)


def _matches(entry: dict, f: journal.Filters) -> bool:
    """A word matches a record id or a learner id."""
    if f.record_id is None:
        return f.match(entry)
    as_record = journal.Filters(record_id=f.record_id, since=f.since, user=f.user)
    as_student = journal.Filters(student=f.record_id, since=f.since, user=f.user)
    return as_record.match(entry) or as_student.match(entry)


def _narrow(entry: dict, f: journal.Filters) -> dict:
    if f.record_id is None:
        return entry
    keep = [c for c in entry.get("changes", []) if f.record_id in (c.get("id"), c.get("student"))]
    return {**entry, "changes": keep}


def summary(entry: dict) -> str:
    if entry.get("summary"):
        return "opération en masse : " + ", ".join(
            f"{sum(ops.values())} {kind}" for kind, ops in entry["summary"].items())
    changes = entry.get("changes", [])
    if not changes:
        return "—"
    first = journal.describe(changes[0])[0]
    return first + (f" (+{len(changes) - 1})" if len(changes) > 1 else "")


class JournalScreen(Screen):
    CSS_PATH = "journal.tcss"
    KEY_SCOPE = "journal"
    BINDINGS = keys.bindings("journal")

    def __init__(self, initial: str = "", title: str = "Journal des modifications") -> None:
        super().__init__()
        self.initial = initial
        self.title_text = title
        self.items: list[dict] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.title_text, id="journal-title", markup=False)
        yield Input(self.initial, placeholder="Filtre : identifiant, @login, JJ/MM/AAAA (depuis)", id="journal-filter")
        yield DataTable(id="journal-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="journal-detail-box", can_focus=False):
            yield Static("", id="journal-detail", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for title, key, width in (("N°", "id", 5), ("Date", "at", 16), ("Qui", "user", 10), ("Par", "via", 14),
                                  ("Quoi", "what", None)):
            table.add_column(title, key=key, width=width)
        table.focus()
        self.load()

    def show_state(self, state) -> None:  # another session saved: the journal grew
        self.load()

    @work(thread=True, exclusive=True, group="journal", description="journal")
    def load(self) -> None:
        try:
            items = journal.entries(self.app.repo)
        except StoreError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), title="Journal illisible", severity="error")
            return
        self.app.call_from_thread(self._show, items)

    def _show(self, items: list[dict]) -> None:
        self.items = items
        self.loaded = True
        self.refresh_table()

    def refresh_table(self) -> None:
        f = parse_filter(self.query_one("#journal-filter", Input).value)
        table = self.query_one(DataTable)
        table.clear()
        shown = [_narrow(e, f) for e in reversed(self.items) if _matches(e, f)]
        for e in shown:
            at = e.get("at", "")
            when = f"{at[8:10]}/{at[5:7]}/{at[0:4]} {at[11:16]}" if len(at) >= 16 else at
            table.add_row(str(e["id"]), when, e.get("user", "?"), e.get("via", ""), summary(e), key=str(e["id"]))
        self._shown = {str(e["id"]): e for e in shown}
        self.query_one("#journal-title", Static).update(
            f"{self.title_text} · {len(shown)} entrée(s) sur {len(self.items)}")
        self._detail()

    @on(Input.Changed, "#journal-filter")
    def _filter_changed(self) -> None:
        self.refresh_table()

    @on(Input.Submitted, "#journal-filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowHighlighted)
    def _detail(self, event: DataTable.RowHighlighted | None = None) -> None:
        table = self.query_one(DataTable)
        detail = self.query_one("#journal-detail", Static)
        if table.row_count == 0:
            detail.update("Aucune entrée pour ce filtre.")
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        entry = self._shown.get(key)
        if entry is None:
            detail.update("")
            return
        lines = [journal.entry_head(entry)]
        if entry.get("summary"):
            lines.append("  " + summary(entry))
        for change in entry.get("changes", []):
            lines.extend("  " + line for line in journal.describe(change))
        detail.update("\n".join(lines))

    def action_filter(self) -> None:
        self.query_one("#journal-filter", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_revert(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        self.app.confirm_revert(int(key))
