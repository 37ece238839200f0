"""Importing learners from SIECLE and organisations from a spreadsheet (issue 7), with a preview.

`ImportScreen` asks for the file (and, for learners, the cohort and the division),
reads it in a worker thread (`services.importing.preview_*`: nothing is written)
and shows what the import would do: learners or organisations created, updated
(each difference, before → after), left aside, and every rejected row with its
line, column and reason. Only « Importer » (^s) writes, through
`services.importing.apply_import`, in one commit; a file with rejected rows is
refused unless « importer les bonnes lignes » is ticked, and then the rejected rows
go to a report under exports/. For organisations, `MappingScreen` chooses the
file's column of each field when its headers are not recognised.

Legal representatives (issue 15 §1): the learners' import takes, optionally, SIECLE's
responsables export as a second file; « representatives » completes the learners already
stored from both exports (`services.importing.preview_representatives`), with no cohort.
Each learner's representatives are listed under them (`import_representatives`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.suggester import Suggester
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    Select,
    Static,
)

from ...domain.errors import FieldError, ValidationFailed
from ...domain.siecle import ORG_FIELDS, HeadersNotRecognised, map_organisation_headers
from ...services.importing import (
    ImportReport,
    apply_import,
    preview_organisations,
    preview_representatives,
    preview_students,
)
from ...services.errors import ConflictError, StoreError
from .. import keys
from ..state import AppState, cohort_name
from ..widgets.toggles import StateCheckbox
from .dialogs import _fit
from .import_representatives import (
    learner_detail,
    rejected_cells,
    rejected_order,
    representative_rows,
    representatives_count,
    sets_representatives,
)

WHAT = {"students": "Importer des élèves (SIECLE)", "organisations": "Importer des organisations",
        "representatives": "Représentants légaux (SIECLE)"}
INTRO = {
    "students": "Export SIECLE : ExportXML_ElevesSansAdresses (.xml, ou le .zip tel quel) ou « liste des élèves "
                "par division » (.csv) ; avec un export XML, celui des responsables (facultatif) apporte les "
                "représentants légaux. Rien n'est écrit avant « Importer » (^s).",
    "representatives": "Complète les représentants légaux des élèves déjà enregistrés, quelle que soit leur "
                       "cohorte (personne n'est créé ni déplacé). Les deux exports XML SIECLE sont nécessaires. "
                       "Rien n'est écrit avant « Importer » (^s).",
    "organisations": "Tableur CSV ou XLSX : nom, SIRET, adresse, code postal, ville, tuteur… Rien n'est écrit "
                     "avant « Importer » (^s).",
}


class PathSuggester(Suggester):
    """Completes a file path like a shell does (→ or fin accepts the suggestion)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        path = Path(value).expanduser()
        folder, stem = (path, "") if value.endswith(os.sep) else (path.parent, path.name)
        try:
            names = [e.name + (os.sep if e.is_dir() else "") for e in os.scandir(folder)
                     if e.name.startswith(stem) and (stem.startswith(".") or not e.name.startswith("."))]
        except OSError:
            return None
        common = os.path.commonprefix(names) if names else ""
        return value + common[len(stem):] if len(common) > len(stem) else None


# The services name the command line's options; the screen names its own fields.
FIELD_NAMES = {"--responsables": "Responsables", "--students": "Élèves", "--cohort": "Cohorte"}
RESPONSABLES_HINT = "export des responsables (ExportXML_ResponsablesAvecAdresses.xml)"


def _say(error: FieldError) -> str:
    """« ligne 7, DATE_NAISS : date invalide » (French spacing before the colon)."""
    path = FIELD_NAMES.get(error.path, error.path)
    message = error.message.removeprefix("--responsables : ")
    return f"{path} : {message}" if path else message


@dataclass(frozen=True)
class PreviewRow:
    mark: str  # + ~ = - ✗
    colour: str  # theme variable of the mark
    lines: str
    label: str
    detail: str
    full: str = ""  # the whole story, below the table (a rejected row's file and line, a representative)


