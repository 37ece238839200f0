"""A cohort's PFMP periods (issue 5): the list, the period form, the planner.

`PeriodsScreen` lists the periods of one cohort with their working days, the
learners placed and still without a host, and the calendar warnings (school
holidays of the cohort's zone, public holidays, the range the holiday data
covers), from `services.planning.list_periods`, read in a worker thread.
`PeriodFormScreen` creates or edits a period (dates JJ/MM/AAAA, checked when a
field is left, working days and warnings shown as the dates are typed).
`PlannerScreen` asks for the weeks wanted per school year, shows the planner's
proposals and their totals against R1–R5, and creates the ones kept in one commit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from ...domain.calendar import period_warnings
from ...domain.errors import FieldError, ValidationFailed
from ...domain.interchange import parse_record, record_to_dict
from ...domain.model import Cohort, Period
from ...domain.planner import VoieTotal, totals_by_requirement
from ...domain.validation import format_date_fr, parse_french_date
from ...domain.workdays import format_days, working_days
from ...services.calendar_data import school_calendar
from ...services.editing import EMPTY
from ...services.planning import (
    PeriodInfo,
    Plan,
    accept_plan,
    list_periods,
    plan,
    save_period,
)
from ...store.repository import ConflictError
from ...store.storage import StoreError
from .. import keys
from ..state import AppState, cohort_name
from .base import TableDetailScreen
from .candidate import short_dates
from .dialogs import _fit
from .forms import widget_id


# -- which cohort ---------------------------------------------------------------------------------
def cohort_in_view(screen: Screen) -> str | None:
    """The cohort the person is looking at: the screen's own, its list filter's, or the
    focused dashboard figure's."""
    getter = getattr(screen, "current_cohort_id", None)
    if callable(getter):
        found = getter()
        if found:
            return found
    if getattr(screen, "kind", None) == "cohorts":  # the cohorts list: the one under the cursor
        return screen.current_id()
    cohort = getattr(getattr(screen, "filter", None), "cohort_id", None)
    if cohort:
        return cohort
    return getattr(getattr(screen.focused, "filter", None), "cohort_id", None)


def cohort_actions_available(screen: Screen) -> bool:
    """« p Périodes » and « f Frise » of the records screen: on the cohorts list only."""
    kind = getattr(screen, "kind", None)
    return kind is None or kind == "cohorts"


def palette_commands(app: App) -> list[tuple[str, str, Callable[[], object]]]:
    """The palette's import entries, and each cohort's periods and frise."""
    from functools import partial

    commands: list[tuple[str, str, Callable[[], object]]] = [
        ("Importer des élèves (SIECLE)…", "XML (zippé ou non) ou CSV par division ; aperçu avant d'écrire",
         partial(app.action_import, "students")),
        ("Importer des organisations…", "CSV ou XLSX : nom, SIRET, adresse, tuteur ; aperçu avant d'écrire",
         partial(app.action_import, "organisations")),
    ]
    state = getattr(app, "state", None)
    for c in state.cohorts() if state is not None else []:
        name = cohort_name(c)
        commands.append((f"Périodes de la cohorte {name}",
                         "Dates, jours ouvrés, vacances ; planificateur (R1–R5) ; placer les élèves",
                         partial(app.action_periods, c.id)))
        commands.append((f"Frise de la cohorte {name}", "Élèves × semaines : chaque stage avec son état",
                         partial(app.action_timeline, c.id)))
    return commands


