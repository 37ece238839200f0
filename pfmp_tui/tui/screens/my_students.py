"""« Mes élèves »: the learners the logged-in teacher follows, what is waiting for them first.

A learner is followed when one of their placements names the teacher (`teacher`,
matched to the login without regard to case: `domain.progress.waiting_for`, the same
reading as `pfmp todo`). One row per thing waiting — an ended placement without
attestation or with an unsigned one (R11), without assessment (R12) — then one row
per learner with nothing waiting. Entrée opens the grid of a placement waiting for
its assessment, else the candidate file on that placement.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Select, Static

from ...domain.errors import ValidationFailed
from ...domain.progress import FollowedLearner, waiting_for
from ...domain.rules import Flag
from .. import keys
from ..formatting import short_dates
from ..tables import cursor_key
from ..state import STATUS_COLOURS, AppState, cohort_short, status_text
from ..targets import AssessmentGrid, CandidateFile, go

WAITING_TEXT = {
    "ATTESTATION_MISSING": "attestation R11",
    "ATTESTATION_UNSIGNED": "att. non signée R11",
    "ASSESSMENT_MISSING": "évaluation R12",
}
# (title, key, width); the name takes what the others leave.
COLUMNS = (("Élève", "name", 0), ("Cohorte", "cohort", 9), ("En attente", "what", 21), ("Stage", "dates", 17))


def name_width(table_width: int) -> int:
    """A scrollbar and a space each side of a cell taken off."""
    return max(14, min(30, table_width - 3 - 2 * len(COLUMNS) - sum(w for *_, w in COLUMNS)))


@dataclass(frozen=True, slots=True)
class Row:
    student_id: str
    placement_id: str | None
    flag: Flag | None


class LearnersReady(Message):
    def __init__(self, token: int, login: str, learners: list[FollowedLearner] | None, error: str = "") -> None:
        super().__init__()
        self.token = token
        self.login = login
        self.learners = learners
        self.error = error


class MyStudentsScreen(Screen):
    CSS_PATH = "my_students.tcss"
    KEY_SCOPE = "my_students"
    BINDINGS = keys.bindings("my_students")

    def __init__(self, login: str | None = None) -> None:
        super().__init__()
        self.login = login
        self.rows: dict[str, Row] = {}
        self.learners: list[FollowedLearner] = []
        self.loaded = False
        self._token = 0
        self._name_width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="mine-bar"):
            yield Label("Professeur référent", classes="grid-label")
            yield Select([], prompt="—", id="mine-teacher", compact=True, allow_blank=True)
        yield Static("Chargement…", id="mine-summary")
        yield DataTable(id="mine-list", cursor_type="row", zebra_stripes=True)
        yield Static("", id="mine-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.login is None:
            self.login = self.app.user
        self.query_one("#mine-list", DataTable).focus()
        if self.app.state is not None:
            self.show_state(self.app.state)

    # -- data -------------------------------------------------------------------------------------
    def show_state(self, state: AppState) -> None:
        select = self.query_one("#mine-teacher", Select)
        teachers = state.teachers()
        options = [(t, t) for t in teachers]
        with select.prevent(Select.Changed):
            select.set_options(options)
            match = next((t for t in teachers if t.casefold() == (self.login or "").strip().casefold()), None)
            select.value = match if match is not None else Select.NULL
        self.sub_title = f"Mes élèves · {self.login}" if self.login else "Mes élèves"
        self._token += 1
        self._compute(state, self.login or "", self._token)

    @work(thread=True, exclusive=True, group="my-students", exit_on_error=False, description="my students")
    def _compute(self, state: AppState, login: str, token: int) -> None:
        if not login.strip():
            self.post_message(LearnersReady(token, login, []))
            return
        try:
            learners = waiting_for(login, state.data, state.today)
        except (ValidationFailed, ValueError) as exc:
            self.post_message(LearnersReady(token, login, None, str(exc)))
            return
        self.post_message(LearnersReady(token, login, learners))

    def on_learners_ready(self, message: LearnersReady) -> None:
        if message.token != self._token:
            return  # an older computation
        self.loaded = True
        summary = self.query_one("#mine-summary", Static)
        table = self.query_one("#mine-list", DataTable)
        current = self.current_key()
        width = name_width(table.size.width or self.size.width)
        if width != self._name_width:
            self._name_width = width
            table.clear(columns=True)
            for title, key, w in COLUMNS:
                table.add_column(title, key=key, width=w or width)
        table.clear()
        self.rows = {}
        if message.learners is None:
            summary.update(Content.from_markup(f"[$text-error]✗ {escape(message.error)}[/]"))
            return
        self.learners = message.learners
        state = self.app.state
        if not self.learners:
            summary.update(Content.from_markup(
                f"Aucun élève suivi par « {escape(message.login)} » (le référent d'un stage). "
                "r : choisir un autre professeur référent."))
            self.query_one("#mine-detail", Static).update("")
            return
        waiting = sum(len(f.waiting) for f in self.learners)
        n = len(self.learners)
        summary.update(Content.from_markup(
            f"« {escape(message.login)} » suit {n} élève{'s' if n > 1 else ''} · "
            + (f"[$text-warning]{waiting} document{'s' if waiting > 1 else ''} en attente[/]" if waiting
               else "[$text-success]✓ rien en attente[/]")
            + " · entrée : ouvrir"))
        colours = self.app.theme_variables
        for f in self.learners:
            s = f.student
            cohort = cohort_short(state.get("cohorts", s.cohort_id), s.cohort_id) if state is not None else ""
            name = Text(s.full_name, overflow="ellipsis", no_wrap=True)
            if not f.waiting:
                last = f.placements[-1] if f.placements else None
                key = f"{s.id}|"
                self.rows[key] = Row(s.id, last.id if last else None, None)
                table.add_row(name, Text(cohort), Text(status_text(f.status.status),
                              style=colours.get(STATUS_COLOURS[f.status.status].lstrip("$"), "")),
                              Text(short_dates(last) if last else ""), key=key)
                continue
            placements = {p.id: p for p in f.placements}
            for i, flag in enumerate(f.waiting):
                key = f"{s.id}|{i}"
                self.rows[key] = Row(s.id, flag.placement_id, flag)
                p = placements.get(flag.placement_id)
                marker, style = ("✗", "text-error") if flag.blocking else ("!", "text-warning")
                table.add_row(name if i == 0 else Text(""), Text(cohort if i == 0 else ""),
                              Text(f"{marker} {WAITING_TEXT.get(flag.code, flag.rule)}", style=colours.get(style, "")),
                              Text(short_dates(p) if p is not None else ""), key=key)
        if current in self.rows:
            table.move_cursor(row=table.get_row_index(current))
        self._show_detail()

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        table = self.query_one("#mine-list", DataTable)
        if self.loaded and name_width(table.size.width) != self._name_width and self.app.state is not None:
            self.show_state(self.app.state)

    # -- selection --------------------------------------------------------------------------------
    def current_key(self) -> str | None:
        return cursor_key(self.query_one("#mine-list", DataTable))

    def current_row(self) -> Row | None:
        key = self.current_key()
        return self.rows.get(key) if key is not None else None

    def _show_detail(self) -> None:
        row = self.current_row()
        detail = self.query_one("#mine-detail", Static)
        if row is None:
            detail.update("")
            return
        if row.flag is None:
            detail.update(Content.from_markup("[$text-success]✓[/] Rien n'attend pour cet élève · entrée : sa fiche"))
            return
        hint = "entrée : la grille d'évaluation" if row.flag.code == "ASSESSMENT_MISSING" else \
            "entrée : la fiche, puis « a » pour l'attestation"
        detail.update(Content.from_markup(f"{escape(row.flag.message)}\n[dim]{hint} · f : la fiche[/]"))

    @on(DataTable.RowHighlighted, "#mine-list")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected, "#mine-list")
    def _chosen(self) -> None:
        row = self.current_row()
        if row is None:
            return
        if row.flag is not None and row.flag.code == "ASSESSMENT_MISSING" and row.placement_id:
            go(self.app, AssessmentGrid(row.placement_id))
        else:
            self._open_file(row)

    @on(Select.Changed, "#mine-teacher")
    def _teacher_changed(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        self.login = str(event.value)
        self.query_one("#mine-list", DataTable).focus()
        if self.app.state is not None:
            self.show_state(self.app.state)

    # -- actions ----------------------------------------------------------------------------------
    def _open_file(self, row: Row) -> None:
        go(self.app, CandidateFile(row.student_id, row.placement_id))

    def action_open_file(self) -> None:
        row = self.current_row()
        if row is not None:
            self._open_file(row)

    def action_choose_teacher(self) -> None:
        select = self.query_one("#mine-teacher", Select)
        select.focus()
        select.action_show_overlay()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