def preview_rows(report: ImportReport, names: dict[str, str]) -> list[PreviewRow]:
    """Rejected rows first (they stop the import), then what is created, updated, left aside, unchanged."""
    def lines(numbers: tuple[int, ...]) -> str:
        return ", ".join(str(n) for n in numbers[:3]) + ("…" if len(numbers) > 3 else "")

    org_names = {c.record.id: c.record.name for c in report.created + report.updated + report.unchanged
                 if c.kind == "organisations"}
    rows = [PreviewRow("✗", "text-error", str(e.line), *rejected_cells(e, report), str(e) if e.source else "")
            for e in sorted(report.rejected, key=lambda e: rejected_order(e, report))]

    def representatives(change) -> None:  # one row per representative, under the learner (issue 15)
        for mark, colour, name, detail, full in representative_rows(change):
            rows.append(PreviewRow(mark, colour, "", name, detail, full))

    for c in report.created:
        r = c.record
        if c.kind == "students":
            bits = [f"naiss. {r.birth_date:%d/%m/%Y}" if r.birth_date else "", f"INE {r.ine}" if r.ine else "sans INE"]
            detail = " · ".join(b for b in bits if b)
        elif c.kind == "organisations":
            detail = " · ".join(x for x in (f"SIRET {r.siret}" if r.siret else "sans SIRET",
                                            " ".join(y for y in (r.postcode, r.city) if y)) if x)
        else:
            detail = f"tuteur · {org_names.get(r.organisation_id) or names.get(r.organisation_id, '')}"
        rows.append(PreviewRow("+", "text-success", lines(c.lines), c.label, detail))
        representatives(c)
    for c in report.updated:
        what = "tuteur · " if c.kind == "tutors" else ""
        detail = learner_detail(c) if sets_representatives(c) else "; ".join(
            f"{label} : {old} → {new}" for label, old, new in c.differences())
        rows.append(PreviewRow("~", "text-warning", lines(c.lines), c.label, what + detail))
        representatives(c)
    for s in report.skipped:
        rows.append(PreviewRow("-", "text-muted", str(s.line), s.label, f"ignoré : {s.reason}"))
    for c in report.unchanged:
        rows.append(PreviewRow("=", "text-muted", lines(c.lines), c.label,
                               "tuteur inchangé" if c.kind == "tutors" else "déjà à jour"))
    return rows


def counts_text(report: ImportReport, what: str | None = None) -> str:
    """« + 4 à créer · ~ 0 à mettre à jour · = 0 inchangé · - 1 ignoré · ✗ 0 ligne rejetée »."""
    n = report.counts()

    def count(k: int, one: str, many: str) -> str:
        return f"{k} {one if k <= 1 else many}"

    e = "" if report.kind == "students" else "e"  # élèves, organisations
    if what == "representatives":  # nobody is created: learners completed, or already up to date
        return " · ".join([
            f"~ {count(n['updated'], 'élève', 'élèves')} à mettre à jour", f"= {n['unchanged']} à jour",
            f"- {count(n['skipped'], 'ligne ignorée', 'lignes ignorées')}",
            f"✗ {count(n['rejected'], 'ligne rejetée', 'lignes rejetées')}",
        ])
    if report.kind == "students":
        created = f"+ {n['created']} à créer"
    else:
        created = (f"+ {count(n['created'], 'organisation', 'organisations')} et "
                   f"{count(n['tutors_created'], 'tuteur', 'tuteurs')} à créer")
    updated = n["updated"] + n.get("tutors_updated", 0)
    return " · ".join([
        created, f"~ {updated} à mettre à jour", f"= {count(n['unchanged'], 'inchangé' + e, 'inchangé' + e + 's')}",
        f"- {count(n['skipped'], 'ligne ignorée', 'lignes ignorées')}",
        f"✗ {count(n['rejected'], 'ligne rejetée', 'lignes rejetées')}",
    ])


