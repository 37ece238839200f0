"""Placing the learners of a period (issue 5), then their host organisation and tutor.

`PlacingScreen` lists the learners of the period's cohort who do PFMP (R1–R5) and
their placement in the period; « p » creates the placements of the chosen learners,
or of the whole cohort, in one commit (`services.planning.place`: the host is
« Organisation à trouver » until chosen). `AssignScreen` then chooses the host
organisation and the tutor by typing (accents and case ignored) and the teacher.
The screen flags what the law and the dossier need: learners still without a
host, overlapping placements, a teacher following more than 16 learners at once.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    DataTable,
    Input,
    Label,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from ...domain.errors import ValidationFailed
from ...domain.model import Placement, Student
from ...domain.planner import (
    MAX_LEARNERS_PER_TEACHER,
    overlapping_placements,
    overloaded_teachers,
    unplaced_students,
)
from ...domain.requirements import required_days
from ...domain.validation import format_date_fr
from ...domain.wording import count
from ...services.planning import PLACEHOLDER_ORG, assign, place
from ...services.errors import ConflictError, StoreError
from .. import keys
from ..conventions import signature_line, terms_subtitle, write_conventions
from ..formatting import fit, placement_dates
from ..search_defaults import search_defaults
from ..state import AppState, cohort_name, fold
from ..tables import cursor_key
from ..targets import Timeline, go
from .base import TableDetailScreen
from .dialogs import ConfirmScreen

PLACING_COLUMNS = (("", "mark", 1), ("Élève", "name", 20), ("Organisation d'accueil", "organisation", 22),
                   ("Tuteur", "tutor", 13), ("Réf.", "teacher", 8))


def _plural(n: int, one: str, many: str) -> str:
    """« 0 stage », « 1 élève », « 2 élèves » (French: singular for 0 and 1)."""
    return count(n, one, many)


def period_placement(state: AppState, student_id: str, period_id: str) -> Placement | None:
    return next((p for p in state.placements_by_student.get(student_id, []) if p.period_id == period_id), None)


def placing_warnings(state: AppState, period_id: str) -> list[str]:
    """What needs doing for this period: learners without a host, overlaps of the
    cohort's placements, teachers of the period following more than 16 learners at once."""
    data = state.data
    period = state.get("periods", period_id)
    if period is None:
        return []
    students = [s for s in data.students if s.cohort_id == period.cohort_id]
    ids = {s.id for s in students}
    names = {s.id: s.full_name for s in students}
    out = []
    missing = sorted(unplaced_students(period, students, data.placements, PLACEHOLDER_ORG.id),
                     key=lambda s: (fold(s.last_name), fold(s.first_name)))
    if missing:
        shown = ", ".join(s.full_name for s in missing[:4]) + (", …" if len(missing) > 4 else "")
        out.append(f"{_plural(len(missing), 'élève', 'élèves')} sans organisation d'accueil : {shown}")
    for a, b in overlapping_placements(p for p in data.placements if p.student_id in ids):
        if period_id in (a.period_id, b.period_id):
            out.append(f"{names.get(a.student_id, a.student_id)} : stages {placement_dates(a)} et "
                       f"{placement_dates(b)} qui se chevauchent")
    here = {p.teacher for p in data.placements if p.period_id == period_id and p.teacher}
    for teacher, (count, day) in sorted(overloaded_teachers(data.placements).items()):
        if teacher in here:
            out.append(f"{teacher} suit {count} élèves en même temps le {format_date_fr(day)} "
                       f"({MAX_LEARNERS_PER_TEACHER} au plus, code de l'éducation D124-3)")
    return out


