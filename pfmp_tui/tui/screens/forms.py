"""Modal forms for every record, built from `services.editing.FORMS` (forms as data).

Values stay as typed (dates JJ/MM/AAAA) until `editing.save` parses and validates
them with the domain's parsers; each French message shows under its field. A
field is checked again when the person leaves it. A save over a record changed
by someone else since the form opened is refused and both versions are shown
(`ConflictScreen`); nothing is overwritten.
"""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from ...services import editing
from ...services.editing import Conflict, Field, FormErrors, Saved
from ...services.errors import StoreError
from ...services.form_merge import labels, merge_values, same
from ...services.soft_checks import soft_warnings
from .. import keys
from ..state import cohort_name
from ..widgets.checklist import CheckList
from ..widgets.toggles import StateCheckbox
from .dialogs import ConfirmScreen, ConflictScreen, ask_to_discard


def widget_id(key: str) -> str:
    return "fld-" + key.replace(".", "__")


class FormScreen(ModalScreen[Saved | None]):
    """Create (no `base`) or edit (`base` opened at revision `rev`) one record."""

    CSS_PATH = "forms.tcss"
    KEY_SCOPE = "form"
    BINDINGS = keys.bindings("form")

    def __init__(self, form: str, *, values: dict[str, Any], base: Any | None = None, rev: int | None = None,
                 context: dict[str, Any] | None = None, subtitle: str = "") -> None:
        super().__init__()
        self.form = form
        self.spec = editing.FORMS[form]
        self.base = base
        self.rev = rev
        self.context = dict(context or {})
        self.initial = dict(values)
        self.subtitle = subtitle
        self.touched: set[str] = set()
        self.errors: dict[str, list[str]] = {}
        self.deleted = False  # the record was deleted by another session since the form opened
        self._pending_merge: Any = None

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        title = self.spec.title_new if self.base is None else self.spec.title_edit
        with Vertical(id="dialog", classes=f"form-dialog form-{self.form}"):
            yield Static(title, classes="dialog-title")
            if self.subtitle:
                yield Static(self.subtitle, classes="dialog-subtitle")
            yield Static("", id="form-error", classes="form-error")
            with VerticalScroll(id="form-fields"):
                for f in self.spec.fields:
                    with Horizontal(classes="field-row"):
                        yield Label(f.label + (" *" if f.required else ""), classes="field-label")
                        yield self._widget(f, self.initial.get(f.key))
                    yield Static("", id=f"err-{widget_id(f.key)}", classes="field-error")
            yield Static("* obligatoire · Tab : champ suivant", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Enregistrer ^s", id="save", variant="primary", compact=True)
                yield Button("Annuler échap", id="cancel", compact=True)

    def _widget(self, f: Field, value: Any) -> Widget:
        wid = widget_id(f.key)
        if f.type == "bool":
            return StateCheckbox(bool(value), id=wid, compact=True)
        if f.type == "long_text":
            return TextArea(value or "", id=wid, compact=True, soft_wrap=True, show_line_numbers=False)
        if f.type == "codes":  # the competences targeted (issue 15): ticked in a scrolling list
            return CheckList(((code, label) for label, code in f.choices), value or (), id=wid, compact=True)
        if f.type in ("choice", "ref"):
            options = list(f.choices) if f.type == "choice" else self._ref_options(f, self.initial)
            legal = {v for _, v in options}
            return Select(options, prompt="—", id=wid, compact=True,
                          value=value if value in legal and value is not None else Select.NULL)
        return Input(value or "", placeholder=f.placeholder, id=wid, compact=True)

    def _ref_options(self, f: Field, values: dict[str, Any]) -> list[tuple[str, Any]]:
        state = self.app.state
        if state is None:
            return []
        data = state.data
        if f.ref == "cohorts":
            return [(cohort_name(c), c.id) for c in state.cohorts()]
        if f.ref == "organisations":
            orgs = sorted(data.organisations, key=lambda o: o.name.casefold())
            return [(o.name if not o.city else f"{o.name} ({o.city})", o.id) for o in orgs]
        if f.ref == "tutors":
            org = values.get("organisation_id")
            tutors = [t for t in data.tutors if org is None or t.organisation_id == org]
            return [(t.full_name + (f", {t.job_title}" if t.job_title else ""), t.id)
                    for t in sorted(tutors, key=lambda t: (t.last_name.casefold(), t.first_name.casefold()))]
        if f.ref == "periods":
            cohort_id = self._cohort_id()
            periods = [p for p in data.periods if cohort_id is None or p.cohort_id == cohort_id]
            return [(p.label, p.id) for p in sorted(periods, key=lambda p: (p.start, p.id))]
        return []

    def _cohort_id(self) -> str | None:
        student_id = self.context.get("student_id") or getattr(self.base, "student_id", None)
        student = self.app.state.get("students", student_id) if self.app.state else None
        return student.cohort_id if student is not None else None

    def on_mount(self) -> None:
        first = self.query("#form-fields Input, #form-fields Select, #form-fields Checkbox, #form-fields TextArea")
        if first:
            first.first().focus()

    # -- values and errors ----------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.spec.fields:
            widget = self.query_one(f"#{widget_id(f.key)}")
            if isinstance(widget, Checkbox):
                out[f.key] = widget.value
            elif isinstance(widget, TextArea):
                out[f.key] = widget.text
            elif isinstance(widget, Select):
                out[f.key] = None if widget.value is Select.NULL else widget.value
            else:
                out[f.key] = widget.value
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        for f in self.spec.fields:
            widget = self.query_one(f"#{widget_id(f.key)}")
            value = values.get(f.key)
            if isinstance(widget, Checkbox):
                widget.value = bool(value)
            elif isinstance(widget, TextArea):
                widget.text = value or ""
            elif isinstance(widget, Select):
                if f.type == "ref":
                    widget.set_options(self._ref_options(f, values))
                try:
                    widget.value = Select.NULL if value is None else value
                except Exception:  # an option gone since (deleted by someone else)
                    widget.clear()
            else:
                widget.value = value or ""

    # -- unsaved changes ------------------------------------------------------------------------
    def changed_keys(self) -> list[str]:
        """The fields whose value differs from what the form opened with."""
        if not self.is_mounted:
            return []
        values = self.values()
        return [f.key for f in self.spec.fields if not same(values.get(f.key), self.initial.get(f.key))]

    @property
    def dirty(self) -> bool:
        return bool(self.changed_keys())

    def confirm_leave(self, then) -> None:
        """Every way out of a changed form asks first (Échap, ^q, the palette, a screen switch)."""
        changed = self.changed_keys()

        def leave() -> None:
            if self.app.screen is self:
                self.dismiss(None)
            then()

        if not changed:
            leave()
            return

        ask_to_discard(self.app, len(changed), labels(self.form, changed), leave)

    def show_state(self, state) -> None:
        """The store changed underneath: follow it if nothing was typed, else say so (never drop input)."""
        if self.base is None or not self.is_mounted:
            return
        current = state.get(self.spec.kind, self.base.id)
        if current == self.base:
            return
        if current is None:
            self.deleted = True
            self._stale("! Une autre session a supprimé cet élément : ^s le recréera avec votre saisie, "
                        "échap pour abandonner.")
            return
        if not self.dirty:
            found = self.app.repo.get(self.spec.kind, self.base.id)
            if found is not None:
                self._rebase(*found, values=None)
                self.notify("Une autre session l'a modifié : formulaire relu.", title="Mise à jour")
            return
        self._stale("! Une autre session a modifié cet élément : ^s fusionnera vos changements avec les siens.")

    def _stale(self, message: str) -> None:
        box = self.query_one("#form-error", Static)
        box.update(message)
        box.set_class(True, "-shown")

    def _rebase(self, record: Any, rev: int, values: dict[str, Any] | None) -> None:
        """Now editing `record` at `rev` (the stored version); the form shows `values` (or the record)."""
        self.base, self.rev = record, rev
        self.deleted = False
        self.initial = editing.initial_values(self.form, record)
        self.set_values(values if values is not None else self.initial)
        self.show_errors({})

    def show_errors(self, errors: dict[str, list[str]], only: set[str] | None = None) -> None:
        self.errors = errors
        for f in self.spec.fields:
            messages = errors.get(f.key, []) if only is None or f.key in only else []
            err = self.query_one(f"#err-{widget_id(f.key)}", Static)
            err.update("\n".join(f"✗ {m}" for m in messages))
            err.set_class(bool(messages), "-shown")
            self.query_one(f"#{widget_id(f.key)}").set_class(bool(messages), "-invalid")
        general = errors.get(editing.GENERAL, []) if only is None else []
        box = self.query_one("#form-error", Static)
        box.update("\n".join(f"✗ {m}" for m in general))
        box.set_class(bool(general), "-shown")

    def _recheck(self) -> None:
        """Inline validation of the fields already left (no store access)."""
        errors = editing.validate(self.form, self.values(), base=self.base, context=self.context)
        self.show_errors(errors, only=self.touched)

    def _key_of(self, widget: Widget | None) -> str | None:
        if widget is None or not (widget.id or "").startswith("fld-"):
            return None
        return widget.id[4:].replace("__", ".")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        key = self._key_of(event.widget)
        if key is not None and self.is_mounted and self.is_active:
            self.touched.add(key)
            self._recheck()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        key = self._key_of(event.select)
        if key == "organisation_id" and self.form == "placements":
            tutor_field = self.spec.field("tutor_id")
            tutor = self.query_one(f"#{widget_id('tutor_id')}", Select)
            current = None if tutor.value is Select.NULL else tutor.value
            options = self._ref_options(tutor_field, self.values())
            with tutor.prevent(Select.Changed):
                tutor.set_options(options)
                if current in {v for _, v in options}:
                    tutor.value = current
        if key is not None and key in self.touched:
            self._recheck()

    # -- saving --------------------------------------------------------------------------------
    def action_save(self, confirmed: bool = False) -> None:
        values = self.values()
        errors = editing.validate(self.form, values, base=self.base, context=self.context)
        if errors:
            self._refused(errors)
            return
        warnings = soft_warnings(self.form, values, base=self.base, today=self.app.today)
        if warnings and not confirmed:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.action_save(confirmed=True)

            self.app.push_screen(ConfirmScreen(
                "À vérifier avant d'enregistrer", "\n".join(f"! {w}" for w in warnings),
                yes="Enregistrer quand même", no="Corriger"), answered)
            return
        self._save(values)

    def _save(self, values: dict[str, Any]) -> None:
        if self.base is not None and self.deleted:
            # Deleted by another session while typing (the person was told): saved again, same id.
            try:
                saved = editing.save(self.app.repo, self.form, values, base=None,
                                     context={**self.context, "id": self.base.id, **_kept_keys(self.spec, self.base)})
            except FormErrors as exc:
                self._refused(exc.errors)
                return
            except StoreError as exc:
                self.show_errors({editing.GENERAL: [str(exc)]})
                return
            self.dismiss(saved)
            return
        try:
            saved = editing.save(self.app.repo, self.form, values, base=self.base, rev=self.rev,
                                 context=self.context)
        except FormErrors as exc:
            self._refused(exc.errors)
        except Conflict as conflict:
            self._conflict(conflict, values)
        except StoreError as exc:
            self.show_errors({editing.GENERAL: [str(exc)]})
        else:
            self.dismiss(saved)

    def _refused(self, errors: dict[str, list[str]]) -> None:
        self.touched.update(f.key for f in self.spec.fields)
        self.show_errors(errors)
        self._focus_first_error(errors)

    def _conflict(self, conflict: Conflict, mine: dict[str, Any]) -> None:
        """Someone saved since the form opened: merge field by field, ask only about real clashes."""
        names = self.app.state.names() if self.app.state else {}
        if conflict.theirs is None:
            self.deleted = True
            self.app.push_screen(ConflictScreen(conflict, names), self._after_conflict)
            return
        theirs = editing.initial_values(self.form, conflict.theirs)
        merge = merge_values(self.form, self.initial, mine, theirs)
        if not merge.clashes:
            self._rebase(conflict.theirs, conflict.theirs_rev, merge.values)
            if merge.theirs_taken:
                self.notify(f"Une autre session avait changé : {labels(self.form, merge.theirs_taken)}. "
                            "Ses changements et les vôtres sont enregistrés ensemble.", title="Fusion", timeout=10)
            self._save(merge.values)
            return
        self._pending_merge = (conflict, merge, theirs)
        self.app.push_screen(ConflictScreen(conflict, names, merge=merge, mine=mine, theirs_values=theirs),
                             self._after_conflict)

    def _focus_first_error(self, errors: dict[str, list[str]]) -> None:
        for f in self.spec.fields:
            if errors.get(f.key):
                self.query_one(f"#{widget_id(f.key)}").focus()
                return

    def _after_conflict(self, choice: Any) -> None:
        pending = getattr(self, "_pending_merge", None)
        self._pending_merge = None
        if choice == "theirs":
            found = self.app.repo.get(self.spec.kind, self.base.id) if self.base is not None else None
            if found is None:
                self.show_errors({editing.GENERAL: ["Cet élément a été supprimé par une autre session."]})
                return
            self._rebase(*found, values=None)
            self.touched.clear()
            self.notify("Version enregistrée reprise : vos changements sont abandonnés.", title="Conflit", timeout=6)
            return
        if pending is None:  # deleted by the other session: back to the form, ^s recreates it
            return
        conflict, merge, theirs = pending
        if isinstance(choice, dict):  # a choice per clashing field: save
            values = merge.with_choices(theirs, choice)
            self._rebase(conflict.theirs, conflict.theirs_rev, values)
            self._save(values)
            return
        # « Revenir à ma saisie »: my values, theirs merged where I changed nothing, on their revision:
        # the next ^s saves (nothing of theirs that I did not touch is lost).
        self._rebase(conflict.theirs, conflict.theirs_rev, merge.values)
        self.notify(f"Votre saisie est gardée ({labels(self.form, merge.clashes)}) ; ^s l'enregistrera "
                    "sur la version de l'autre session.", title="Conflit", timeout=8)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.confirm_leave(lambda: None)


def _kept_keys(spec, base: Any) -> dict[str, Any]:
    """The keys of a deleted record the form does not show (its student, its period…), kept
    when it is saved again."""
    from ...domain.interchange import record_to_dict

    shown = {f.key.split(".")[0] for f in spec.fields}
    return {k: v for k, v in record_to_dict(spec.kind, base).items() if k not in shown and k != "id"}