class PreviewDone(Message):
    def __init__(self, token: int, report: ImportReport | None, errors: list[str],
                 headers: list[str] | None = None) -> None:
        super().__init__()
        self.token = token
        self.report = report
        self.errors = errors
        self.headers = headers or []


class ApplyDone(Message):
    def __init__(self, report: ImportReport | None, errors: list[str], conflict: bool = False) -> None:
        super().__init__()
        self.report = report
        self.errors = errors
        self.conflict = conflict


class ImportScreen(Screen):
    CSS_PATH = "importing.tcss"
    KEY_SCOPE = "import"
    BINDINGS = keys.bindings("import")

    def __init__(self, what: str, cohort_id: str | None = None) -> None:
        super().__init__()
        self.what = what
        self.cohort_id = cohort_id
        self.mapping: dict[str, str] = {}
        self.headers: list[str] = []
        self.report: ImportReport | None = None
        self.rows: list[PreviewRow] = []
        self.busy = False  # reading or writing (tests wait on it)
        self.sets_representatives = False  # the preview read SIECLE's responsables: their counts are shown
        self._previewed: tuple[str, ...] = ()  # the files of the preview shown
        self._said_busy = False  # ^s came while the preview was read, and was told so
        self._token = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(INTRO[self.what], id="import-intro")
        two_files = self.what in ("students", "representatives")
        with Horizontal(classes="field-row"):
            yield Label("Élèves" if self.what == "representatives" else "Fichier", classes="import-label")
            yield Input(placeholder=("export XML des élèves (ExportXML_ElevesAvecAdresses.xml)"
                                     if self.what == "representatives" else "chemin du fichier (→ complète)"),
                        id="import-path", compact=True, suggester=PathSuggester())
        if two_files:  # SIECLE's responsables (issue 15): optional for learners, required for representatives
            with Horizontal(classes="field-row"):
                yield Label("Responsables", classes="import-label")
                yield Input(placeholder=RESPONSABLES_HINT, id="import-responsables", compact=True,
                            suggester=PathSuggester())
        if self.what == "students":
            with Horizontal(classes="field-row"):
                yield Label("Cohorte", classes="import-label")
                yield Select([], prompt="— choisir —", id="import-cohort", compact=True)
                yield Label(" Division", classes="import-label-short")
                yield Input(placeholder="toutes (ex. 2AGORA1)", id="import-division", compact=True)
        yield Static("", id="import-error", classes="form-error")
        yield Static("", id="import-summary")
        yield DataTable(id="import-preview", cursor_type="row", zebra_stripes=True)
        yield Static("", id="import-row-detail")
        yield StateCheckbox(label="Importer les bonnes lignes ; les rejetées vont dans un rapport sous exports/",
                            id="import-keep-good", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = WHAT[self.what]
        table = self.query_one(DataTable)
        for title, width in (("", 1), ("Ligne", 6),
                             ("Organisation / tuteur" if self.what == "organisations" else "Élève", 24),
                             ("Ce que fait l'import", 37)):
            table.add_column(title, width=width)
        self.query_one("#import-keep-good", Checkbox).display = False
        if self.app.state is not None:
            self.show_state(self.app.state)

    def show_state(self, state: AppState) -> None:
        if self.what != "students":
            return
        select = self.query_one("#import-cohort", Select)
        current = None if select.value is Select.NULL else select.value
        options = [(cohort_name(c), c.id) for c in state.cohorts()]
        with select.prevent(Select.Changed):
            select.set_options(options)
            wanted = current or self.cohort_id
            if wanted in {v for _, v in options}:
                select.value = wanted

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "mapping":
            return self.what == "organisations"
        return True

    # -- preview ---------------------------------------------------------------------------------
    def _errors(self, messages: list[str]) -> None:
        box = self.query_one("#import-error", Static)
        box.update("\n".join(f"✗ {m}" for m in messages))
        box.set_class(bool(messages), "-shown")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_preview()

    @on(Select.Changed, "#import-cohort")
    def _cohort_changed(self) -> None:
        if self.report is not None:
            self.action_preview()

    def _files(self) -> tuple[str, ...]:
        """What the preview was read from: both files, and the division kept."""
        return tuple(f.value.strip() for f in self.query(Input)
                     if f.id in ("import-path", "import-responsables", "import-division"))

    @on(Input.Changed, "#import-path, #import-responsables, #import-division")
    def _file_changed(self) -> None:
        """Another file typed after the preview (or while it is read): ^s must not write the previous
        file's preview; a preview being read is dropped when it arrives (its token is old)."""
        if (self.report is None and not self.busy) or self._files() == self._previewed:
            return
        self._token += 1
        self.busy = False
        self.report = None
        self._show_report()
        self.query_one("#import-summary", Static).update(
            "Changé depuis l'aperçu : entrée ou ^r pour un nouvel aperçu.")

    def action_preview(self) -> None:
        text = self.query_one("#import-path", Input).value.strip()
        if not text:
            self._errors(["indiquez le fichier à importer"])
            return
        cohort = division = responsables = None
        if self.what in ("students", "representatives"):
            given = self.query_one("#import-responsables", Input).value.strip()
            if given:
                responsables = Path(given).expanduser()
            elif self.what == "representatives":
                self._errors([f"Responsables : indiquez l'{RESPONSABLES_HINT}"])
                self.query_one("#import-responsables", Input).focus()
                return
        if self.what == "students":
            value = self.query_one("#import-cohort", Select).value
            if value is Select.NULL:
                self._errors(["choisissez la cohorte des élèves importés"])
                self.query_one("#import-cohort", Select).focus()
                return
            cohort = str(value)
            division = self.query_one("#import-division", Input).value.strip() or None
        self._errors([])
        self._previewed = self._files()
        self.sets_representatives = responsables is not None
        self._token += 1
        self.busy = True
        self.report = None
        self._show_report()
        self.query_one("#import-summary", Static).update("Lecture du fichier…")
        self._preview(self._token, Path(text).expanduser(), cohort, division, dict(self.mapping), responsables)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False, description="import preview")
    def _preview(self, token: int, path: Path, cohort: str | None, division: str | None,
                 mapping: dict[str, str], responsables: Path | None = None) -> None:
        repo = self.app.repo
        try:
            if self.what == "representatives":
                report = preview_representatives(repo, responsables, students=path)
            elif self.what == "students":
                report = preview_students(repo, path, cohort or "", division=division, responsables=responsables)
            else:
                report = preview_organisations(repo, path, mapping=mapping or None)
        except ValidationFailed as exc:
            headers = exc.headers if isinstance(exc, HeadersNotRecognised) else None
            self.post_message(PreviewDone(token, None, [_say(e) for e in exc.errors], headers))
            return
        except (StoreError, OSError) as exc:
            self.post_message(PreviewDone(token, None, [str(exc)]))
            return
        self.post_message(PreviewDone(token, report, []))

    def on_preview_done(self, message: PreviewDone) -> None:
        if message.token != self._token:
            return
        self.busy = False
        self.report = message.report
        if message.report is None:
            self._errors(message.errors)
            self.query_one("#import-summary", Static).update("")
            self._show_report()
            if self.what == "organisations" and message.headers:
                self.headers = message.headers
                self._errors(message.errors + ["Choisissez la colonne de chaque champ (F2)."])
                self.action_mapping()
            return
        self.headers = [h for h in message.report.headers if h]
        if self._said_busy:  # « aperçu en cours de lecture » is no longer true
            self._errors([])
        self._said_busy = False
        self._show_report()

    def _show_report(self) -> None:
        report = self.report
        table = self.query_one(DataTable)
        table.clear()
        keep = self.query_one("#import-keep-good", Checkbox)
        summary = self.query_one("#import-summary", Static)
        if report is None:
            self.rows = []
            keep.display = False
            self.query_one("#import-row-detail", Static).update("")
            return
        names = self.app.state.names() if self.app.state else {}
        self.rows = preview_rows(report, names)
        colours = self.app.theme_variables
        for i, row in enumerate(self.rows):
            table.add_row(Text(row.mark, style=colours.get(row.colour, "")), row.lines, _fit(row.label, 24),
                          _fit(row.detail, 37), key=str(i))
        text = f"[b]Aperçu[/] (rien n'est encore écrit) : {escape(counts_text(report, self.what))}"
        if self.sets_representatives:
            text += f"\n{escape(representatives_count(report))}"
        if report.kind == "organisations" and report.columns:
            used = ", ".join(f"{ORG_FIELDS.get(f, f)} ← « {h} »" for f, h in report.columns.items())
            text += f"\n[$text-muted]Colonnes : {escape(used)} (F2 : changer)[/]"
        if report.rejected:
            text += ("\n[$text-error]✗ Des lignes sont rejetées : rien ne sera importé, sauf si vous cochez "
                     "« importer les bonnes lignes ».[/]")
        elif not (report.created or report.updated):
            text += "\n[$text-success]✓ Tout est déjà à jour : rien à importer.[/]"
        elif self.what == "representatives":
            text += "\n^s : enregistrer ces représentants légaux"
        elif report.kind == "students":
            cohort = self.query_one("#import-cohort", Select).value
            name = cohort_name(self.app.state.get("cohorts", cohort), str(cohort)) if self.app.state else str(cohort)
            text += f"\n^s : importer dans {escape(name)}"
        else:
            text += "\n^s : importer"
        summary.update(Content.from_markup(text))
        keep.display = bool(report.rejected)
        self._show_row_detail()

    @on(DataTable.RowHighlighted, "#import-preview")
    def _show_row_detail(self) -> None:
        table = self.query_one(DataTable)
        detail = self.query_one("#import-row-detail", Static)
        if not table.row_count or not self.rows:
            detail.update("")
            return
        row = self.rows[table.cursor_row]
        if row.full:
            detail.update(Content.from_markup(f"{escape(row.mark)} {escape(row.full)}"))
            return
        detail.update(Content.from_markup(
            f"ligne {escape(row.lines)} · [b]{escape(row.label)}[/] · {escape(row.detail)}"))

    # -- mapping (organisations) -----------------------------------------------------------------------
    def action_mapping(self) -> None:
        if self.what != "organisations":
            return
        if not self.headers:
            self._errors(["Prévisualisez d'abord le fichier (entrée) : ses colonnes seront proposées."])
            return
        if self.report is not None:
            current = dict(self.report.columns)
        else:  # the file was refused: what the domain recognises anyway, and the choices made so far
            found, _ = map_organisation_headers(self.headers, self.mapping)
            current = {field: self.headers[i] for field, i in found.items()}
        self.app.push_screen(MappingScreen(self.headers, current), self._mapped)

    def _mapped(self, mapping: dict[str, str] | None) -> None:
        if mapping is None:
            return
        self.mapping = mapping
        self.action_preview()

    # -- writing ---------------------------------------------------------------------------------
    def action_apply(self) -> None:
        report = self.report
        if self.busy:
            if report is None:  # ^s typed while the file is read (a burst): said, not silently dropped
                self._errors(["Aperçu en cours de lecture : rien n'est écrit sans aperçu ; ^s une fois "
                              "l'aperçu affiché."])
                self._said_busy = True
            return
        if report is None:
            self._errors(["Prévisualisez d'abord (entrée) : rien n'est écrit sans aperçu."])
            return
        keep_good = self.query_one("#import-keep-good", Checkbox).value
        if report.rejected and not keep_good:
            n = report.counts()["rejected"]  # (file, line): two files may have a bad row on the same line
            self._errors([(f"{n} ligne{'s' if n > 1 else ''} rejetée{'s' if n > 1 else ''} : rien n'est importé. "
                           "Corrigez le fichier, ou cochez « importer les bonnes lignes ».")])
            return
        if not (report.created or report.updated) and not report.rejected:
            self.notify("Tout est déjà à jour : rien à importer.", title="Import")
            return
        self.busy = True
        self._apply(report, keep_good)

    @work(thread=True, exclusive=True, group="import-apply", exit_on_error=False, description="import apply")
    def _apply(self, report: ImportReport, keep_good: bool) -> None:
        try:
            done = apply_import(self.app.repo, report, keep_good=keep_good, exports_dir=self.app.exports_dir)
        except ValidationFailed as exc:
            self.post_message(ApplyDone(None, [_say(e) for e in exc.errors]))
            return
        except ConflictError:
            self.post_message(ApplyDone(None, [(
                "Le magasin a changé depuis l'aperçu (une autre session) : rien n'a été importé. "
                "Nouvel aperçu ci-dessous ; vérifiez-le puis ^s.")], conflict=True))
            return
        except (StoreError, OSError) as exc:
            self.post_message(ApplyDone(None, [str(exc)]))
            return
        self.post_message(ApplyDone(done, []))

    def on_apply_done(self, message: ApplyDone) -> None:
        self.busy = False
        if message.report is None:
            self._errors(message.errors)
            if message.conflict:
                self.action_preview()
                self._errors(message.errors)
            return
        report = message.report
        text = report.summary()
        if report.report_path is not None:
            text = text.replace(f" Lignes rejetées : {report.report_path}", "")
            text += f"\nLignes rejetées : {report.report_path.resolve()}"
        self.notify(text, title="Import terminé", timeout=15)
        self.app.reload()
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()