class PlacingScreen(TableDetailScreen):
    CSS_PATH = "placing.tcss"
    KEY_SCOPE = "placing"
    BINDINGS = keys.bindings("placing")
    SUMMARY_ID, TABLE_ID, DETAIL_ID, COLUMNS = "placing-summary", "placing", "placing-warnings", PLACING_COLUMNS

    def __init__(self, period_id: str) -> None:
        super().__init__()
        self.period_id = period_id
        self.cohort_id: str | None = None
        self.selected: set[str] = set()
        self.students: list[Student] = []
        self._counts: tuple[str, str, str, int, int] = ("", "", "", 0, 0)
        self.conventions_progress = ""  # « Conventions : 120/434 remplies… » while the worker runs

    def current_cohort_id(self) -> str | None:
        return self.cohort_id

    def show_state(self, state: AppState) -> None:
        period = state.get("periods", self.period_id)
        table = self.query_one(DataTable)
        if period is None:
            self.query_one("#placing-summary", Static).update(
                Content.from_markup("[$text-error]✗ Cette période a été supprimée (par une autre session ?).[/]"))
            table.clear()
            self.query_one("#placing-warnings", Static).update("")
            return
        self.cohort_id = period.cohort_id
        cohort = state.get("cohorts", period.cohort_id)
        self.sub_title = f"Placer · {period.label}"
        self.students = sorted(
            (s for s in state.data.students if s.cohort_id == period.cohort_id and required_days(s)[0] is not None),
            key=lambda s: (fold(s.last_name), fold(s.first_name), s.id))
        self.selected &= {s.id for s in self.students}
        current = self.current_student()
        table.clear()
        colours = self.app.theme_variables
        placed = with_host = 0
        for s in self.students:
            p = period_placement(state, s.id, self.period_id)
            if p is None:
                org = Text("— pas de stage", style=colours.get("text-muted", ""))
                tutor = teacher = ""
            else:
                placed += 1
                if p.organisation_id == PLACEHOLDER_ORG.id:
                    org = Text("? à trouver", style=colours.get("text-warning", ""))
                else:
                    with_host += 1
                    o = state.get("organisations", p.organisation_id)
                    org = Text(fit(o.name if o else p.organisation_id, 22))
                t = state.get("tutors", p.tutor_id)
                tutor = fit(t.full_name, 13) if t else "—"
                teacher = fit(p.teacher or "—", 8)
            table.add_row(self._mark(s.id), fit(s.full_name, 20), org, tutor, teacher, key=s.id)
        if current is not None and current in table.rows:  # else gone since: the cursor stays
            table.move_cursor(row=table.get_row_index(current))
        self._counts = (period.label, cohort_name(cohort, period.cohort_id), placement_dates(period), placed, with_host)
        self._show_summary()
        warnings = placing_warnings(state, self.period_id)
        self.query_one("#placing-warnings", Static).update(Content.from_markup(
            "\n".join(f"[$text-warning]![/] {escape(w)}" for w in warnings) if warnings else
            "[$text-success]✓[/] Chaque élève a son organisation d'accueil ; aucun chevauchement ; "
            f"aucun référent au-delà de {MAX_LEARNERS_PER_TEACHER} élèves."))

    def _show_summary(self) -> None:
        _label, cohort, dates, placed, with_host = self._counts
        n = len(self.students)
        chosen = (f"{len(self.selected)} choisi{'s' if len(self.selected) > 1 else ''} : « p » place ceux-là"
                  if self.selected else "aucun choisi (espace) : « p » place toute la cohorte")
        state = self.app.state
        signatures = signature_line(state.data, self.period_id, state.today) if state is not None else ""
        self.query_one("#placing-summary", Static).update(Content.from_markup(
            f"[b]{escape(cohort)}[/] · {dates}\n"
            f"{n} élève{'s' if n > 1 else ''} en PFMP · {placed} avec un stage · {with_host} avec organisation\n"
            + (f"{signatures}\n" if signatures else "")
            + (f"[$text-accent]{escape(self.conventions_progress)}[/]\n" if self.conventions_progress else "")
            + f"[$text-muted]{chosen}[/]"))

    def palette_entries(self) -> list:
        """The placing screen's own entries of the command palette."""
        return [("Conventions DOCX de toute la période", "Une par élève, du modèle de l'établissement, dans exports/ (R10)",
                 self.action_conventions),
                ("Conditions de la convention de l'élève choisi",
                 "Horaires, travail de nuit, compétences visées, gratification, transport, repas, assurance",
                 self.action_terms)]

    def action_conventions(self) -> None:
        write_conventions(self.app, period_id=self.period_id, on_progress=self._conventions_progress)

    def _conventions_progress(self, text: str) -> None:
        self.conventions_progress = text
        if self.is_mounted:
            self._show_summary()

    def action_terms(self) -> None:
        """The conditions of the convention of the learner's placement in this period (issue 15)."""
        sid, state = self.current_student(), self.app.state
        if sid is None or state is None:
            return
        placement = period_placement(state, sid, self.period_id)
        student = state.get("students", sid)
        if placement is None or student is None:
            self.notify("Pas encore de stage dans cette période : « p » pour le placer, puis « c ».", severity="warning")
            return
        self.app.open_form("terms", record_id=placement.id, context={"student": student},
                           subtitle=terms_subtitle(student, placement))

    def _mark(self, student_id: str) -> Text:
        return Text("✓" if student_id in self.selected else " ", style="bold")

    def current_student(self) -> str | None:
        return cursor_key(self.query_one(DataTable))

    # -- actions ---------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle(self) -> None:
        sid = self.current_student()
        if sid is None:
            return
        self.selected.symmetric_difference_update({sid})
        table = self.query_one(DataTable)
        table.update_cell(sid, "mark", self._mark(sid))
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self._show_summary()

    def action_toggle_all(self) -> None:
        everyone = {s.id for s in self.students}
        self.selected = set() if self.selected == everyone else everyone
        table = self.query_one(DataTable)
        for sid in everyone:
            table.update_cell(sid, "mark", self._mark(sid))
        self._show_summary()

    def action_place(self) -> None:
        state = self.app.state
        period = state.get("periods", self.period_id) if state else None
        if period is None:
            return
        targets = [s for s in self.students if not self.selected or s.id in self.selected]
        new = [s for s in targets if period_placement(state, s.id, self.period_id) is None]
        if not new:
            self.notify("Ils ont déjà tous un stage dans cette période : « o » pour choisir leur organisation.",
                        severity="warning")
            return
        who = (f"les {len(new)} élèves choisis" if self.selected else
               f"toute la cohorte ({_plural(len(new), 'élève', 'élèves')} sans stage dans cette période)")
        if len(new) == 1:
            who = new[0].full_name

        def done(yes: bool | None) -> None:
            if yes:
                self._place([s.id for s in new] if self.selected else None)

        self.app.push_screen(ConfirmScreen(
            f"Placer {who} ?",
            f"Un stage {placement_dates(period)} est créé pour chacun, organisation « {PLACEHOLDER_ORG.name} » "
            "jusqu'à ce que vous la choisissiez (« o »).",
            yes="Placer", no="Annuler"), done)

    def _place(self, student_ids: list[str] | None) -> list[Placement]:
        try:
            result = place(self.app.repo, self.period_id, student_ids)
        except ValidationFailed as exc:
            self.notify("\n".join(e.message for e in exc.errors), title="Placement refusé", severity="error",
                        timeout=10)
            return []
        except StoreError as exc:
            self.notify(str(exc), title="Magasin illisible", severity="error")
            return []
        n = len(result.created)
        text = f"{n} stage{'s' if n > 1 else ''} créé{'s' if n > 1 else ''}"
        if result.skipped:
            text += f", {_plural(len(result.skipped), 'élève déjà placé', 'élèves déjà placés')}"
        self.notify(text + ". « o » : organisation et tuteur de chacun.", title="Élèves placés")
        self.selected.clear()
        self.app.reload()
        return result.created

    @on(DataTable.RowSelected, "#placing")
    def _selected(self) -> None:
        self.action_assign()

    def action_assign(self) -> None:
        sid, state = self.current_student(), self.app.state
        if sid is None or state is None:
            return
        placement = period_placement(state, sid, self.period_id)
        if placement is None:  # not placed yet: the placement is created with its host, on ^s
            self.app.push_screen(AssignScreen(period_id=self.period_id, student_id=sid), self._assigned)
        else:
            self.app.push_screen(AssignScreen(placement.id), self._assigned)

    def _assigned(self, saved: bool | None) -> None:
        if saved:
            self.app.reload()

    def action_timeline(self) -> None:
        go(self.app, Timeline(self.cohort_id))


