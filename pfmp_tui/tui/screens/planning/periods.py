"""The periods of one cohort: working days, learners placed, calendar warnings (read in a worker)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable, Static

from ....domain.errors import ValidationFailed
from ....domain.model import Cohort, Period
from ....domain.planner import totals_by_requirement
from ....domain.validation import format_date_fr
from ....domain.workdays import format_days, working_days
from ....services.planning import PeriodInfo, list_periods
from ....services.errors import StoreError
from ... import keys
from ...conventions import signature_line
from ...formatting import fit, short_dates
from ...state import AppState, cohort_name
from ...tables import cursor_key
from ...targets import Placing, Timeline, go
from ..base import TableDetailScreen
from .period_form import PeriodFormScreen
from .planner import PlannerScreen
from .summary import totals_line, warning_lines


class PeriodsLoaded(Message):
    def __init__(self, token: int, infos: list[PeriodInfo], error: str | None = None) -> None:
        super().__init__()
        self.token = token
        self.infos = infos
        self.error = error


PERIOD_COLUMNS = (("Période", "label", 24), ("Dates", "dates", 17), ("Durée", "days", 10),
                  ("Placés", "placed", 8), ("Alertes", "warnings", 7))


class PeriodsScreen(TableDetailScreen):
    CSS_PATH = "periods.tcss"
    KEY_SCOPE = "periods"
    BINDINGS = keys.bindings("periods")
    SUMMARY_ID, TABLE_ID, DETAIL_ID, COLUMNS = "periods-summary", "periods", "period-detail", PERIOD_COLUMNS

    def __init__(self, cohort_id: str) -> None:
        super().__init__()
        self.cohort_id = cohort_id
        self.infos: list[PeriodInfo] = []
        self.loaded = False  # the table shows the store's periods (tests wait on it)
        self._token = 0

    def current_cohort_id(self) -> str:
        return self.cohort_id

    def show_state(self, state: AppState) -> None:
        cohort = state.get("cohorts", self.cohort_id)
        if cohort is None:
            self.sub_title = "Périodes"
            self.query_one("#periods-summary", Static).update(
                Content.from_markup("[$text-error]✗ Cette cohorte a été supprimée (par une autre session ?).[/]"))
            self.query_one(DataTable).clear()
            self.query_one("#period-detail", Static).update("")
            self.loaded = True
            return
        self.sub_title = f"Périodes · {cohort_name(cohort)}"
        self._token += 1
        self.loaded = False
        self._load(self._token)

    @work(thread=True, exclusive=True, group="periods", exit_on_error=False, description="periods")
    def _load(self, token: int) -> None:
        try:
            infos = list_periods(self.app.repo, self.cohort_id)
        except ValidationFailed as exc:
            self.post_message(PeriodsLoaded(token, [], "; ".join(e.message for e in exc.errors)))
            return
        except (StoreError, OSError) as exc:
            self.post_message(PeriodsLoaded(token, [], str(exc)))
            return
        self.post_message(PeriodsLoaded(token, infos))

    def on_periods_loaded(self, message: PeriodsLoaded) -> None:
        if message.token != self._token:
            return
        state = self.app.state
        cohort = state.get("cohorts", self.cohort_id) if state else None
        if message.error is not None or cohort is None:
            self.query_one("#periods-summary", Static).update(
                Content.from_markup(f"[$text-error]✗ {escape(message.error or 'cohorte introuvable')}[/]"))
            self.loaded = True
            return
        self.infos = message.infos
        table = self.query_one(DataTable)
        current = self.current_period_id()
        table.clear()
        widths = {key: width for _, key, width in PERIOD_COLUMNS}
        colours = self.app.theme_variables
        for info in self.infos:
            p = info.period
            needed = info.placed + info.unplaced
            if needed == 0:
                placed = Text("—")
            elif info.unplaced:
                placed = Text(f"! {info.placed}/{needed}", style=colours.get("text-warning", ""))
            else:
                placed = Text(f"✓ {info.placed}/{needed}", style=colours.get("text-success", ""))
            warned = (Text(f"! {len(info.warnings)}", style=colours.get("text-warning", "")) if info.warnings
                      else Text("✓", style=colours.get("text-success", "")))
            table.add_row(fit(p.label, widths["label"]), short_dates(p), format_days(info.working_days),
                          placed, warned, key=p.id)
        if current is not None and current in table.rows:  # else gone since: the cursor stays
            table.move_cursor(row=table.get_row_index(current))
        students = [s for s in state.data.students if s.cohort_id == self.cohort_id]
        planned = sum(i.working_days for i in self.infos)
        n = len(self.infos)
        head = (f"[b]{escape(cohort_name(cohort))}[/] · zone {cohort.holiday_zone or '— (non renseignée)'} · "
                f"{len(students)} élève{'s' if len(students) > 1 else ''} · "
                f"{n} période{'s' if n > 1 else ''}, {format_days(planned)} au total")
        summary = Content.from_markup(head).append("\n").append(
            totals_line(totals_by_requirement(students, planned)))
        if not self.infos:
            summary = summary.append(Content.from_markup(
                "\n[$text-muted]Aucune période : « p » pour le planificateur, « n » pour en créer une.[/]"))
        self.query_one("#periods-summary", Static).update(summary)
        self._show_detail()
        self.loaded = True

    def current_period_id(self) -> str | None:
        return cursor_key(self.query_one(DataTable))

    def current_info(self) -> PeriodInfo | None:
        pid = self.current_period_id()
        return next((i for i in self.infos if i.period.id == pid), None)

    @on(DataTable.RowHighlighted, "#periods")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        info = self.current_info()
        detail = self.query_one("#period-detail", Static)
        if info is None:
            detail.update("")
            return
        p = info.period
        placed = (f"{info.placed} élève{'s' if info.placed > 1 else ''} avec organisation d'accueil"
                  + (f" · [$text-warning]! {info.unplaced} sans[/] (« a » : les placer)" if info.unplaced else ""))
        state = self.app.state
        signatures = signature_line(state.data, p.id, state.today) if state is not None else ""  # R10 (issue 15)
        detail.update(Content.from_markup(
            f"[b]{escape(p.label)}[/] · {format_date_fr(p.start)} → {format_date_fr(p.end)} · "
            f"{info.working_days} jours ouvrés\n{placed}\n"
            + (f"{signatures}\n" if signatures else "")
            + warning_lines(info.warnings, "ni vacances scolaires ni jour férié")))

    @on(DataTable.RowSelected, "#periods")
    def _selected(self) -> None:
        self.action_edit()

    # -- actions ---------------------------------------------------------------------------------
    def _cohort(self) -> Cohort | None:
        state = self.app.state
        return state.get("cohorts", self.cohort_id) if state else None

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_new(self) -> None:
        cohort = self._cohort()
        if cohort is not None:
            self.app.push_screen(PeriodFormScreen(cohort), self._saved)

    def action_edit(self) -> None:
        cohort, pid = self._cohort(), self.current_period_id()
        if cohort is None or pid is None:
            self.notify("Aucune période : « n » pour en créer une, « p » pour le planificateur.", severity="warning")
            return
        try:
            found = self.app.repo.get("periods", pid)
        except StoreError as exc:
            self.notify(str(exc), title="Magasin illisible", severity="error")
            return
        if found is None:
            self.notify("Période introuvable : supprimée par une autre session ?", severity="error")
            self.app.reload()
            return
        period, rev = found
        self.app.push_screen(PeriodFormScreen(cohort, period, rev), self._saved)

    def _saved(self, result: tuple[Period, list[str], bool] | None) -> None:
        if result is None:
            return
        period, warnings, created = result
        text = f"« {period.label} » {'créée' if created else 'enregistrée'}, {format_days(working_days(period.start, period.end))}."
        if warnings:
            text += "\n" + "\n".join(f"! {w}" for w in warnings)
        self.notify(text, title="Période", severity="warning" if warnings else "information",
                    timeout=12 if warnings else 6)
        self.app.reload()

    def action_delete(self) -> None:
        info = self.current_info()
        if info is not None:
            self.app.confirm_delete("periods", info.period.id, f"la période « {info.period.label} »")

    def action_planner(self) -> None:
        if self._cohort() is not None:
            self.app.push_screen(PlannerScreen(self.cohort_id))

    def action_place(self) -> None:
        info = self.current_info()
        if info is None:
            self.notify("Aucune période où placer les élèves : créez-en une d'abord.", severity="warning")
            return
        go(self.app, Placing(info.period.id))

    def action_timeline(self) -> None:
        go(self.app, Timeline(self.cohort_id))
