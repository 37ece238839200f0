"""The period form: create or edit a period, dates JJ/MM/AAAA checked as they are typed."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from ....domain.calendar import period_warnings
from ....domain.errors import FieldError, ValidationFailed
from ....domain.interchange import parse_record, record_to_dict
from ....domain.model import Cohort, Period
from ....domain.validation import format_date_fr, parse_french_date
from ....domain.workdays import format_days, working_days
from ....services.calendar_data import school_calendar
from ....services.editing import EMPTY
from ....services.planning import save_period
from ....services.errors import ConflictError, StoreError
from ... import keys
from ...state import cohort_name
from ..forms import widget_id
from .summary import warning_lines


PERIOD_FIELDS = (("label", "Libellé", "PFMP 3 — 1re (novembre)"), ("start", "Début", "JJ/MM/AAAA"),
                 ("end", "Fin", "JJ/MM/AAAA"))


class PeriodFormScreen(ModalScreen[tuple[Period, list[str], bool] | None]):
    """Create (no `period`) or edit a period; nothing is written before ^s, nor over another's save."""

    CSS_PATH = "period_form.tcss"
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
        except ConflictError as exc:
            self.show_errors({"": [self._conflict(exc, raw)]})
            return
        except StoreError as exc:
            self.show_errors({"": [str(exc)]})
            return
        self.dismiss((period, warnings, self.period is None))

    def _conflict(self, exc: ConflictError, raw: dict[str, Any]) -> str:
        """Both versions, as the learner form shows them (issue 10); the typed one stays in
        the form, and a second ^s saves it over the other session's, knowingly."""
        def shown(label: Any, start: Any, end: Any) -> str:
            def day(d: Any) -> str:
                if not d:
                    return "?"
                return format_date_fr(date.fromisoformat(d) if isinstance(d, str) else d)
            return f"« {label} », du {day(start)} au {day(end)}"

        yours = shown(raw.get("label"), raw.get("start"), raw.get("end"))
        current = exc.current
        if current is None:
            return (f"Période supprimée par une autre session depuis son ouverture : rien n'a été enregistré. "
                    f"Votre version : {yours}. Fermez (échap) pour abandonner.")
        self.period, self.rev = current, exc.current_rev  # ^s again: yours over theirs, on purpose
        theirs = shown(current.label, current.start, current.end)
        return (f"Période modifiée par une autre session depuis son ouverture : rien n'a été enregistré.\n"
                f"Enregistrée par l'autre session : {theirs}.\nVotre version (dans le formulaire) : {yours}.\n"
                "^s pour enregistrer la vôtre à sa place, échap pour garder la sienne.")

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