class CohortChoiceScreen(ModalScreen[str | None]):
    """Which cohort? (when the screen behind shows none)."""

    KEY_SCOPE = "dialog"
    BINDINGS = keys.bindings("dialog")

    def __init__(self, title: str, cohorts: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.cohorts = cohorts

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="choice-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield OptionList(*(Option(name, id=cid) for name, cid in self.cohorts), id="cohort-choice")
            yield Static("entrée : choisir · échap : fermer", classes="dialog-hint")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


def with_cohort(app: App, cohort_id: str | None, title: str, then: Callable[[str], None]) -> None:
    """Run `then(cohort)` on `cohort_id`, else on the cohort in view, else on one the person chooses."""
    cohort_id = cohort_id or cohort_in_view(app.screen)
    if cohort_id:
        then(cohort_id)
        return
    state = getattr(app, "state", None)
    cohorts = [(cohort_name(c), c.id) for c in state.cohorts()] if state is not None else []
    if not cohorts:
        app.notify("Aucune cohorte : créez-en une d'abord (« c » puis « n »).", severity="warning")
        return
    app.push_screen(CohortChoiceScreen(title, cohorts), lambda chosen: then(chosen) if chosen else None)


def open_periods(app: App, cohort_id: str | None = None) -> None:
    with_cohort(app, cohort_id, "Périodes de quelle cohorte ?", lambda c: app.push_screen(PeriodsScreen(c)))


def totals_line(totals: list[VoieTotal]) -> Content:
    """The planned days against each requirement of the cohort (R1–R5), ✓ or ✗, and a verdict in words."""
    if not totals:
        return Content.from_markup("[$text-muted]Aucun élève de la cohorte n'a de durée de PFMP exigée (R1–R5).[/]")
    parts = []
    for t in totals:
        mark = "[$text-success]✓[/]" if t.enough else "[$text-error]✗[/]"
        parts.append(f"{t.rule} {format_days(t.required_days)} {mark} {t.students} él.")
    short = [t for t in totals if not t.enough]
    if short:
        missing = ", ".join(f"{t.rule} {format_days(t.required_days)} ({format_days(t.required_days - t.planned_days)} de plus)"
                            for t in short)
        verdict = f"[$text-error]✗ insuffisant : {missing}[/]"
    else:
        verdict = "[$text-success]✓ suffisant pour chaque élève[/]"
    return Content.from_markup(f"Requis : {' · '.join(parts)} · {verdict}")


def warning_lines(warnings: tuple[str, ...] | list[str], none: str) -> str:
    if not warnings:
        return f"[$text-success]✓[/] {escape(none)}"
    return "\n".join(f"[$text-warning]![/] {escape(w)}" for w in warnings)


# -- the periods of a cohort ---------------------------------------------------------------------------
class PeriodsLoaded(Message):
    def __init__(self, token: int, infos: list[PeriodInfo], error: str | None = None) -> None:
        super().__init__()
        self.token = token
        self.infos = infos
        self.error = error


PERIOD_COLUMNS = (("Période", "label", 24), ("Dates", "dates", 17), ("Durée", "days", 10),
                  ("Placés", "placed", 8), ("Alertes", "warnings", 7))


class PeriodsScreen(TableDetailScreen):
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

    @work(thread=True, exclusive=True, group="periods", exit_on_error=False)
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
            table.add_row(_fit(p.label, widths["label"]), short_dates(p), format_days(info.working_days),
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
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

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
        detail.update(Content.from_markup(
            f"[b]{escape(p.label)}[/] · {format_date_fr(p.start)} → {format_date_fr(p.end)} · "
            f"{info.working_days} jours ouvrés\n{placed}\n"
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
        from .placing import PlacingScreen

        info = self.current_info()
        if info is None:
            self.notify("Aucune période où placer les élèves : créez-en une d'abord.", severity="warning")
            return
        self.app.push_screen(PlacingScreen(info.period.id))

    def action_timeline(self) -> None:
        from .timeline import open_timeline

        open_timeline(self.app, self.cohort_id)


# -- the period form -----------------------------------------------------------------------------------
PERIOD_FIELDS = (("label", "Libellé", "PFMP 3 — 1re (novembre)"), ("start", "Début", "JJ/MM/AAAA"),
                 ("end", "Fin", "JJ/MM/AAAA"))


class PeriodFormScreen(ModalScreen[tuple[Period, list[str], bool] | None]):
    """Create (no `period`) or edit a period; nothing is written before ^s, nor over another's save."""

    KEY_SCOPE = "form"
    BINDINGS = keys.bindings("form")

    def __init__(self, cohort: Cohort, period: Period | None = None, rev: int | None = None) -> None:
        super().__init__()
        self.cohort = cohort
        self.period = period
        self.rev = rev
        self.touched: set[str] = set()

    def compose(self) -> ComposeResult:
        p = self.period
        values = {"label": p.label, "start": format_date_fr(p.start), "end": format_date_fr(p.end)} if p else {}
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static("Nouvelle période" if p is None else "Modifier la période", classes="dialog-title")
            yield Static(f"{cohort_name(self.cohort)} · vacances de la zone {self.cohort.holiday_zone or '— (non renseignée)'}",
                         classes="dialog-subtitle")
            yield Static("", id="form-error", classes="form-error")
            for key, label, placeholder in PERIOD_FIELDS:
                with Horizontal(classes="field-row"):
                    yield Label(f"{label} *", classes="field-label")
                    yield Input(values.get(key, ""), placeholder=placeholder, id=widget_id(key), compact=True)
                yield Static("", id=f"err-{widget_id(key)}", classes="field-error")
            yield Static("", id="period-check")
            yield Static("* obligatoire · Tab : champ suivant", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Enregistrer ^s", id="save", variant="primary", compact=True)
                yield Button("Annuler échap", id="cancel", compact=True)

    def on_mount(self) -> None:
        # The first field has the focus (AUTO_FOCUS): focusing here could come after keys already typed.
        self._show_check()

    def values(self) -> dict[str, str]:
        return {key: self.query_one(f"#{widget_id(key)}", Input).value for key, _, _ in PERIOD_FIELDS}

    def _raw(self, values: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The period's JSON form (ISO dates) and the errors of each field."""
        errors: dict[str, list[str]] = {}
        raw: dict[str, Any] = {"cohort_id": self.cohort.id, "label": values["label"]}
        if self.period is not None:
            raw = {**record_to_dict("periods", self.period), **raw}
        for key in ("start", "end"):
            text = values[key].strip()
            raw[key] = None
            if not text:
                errors[key] = [EMPTY]
                continue
            try:
                raw[key] = parse_french_date(text, key).isoformat()
            except ValidationFailed as exc:
                errors[key] = [e.message for e in exc.errors]
        def domain_errors(record: dict[str, Any]) -> list[FieldError]:
            try:  # the same checks as a load: label, dates, end after start
                parse_record("periods", {**record, "id": record.get("id") or "nouvelle"}, "")
            except ValidationFailed as exc:
                return exc.errors
            return []

        found = domain_errors(raw)
        if raw["start"] and raw["end"] and any(e.path == "label" for e in found):
            # A bad label stops the parser before the dates' order: ask about it too.
            found += [e for e in domain_errors({**raw, "label": "libellé"}) if e.path != "label"]
        for e in found:
            if e.path not in errors:
                errors.setdefault(e.path if e.path in ("label", "start", "end") else "", []).append(e.message)
        return raw, errors

    def show_errors(self, errors: dict[str, list[str]], only: set[str] | None = None) -> None:
        for key, _, _ in PERIOD_FIELDS:
            messages = errors.get(key, []) if only is None or key in only else []
            err = self.query_one(f"#err-{widget_id(key)}", Static)
            err.update("\n".join(f"✗ {m}" for m in messages))
            err.set_class(bool(messages), "-shown")
            self.query_one(f"#{widget_id(key)}").set_class(bool(messages), "-invalid")
        general = errors.get("", []) if only is None else []
        box = self.query_one("#form-error", Static)
        box.update("\n".join(f"✗ {m}" for m in general))
        box.set_class(bool(general), "-shown")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        widget: Widget = event.widget
        if (widget.id or "").startswith("fld-") and self.is_mounted and self.is_active:
            self.touched.add(widget.id[4:])
            self.show_errors(self._raw(self.values())[1], only=self.touched)

    @on(Input.Changed)
    def _changed(self) -> None:
        self._show_check()

    def _show_check(self) -> None:
        """Working days and calendar warnings of the dates typed so far."""
        values = self.values()
        box = self.query_one("#period-check", Static)
        try:
            start = parse_french_date(values["start"], "start")
            end = parse_french_date(values["end"], "end")
        except ValidationFailed:
            box.update(Content.from_markup("[$text-muted]Jours ouvrés et vacances : tapez le début et la fin.[/]"))
            return
        if end < start:
            box.update("")
            return
        days = working_days(start, end)
        warnings = period_warnings(start, end, self.cohort.holiday_zone, school_calendar())
        box.update(Content.from_markup(
            f"{days} jour{'s' if days > 1 else ''} ouvré{'s' if days > 1 else ''} ({format_days(days)})\n"
            + warning_lines(warnings, "ni vacances scolaires ni jour férié")))

    def action_save(self) -> None:
        raw, errors = self._raw(self.values())
        if errors:
            self.touched.update(key for key, _, _ in PERIOD_FIELDS)
            self.show_errors(errors)
            first = next((key for key, _, _ in PERIOD_FIELDS if errors.get(key)), None)
            if first:
                self.query_one(f"#{widget_id(first)}").focus()
            return
        try:
            period, warnings = save_period(self.app.repo, raw, self.rev if self.period else None, path="")
        except ValidationFailed as exc:
            found: dict[str, list[str]] = {}
            for e in exc.errors:
                found.setdefault(e.path if e.path in ("label", "start", "end") else "", []).append(e.message)
            self.show_errors(found)
            return
        except ConflictError:
            self.show_errors({"": [("Période modifiée ou supprimée par une autre session depuis son ouverture : "
                                    "rien n'a été enregistré. Fermez (échap) et rouvrez-la.")]})
            return
        except StoreError as exc:
            self.show_errors({"": [str(exc)]})
            return
        self.dismiss((period, warnings, self.period is None))

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


# -- the planner -------------------------------------------------------------------------------------
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

    @work(thread=True, exclusive=True, group="planner", exit_on_error=False)
    def _plan(self, token: int, weeks: list[int], start: date | None) -> None:
        try:
            result = plan(self.app.repo, self.cohort_id, weeks, start)
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
        self.kept = set(range(len(self.plan.proposals)))
        table = self.query_one(DataTable)
        table.clear()
        colours = self.app.theme_variables
        for i, p in enumerate(self.plan.proposals):
            warned = (Text(f"! {len(p.warnings)}", style=colours.get("text-warning", "")) if p.warnings
                      else Text("✓", style=colours.get("text-success", "")))
            table.add_row(self._keep_cell(i), _fit(p.label, 22), short_dates(p), format_days(p.working_days), warned,
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
        table = self.query_one(DataTable)
        if not table.row_count or self.plan is None:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(row_key.value)

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
