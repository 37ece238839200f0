"""« Mes élèves »: the learners the logged-in teacher follows, what is waiting for them first.

A learner is followed when one of their placements names the teacher (`teacher`,
matched to the login without regard to case: `domain.progress.waiting_for`, the same
reading as `pfmp todo`). One row per thing waiting — an ended placement without
attestation or with an unsigned one (R11), without assessment (R12) — then one row
per learner with nothing waiting. Entrée opens the grid of a placement waiting for
its assessment, else the candidate file on that placement.

Visits (issue 15 §3, the same reading as `pfmp todo`: `domain.visits.teacher_visits`):
one row per visit to plan (a placement in progress or starting within 30 days with
none) and per visit to do (planned, not done; « en retard » once its date has passed).
Entrée on such a row opens the form to plan it or to record it as done; « v » the
visits of the row's placement. The palette writes the teacher's calendar (ICS).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Select, Static

from ...domain.errors import ValidationFailed
from ...services.errors import StoreError
from ...domain.progress import FollowedLearner, waiting_for
from ...domain.rules import Flag
from ...domain.validation import format_date_fr
from ...domain.visits import VisitTodo, teacher_visits
from .. import keys
from ..formatting import short_dates
from ..tables import cursor_key
from ..state import STATUS_COLOURS, AppState, cohort_short, status_text
from ..role_gates import gate
from ..targets import AssessmentGrid, CandidateFile, Visits, go
from .visits import open_done_form, open_plan_form

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
    visit: VisitTodo | None = None  # a visit to plan (its `visit` None) or to do (issue 15)


class LearnersReady(Message):
    def __init__(self, token: int, login: str, learners: list[FollowedLearner] | None, error: str = "",
                 visits: list[VisitTodo] | None = None) -> None:
        super().__init__()
        self.token = token
        self.login = login
        self.learners = learners
        self.error = error
        self.visits = visits or []


def visit_detail(todo: VisitTodo) -> str:
    p = todo.placement
    if todo.visit is None:
        return (f"Visite à planifier : stage du {format_date_fr(p.start)} au {format_date_fr(p.end)}, aucune visite "
                "prévue.")
    v = todo.visit
    when = f"prévue le {format_date_fr(v.planned_on)}" if v.planned_on else "sans date"
    return (f"Visite {when}" + (" : en retard, pas encore notée faite." if todo.late else ".")
            + (f" Par {v.teacher}." if v.teacher else ""))


def visit_text(todo: VisitTodo) -> str:
    """In words, never by colour alone: « ! visite à planifier », « ✗ visite en retard »."""
    if todo.visit is None:
        return "! visite à planifier"
    if todo.late:
        return "✗ visite en retard"
    return f"· visite le {format_date_fr(todo.visit.planned_on)[:5]}" if todo.visit.planned_on else "· visite à faire"


class MyStudentsScreen(Screen):
    CSS_PATH = "my_students.tcss"
    KEY_SCOPE = "my_students"
    BINDINGS = keys.bindings("my_students")

    def __init__(self, login: str | None = None) -> None:
        super().__init__()
        self.login = login
        self.rows: dict[str, Row] = {}
        self.learners: list[FollowedLearner] = []
        self.visits: list[VisitTodo] = []
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
            visits = teacher_visits(state.data, login, state.today)
        except (ValidationFailed, ValueError) as exc:
            self.post_message(LearnersReady(token, login, None, str(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(LearnersReady(token, login, learners, visits=visits))

    def on_learners_ready(self, message: LearnersReady) -> None:
        if message.token != self._token:
            return  # an older computation
        self.loaded = True
        summary = self.query_one("#mine-summary", Static)
        table = self.query_one("#mine-list", DataTable)
        current = self.current_key()
        previous = self.rows.get(current) if current is not None else None
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
        visits: dict[str, list[VisitTodo]] = {}
        for todo in message.visits:
            visits.setdefault(todo.placement.student_id, []).append(todo)
        self.visits = message.visits
        to_plan = sum(1 for t in message.visits if t.visit is None)
        late = sum(1 for t in message.visits if t.late)
        to_do = len(message.visits) - to_plan
        visit_summary = ""
        if message.visits:
            parts = [f"{late} en retard" if late else "", f"{to_plan} à planifier" if to_plan else "",
                     f"{to_do - late} à faire" if to_do - late else ""]
            visit_summary = " · [$text-warning]visites : " + ", ".join(x for x in parts if x) + "[/]"
        # The login is in the header and the select above: the line keeps its room for the counts.
        summary.update(Content.from_markup(
            f"{n} élève{'s' if n > 1 else ''} suivi{'s' if n > 1 else ''} · "
            + (f"[$text-warning]{waiting} document{'s' if waiting > 1 else ''} en attente[/]" if waiting
               else "[$text-success]✓ rien en attente[/]")
            + (visit_summary or " · entrée : ouvrir")))
        colours = self.app.theme_variables
        # Something waiting (documents, then visits) first, then the others: the order of `waiting_for`.
        learners = sorted(self.learners, key=lambda f: not (f.waiting or visits.get(f.student.id)))
        # A visit planned for this teacher on a learner a colleague follows (`pfmp todo` lists it
        # too): with the others that have something waiting.
        followed = {f.student.id for f in self.learners}
        busy = sum(1 for f in learners if f.waiting or visits.get(f.student.id))
        extra = [FollowedLearner(student, (), (), None) for sid in visits if sid not in followed
                 and (student := state.get("students", sid) if state is not None else None) is not None]
        learners[busy:busy] = extra
        for f in learners:
            s = f.student
            cohort = cohort_short(state.get("cohorts", s.cohort_id), s.cohort_id) if state is not None else ""
            name = Text(s.full_name, overflow="ellipsis", no_wrap=True)
            mine = visits.get(s.id, [])
            if not f.waiting and not mine:
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
            for j, todo in enumerate(mine):
                first = not f.waiting and j == 0
                key = f"{s.id}|v{todo.placement.id}|{todo.visit.id if todo.visit else ''}"
                self.rows[key] = Row(s.id, todo.placement.id, None, todo)
                style = "text-error" if todo.late else "text-warning" if todo.visit is None else ""
                table.add_row(name if first else Text(""), Text(cohort if first else ""),
                              Text(visit_text(todo), style=colours.get(style, "")),
                              Text(short_dates(todo.placement)), key=key)
        if current in self.rows:
            table.move_cursor(row=table.get_row_index(current))
        elif previous is not None:  # its row changed (a visit planned): the same placement, else learner
            near = [k for k, r in self.rows.items() if r.student_id == previous.student_id]
            same = [k for k in near if self.rows[k].placement_id == previous.placement_id]
            if same or near:
                table.move_cursor(row=table.get_row_index((same or near)[0]))
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
        if row.visit is not None:
            detail.update(Content.from_markup(escape(visit_detail(row.visit)) + "\n[dim]entrée : " + (
                "planifier la visite" if row.visit.visit is None else "noter la visite faite")
                + " · v : les visites du stage · f : la fiche[/]"))
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
        if row.visit is not None:  # issue 15: plan it, or record it as done
            if not gate(self.app, "my_students", "visits"):
                self._open_file(row)
            elif row.visit.visit is None:
                open_plan_form(self.app, row.visit.placement.id)
            else:
                open_done_form(self.app, row.visit.placement.id, row.visit.visit.id)
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

    def action_visits(self) -> None:
        row = self.current_row()
        if row is None or row.placement_id is None:
            self.notify("Aucun stage sur cette ligne.", severity="warning")
            return
        go(self.app, Visits(row.placement_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return gate(self.app, "my_students", action)

    def palette_entries(self):  # noqa: ANN201
        """« Mes élèves » entries of the command palette (issue 15): the teacher's calendar."""
        return [("Exporter mon calendrier (ICS)",
                 f"Périodes, stages et visites prévues de « {self.login or '—'} », dans exports/ (0600)",
                 self.action_calendar)]

    def action_calendar(self) -> None:
        login = (self.login or "").strip()
        if not login:
            self.notify("Choisissez d'abord le professeur référent (« r »).", severity="warning")
            return
        self.notify("Écriture du calendrier…", title="Calendrier", timeout=2)
        self._write_calendar(login)

    @work(thread=True, exclusive=True, group="calendar", exit_on_error=False, description="teacher calendar (ICS)")
    def _write_calendar(self, login: str) -> None:
        from ...services import access
        from ...services.ics import calendar_path, write_calendar

        app = self.app
        try:
            access.require(app.repo, "papers")  # personal data leave the store: not the role « lecture »
            path = write_calendar(app.repo.dataset(), calendar_path(app.exports_dir, login), login)
        except (StoreError, ValidationFailed, OSError, ValueError) as exc:
            app.call_from_thread(app.notify, str(exc), title="Calendrier : impossible", severity="error", timeout=15)
            return
        app.call_from_thread(app.notify, f"{path.resolve()}\nÀ importer dans votre agenda (fichier .ics).",
                             title="Calendrier écrit", timeout=15)

    def action_choose_teacher(self) -> None:
        select = self.query_one("#mine-teacher", Select)
        select.focus()
        select.action_show_overlay()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
