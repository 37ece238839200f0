"""The frise of a cohort (issue 5): learners × weeks, each placement with its state.

The model is built in a worker thread (the school calendar is read once, then
cached); the cursor's cell is told in words under the frise, and a legend gives
every character and colour.
"""

from __future__ import annotations

from datetime import timedelta

from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ...domain.validation import format_date_fr
from ...services.calendar_data import school_calendar
from ...services.planning import PLACEHOLDER_ORG
from .. import keys
from ..conventions import terms_subtitle
from ..formatting import placement_dates
from ..state import AppState, cohort_name
from ..targets import Assignment, Periods, go
from ..widgets.timeline import (
    HOLIDAY_CHAR,
    PERIOD_CHAR,
    STATES,
    TODAY_CHAR,
    TODAY_MARK,
    Timeline,
    TimelineModel,
    build_timeline,
)

# The theme variable of each state: the same as the widget's CSS, for the legend.
STATE_COLOURS = {"todo": "$text-accent", "planned": "$text-secondary", "signed": "$text-primary",
                 "received": "$text-success", "unsigned": "$text-warning", "missing": "$text-error"}
SHORT_LABELS = {"todo": "à trouver", "planned": "prévu", "signed": "convention signée",
                "received": "attestation reçue", "unsigned": "non signée", "missing": "attestation manquante"}

COUNTED = {"missing": ("attestation manquante", "attestations manquantes"),
           "unsigned": ("attestation non signée", "attestations non signées"),
           "todo": ("organisation à trouver", "organisations à trouver")}


class ModelReady(Message):
    def __init__(self, token: int, model: TimelineModel | None) -> None:
        super().__init__()
        self.token = token
        self.model = model


