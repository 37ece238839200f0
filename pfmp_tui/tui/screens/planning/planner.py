"""The planner: weeks wanted per school year → proposed periods and their totals against R1–R5."""

from __future__ import annotations

import re
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from ....domain.errors import ValidationFailed
from ....domain.planner import VoieTotal
from ....domain.validation import format_date_fr, parse_french_date
from ....domain.wording import count, plural
from ....domain.workdays import format_days, working_days
from ....services.planning import Plan, accept_plan, plan
from ....services.errors import StoreError
from ... import keys
from ...formatting import fit, short_dates
from ...state import cohort_name
from ...tables import cursor_key
from .summary import totals_line, warning_lines


class PlanReady(Message):
    def __init__(self, token: int, plan: Plan | None, error: str | None = None) -> None:
        super().__init__()
        self.token = token
        self.plan = plan
        self.error = error


PROPOSAL_COLUMNS = (("Garder", "keep", 6), ("Période proposée", "label", 22), ("Dates", "dates", 17),
                    ("Durée", "days", 10), ("Alertes", "warnings", 7))
DEFAULT_WEEKS = "6,8,8"  # 22 weeks over three years (R1); « 8,8 » for a two-year cycle (R2)


def parse_weeks(text: str) -> list[int]:
    """« 6,8,8 » (or « 6 8 8 », « 6;8;8 ») → [6, 8, 8]; a French message otherwise."""
    parts = [p for p in re.split(r"[\s,;/+]+", text.strip()) if p]
    if not parts:
        raise ValueError("indiquez les semaines de chaque année du cycle, ex. 6,8,8")
    bad = [p for p in parts if not p.isdigit()]
    if bad:
        raise ValueError(f"« {bad[0]} » n'est pas un nombre de semaines (ex. 6,8,8)")
    return [int(p) for p in parts]


