"""Teachers' visits of a placement (issue 15 §3): the list, and the forms to plan one,
record one as done, delete one.

Shared by the candidate file (« v » on a placement) and « Mes élèves » (entrée on a visit
to plan or to do): dialogs, not screens of their own (they import no screen).

The rules of every form here: what is typed is what is saved (keys in bursts are applied
in order by the app, `key_order`); a wrong date or a missing choice gets a French
message under its field and nothing is written; leaving a changed form asks first
(`confirm_leave`, also on ^q and the palette); a visit changed or removed by another
session since the form opened is never overwritten silently: both versions are shown,
the input stays, and the next ^s saves it knowingly (`services.visits.VisitChanged`).
A visit lives in its placement: saving it under the store's lock keeps every visit
another session planned meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from ...domain.errors import ValidationFailed
from ...domain.model import VISIT_KIND_LABELS, VISIT_KINDS, Placement, Visit
from ...domain.validation import format_date_fr, parse_french_date
from ...services import visits as visit_service
from ...services.errors import ConflictError, StoreError
from .. import keys
from ..formatting import fit, placement_dates
from .dialogs import ConfirmScreen, ask_to_discard

KIND_OPTIONS = [(VISIT_KIND_LABELS[k], k) for k in VISIT_KINDS]
REPORT_MAX = 500  # a short compte rendu (the fiche shows the last one)
FIELD_LABELS = {"date": "Date", "teacher": "Professeur", "kind": "Modalité", "report": "Compte rendu"}


def visit_text(v: Visit) -> str:
    """« sur place, prévue le 03/12/2026 par mdurand — RAS » (plain text)."""
    return visit_service.describe(v).split(" : ", 1)[1]


def _describe_placement(app: Any, p: Placement) -> str:
    state = app.state
    student = state.get("students", p.student_id) if state else None
    org = state.get("organisations", p.organisation_id) if state else None
    return (f"{student.full_name if student else p.student_id} · {org.name if org else p.organisation_id} · "
            f"{placement_dates(p)} · référent : {p.teacher or '—'}")


def _fresh(app: Any, placement_id: str) -> Placement | None:
    """The placement as the store holds it now (a form opens on the latest version)."""
    try:
        found = app.repo.get("placements", placement_id)
    except StoreError:
        found = None
    return found[0] if found else None


class VisitFormScreen(ModalScreen[bool]):
    """Plan a visit (`visit` None) or record `visit` as done; True once saved."""

    CSS_PATH = "visits.tcss"
    KEY_SCOPE = "form"
    BINDINGS = keys.bindings("form")

    def __init__(self, placement: Placement, visit: Visit | None = None) -> None:
        super().__init__()
        self.placement = placement
        self.visit = visit  # the version the person sees (a later change is not overwritten)
        self.recreate = False  # the visit was deleted by another session: ^s adds it again
        self.confirmed_over: Visit | None = None  # their version, shown: the next ^s saves over it
        self.initial: dict[str, Any] = {}

    @property
    def planning(self) -> bool:
        return self.visit is None

    def compose(self) -> ComposeResult:
        title = "Planifier une visite de stage" if self.planning else "Visite faite : date et compte rendu"
        with Vertical(id="dialog", classes="visit-dialog"):
            yield Static(title, classes="dialog-title")
            yield Static("", id="visit-what", classes="dialog-subtitle")
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="field-row"):
                yield Label(("Date prévue" if self.planning else "Faite le") + " *", classes="field-label")
                yield Input(placeholder="JJ/MM/AAAA", id="visit-date", compact=True)
            yield Static("", id="err-date", classes="field-error")
            if self.planning:
                with Horizontal(classes="field-row"):
                    yield Label("Professeur", classes="field-label")
                    yield Input(placeholder="identifiant (défaut : le référent)", id="visit-teacher", compact=True)
                yield Static("", id="err-teacher", classes="field-error")
            with Horizontal(classes="field-row"):
                yield Label("Modalité *", classes="field-label")
                yield Select(KIND_OPTIONS, prompt="—", id="visit-kind", compact=True, allow_blank=True)
            yield Static("", id="err-kind", classes="field-error")
            if not self.planning:
                with Horizontal(classes="field-row"):
                    yield Label("Compte rendu", classes="field-label")
                    yield Input(placeholder="quelques mots (facultatif)", id="visit-report", compact=True,
                                max_length=REPORT_MAX)
                yield Static("", id="err-report", classes="field-error")
            yield Static("* obligatoire · Tab : champ suivant", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Enregistrer ^s", id="save", variant="primary", compact=True)
                yield Button("Annuler échap", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#visit-what", Static).update(_describe_placement(self.app, self.placement)
                                                     + ("" if self.planning else f"\n{visit_text(self.visit)}"))
        self._fill(self._values_of(self.visit))
        self.initial = self.values()
        self.query_one("#visit-date", Input).focus()

    def _values_of(self, v: Visit | None) -> dict[str, Any]:
        if v is None:
            return {"date": "", "teacher": self.placement.teacher or "", "kind": "sur_place"}
        today = self.app.today
        done = v.done_on or (today if self.placement.start <= today else None)
        return {"date": format_date_fr(done), "kind": v.kind, "report": v.report or ""}

    def _fill(self, values: dict[str, Any]) -> None:
        self.query_one("#visit-date", Input).value = values.get("date", "")
        if self.planning:
            self.query_one("#visit-teacher", Input).value = values.get("teacher", "")
        else:
            self.query_one("#visit-report", Input).value = values.get("report", "")
        kind = values.get("kind")
        self.query_one("#visit-kind", Select).value = kind if kind in VISIT_KINDS else Select.NULL

    def values(self) -> dict[str, Any]:
        kind = self.query_one("#visit-kind", Select).value
        out = {"date": self.query_one("#visit-date", Input).value.strip(),
               "kind": None if kind is Select.NULL else kind}
        if self.planning:
            out["teacher"] = self.query_one("#visit-teacher", Input).value.strip()
        else:
            out["report"] = self.query_one("#visit-report", Input).value.strip()
        return out

    # -- unsaved changes --------------------------------------------------------------------------
    def changed_keys(self) -> list[str]:
        if not self.is_mounted or not self.initial:
            return []
        values = self.values()
        return [k for k in values if values[k] != self.initial.get(k)]

    @property
    def dirty(self) -> bool:
        return bool(self.changed_keys())

    def confirm_leave(self, then: Callable[[], object]) -> None:
        """Every way out of a changed form asks first (échap, ^q, the palette)."""
        changed = self.changed_keys()

        def leave() -> None:
            if self.app.screen is self:
                self.dismiss(False)
            then()

        if not changed:
            leave()
            return
        ask_to_discard(self.app, len(changed), ", ".join(FIELD_LABELS[k] for k in changed), leave)

    def show_state(self, state) -> None:  # noqa: ANN001
        """The store changed: the placement deleted, or this visit changed elsewhere, is said
        at once; an untouched form follows the new version."""
        if not self.is_mounted:
            return
        current = state.get("placements", self.placement.id)
        if current is None:
            self._general("! Ce stage a été supprimé par une autre session : rien ne peut être enregistré.")
            return
        if self.planning:
            self.placement = current
            return
        theirs = next((v for v in current.visits if v.id == self.visit.id), None)
        if theirs == self.visit:
            return
        if theirs is not None and not self.dirty:
            self.placement, self.visit = current, theirs
            self._fill(self._values_of(theirs))
            self.initial = self.values()
            self.query_one("#visit-what", Static).update(_describe_placement(self.app, current)
                                                         + f"\n{visit_text(theirs)}")
            self.notify("Une autre session a modifié cette visite : formulaire relu.", title="Mise à jour")
            return
        self._general("! Une autre session a " + ("supprimé" if theirs is None else "modifié")
                      + " cette visite : ^s vous montrera les deux versions avant d'enregistrer.")

    # -- errors -----------------------------------------------------------------------------------
    def _general(self, message: str) -> None:
        box = self.query_one("#form-error", Static)
        box.update(message)
        box.set_class(bool(message), "-shown")

    def show_errors(self, errors: dict[str, str], general: str = "") -> None:
        for key in FIELD_LABELS:
            found = self.query(f"#err-{key}")
            if not found:
                continue
            message = errors.get(key, "")
            found.first().update(f"✗ {FIELD_LABELS[key]} : {message}" if message else "")
            found.first().set_class(bool(message), "-shown")
            widget = self.query(f"#visit-{key}")
            if widget:
                widget.first().set_class(bool(message), "-invalid")
        self._general(f"✗ {general}" if general else "")
        for key in FIELD_LABELS:
            if errors.get(key) and self.query(f"#visit-{key}"):
                self.query_one(f"#visit-{key}").focus()
                break

    def _check(self, values: dict[str, Any]) -> tuple[dict[str, str], Any]:
        """French messages by field, and the date read (nothing is written here)."""
        errors: dict[str, str] = {}
        day = None
        if not values["date"]:
            errors["date"] = "obligatoire (JJ/MM/AAAA)"
        else:
            try:
                day = parse_french_date(values["date"], "date")
            except ValidationFailed as exc:
                errors["date"] = exc.errors[0].message
        p = self.placement
        if day is not None and self.planning and not (p.start <= day <= p.end):
            errors["date"] = (f"le {format_date_fr(day)} est hors du stage (du {format_date_fr(p.start)} "
                              f"au {format_date_fr(p.end)})")
        if day is not None and not self.planning and day > self.app.today:
            errors["date"] = (f"le {format_date_fr(day)} est à venir : une visite faite a une date passée "
                              "(une visite à venir se planifie)")
        if values["kind"] is None:
            errors["kind"] = "choisissez sur place, téléphone ou visio"
        teacher = values.get("teacher", "")
        if teacher and any(c.isspace() for c in teacher):
            errors["teacher"] = f"« {teacher} » : un identifiant, sans espace (ex. mdurand)"
        return errors, day

    # -- saving -----------------------------------------------------------------------------------
    def action_save(self) -> None:
        values = self.values()
        errors, day = self._check(values)
        if errors:
            self.show_errors(errors)
            return
        repo, p = self.app.repo, self.placement
        try:
            if self.planning:
                saved = visit_service.plan_visit(repo, p.id, day, teacher=values["teacher"] or None,
                                                 kind=values["kind"])
            elif self.recreate:
                saved = visit_service.plan_visit(repo, p.id, self.visit.planned_on, teacher=self.visit.teacher,
                                                 kind=values["kind"], done_on=day, report=values["report"] or None)
            else:
                saved = visit_service.visit_done(repo, p.id, self.visit.id, day, report=values["report"],
                                                 kind=values["kind"], expected=self.confirmed_over or self.visit)
        except visit_service.VisitChanged as exc:
            self._changed(exc.theirs, values)
            return
        except ValidationFailed as exc:
            self._refused(exc)
            return
        except (ConflictError, StoreError) as exc:
            self.show_errors({}, f"rien n'a été enregistré : {exc}")
            return
        self.notify(visit_text(saved), title="Visite planifiée" if self.planning else "Visite enregistrée")
        reload = getattr(self.app, "reload", None)
        if reload is not None:
            reload()
        self.dismiss(True)

    def _refused(self, exc: ValidationFailed) -> None:
        errors: dict[str, str] = {}
        general = []
        for e in exc.errors:
            path = e.path or ""
            key = ("date" if path in ("--on", "--done") or "_on" in path else
                   "kind" if "kind" in path else "report" if "report" in path else
                   "teacher" if "teacher" in path else None)
            if key is not None and self.query(f"#visit-{key}"):
                errors.setdefault(key, e.message)
            else:
                general.append(e.message)
        self.show_errors(errors, "; ".join(general))

    def _changed(self, theirs: Visit | None, values: dict[str, Any]) -> None:
        """Another session changed or deleted this visit: both versions, nothing written."""
        mine = f"{values['date']}, {VISIT_KIND_LABELS.get(values['kind'], '—')}" + (
            f" — {values['report']}" if values.get("report") else "")
        if theirs is None:
            self.recreate = True
            self.show_errors({}, "")
            self._general("! Cette visite a été supprimée par une autre session ; rien n'a été enregistré.\n"
                          f"Votre saisie : faite le {mine}. ^s la recréera, échap pour abandonner.")
            return
        self.confirmed_over = theirs
        self.show_errors({}, "")
        self._general("! Une autre session a modifié cette visite ; rien n'a été enregistré, rien écrasé.\n"
                      f"Autre session : {visit_text(theirs)}\nVotre saisie : faite le {mine}\n"
                      "^s enregistre la vôtre à la place, échap pour abandonner.")

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.confirm_leave(lambda: None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.focus_next()


class VisitsScreen(ModalScreen[None]):
    """The visits of one placement: n plan, entrée record as done, suppr delete."""

    CSS_PATH = "visits.tcss"
    KEY_SCOPE = "visits"
    BINDINGS = keys.bindings("visits")

    def __init__(self, placement_id: str) -> None:
        super().__init__()
        self.placement_id = placement_id
        self.placement: Placement | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="visits-dialog"):
            yield Static("Visites de stage", classes="dialog-title")
            yield Static("", id="visits-what", classes="dialog-subtitle")
            yield DataTable(id="visits-list", cursor_type="row", zebra_stripes=True)
            yield Static("", id="visits-detail")
            yield Static("n planifier · entrée visite faite · suppr supprimer · échap fermer",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for title, key, width in (("Modalité", "kind", 10), ("Prévue", "planned", 10), ("Faite", "done", 12),
                                  ("Par", "teacher", 10), ("Compte rendu", "report", 18)):
            table.add_column(title, key=key, width=width)
        table.focus()
        self.placement = _fresh(self.app, self.placement_id)
        self._show()

    def show_state(self, state) -> None:  # noqa: ANN001
        if self.is_mounted:
            self.placement = state.get("placements", self.placement_id)
            self._show()

    def _show(self) -> None:
        table = self.query_one(DataTable)
        current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
        table.clear()
        p = self.placement
        what = self.query_one("#visits-what", Static)
        if p is None:
            what.update(Content.from_markup("[$text-error]✗ Ce stage a été supprimé (par une autre session ?).[/]"))
            return
        what.update(_describe_placement(self.app, p))
        today = self.app.today
        for v in sorted(p.visits, key=lambda v: (v.planned_on or v.done_on, v.id)):
            if v.done_on:
                done = f"✓ {format_date_fr(v.done_on)}"
            elif v.planned_on and v.planned_on < today:
                done = "✗ en retard"
            else:
                done = "à faire"
            table.add_row(VISIT_KIND_LABELS[v.kind], format_date_fr(v.planned_on) or "—", done,
                          Text(fit(v.teacher or "—", 10)), Text(fit(v.report or "", 18)), key=v.id)
        if current is not None and current in {v.id for v in p.visits}:
            table.move_cursor(row=table.get_row_index(current))
        self._detail()

    def _detail(self) -> None:
        p = self.placement
        v = self.selected()
        box = self.query_one("#visits-detail", Static)
        if p is None:
            box.update("")
        elif not p.visits:
            box.update("Aucune visite pour ce stage : « n » pour en planifier une.")
        elif v is not None:
            box.update(Content.from_markup(escape(visit_text(v))))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._detail()

    def selected(self) -> Visit | None:
        table = self.query_one(DataTable)
        if self.placement is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((v for v in self.placement.visits if v.id == key), None)

    def action_plan(self) -> None:
        p = _fresh(self.app, self.placement_id)
        if p is None:
            self.notify("Ce stage a été supprimé (par une autre session ?).", severity="error")
            return
        self.app.push_screen(VisitFormScreen(p))

    @on(DataTable.RowSelected)
    def action_done(self) -> None:
        v = self.selected()
        if v is None:
            self.notify("Aucune visite choisie : « n » pour en planifier une.", severity="warning")
            return
        open_done_form(self.app, self.placement_id, v.id)

    def action_delete(self) -> None:
        v = self.selected()
        if v is not None:
            confirm_delete_visit(self.app, self.placement_id, v)

    def action_close(self) -> None:
        self.dismiss(None)


def open_done_form(app: Any, placement_id: str, visit_id: str) -> None:
    """The « visite faite » form on the visit as the store holds it now."""
    p = _fresh(app, placement_id)
    v = next((v for v in p.visits if v.id == visit_id), None) if p is not None else None
    if v is None:
        app.notify("Cette visite a été supprimée (par une autre session ?).", severity="error")
        return
    app.push_screen(VisitFormScreen(p, v))


def open_plan_form(app: Any, placement_id: str) -> None:
    p = _fresh(app, placement_id)
    if p is None:
        app.notify("Ce stage a été supprimé (par une autre session ?).", severity="error")
        return
    app.push_screen(VisitFormScreen(p))


def confirm_delete_visit(app: Any, placement_id: str, v: Visit) -> None:
    """Ask first; then delete the visit if nobody changed it since it was shown."""

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            visit_service.remove_visit(app.repo, placement_id, v.id, expected=v)
        except visit_service.VisitChanged as exc:
            app.notify("Rien n'a été supprimé : une autre session a " + (
                "déjà supprimé cette visite." if exc.theirs is None else
                f"modifié cette visite ({visit_text(exc.theirs)}). Relisez-la avant de la supprimer."),
                title="Suppression refusée", severity="error", timeout=10)
        except (ValidationFailed, ConflictError, StoreError) as exc:
            message = "\n".join(e.message for e in exc.errors) if isinstance(exc, ValidationFailed) else str(exc)
            app.notify(message, title="Suppression refusée", severity="error", timeout=10)
        else:
            app.notify(f"Supprimée : visite {visit_text(v)}.", title="Visite supprimée")
        reload = getattr(app, "reload", None)
        if reload is not None:
            reload()

    app.push_screen(ConfirmScreen("Supprimer cette visite ?",
                                  f"Visite {visit_text(v)}. Rien d'autre n'est supprimé."), answered)