# -- organisation and tutor of one placement -------------------------------------------------------------
class AssignScreen(ModalScreen[bool]):
    """Host organisation, tutor and teacher of one placement, or of a learner not yet
    placed in a period (the placement is then created on ^s); search as you type."""

    CSS_PATH = "placing.tcss"
    KEY_SCOPE = "assign"
    BINDINGS = keys.bindings("assign")

    def __init__(self, placement_id: str | None = None, *, period_id: str | None = None,
                 student_id: str | None = None) -> None:
        super().__init__()
        self.placement_id = placement_id
        self.period_id = period_id
        self.student_id = student_id
        self.placement: Placement | None = None
        self.placement_rev: int | None = None  # the revision shown: a later change is not overwritten
        self.organisation_id: str | None = None
        self.tutor_id: str | None = None
        self._orgs_before: set[str] | None = None  # set while a new organisation is being created

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="assign-dialog"):
            yield Static("Organisation d'accueil et tuteur", id="assign-title", classes="dialog-title")
            yield Static("", id="assign-when", classes="muted")
            yield Static("", id="form-error", classes="form-error")
            yield Input(placeholder="Rechercher une organisation (nom, ville, SIRET)…", id="org-search", compact=True)
            yield OptionList(id="org-list", compact=True)
            yield Static("", id="org-chosen")
            yield Input(placeholder="Rechercher un tuteur…", id="tutor-search", compact=True)
            yield OptionList(id="tutor-list", compact=True)
            with Horizontal(classes="field-row"):
                yield Label("Professeur référent", classes="field-label")
                yield Input(placeholder="identifiant, ex. mdurand", id="assign-teacher", compact=True)
            yield Static("↓ : la liste · entrée : choisir · ^n : nouvelle organisation", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Enregistrer ^s", id="save", variant="primary", compact=True)
                yield Button("Annuler échap", id="cancel", compact=True)

    def on_mount(self) -> None:
        state = self.app.state
        if self.placement_id is not None:
            self.placement = state.get("placements", self.placement_id) if state else None
            self.placement_rev = state.snapshot.rev("placements", self.placement_id) if state else None
            if self.placement is None:
                try:
                    found = self.app.repo.get("placements", self.placement_id)
                except StoreError:
                    found = None
                self.placement, self.placement_rev = found if found else (None, None)
            if self.placement is None:
                self._error("Ce stage a été supprimé (par une autre session ?).")
                return
            self.student_id = self.placement.student_id
        student = state.get("students", self.student_id) if state else None
        name = student.full_name if student else self.student_id
        period = state.get("periods", self.period_id) if state else None
        p = self.placement
        when = placement_dates(p) if p else (f"nouveau stage {placement_dates(period)}" if period else "")
        self.query_one("#assign-title", Static).update(f"Organisation et tuteur · {name}")
        self.query_one("#assign-when", Static).update(when)
        if p is not None and p.organisation_id != PLACEHOLDER_ORG.id:
            self.organisation_id = p.organisation_id
            self.tutor_id = p.tutor_id
        self.query_one("#assign-teacher", Input).value = (p.teacher if p else None) or ""
        self._fill_orgs("")
        self._fill_tutors("")
        self._show_chosen()

    def show_state(self, state: AppState) -> None:
        """A new organisation (^n) or tutor saved: in the lists, and chosen."""
        if self._orgs_before is not None:
            new = [o.id for o in state.data.organisations if o.id not in self._orgs_before]
            if len(new) == 1:
                self._choose_org(new[0])
                self._orgs_before = None
        tutors_before = getattr(self, "_tutors_before", None)
        if tutors_before is not None:
            new = [t.id for t in state.data.tutors
                   if t.id not in tutors_before and t.organisation_id == self.organisation_id]
            if len(new) == 1:
                self._tutors_before = None
                self._fill_tutors("")
                self._choose_tutor(new[0])
                return
        self._fill_orgs(self.query_one("#org-search", Input).value)
        self._fill_tutors(self.query_one("#tutor-search", Input).value)

    # -- lists -----------------------------------------------------------------------------------
    def _fill_orgs(self, text: str) -> None:
        state = self.app.state
        if state is None:
            return
        words = fold(text).split()
        options = []
        for o in sorted(state.data.organisations, key=lambda o: fold(o.name)):
            if o.id == PLACEHOLDER_ORG.id:
                continue
            key = fold(" ".join(x for x in (o.name, o.city, o.postcode, o.siret) if x))
            if all(w in key for w in words):
                label = o.name + (f" ({o.city})" if o.city else "")
                options.append(Option(("✓ " if o.id == self.organisation_id else "  ") + label, id=o.id))
        org_list = self.query_one("#org-list", OptionList)
        org_list.set_options(options or [Option("  aucune organisation ne correspond (^n : la créer)",
                                                disabled=True)])
        if options:
            org_list.highlighted = 0

    def _fill_tutors(self, text: str) -> None:
        state = self.app.state
        tutor_list = self.query_one("#tutor-list", OptionList)
        if state is None or self.organisation_id is None:
            tutor_list.set_options([Option("  choisissez d'abord l'organisation", disabled=True)])
            return
        words = fold(text).split()
        options = [Option(("✓ " if self.tutor_id is None else "  ") + "aucun tuteur pour l'instant (^n : le créer)",
                          id="")]
        tutors = sorted((t for t in state.data.tutors if t.organisation_id == self.organisation_id),
                        key=lambda t: (fold(t.last_name), fold(t.first_name)))
        for t in tutors:
            key = fold(f"{t.first_name} {t.last_name} {t.job_title or ''}")
            if all(w in key for w in words):
                label = t.full_name + (f", {t.job_title}" if t.job_title else "")
                options.append(Option(("✓ " if t.id == self.tutor_id else "  ") + label, id=t.id))
        tutor_list.set_options(options)
        tutor_list.highlighted = 1 if len(options) > 1 and words else 0

    def _show_chosen(self) -> None:
        state = self.app.state
        org = state.get("organisations", self.organisation_id) if state else None
        tutor = state.get("tutors", self.tutor_id) if state else None
        text = (f"[$text-success]✓[/] [b]{escape(org.name)}[/]" + (f" · tuteur : {escape(tutor.full_name)}" if tutor else
                                                                  " · [$text-muted]sans tuteur[/]")
                if org else "[$text-warning]?[/] Organisation : à choisir dans la liste")
        self.query_one("#org-chosen", Static).update(Content.from_markup(text))

    def _choose_org(self, org_id: str) -> None:
        if org_id != self.organisation_id:
            self.tutor_id = None
        self.organisation_id = org_id
        self._fill_orgs(self.query_one("#org-search", Input).value)
        self.query_one("#tutor-search", Input).value = ""
        self._fill_tutors("")
        self._show_chosen()

    @on(Input.Changed, "#org-search")
    def _org_typed(self, event: Input.Changed) -> None:
        self._fill_orgs(event.value)

    @on(Input.Changed, "#tutor-search")
    def _tutor_typed(self, event: Input.Changed) -> None:
        self._fill_tutors(event.value)

    @on(Input.Submitted, "#org-search")
    def _org_submitted(self) -> None:
        option = self.query_one("#org-list", OptionList).highlighted_option
        if option is not None and option.id and not option.disabled:
            self._choose_org(option.id)
            self.query_one("#tutor-search", Input).focus()

    @on(Input.Submitted, "#tutor-search")
    def _tutor_submitted(self) -> None:
        option = self.query_one("#tutor-list", OptionList).highlighted_option
        if option is not None and not option.disabled:
            self._choose_tutor(option.id or None)

    @on(Input.Submitted, "#assign-teacher")
    def _teacher_submitted(self) -> None:
        self.action_save()

    @on(OptionList.OptionSelected, "#org-list")
    def _org_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._choose_org(event.option.id)
            self.query_one("#tutor-search", Input).focus()

    @on(OptionList.OptionSelected, "#tutor-list")
    def _tutor_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose_tutor(event.option.id or None)

    def _choose_tutor(self, tutor_id: str | None) -> None:
        self.tutor_id = tutor_id
        self._fill_tutors(self.query_one("#tutor-search", Input).value)
        self._show_chosen()
        self.query_one("#assign-teacher", Input).focus()

    # -- actions ---------------------------------------------------------------------------------
    def action_to_list(self) -> None:
        focused = self.focused
        target = {"org-search": "#org-list", "tutor-search": "#tutor-list"}.get(focused.id or "") if focused else None
        if target:
            self.query_one(target, OptionList).focus()
        else:
            self.focus_next()

    def action_new_organisation(self) -> None:
        """^n creates what is missing where the focus is: the tutor (from the tutors' search or
        list, once the organisation is chosen) or the organisation; what was typed in that
        search goes into its form, and the new record is then chosen."""
        state = self.app.state
        focused = self.focused.id if self.focused is not None else ""
        if focused in ("tutor-search", "tutor-list") and self.organisation_id is not None:
            self._tutors_before = {t.id for t in state.data.tutors} if state else set()
            text = self.query_one("#tutor-search", Input).value
            self.app.open_form("tutors", defaults={"organisation_id": self.organisation_id,
                                                   **search_defaults("tutors", text)})
            return
        self._orgs_before = {o.id for o in state.data.organisations} if state else set()
        self.app.open_form("organisations",
                           defaults=search_defaults("organisations", self.query_one("#org-search", Input).value))

    def _error(self, message: str) -> None:
        box = self.query_one("#form-error", Static)
        box.update(f"✗ {message}")
        box.set_class(bool(message), "-shown")

    def action_save(self) -> None:
        if self.placement is None and self.period_id is None:
            return
        if self.organisation_id is None:
            self._error("choisissez l'organisation d'accueil dans la liste (entrée)")
            self.query_one("#org-search", Input).focus()
            return
        teacher = self.query_one("#assign-teacher", Input).value.strip() or None
        try:
            if self.placement is not None:
                assign(self.app.repo, self.placement.id, self.organisation_id, self.tutor_id, teacher,
                       expected_rev=self.placement_rev)
            else:
                result = place(self.app.repo, self.period_id, [self.student_id], self.organisation_id,
                               self.tutor_id, teacher)
                if not result.created:
                    self._error("rien n'a été enregistré : l'élève a déjà un stage dans cette période")
                    return
                self.placement = result.created[0]
        except ValidationFailed as exc:
            self._error("; ".join(e.message for e in exc.errors))
            return
        except (ConflictError, StoreError) as exc:
            self._error(f"rien n'a été enregistré : {exc}")
            return
        state = self.app.state
        org = state.get("organisations", self.organisation_id) if state else None
        self.notify(f"{org.name if org else self.organisation_id} · "
                    f"{placement_dates(self.placement)}", title="Organisation d'accueil enregistrée")
        self.dismiss(True)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