class PlannerScreen(Screen):
    CSS_PATH = "planner.tcss"
    KEY_SCOPE = "planner"
    BINDINGS = keys.bindings("planner")

    def __init__(self, cohort_id: str, weeks: str = DEFAULT_WEEKS) -> None:
        super().__init__()
        self.cohort_id = cohort_id
        self.weeks = weeks
        self.plan: Plan | None = None
        self.kept: set[int] = set()  # 0-based numbers of the proposals kept
        self._token = 0
        self._to_table = False  # a proposal asked with Entrée: look at it when it comes
        self.ready = False  # a proposal (or its error) is shown (tests wait on it)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="planner-intro")
        past = Static("", id="planner-past")
        past.display = False  # shown only when a proposal starts before today
        yield past
        with Horizontal(id="planner-form"):
            yield Label("Semaines par année", classes="planner-label")
            yield Input(self.weeks, placeholder="6,8,8", id="planner-weeks", compact=True)
            yield Label("Début du cycle", classes="planner-label")
            yield Input("", placeholder="1er sept.", id="planner-start", compact=True)
        yield Static("", id="planner-error", classes="form-error")
        yield DataTable(id="proposals", cursor_type="row", zebra_stripes=True)
        yield Static("", id="proposal-detail")
        yield Static("", id="planner-totals")
        yield Footer(compact=True)

    def current_cohort_id(self) -> str:
        return self.cohort_id

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for title, key, width in PROPOSAL_COLUMNS:
            table.add_column(title, key=key, width=width)
        state = self.app.state
        cohort = state.get("cohorts", self.cohort_id) if state else None
        name = cohort_name(cohort, self.cohort_id)
        self.sub_title = f"Planificateur · {name}"
        existing = [p for p in state.data.periods if p.cohort_id == self.cohort_id] if state else []
        intro = (f"Des semaines entières, hors vacances de la zone {cohort.holiday_zone if cohort and cohort.holiday_zone else '—'}, "
                 "d'octobre à mai de chaque année. Entrée : proposer.")
        if existing:
            days = sum(working_days(p.start, p.end) for p in existing)
            intro += (f"\n[$text-warning]![/] La cohorte a déjà {len(existing)} période{'s' if len(existing) > 1 else ''} "
                      f"({format_days(days)}) : celles créées ici s'y ajoutent.")
        self.query_one("#planner-intro", Static).update(Content.from_markup(intro))
        table.focus()  # the proposals (espace, ^s); the weeks and the cycle's start are above (⇧Tab)
        self.propose()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._to_table = True
        self.propose()

    def propose(self) -> None:
        error = self.query_one("#planner-error", Static)
        try:
            weeks = parse_weeks(self.query_one("#planner-weeks", Input).value)
            text = self.query_one("#planner-start", Input).value.strip()
            start = parse_french_date(text, "start") if text else None
        except ValueError as exc:
            self._error(str(exc))
            return
        except ValidationFailed as exc:
            self._error("début du cycle : " + "; ".join(e.message for e in exc.errors))
            return
        error.set_class(False, "-shown")
        self._token += 1
        self.ready = False
        self._plan(self._token, weeks, start)

    def _error(self, message: str) -> None:
        error = self.query_one("#planner-error", Static)
        error.update(f"✗ {message}")
        error.set_class(True, "-shown")
        self.ready = True

    @work(thread=True, exclusive=True, group="planner", exit_on_error=False, description="planner")
    def _plan(self, token: int, weeks: list[int], start: date | None) -> None:
        try:
            result = plan(self.app.repo, self.cohort_id, weeks, start, today=self.app.today)
        except ValidationFailed as exc:
            self.post_message(PlanReady(token, None, "; ".join(e.message for e in exc.errors)))
            return
        except (StoreError, OSError) as exc:
            self.post_message(PlanReady(token, None, str(exc)))
            return
        self.post_message(PlanReady(token, result))

    def on_plan_ready(self, message: PlanReady) -> None:
        if message.token != self._token:
            return
        if message.plan is None:
            self._error(message.error or "proposition impossible")
            return
        self.plan = message.plan
        # A proposal that starts before today is shown, said, and not kept unless ticked (espace).
        self.kept = set(range(len(self.plan.proposals))) - set(self.plan.past)
        past = self.query_one("#planner-past", Static)
        n = len(self.plan.past)
        past.update(Content.from_markup(
            f"[$text-warning]![/] {count(n, 'période proposée', 'périodes proposées')} "
            f"{plural(n, 'commence', 'commencent')} avant aujourd'hui : {plural(n, 'décochée', 'décochées')} "
            "(espace pour la garder, ou un autre début du cycle)") if n else "")
        past.display = bool(n)
        table = self.query_one(DataTable)
        table.clear()
        colours = self.app.theme_variables
        for i, p in enumerate(self.plan.proposals):
            warned = (Text(f"! {len(p.warnings)}", style=colours.get("text-warning", "")) if p.warnings
                      else Text("✓", style=colours.get("text-success", "")))
            table.add_row(self._keep_cell(i), fit(p.label, 22), short_dates(p), format_days(p.working_days), warned,
                          key=str(i))
        if self.plan.proposals and self._to_table:
            self._to_table = False
            table.focus()
        self._show_detail()
        self._show_totals()
        self.ready = True

    def _keep_cell(self, i: int) -> Text:
        colours = self.app.theme_variables
        if i in self.kept:
            return Text("[✓]", style=colours.get("text-success", ""))
        return Text("[ ]", style=colours.get("text-muted", ""))

    def _current(self) -> int | None:
        key = cursor_key(self.query_one(DataTable)) if self.plan is not None else None
        return None if key is None else int(key)

    @on(DataTable.RowHighlighted, "#proposals")
    def _show_detail(self) -> None:
        i = self._current()
        detail = self.query_one("#proposal-detail", Static)
        if i is None:
            detail.update("")
            return
        p = self.plan.proposals[i]
        detail.update(Content.from_markup(
            f"[b]{escape(p.label)}[/] · {format_date_fr(p.start)} → {format_date_fr(p.end)} · "
            f"{p.working_days} jours ouvrés\n" + warning_lines(p.warnings, "ni vacances scolaires ni jour férié")))

    def _show_totals(self) -> None:
        if self.plan is None:
            return
        kept_days = sum(p.working_days for i, p in enumerate(self.plan.proposals) if i in self.kept)
        totals = [VoieTotal(t.rule, t.required_days, kept_days, t.students) for t in self.plan.totals]
        n = len(self.kept)
        head = Content.from_markup(
            f"[b]Gardées : {n} période{'s' if n > 1 else ''} sur {len(self.plan.proposals)}, "
            f"{format_days(kept_days)}[/]\n")
        self.query_one("#planner-totals", Static).update(head.append(totals_line(totals)))

    @on(DataTable.RowSelected, "#proposals")
    def _selected(self) -> None:
        self.action_toggle()

    def action_toggle(self) -> None:
        i = self._current()
        if i is None:
            return
        self.kept.symmetric_difference_update({i})
        table = self.query_one(DataTable)
        table.update_cell(str(i), "keep", self._keep_cell(i))
        self._show_totals()
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def action_toggle_all(self) -> None:
        if self.plan is None:
            return
        everything = set(range(len(self.plan.proposals)))
        self.kept = set() if self.kept == everything else everything
        table = self.query_one(DataTable)
        for i in everything:
            table.update_cell(str(i), "keep", self._keep_cell(i))
        self._show_totals()

    def action_accept(self) -> None:
        if self.plan is None or not self.plan.proposals:
            self.notify("Aucune proposition à créer.", severity="warning")
            return
        if not self.kept:
            self.notify("Aucune période gardée : espace pour en garder, échap pour rejeter.", severity="warning")
            return
        try:
            created = accept_plan(self.app.repo, self.plan, sorted(i + 1 for i in self.kept))
        except (ValidationFailed, StoreError) as exc:
            message = "; ".join(e.message for e in exc.errors) if isinstance(exc, ValidationFailed) else str(exc)
            self.notify(message, title="Périodes non créées", severity="error", timeout=10)
            return
        n = len(created)
        self.notify(f"{n} période{'s' if n > 1 else ''} créée{'s' if n > 1 else ''} : "
                    + ", ".join(p.label for p in created) + ". Placez-y les élèves : « a ».",
                    title="Planificateur", timeout=10)
        self.app.reload()
        self.app.pop_screen()

    def action_back(self) -> None:
        if self.plan is not None and self.plan.proposals:
            self.notify("Proposition rejetée : aucune période créée.", title="Planificateur")
        self.app.pop_screen()