class TimelineScreen(Screen):
    CSS_PATH = "timeline.tcss"
    KEY_SCOPE = "timeline"
    BINDINGS = keys.bindings("timeline")

    def __init__(self, cohort_id: str) -> None:
        super().__init__()
        self.cohort_id = cohort_id
        self._token = 0
        self.loaded = False  # the frise shows the current state (tests wait on it)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="timeline-summary")
        yield Timeline(id="timeline")
        yield Static("", id="timeline-detail")
        yield Static("", id="timeline-legend")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(Timeline).focus()
        if self.app.state is not None:
            self.show_state(self.app.state)

    def current_cohort_id(self) -> str:
        return self.cohort_id

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    # -- data ------------------------------------------------------------------------------------
    def show_state(self, state: AppState) -> None:
        self._token += 1
        self.loaded = False
        self._build(state, self._token)

    @work(thread=True, exclusive=True, group="timeline", exit_on_error=False, description="timeline")
    def _build(self, state: AppState, token: int) -> None:
        cohort = state.get("cohorts", self.cohort_id)
        if cohort is None:
            self.post_message(ModelReady(token, None))
            return
        data = state.data
        model = build_timeline(cohort, (s for s in data.students if s.cohort_id == cohort.id), data.placements,
                               data.periods, school_calendar(), state.today, PLACEHOLDER_ORG.id)
        self.post_message(ModelReady(token, model))

    def on_model_ready(self, message: ModelReady) -> None:
        if message.token != self._token:
            return
        self.loaded = True
        summary = self.query_one("#timeline-summary", Static)
        if message.model is None:
            self.sub_title = "Frise"
            summary.update(Content.from_markup("[$text-error]✗ Cette cohorte a été supprimée (par une autre session ?).[/]"))
            return
        m = message.model
        self.sub_title = f"Frise · {cohort_name(m.cohort)}"
        n, periods = len(m.rows), len({p.id for p in m.periods if p is not None})
        parts = [(f"[b]{escape(cohort_name(m.cohort))}[/] · zone {m.cohort.holiday_zone or '—'} · "
                  f"{n} élève{'s' if n > 1 else ''} · {periods} période{'s' if periods > 1 else ''}")]
        for state, (one, many) in COUNTED.items():
            k = m.counts.get(state, 0)
            if k:
                parts.append(f"[{STATE_COLOURS[state]}]{STATES[state][0]} {k} {one if k == 1 else many}[/]")
        summary.update(Content.from_markup(" · ".join(parts)))
        self.timeline.show(m)
        self._show_legend(m)
        if not m.rows:
            self.query_one("#timeline-detail", Static).update("Aucun élève dans cette cohorte.")

    def _show_legend(self, m: TimelineModel) -> None:
        items = [f"[{STATE_COLOURS[s]}]{STATES[s][0]}[/] {SHORT_LABELS[s]}" for s in STATES]
        zone = m.cohort.holiday_zone
        items.append(f"[on $panel]{HOLIDAY_CHAR}[/] vacances" + (f" (zone {zone})" if zone else " (zone ?)"))
        items.append(f"[$text-primary]{PERIOD_CHAR}[/] période")
        items.append(f"[$text-accent]{TODAY_MARK}{TODAY_CHAR}[/] aujourd'hui")
        # Two lines that fit 80 columns: the states but the last, then the rest.
        self.query_one("#timeline-legend", Static).update(
            Content.from_markup("  ".join(items[:5]) + "\n" + "  ".join(items[5:])))

    # -- the cursor's cell, in words ----------------------------------------------------------------
    def on_timeline_cursor_moved(self, message: Timeline.CursorMoved) -> None:
        m, state = self.timeline.model, self.app.state
        detail = self.query_one("#timeline-detail", Static)
        if m is None or state is None or message.row is None or not m.weeks:
            detail.update("")
            return
        week = m.weeks[message.week]
        text = (f"[b]{escape(message.row.name)}[/] · semaine du {format_date_fr(week)} au "
                f"{format_date_fr(week + timedelta(days=4))}")
        if message.row.overlap:
            text += " · [$text-error]! stages qui se chevauchent[/]"
        cell = message.row.cells.get(message.week)
        if cell is not None:
            p = cell.placement
            org = state.get("organisations", p.organisation_id)
            tutor = state.get("tutors", p.tutor_id)
            where = PLACEHOLDER_ORG.name if p.organisation_id == PLACEHOLDER_ORG.id else (org.name if org else p.organisation_id)
            text += (f"\n{escape(where)}" + (f", {escape(tutor.full_name)}" if tutor else "")
                     + f", {placement_dates(p)} · "
                     f"[{STATE_COLOURS[cell.state]}]{STATES[cell.state][0]} {STATES[cell.state][1]}[/]")
        else:
            bits = []
            if m.holidays[message.week]:
                bits.append(f"{m.holidays[message.week]} (zone {m.cohort.holiday_zone})")
            period = m.periods[message.week]
            if period is not None:
                bits.append(f"période « {period.label} » : pas de stage")
            text += "\n" + escape(" · ".join(bits) if bits else "aucun stage")
        detail.update(Content.from_markup(text))

    def on_timeline_chosen(self, message: Timeline.Chosen) -> None:
        self.app.open_candidate(message.student_id)

    # -- actions ---------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_move(self, rows: int, weeks: int) -> None:
        self.timeline.move(rows, weeks)

    def action_page(self, direction: int) -> None:
        self.timeline.move(direction * self.timeline.visible_rows, 0)

    def action_edge(self, direction: int) -> None:
        m = self.timeline.model
        if m is not None:
            self.timeline.move_to(week=0 if direction < 0 else len(m.weeks) - 1)

    def action_today(self) -> None:
        m = self.timeline.model
        if m is None:
            return
        if m.today_index is None:
            self.notify("Aujourd'hui est hors du cycle de cette cohorte.", severity="warning")
            return
        self.timeline.move_to(week=m.today_index)
        self.timeline.centre_on_cursor()

    def action_open(self) -> None:
        self.timeline.choose()

    def action_assign(self) -> None:
        cell = self.timeline.current_cell
        if cell is None:
            self.notify("Pas de stage sous le curseur : placez l'élève depuis les périodes (« p » puis « a »).",
                        severity="warning")
            return
        go(self.app, Assignment(cell.placement.id), lambda saved: self.app.reload() if saved else None)

    def action_terms(self) -> None:
        """The conditions of the convention of the placement under the cursor (issue 15)."""
        cell = self.timeline.current_cell
        state = self.app.state
        student = state.get("students", cell.placement.student_id) if cell is not None and state else None
        if cell is None or student is None:
            self.notify("Pas de stage sous le curseur.", severity="warning")
            return
        self.app.open_form("terms", record_id=cell.placement.id, context={"student": student},
                           subtitle=terms_subtitle(student, cell.placement))

    def action_periods(self) -> None:
        go(self.app, Periods(self.cohort_id))
