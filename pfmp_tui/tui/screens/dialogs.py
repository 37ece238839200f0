"""Small modal dialogs: confirmation, save conflict, help, export."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, RadioSet, Select, Static

from ...domain.validation import format_date_fr
from ...domain.wording import agree_kind, capitalised, count, plural
from ...services import editing
from ...services.editing import Conflict
from .. import keys
from ..formatting import fit as _fit
from ..widgets.toggles import StateRadioButton


class ConfirmScreen(ModalScreen[bool]):
    """Yes or no; deleting says what goes with it before anything is removed."""

    CSS_PATH = "dialogs.tcss"
    KEY_SCOPE = "confirm"
    BINDINGS = keys.bindings("confirm")

    def __init__(self, title: str, message: str, *, yes: str = "Supprimer", no: str = "Annuler") -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.message, id="confirm-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (o)", id="yes", variant="error", compact=True)
                yield Button(f"{self.no} (n)", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # the safe answer is the default

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


def ask_to_discard(app, n: int, fields: str, leave) -> None:  # noqa: ANN001
    """« Abandonner la saisie ? » for a form with `n` changed fields (named in `fields`):
    `leave()` only if the person says so; the safe answer is the default."""
    app.push_screen(ConfirmScreen(
        "Abandonner la saisie ?",
        f"{count(n, 'changement')} non {plural(n, 'enregistré', 'enregistrés')} ({fields}) "
        f"{plural(n, 'sera perdu', 'seront perdus')} (^s pour enregistrer d'abord).",
        yes="Abandonner la saisie", no="Continuer la saisie"), lambda yes: leave() if yes else None)


class ConflictScreen(ModalScreen[object]):
    """A save refused because someone else saved first: both versions, field by field.

    With `merge` (the other session changed a field I changed too), each clashing field
    (« ≠ ») shows both values and keeps mine until the person picks theirs (entrée or espace
    on its row); fields only they changed are taken (« ← »), fields only I changed kept (« → »).
    Returns the choices ({field key: "mine" | "theirs"}, to save), « theirs » (take the stored
    version, drop my changes) or « mine » (back to my input, their other changes merged in; the
    next ^s saves). Nothing was written yet either way.
    """

    CSS_PATH = "dialogs.tcss"
    KEY_SCOPE = "dialog"
    BINDINGS = [
        Binding("escape", "close", "Revenir à ma saisie", id="dialog.close"),
        Binding("ctrl+s", "save_choices", "Enregistrer ces choix", id="conflict.save", priority=True),
    ]

    def __init__(self, conflict: Conflict, names: dict[str, str], *, merge=None, mine=None,
                 theirs_values=None) -> None:
        super().__init__()
        self.conflict = conflict
        self.names = names
        self.merge = merge
        self.mine = mine or {}
        self.theirs_values = theirs_values or {}
        self.choices: dict[str, str] = {key: "mine" for key in (merge.clashes if merge else ())}

    def compose(self) -> ComposeResult:
        c = self.conflict
        with Vertical(id="dialog", classes="conflict-dialog"):
            yield Static("Enregistrement refusé : conflit", classes="dialog-title")
            yield Static(self._message(), id="conflict-message")
            yield DataTable(id="conflict-table", cursor_type="row" if self.merge else "none", zebra_stripes=True)
            if self.merge:
                yield Static("≠ modifié des deux côtés : entrée ou espace choisit la valeur gardée · "
                             "← pris de l'autre session · → votre saisie", classes="dialog-hint")
            else:
                yield Static("≠ : valeur différente. Votre saisie reste dans le formulaire.", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                if self.merge:
                    yield Button("Enregistrer ^s", id="save-choices", variant="primary", compact=True)
                if c.theirs is not None:
                    yield Button("Reprendre la leur", id="theirs", variant="warning", compact=True)
                yield Button("Revenir à ma saisie échap", id="mine", compact=True)

    def _message(self) -> str:
        c = self.conflict
        record = c.theirs if c.theirs is not None else c.yours
        name = getattr(record, "full_name", None) or getattr(record, "name", None) or getattr(record, "label", None)
        kind = editing.FORMS[c.form].kind
        what = capitalised(editing.kind_label(kind))
        if name is None and getattr(record, "start", None) is not None:
            name = f"{format_date_fr(record.start)} → {format_date_fr(record.end)}"
        name = name or record.id
        if c.theirs is None:
            return (f"{what} « {name} » : {agree_kind('supprimé', kind)} par une autre session pendant que vous "
                    "le modifiiez ; rien n'a été enregistré. Votre saisie reste dans le formulaire : "
                    "^s l'enregistrera de nouveau.")
        if self.merge:
            n = len(self.merge.clashes)
            return (f"{what} « {name} » : {agree_kind('modifié', kind)} par une autre session depuis son "
                    f"ouverture. {count(n, 'champ')} {plural(n, 'a été changé', 'ont été changés')} des deux "
                    "côtés : choisissez la valeur à garder. Rien n'est encore enregistré.")
        return (f"{what} « {name} » : {agree_kind('modifié', kind)} par une autre session depuis son ouverture ; "
                "rien n'a été enregistré, rien n'a été écrasé.")

    def on_mount(self) -> None:
        c = self.conflict
        table = self.query_one(DataTable)
        table.add_column("", width=1, key="mark")
        table.add_column("Champ", width=18, key="label")
        table.add_column("Votre saisie", width=17, key="mine")
        table.add_column("Autre session", width=17, key="theirs")
        if self.merge:
            table.add_column("Gardée", width=10, key="kept")
        mine = editing.readable(c.form, c.yours, self.names)
        theirs = editing.readable(c.form, c.theirs, self.names) if c.theirs is not None else None
        fields = editing.FORMS[c.form].fields
        for i, (label, value) in enumerate(mine):
            other = theirs[i][1] if theirs is not None else "(supprimé)"
            key = fields[i].key
            if self.merge:
                if key in self.merge.clashes:
                    mark = "≠"
                elif key in self.merge.theirs_taken:
                    mark = "←"
                elif key in self.merge.mine_kept:
                    mark = "→"
                else:
                    mark = ""
                table.add_row(mark, _fit(label, 18), _fit(value, 17), _fit(other, 17), self._kept_text(key),
                              key=key)
            else:
                table.add_row("≠" if other != value else "", _fit(label, 18), _fit(value, 17), _fit(other, 17))
        if self.merge and self.merge.clashes:
            table.move_cursor(row=table.get_row_index(self.merge.clashes[0]))
            table.focus()
        else:
            self.query_one("#mine", Button).focus()

    def _kept_text(self, key: str) -> str:
        if key in self.choices:
            return "● la vôtre" if self.choices[key] == "mine" else "● la leur"
        if key in self.merge.theirs_taken:
            return "la leur"
        if key in self.merge.mine_kept:
            return "la vôtre"
        return ""

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self._toggle(event.row_key.value)

    def key_space(self) -> None:
        table = self.query_one(DataTable)
        if self.merge and self.focused is table and table.row_count:
            self._toggle(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _toggle(self, key: str | None) -> None:
        if key not in self.choices:
            return
        self.choices[key] = "theirs" if self.choices[key] == "mine" else "mine"
        self.query_one(DataTable).update_cell(key, "kept", self._kept_text(key))

    def action_save_choices(self) -> None:
        if self.merge:
            self.dismiss(dict(self.choices))

    def action_close(self) -> None:
        self.dismiss("mine")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save-choices":
            self.action_save_choices()
        else:
            self.dismiss(event.button.id or "mine")


class HelpScreen(ModalScreen[None]):
    """Every key of the current screen and of the whole app, from `keys.SCOPES`."""

    CSS_PATH = "dialogs.tcss"
    KEY_SCOPE = "dialog"
    BINDINGS = [
        Binding("escape,question_mark,f1,q", "close", "Fermer", id="help.close"),
    ]

    def __init__(self, scopes: list[str]) -> None:
        super().__init__()
        self.scopes = scopes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help-dialog"):
            yield Static("Aide : les touches", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                for i, scope_id in enumerate(self.scopes):
                    scope = keys.SCOPES[scope_id]
                    yield Label(scope.title, classes="help-heading" + (" -first" if i == 0 else ""))
                    lines = [
                        f"  [b]{escape(keys.key_label(b, getattr(self.app, 'user_keymap', None))):<12}[/] "
                        f"{escape(b.tooltip or b.description)}"
                        for b in scope.bindings
                    ]
                    yield Static(Content.from_markup("\n".join(lines)))
                yield Label("Partout aussi", classes="help-heading")
                yield Static(
                    "  [b]Tab / ⇧Tab[/]   champ suivant / précédent\n"
                    "  [b]↑ ↓[/]          se déplacer dans une liste\n"
                    "  [b]entrée[/]       ouvrir, valider"  # ^p is listed once, under « Partout »
                )
            yield Static("échap : fermer", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


FORMAT_LABELS = (("csv", "CSV (tableur, ; et JJ/MM/AAAA)"), ("xlsx", "XLSX (Excel)"), ("json", "JSON"))


class ExportScreen(ModalScreen[tuple[str, str | None] | None]):
    """Missing attestations (R11) and other blocking reasons: format and cohort."""

    CSS_PATH = "dialogs.tcss"
    KEY_SCOPE = "dialog"
    BINDINGS = [
        Binding("escape", "close", "Annuler", id="export.close"),
        Binding("ctrl+s", "export", "Exporter", id="export.go", priority=True),
    ]

    def __init__(self, cohorts: list[tuple[str, str]], cohort_id: str | None = None, *, listed: str = "") -> None:
        super().__init__()
        self.cohorts = cohorts
        self.cohort_id = cohort_id
        self.listed = listed  # from a filtered list: what it holds (then the export holds just that)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="export-dialog"):
            yield Static("Exporter les attestations manquantes", classes="dialog-title")
            yield Static("Une ligne par PFMP terminée sans attestation signée (R11), et une par "
                         "candidat non valide ou à risque pour une autre raison.", classes="dialog-subtitle")
            if self.listed:
                yield Static(f"Seulement {self.listed}.", id="export-listed", classes="dialog-subtitle")
            with RadioSet(id="format", compact=True):
                for i, (fmt, label) in enumerate(FORMAT_LABELS):
                    yield StateRadioButton(label, value=i == 0, id=f"fmt-{fmt}", compact=True)
            with Horizontal(classes="field-row"):
                yield Label("Cohorte", classes="field-label")
                legal = {v for _, v in self.cohorts}
                yield Select(self.cohorts, prompt="Toutes les cohortes", id="export-cohort", compact=True,
                             value=self.cohort_id if self.cohort_id in legal else Select.NULL,
                             disabled=bool(self.listed))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Exporter ^s", id="go", variant="primary", compact=True)
                yield Button("Annuler échap", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    def action_export(self) -> None:
        pressed = self.query_one(RadioSet).pressed_button
        fmt = (pressed.id or "fmt-csv").removeprefix("fmt-") if pressed is not None else "csv"
        cohort = self.query_one("#export-cohort", Select).value
        self.dismiss((fmt, None if cohort is Select.NULL else cohort))

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#go")
    def _go(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
