"""The candidate's file: identity, requirement and progress, every PFMP, flags, justificatifs.

Keys act on the row under the cursor of the focused table (placements, or
certificates / contract), so that the same « m » and « suppr » edit or delete
what the person is looking at.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ...domain.model import CONVENTION_LABELS, VOIE_LABELS, Placement, Student
from ...domain.requirements import NON_DURATION_RULES
from ...domain.rules import CandidateStatus
from ...domain.validation import format_date_fr
from ...domain.workdays import format_days, working_days
from .. import keys
from ..role_gates import gate  # issue 16: keys the user's role may not use are hidden
from ..days_text import days_info, days_markup, placement_days_line
from ..conventions import follow_up_lines, terms_subtitle, write_conventions
from ..contact_lines import organisation_contact, tutor_contact
from ..formatting import fit, placement_dates, short_dates
from ..liaison import assessment_line, write_paper
from ..state import STATUS_COLOURS, AppState, cohort_name, deadline_text, status_text
from ..tables import cursor_key
from ..targets import AssessmentGrid, Journal, Progress, Visits, go
from ..widgets.steady_footer import SteadyFooter

CERTIFICATE_VOIES = ("fpc_perfectionnement", "experience")  # R6, R8
CONTRACT_VOIES = ("apprentissage",)  # R7


# (title, key, width at 80 columns, width from 100 columns); the tutor has a column only when wide.
# (title, key, width below WIDE columns, width from WIDE): each set fits its terminal with the
# table's padding and scrollbar (80 and 100 columns), so no cell is cut at the edge (issue 12).
PLACEMENT_COLUMNS = (("Dates", "dates", 17, 17), ("Organisation", "organisation", 20, 27),
                     ("Tuteur", "tutor", 0, 16), ("Conv. R10", "convention", 11, 11),
                     ("Attestation R11", "attestation", 16, 16))
WIDE = 100


def convention_text(p: Placement) -> tuple[str, str]:
    """(short text, theme variable): signed on or before the start is fine (R10)."""
    c = p.convention
    if c.status == "signed" and c.signed_on is not None:
        if c.signed_on <= p.start:
            return "✓ signée", "text-success"
        return "! tardive", "text-warning"
    if c.status == "signed":
        return "! non datée", "text-warning"
    label = CONVENTION_LABELS.get(c.status, c.status)
    return (f"! {label}", "text-warning") if c.status != "none" else (f"✗ {label}", "text-error")


def convention_detail(p: Placement) -> str:
    c = p.convention
    label = CONVENTION_LABELS.get(c.status, c.status)
    if c.signed_on is not None:
        return f"convention {label} le {format_date_fr(c.signed_on)}"
    return f"convention : {label}"


def attestation_text(p: Placement, today) -> tuple[str, str]:
    a = p.attestation
    if a is None:
        if p.end < today:
            return "✗ manquante", "text-error"
        return ("en cours" if p.start <= today else "à venir"), ""
    if not a.signed_by_tutor:
        return "! non signée", "text-warning"
    return f"✓ {format_days(a.days_completed)}", "text-success"


KEPT = "candidate-file"  # the name of the kept fiche (`CandidateScreen.for_student`)


class CandidateScreen(Screen):
    CSS_PATH = "candidate.tcss"
    KEY_SCOPE = "candidate"
    BINDINGS = keys.bindings("candidate")

    @classmethod
    def for_student(cls, app, student_id: str) -> CandidateScreen:
        """The fiche to push for `student_id`: one is kept mounted and shown again for the
        next learner (issue 13: composing a fiche's widgets, styling them and, once closed,
        collecting them took most of the time it took to open one, and full garbage
        collections of 70–110 ms at 1,500 learners). A fiche already in the stack (opened
        from the fiche's own screens) stays there: a new one on top."""
        if not app.is_screen_installed(KEPT):
            screen = cls(student_id)
            app.install_screen(screen, KEPT)
            return screen
        kept = app.get_screen(KEPT)
        if kept in app.screen_stack:
            return cls(student_id)
        kept.retarget(student_id)
        return kept

    def retarget(self, student_id: str) -> None:
        """Show `student_id`'s file from its top, as a fiche just opened would."""
        self.student_id = student_id
        self._mark = None
        for table_id in ("#placements", "#justificatifs"):
            self.query_one(table_id, DataTable).clear()
        self._placement_cells = {}
        self._justificatif_rows = None
        if self.app.state is not None:
            self.show_state(self.app.state)
        for table_id in ("#placements", "#justificatifs"):
            table = self.query_one(table_id, DataTable)
            if table.row_count:
                table.move_cursor(row=0, animate=False, scroll=False)
        self._show_detail()
        self.set_focus(self.query_one("#placements", DataTable), scroll_visible=False)
        self.query_one("#file", VerticalScroll).scroll_home(animate=False)

    def __init__(self, student_id: str) -> None:
        super().__init__()
        self.student_id = student_id
        self.student: Student | None = None
        self._wide: bool | None = None
        self._days = None  # the days that count (issue 14), computed with the state
        # What each widget shows now, to leave alone what a new state does not change (issue
        # 13: a Static's update lays the whole file out again, a table's clear re-renders it).
        self._texts: dict[str, object] = {}  # selector -> the markup (or text) it shows
        self._placement_cells: dict[str, tuple] = {}  # placement id -> its cells' (text, style)
        self._justificatif_rows: list[tuple] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="file"):
            yield Static("", id="identity")
            yield Static("", id="requirement")
            yield Static("Alertes", classes="section")
            yield Static("", id="flags")
            yield Static("Stages (PFMP)", classes="section")
            yield DataTable(id="placements", cursor_type="row", zebra_stripes=True)
            yield Static("", id="placement-detail")
            yield Static("", id="placements-empty", classes="muted")
            yield Static("Jours, absences, allocation", classes="section")
            yield Static("", id="days")
            yield Static("Justificatifs", id="justificatifs-title", classes="section")
            yield DataTable(id="justificatifs", cursor_type="row", zebra_stripes=True)
            yield Static("", id="justificatifs-empty", classes="muted")
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        just = self.query_one("#justificatifs", DataTable)
        for label, width in (("Justificatif", 22), ("Employeur", 26), ("Du", 10), ("Au", 10), ("Temps", 8)):
            just.add_column(label, width=width)
        # Focus the placements without scrolling to them: the file opens at its top (name, status,
        # shortfall), even at 80×24 where the placements are below the fold.
        self.query_one("#placements", DataTable).focus(scroll_visible=False)
        self.watch(self.app, "theme", self._theme_changed, init=False)
        if self.app.state is not None:
            self.show_state(self.app.state)
        self.call_after_refresh(self.query_one("#file", VerticalScroll).scroll_home, animate=False)

    def _theme_changed(self) -> None:
        if self.app.state is not None:
            self.show_state(self.app.state)

    # -- data ----------------------------------------------------------------------------------
    def show_state(self, state: AppState) -> None:
        student = state.get("students", self.student_id)
        self.student = student
        if student is None:
            self.sub_title = "Fiche élève"
            self._show("#identity", "[$text-error]✗ Cet élève a été supprimé (par une autre session ?).[/]")
            for widget_id in ("#requirement", "#flags", "#placements-empty", "#justificatifs-empty"):
                self._show(widget_id, "", markup=False)
            self.query_one("#placements", DataTable).clear()
            self.query_one("#justificatifs", DataTable).clear()
            self._placement_cells = {}
            self._justificatif_rows = None
            self._mark = None
            return
        mark = (state.mark(student.cohort_id), self.app.theme, self.size.width >= WIDE)
        previous = getattr(self, "_mark", None)
        if mark == previous:
            return  # another cohort's save (this session's or another's): nothing of this file changed (issue 13)
        if previous is None or previous[1:] != mark[1:]:
            self._texts = {}  # another theme or width: everything drawn again
        self._mark = mark
        result = state.by_student.get(student.id)
        self.sub_title = f"Fiche de {student.full_name}"
        self._show_identity(state, student)
        self._show_requirement(state, student, result)
        self._days = days_info(state, student.id)
        self._show_placements(state, student)
        self._show_flags(result)
        self._show("#days", days_markup(self._days) if self._days else "")
        self._show_justificatifs(state, student)

    def _show_identity(self, state: AppState, s: Student) -> None:
        cohort = state.get("cohorts", s.cohort_id)
        voie = VOIE_LABELS.get(s.voie, s.voie)
        if s.voie == "scolaire" and s.cycle_years:
            voie += f", cycle de {s.cycle_years} ans"
        if s.positioned:
            voie += ", positionnement (R3, R4)"
        lines = [
            f"[b]{escape(s.full_name)}[/] · INE {escape(s.ine or '—')}"
            f" · naissance {format_date_fr(s.birth_date) or '—'} · {escape(s.email or 'pas de courriel')}",
            f"{escape(cohort_name(cohort, s.cohort_id))} · voie {escape(voie)}",
            "[dim]e : modifier l'élève · d : dérogation · ^suppr : supprimer l'élève[/]",
        ]
        self._show("#identity", "\n".join(lines))

    def _show_requirement(self, state: AppState, s: Student, r: CandidateStatus | None) -> None:
        if r is None:
            self._show("#requirement", "", markup=False)
            return
        colour = STATUS_COLOURS[r.status]
        if r.required_days is None:
            need = f"Justificatif exigé : {NON_DURATION_RULES.get(r.requirement_rule, '')} ({r.requirement_rule})"
        else:
            need = f"Durée exigée : {format_days(r.required_days)} ({r.requirement_rule})"
        lines = [escape(need)]
        if s.derogation is not None:
            lines.append(f"[$text-warning]Dérogation[/] : {format_days(s.derogation.required_days)}"
                         f" — motif : {escape(s.derogation.reason)}")
        progress = f"Attesté : [b]{format_days(r.attested_days)}[/]"
        if r.required_days is not None:
            progress += f" / {format_days(r.required_days)} · prévu {format_days(r.planned_days)}"
            if r.missing_days:
                progress += f" · manque {format_days(r.missing_days)}"
        lines.append(progress)
        lines.append(f"Statut : [b {colour}]{status_text(r.status)}[/] · dossier le {deadline_text_for(state, s)}")
        self._show("#requirement", "\n".join(lines))

    def _show_placements(self, state: AppState, s: Student) -> None:
        table = self.query_one("#placements", DataTable)
        current = cursor_key(table)
        colours = self.app.theme_variables
        wide = self.size.width >= WIDE
        widths = {key: (w_wide if wide else w) for _, key, w, w_wide in PLACEMENT_COLUMNS}
        placements = state.placements_by_student.get(s.id, [])
        rows: dict[str, dict[str, tuple[str, str]]] = {}  # placement id -> column -> (text, style)
        for p in placements:
            org = state.get("organisations", p.organisation_id)
            tutor = state.get("tutors", p.tutor_id)
            conv, conv_style = convention_text(p)
            att, att_style = attestation_text(p, state.today)
            cells = {
                "dates": (short_dates(p), ""),
                "organisation": (fit(org.name if org else p.organisation_id, widths["organisation"]), ""),
                "tutor": (fit(tutor.full_name if tutor else "—", widths["tutor"]), ""),
                "convention": (fit(conv, widths["convention"]), colours.get(conv_style, "")),
                "attestation": (fit(att, widths["attestation"]), colours.get(att_style, "")),
            }
            rows[p.id] = {key: cells[key] for _, key, *_ in PLACEMENT_COLUMNS if widths[key]}
        if wide == self._wide and table.columns and list(self._placement_cells) == list(rows):
            # The same placements in the same order: only the cells that changed (a save changes
            # one or two; clearing the table re-rendered all of it and moved its cursor).
            for key, cells in rows.items():
                old = self._placement_cells[key]
                for column, cell in cells.items():
                    if old.get(column) != cell:
                        table.update_cell(key, column, Text(cell[0], style=cell[1]))
        else:
            if wide != self._wide or not table.columns:
                self._wide = wide
                table.clear(columns=True)
                for label, key, *_ in PLACEMENT_COLUMNS:
                    if widths[key]:
                        table.add_column(label, key=key, width=widths[key])
            else:
                table.clear()
            for key, cells in rows.items():
                table.add_row(*(Text(text, style=style) for text, style in cells.values()), key=key)
            _restore_cursor(table, current)
        self._placement_cells = rows
        self._show_detail()
        days = sum(working_days(p.start, p.end) for p in placements)
        self._show("#placements-empty",
            "Aucun stage : « s » pour en ajouter un." if not placements else
            f"{len(placements)} stage{'s' if len(placements) > 1 else ''}, {format_days(days)} prévues"
            " · a : attestation · m : modifier · suppr : supprimer", markup=False)

    def _show_detail(self) -> None:
        """The placement under the cursor, in full: what the table has no room for."""
        state = self.app.state
        p = self.selected_placement()
        if state is None or p is None:
            self._show("#placement-detail", "", markup=False)
            return
        org = state.get("organisations", p.organisation_id)
        tutor = state.get("tutors", p.tutor_id)
        lines = [
            f"[b]{escape(org.name if org else p.organisation_id)}[/]"
            + (f", {escape(org.city)}" if org is not None and org.city else "")
            + f" · {placement_dates(p)} ({format_days(working_days(p.start, p.end))})",
            f"Tuteur : {escape(tutor.full_name if tutor else '—')}"
            + (f" ({escape(tutor.job_title)})" if tutor is not None and tutor.job_title else "")
            + f" · référent : {escape(p.teacher or '—')} · {convention_detail(p)}",
        ]
        if tutor is not None:  # whom to call or write to (issue 15 §3)
            lines.append(f"Joindre le tuteur : {escape(tutor_contact(tutor))}")
        if org is not None and (org.phone or org.email or org.website):
            lines.append(f"Joindre l'organisme : {escape(organisation_contact(org))}")
        a = p.attestation
        if a is None:
            lines.append("Attestation : " + ("[$text-error]✗ non reçue (R11)[/]" if p.end < state.today
                                             else "à recevoir après le stage (R11)"))
        else:
            signed = "signée par le tuteur" if a.signed_by_tutor else "[$text-warning]! non signée[/]"
            lines.append(f"Attestation reçue le {format_date_fr(a.received_on)}, {signed},"
                         f" {format_days(a.days_completed)} effectuées"
                         + (f" · {escape(a.activities)}" if a.activities else ""))
        lines.append(assessment_line(state, p))  # R12 (issue 6)
        extra = placement_days_line(self._days, p, p.id in self._days.mobility_ids if self._days else False)
        if extra:
            lines.append(extra)  # R15, R17, R18 (issue 14)
        lines += follow_up_lines(p)  # visits and reminders (issue 15)
        self._show("#placement-detail", "\n".join(lines))

    def on_resize(self) -> None:
        if self._wide is not None and (self.size.width >= WIDE) != self._wide and self.app.state is not None:
            self.show_state(self.app.state)

    @on(DataTable.RowHighlighted, "#placements")
    def _placement_highlighted(self) -> None:
        self._show_detail()

    def _show_flags(self, r: CandidateStatus | None) -> None:
        if r is None or not r.flags:
            self._show("#flags", "[$text-success]✓ Aucune alerte.[/]")
            return
        lines = []
        for f in sorted(r.flags, key=lambda f: not f.blocking):
            if f.blocking:
                lines.append(f"[$text-error]✗ {f.rule}[/] {escape(f.message)}")
            else:
                lines.append(f"[$text-warning]! {f.rule}[/] {escape(f.message)} [dim](avertissement)[/]")
        self._show("#flags", "\n".join(lines))

    def _show_justificatifs(self, state: AppState, s: Student) -> None:
        data = state.data
        certificates = [c for c in data.work_certificates if c.student_id == s.id]
        contracts = [c for c in data.contracts if c.student_id == s.id]
        needed = s.voie in CERTIFICATE_VOIES or s.voie in CONTRACT_VOIES
        table = self.query_one("#justificatifs", DataTable)
        rows = [(f"contracts:{c.id}", ("Contrat d'apprentissage", c.employer, format_date_fr(c.start),
                                        format_date_fr(c.end), "—"))
                for c in sorted(contracts, key=lambda c: c.start)]
        rows += [(f"work_certificates:{c.id}", ("Certificat de travail", c.employer, format_date_fr(c.start),
                                                 format_date_fr(c.end), "plein" if c.full_time else "partiel"))
                 for c in sorted(certificates, key=lambda c: c.start)]
        if rows != self._justificatif_rows:  # most saves change none of them
            current = cursor_key(table)
            table.clear()
            for key, cells in rows:
                table.add_row(*cells, key=key)
            _restore_cursor(table, current)
            self._justificatif_rows = rows
        shown = needed or bool(certificates or contracts)
        for widget_id in ("#justificatifs-title", "#justificatifs", "#justificatifs-empty"):
            widget = self.query_one(widget_id)
            if widget.display != shown:
                widget.display = shown
        what = "contrat d'apprentissage (R7)" if s.voie in CONTRACT_VOIES else "certificats de travail (R6, R8)"
        self._show("#justificatifs-empty",
            f"Aucun justificatif : « j » pour ajouter un {what.split(' (')[0]}." if table.row_count == 0
            else f"« j » : ajouter · {what}", markup=False)

    def _show(self, selector: str, text: str, markup: bool = True) -> None:
        """`text` (Textual markup unless `markup` is False) in the Static `selector`, parsed and
        laid out only when it differs from what it shows."""
        if self._texts.get(selector) == (text, markup):
            return
        self._texts[selector] = (text, markup)
        widget = self.query_one(selector, Static)
        content = Content.from_markup(text) if markup and text else text
        # A text of as many lines at this width leaves the file's layout as it is: repainting
        # the widget is enough (a layout of the whole screen was half of a save's redraw).
        width, height = widget.size
        measured = content if isinstance(content, Content) else Content.from_markup(text)  # parsed once
        same_height = bool(width and height) and measured.get_height(widget.styles, width) == height
        widget.update(content, layout=not same_height)

    # -- selection -----------------------------------------------------------------------------
    def selected_placement(self) -> Placement | None:
        state = self.app.state
        key = cursor_key(self.query_one("#placements", DataTable))
        if state is None or not key:
            return None
        # Among this learner's placements: `state.get` indexes every placement of the school
        # the first time it is asked after a commit (12 ms at 15,000 learners, issue 13).
        return next((p for p in state.placements_by_student.get(self.student_id, ()) if p.id == key), None)

    def _selected_justificatif(self) -> tuple[str, str] | None:
        key = cursor_key(self.query_one("#justificatifs", DataTable))
        if not key:
            return None
        kind, _, record_id = key.partition(":")
        return kind, record_id

    def select_record(self, kind: str, record_id: str) -> None:
        """A placement or justificatif just created for this learner: the cursor goes to it."""
        if kind == "placements":
            table, key = self.query_one("#placements", DataTable), record_id
        elif kind in ("work_certificates", "contracts"):
            table, key = self.query_one("#justificatifs", DataTable), f"{kind}:{record_id}"
        else:
            return
        try:
            table.move_cursor(row=table.get_row_index(key))
        except Exception:  # not this learner's
            return
        table.focus()
        self._show_detail()

    def _justificatifs_focused(self) -> bool:
        return self.focused is self.query_one("#justificatifs", DataTable)

    def _need_student(self) -> bool:
        if self.student is None:
            self.notify("Cet élève n'existe plus.", severity="error")
            return False
        return True

    # -- actions -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return gate(self.app, "candidate", action)

    def action_history(self) -> None:
        """The learner's history (issue 16): who changed what in their file, and when."""
        student = self.app.state.get("students", self.student_id) if self.app.state is not None else None
        name = student.full_name if student is not None else self.student_id
        go(self.app, Journal(self.student_id, f"Historique de {name}"))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_new_placement(self) -> None:
        if self._need_student():
            self.app.open_form("placements", context={"student_id": self.student_id},
                               subtitle=self.student.full_name)

    def _chosen_placement(self) -> Placement | None:
        """The placement under the cursor, else None after saying how to choose one."""
        p = self.selected_placement() if self._need_student() else None
        if p is None and self.student is not None:
            self.notify("Choisissez d'abord un stage dans la liste (« s » pour en créer un).", severity="warning")
        return p

    def action_attestation(self) -> None:
        p = self._chosen_placement()
        if p is not None:
            self.app.open_form("attestation", record_id=p.id,
                               subtitle=f"{self.student.full_name} · {placement_dates(p)}")

    def action_edit_item(self) -> None:
        if not self._need_student():
            return
        if self._justificatifs_focused():
            chosen = self._selected_justificatif()
            if chosen is not None:
                self.app.open_form(chosen[0], record_id=chosen[1], subtitle=self.student.full_name)
            return
        p = self.selected_placement()
        if p is None:
            self.notify("Aucun stage à modifier : « s » pour en créer un.", severity="warning")
            return
        self.app.open_form("placements", record_id=p.id, subtitle=self.student.full_name)

    def action_terms(self) -> None:
        """What the convention fixes for the placement chosen (issue 15): hours, annexe pédagogique…"""
        p = self._chosen_placement()
        if p is not None:
            self.app.open_form("terms", record_id=p.id, context={"student": self.student},
                               subtitle=terms_subtitle(self.student, p))

    def action_edit_student(self) -> None:
        if self._need_student():
            self.app.open_form("students", record_id=self.student_id)

    def action_derogation(self) -> None:
        if self._need_student():
            self.app.open_form("derogation", record_id=self.student_id, subtitle=self.student.full_name)

    def action_new_justificatif(self) -> None:
        if not self._need_student():
            return
        form = "contracts" if self.student.voie in CONTRACT_VOIES else "work_certificates"
        self.app.open_form(form, context={"student_id": self.student_id}, subtitle=self.student.full_name)

    def action_delete_item(self) -> None:
        if not self._need_student():
            return
        if self._justificatifs_focused():
            chosen = self._selected_justificatif()
            if chosen is not None:
                self.app.confirm_delete(chosen[0], chosen[1], "ce justificatif")
            return
        p = self.selected_placement()
        if p is None:
            self.notify("Aucun stage sélectionné.", severity="warning")
            return
        self.app.confirm_delete("placements", p.id, f"le stage {placement_dates(p)}")  # never « du du »

    def action_delete_student(self) -> None:
        if self._need_student():
            self.app.confirm_delete("students", self.student_id, f"l'élève {self.student.full_name}")

    # -- document de liaison (issue 6) ----------------------------------------------------------
    def action_assess(self) -> None:
        p = self.selected_placement() if self._need_student() else None
        if p is None and self.student is not None:
            self.notify("Choisissez d'abord un stage dans la liste (« s » pour en créer un).", severity="warning")
        elif p is not None:
            go(self.app, AssessmentGrid(p.id))

    def palette_entries(self) -> list[tuple[str, str, Callable[[], object]]]:
        """The file's own entries of the command palette (see `liaison.palette_commands`)."""
        return [
            ("Évaluer le stage choisi", "Grille des 37 compétences (R12) : 1 à 4, 0 non évalué",
             self.action_assess),
            ("Progression de l'élève", "Compétences × stages, couverture des trois blocs (R16)",
             self.action_progress),
            ("Attestation PDF du stage choisi", "Pré-remplie pour le tuteur, dans exports/ (R11)",
             partial(self.action_paper, "attestation")),
            ("Document de liaison PDF", "Stages et évaluations de l'élève, dans exports/ (R12)",
             partial(self.action_paper, "liaison")),
            ("Convention DOCX du stage choisi", "Le modèle de l'établissement rempli, dans exports/ (R10)",
             self.action_convention),
            ("Conditions de la convention du stage choisi",
             "Horaires, travail de nuit, compétences visées, gratification, transport, repas, assurance",
             self.action_terms),
        ]

    def action_convention(self) -> None:
        p = self._chosen_placement()
        if p is not None:
            write_conventions(self.app, placement_id=p.id)

    def action_visits(self) -> None:
        """The visits of the placement under the cursor (issue 15 §3)."""
        p = self.selected_placement() if self._need_student() else None
        if p is None:
            if self.student is not None:
                self.notify("Choisissez d'abord un stage dans la liste (« s » pour en créer un).", severity="warning")
            return
        go(self.app, Visits(p.id))

    def action_progress(self) -> None:
        if self._need_student():
            go(self.app, Progress(self.student_id))

    def action_paper(self, kind: str) -> None:
        if not self._need_student():
            return
        if kind == "liaison":
            write_paper(self.app, "liaison", self.student_id)
            return
        p = self.selected_placement()
        if p is None:
            self.notify("Choisissez d'abord un stage dans la liste (« s » pour en créer un).", severity="warning")
            return
        write_paper(self.app, "attestation", p.id)

    @on(DataTable.RowSelected, "#placements")
    def _placement_chosen(self) -> None:
        self.action_edit_item()

    @on(DataTable.RowSelected, "#justificatifs")
    def _justificatif_chosen(self) -> None:
        self.action_edit_item()


def deadline_text_for(state: AppState, s: Student) -> str:
    cohort = state.get("cohorts", s.cohort_id)
    return deadline_text(cohort, state.today) if cohort is not None else "—"




def _restore_cursor(table: DataTable, key: str | None) -> None:
    if key is None:
        return
    try:
        table.move_cursor(row=table.get_row_index(key))
    except Exception:  # the row is gone
        pass

