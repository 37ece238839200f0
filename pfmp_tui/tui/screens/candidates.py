"""The candidates list: every candidate with cohort, voie, progress and status.

Filters (cohort, status, voie, professeur référent, and the dashboard's « à
surveiller » figures) and an incremental search by name or INE. The filtering runs
in a worker thread and hands its candidates over in a message; the table turns into
rows only those coming into view (`GrowingTable`), so that typing stays fluid and the
list shows at once with 15,000 candidates (issue 13).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Select, Static

from ...domain.model import VOIE_LABELS
from ...domain.rules import STATUS_ORDER, CandidateStatus
from ...domain.wording import count
from .. import keys
from ..role_gates import gate  # issue 16: keys the user's role may not use are hidden
from ..tables import cursor_key
from ..state import (
    SPECIALS,
    AppState,
    CandidateFilter,
    cohort_name,
    describe_filter,
    filter_results,
    row_cells,
    status_text,
)
from ..widgets.growing_table import GrowingTable
from ..widgets.steady_footer import SteadyFooter

# (title, key, width); the name and cohort columns share what the terminal's width leaves.
FIXED_COLUMNS = {"status": ("Statut", 12), "progress": ("Attesté / requis", 21), "voie": ("Voie", 10)}
COLUMN_ORDER = ("name", "status", "progress", "cohort", "voie")


def column_widths(table_width: int) -> dict[str, int]:
    """Widths that fit `table_width` (a scrollbar and one space each side of a cell taken off).

    When even the narrowest widths do not fit (60 columns), the voie then the cohort are left
    out (width 0) rather than cut at the edge of the table without an ellipsis (issue 12)."""
    widths: dict[str, int] = {}
    for dropped in ((), ("voie",), ("voie", "cohort")):
        shown = [k for k in COLUMN_ORDER if k not in dropped]
        fixed = sum(w for k, (_, w) in FIXED_COLUMNS.items() if k in shown)
        room = table_width - 3 - 2 * len(shown) - fixed
        name = max(14, min(30, room - (9 if "cohort" in shown else 0)))
        cohort = max(9, min(24, room - name)) if "cohort" in shown else 0
        widths = {"name": name, "cohort": cohort,
                  **{k: (w if k in shown else 0) for k, (_, w) in FIXED_COLUMNS.items()}}
        if name + cohort + fixed + 2 * len(shown) + 2 <= table_width:  # + the scrollbar
            break
    return widths
STATUS_VARIABLES = {"valide": "text-success", "en_cours": "text-primary",
                    "a_risque": "text-warning", "non_valide": "text-error"}


class RowsReady(Message):
    def __init__(self, token: int, state: AppState, results: list[CandidateStatus], total: int,
                 full_cohort: bool) -> None:
        super().__init__()
        self.token = token
        self.state = state  # the one the candidates were filtered from
        self.results = results  # the candidates of the filter, in their order
        self.total = total
        self.full_cohort = full_cohort


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class CandidatesScreen(Screen):
    CSS_PATH = "candidates.tcss"
    KEY_SCOPE = "candidates"
    BINDINGS = keys.bindings("candidates")
    ALL_ROWS_UP_TO = 120  # rows added at once; past that, they are added as they come into view

    def __init__(self, filter: CandidateFilter | None = None) -> None:
        super().__init__()
        self.filter = filter or CandidateFilter()
        self._token = 0
        self._search_timer: Timer | None = None
        self.loaded = False  # the table shows the current filter (tests wait on it)
        self._widths: dict[str, int] = {}
        self._from_top = False  # the next rows start at the top (reopened on a new filter)
        self._options: dict[str, list[tuple[str, str]]] = {}  # selector -> the options it shows
        self._stale = False  # a newer state came while hidden: shown when the list is again
        self._shown: tuple | None = None  # what the rows are of: (state, filter, widths, full cohort, theme)
        self._summary: str | None = None  # the line above the rows, as shown

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        f = self.filter
        yield Header()
        with Horizontal(classes="filters"):
            yield Input(f.text, placeholder="Nom ou INE…", id="search", compact=True)
            yield Select([(status_text(s), s) for s in STATUS_ORDER], prompt="Tous statuts", id="f-status",
                         value=f.status or Select.NULL, compact=True)
            yield Select([(label.capitalize(), key) for key, label in SPECIALS.items()], prompt="À surveiller…",
                         id="f-special", value=f.special or Select.NULL, compact=True)
        with Horizontal(classes="filters"):
            yield Select([], prompt="Toutes cohortes", id="f-cohort", compact=True)
            yield Select([(label, key) for key, label in VOIE_LABELS.items()], prompt="Toutes voies",
                         id="f-voie", value=f.voie or Select.NULL, compact=True)
            yield Select([], prompt="Tous référents", id="f-teacher", compact=True)
        yield Static("", id="summary")
        table: GrowingTable = GrowingTable(id="candidates", cursor_type="row", zebra_stripes=True)
        yield table
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Élèves"
        self.query_one(DataTable).focus()
        self.watch(self.app, "theme", lambda: self.refresh_rows(), init=False)
        if self.app.state is not None:
            self.show_state(self.app.state)

    def reopen(self, filter: CandidateFilter) -> None:
        """Shown again (the app keeps one list mounted): `filter`'s rows from the top."""
        self._from_top = True
        self.filter = filter
        self.refresh_filters()
        self.query_one(DataTable).focus()
        if self.app.state is not None:
            self.show_state(self.app.state)  # its options, and rows of the current state

    # -- data ----------------------------------------------------------------------------------
    def show_state(self, state: AppState) -> None:
        if self.app.screen is not self:  # (Textual's `is_current` is true under the fiche too)
            # Under another screen (the fiche being edited): a save's frame must not re-filter
            # and re-build rows nobody uses; done when the list is on top again (issue 13).
            self._stale = True
            return
        self._stale = False
        self._set_options("#f-cohort", [(cohort_name(c), c.id) for c in state.cohorts()], self.filter.cohort_id)
        teachers = [(t, t) for t in state.teachers()]
        if self.filter.teacher and self.filter.teacher not in state.teachers():
            teachers.append((self.filter.teacher, self.filter.teacher))
        self._set_options("#f-teacher", teachers, self.filter.teacher)
        self.refresh_rows()

    def _set_options(self, selector: str, options: list[tuple[str, str]], value: str | None) -> None:
        select = self.query_one(selector, Select)
        with select.prevent(Select.Changed):
            if self._options.get(selector) != options:  # hundreds of them in a big school: only if changed
                self._options[selector] = options
                select.set_options(options)
            if value is not None and any(v == value for _, v in options):
                select.value = value

    def on_screen_resume(self) -> None:
        if self._stale and self.app.state is not None:
            self.show_state(self.app.state)

    def refresh_rows(self) -> None:
        state = self.app.state
        if state is None:
            return
        self._token += 1
        widths = column_widths(self._table_width())
        shown = (self.filter, widths, widths["cohort"] >= 20, self.app.theme)
        if self._shown is not None and self._shown[0] is state and self._shown[1:] == shown and self.loaded:
            # The rows are already those (the list reopened on the filter it showed): the
            # cursor goes back to the top if asked, nothing is filtered or built again.
            if self._from_top:
                self._from_top = False
                table = self.query_one(GrowingTable)
                if table.row_count:
                    table.move_cursor(row=0, animate=False)
                table.scroll_home(animate=False)
            return
        self.loaded = False
        self._compute_rows(state, self.filter, self._token, widths["cohort"] >= 20)

    # description=: else Textual builds the repr() of the arguments (the whole state) on the UI thread
    @work(thread=True, exclusive=True, group="candidate-rows", exit_on_error=False, description="candidate rows")
    def _compute_rows(self, state: AppState, filter: CandidateFilter, token: int, full_cohort: bool) -> None:
        results = filter_results(state, filter)
        self.post_message(RowsReady(token, state, results, len(state.results), full_cohort))

    def on_rows_ready(self, message: RowsReady) -> None:
        if message.token != self._token:
            return  # an older filter: a newer computation is on its way
        table = self.query_one(GrowingTable)
        from_top, self._from_top = self._from_top, False
        current = None if from_top else self.current_student()
        cursor_row = table.cursor_row
        colours = self.app.theme_variables
        state = message.state
        full_cohort = message.full_cohort
        widths = column_widths(self._table_width())
        of = (self.filter, widths, full_cohort, self.app.theme)
        # The same list a state later (a save, another session's): its rows are updated in place.
        same_list = not from_top and self._shown is not None and self._shown[1:] == of and widths == self._widths
        self._shown = (state, *of)
        if widths != self._widths:
            self._widths = widths
            table.clear(columns=True)
            titles = {"name": "Nom", "cohort": "Cohorte", **{k: t for k, (t, _) in FIXED_COLUMNS.items()}}
            for key in COLUMN_ORDER:
                if widths[key]:
                    table.add_column(titles[key], key=key, width=widths[key])

        def make_row(r: CandidateStatus) -> tuple[str, list[Text]]:
            cells = row_cells(state, r, full_cohort)
            return r.student_id, [
                Text(cells[key], style=colours.get(STATUS_VARIABLES[r.status], "")) if key == "status"
                else Text(_fit(cells[key], widths[key]))
                for key in COLUMN_ORDER if widths[key]
            ]

        if same_list:
            table.update_items(message.results, make_row, lambda r: r.student_id, at_least=self.ALL_ROWS_UP_TO)
        else:
            table.show_items(message.results, make_row, lambda r: r.student_id, at_least=self.ALL_ROWS_UP_TO)
        if current is not None and not table.move_to_key(current, within=table.CHUNK) and same_list and table.row_count:
            # The learner left the list, or went far down it (a save that settled their file):
            # the cursor stays where it was, on the next one (was: rows built down to them).
            table.move_cursor(row=min(cursor_row, table.row_count - 1), animate=False)
        shown = len(message.results)
        described = describe_filter(self.app.state, self.filter)
        summary = (f"{shown} élève{'s' if shown > 1 else ''} sur {message.total}"
                   + (f" · filtre : {described}" if described else "") + " · Entrée : fiche")
        if summary != self._summary:  # the same after most saves: no layout of the screen for it
            self._summary = summary
            self.query_one("#summary", Static).update(summary)
        self.loaded = True

    def _table_width(self) -> int:
        return self.query_one(DataTable).size.width or self.size.width

    def on_resize(self) -> None:
        if self._widths and column_widths(self._table_width()) != self._widths:
            self.refresh_rows()

    def current_student(self) -> str | None:
        return cursor_key(self.query_one(DataTable))

    # -- filters -------------------------------------------------------------------------------
    def set_filter(self, filter: CandidateFilter) -> None:
        self.filter = filter
        self.refresh_rows()

    def refresh_filters(self) -> None:
        """Show `self.filter` in the filter widgets (after a filter chosen elsewhere)."""
        search = self.query_one("#search", Input)
        if search.value.strip() != self.filter.text:
            with search.prevent(Input.Changed):
                search.value = self.filter.text
        for widget_id, value in (("#f-status", self.filter.status), ("#f-special", self.filter.special),
                                 ("#f-cohort", self.filter.cohort_id), ("#f-voie", self.filter.voie),
                                 ("#f-teacher", self.filter.teacher)):
            select = self.query_one(widget_id, Select)
            with select.prevent(Select.Changed):
                try:
                    select.value = Select.NULL if value is None else value
                except Exception:  # not an option (yet): the filter still applies
                    select.clear()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value
        self._search_timer = self.set_timer(0.08, lambda: self.set_filter(self.filter.with_(text=value.strip())))

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        field = {"f-status": "status", "f-special": "special", "f-cohort": "cohort_id",
                 "f-voie": "voie", "f-teacher": "teacher"}.get(event.select.id or "")
        if field is None:
            return
        value = None if event.value is Select.NULL else event.value
        if getattr(self.filter, field) != value:
            self.set_filter(self.filter.with_(**{field: value}))

    @on(DataTable.RowSelected, "#candidates")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.app.open_candidate(event.row_key.value)

    # -- actions -------------------------------------------------------------------------------
    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_reset(self) -> None:
        self.filter = CandidateFilter()
        self.query_one("#search", Input).value = ""
        for select in self.query(Select):
            with select.prevent(Select.Changed):
                select.clear()
        self.refresh_rows()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return gate(self.app, "candidates", action)

    def action_export(self) -> None:
        """`x` exports this list: the learners the filter shows, nothing else."""
        state = self.app.state
        if state is None:
            return
        if self.filter.with_(cohort_id=None) == CandidateFilter():  # no filter but the cohort
            self.app.action_export(self.filter.cohort_id)
            return
        shown = filter_results(state, self.filter)
        self.app.action_export(self.filter.cohort_id, frozenset(r.student_id for r in shown),
                               listed=f"la liste affichée : {count(len(shown), 'élève')} "
                                      f"({describe_filter(state, self.filter)})")