class MappingScreen(ModalScreen[dict[str, str] | None]):
    """The file's column of each field (organisations whose headers are not recognised)."""

    CSS_PATH = "importing.tcss"
    KEY_SCOPE = "mapping"
    BINDINGS = keys.bindings("mapping")

    def __init__(self, headers: list[str], current: dict[str, str]) -> None:
        super().__init__()
        self.headers = headers
        self.current = current

    def compose(self) -> ComposeResult:
        options = [(h, h) for h in self.headers]
        with Vertical(id="dialog", classes="mapping-dialog"):
            yield Static("Colonnes du fichier", classes="dialog-title")
            yield Static("La colonne de chaque champ (— : aucune) ; le nom est obligatoire.",
                         classes="dialog-subtitle")
            yield Static("", id="form-error", classes="form-error")
            with VerticalScroll(id="mapping-fields"):
                for field, label in ORG_FIELDS.items():
                    with Horizontal(classes="field-row"):
                        yield Label(label + (" *" if field == "name" else ""), classes="field-label")
                        value = self.current.get(field)
                        yield Select(options, prompt="—", id=f"map-{field}", compact=True,
                                     value=value if value in self.headers else Select.NULL)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Appliquer ^s", id="save", variant="primary", compact=True)
                yield Button("Annuler échap", id="cancel", compact=True)

    def mapping(self) -> dict[str, str]:
        out = {}
        for field in ORG_FIELDS:
            value = self.query_one(f"#map-{field}", Select).value
            if value is not Select.NULL:
                out[field] = str(value)
        return out

    def action_save(self) -> None:
        mapping = self.mapping()
        problems = []
        if "name" not in mapping:
            problems.append(f"{ORG_FIELDS['name']} : choisissez sa colonne")
        seen: dict[str, str] = {}
        for field, header in mapping.items():
            if header in seen:
                problems.append(f"« {header} » choisie pour {ORG_FIELDS[seen[header]]} et pour {ORG_FIELDS[field]}")
            seen.setdefault(header, field)
        box = self.query_one("#form-error", Static)
        box.update("\n".join(f"✗ {p}" for p in problems))
        box.set_class(bool(problems), "-shown")
        if not problems:
            self.dismiss(mapping)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
