"""Reminders to tutors (issue 15 §2, R10 R11 R12): what is due, previewed exactly as
`pfmp remind --dry-run` shows it, then sent after a confirmation.

The coordinator picks what (conventions, attestations, assessments) and the day; the
table has one line per tutor and learner, the box under it the message of the line
chosen (the dry run's block: To, Subject, attachments, text). Sending runs in a worker:
the due reminders are read again just before (one sent meanwhile by another session
is not sent twice the same day), each message that left is recorded in its placements
at once (`services.reminders.send`), and each line says what became of its message.
"""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Footer, Header, Input, Label, Static

from ...domain.errors import ValidationFailed
from ...domain.reminders import WHAT
from ...domain.validation import format_date_fr, parse_french_date
from ...domain.wording import count, plural
from ...services import reminders
from ...services.errors import ConflictError, StoreError
from ...services.settings import Settings, load_settings
from .. import keys
from ..formatting import fit
from ..targets import CandidateFile, go
from ..widgets.toggles import StateCheckbox
from .dialogs import ConfirmScreen

WHAT_LABELS = {"conventions": "Conventions", "attestations": "Attestations", "assessments": "Évaluations"}
# Short enough for the three on one line at 80 columns; the message box says them in full.
DOCUMENT_SHORT = {"convention": "conv.", "attestation": "attest.", "assessment": "éval."}
# (title, key, width): fits 80 columns with the table's padding and scrollbar.
COLUMNS = (("Tuteur", "tutor", 16), ("Élève", "student", 17), ("À relancer", "documents", 21), ("État", "state", 15))
TO_SEND = "à envoyer"


class PreviewReady(Message):
    def __init__(self, token: int, drafts: list | None, settings: Settings | None, error: str | None) -> None:
        super().__init__()
        self.token, self.drafts, self.settings, self.error = token, drafts, settings, error


class ReminderOutcome(Message):
    """What became of one message: None sent, else the French reason."""

    def __init__(self, index: int, error: str | None) -> None:
        super().__init__()
        self.index, self.error = index, error


class AttachmentsProgress(Message):
    """The attestations attached, made before the messages leave: `done` of `total`."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done, self.total = done, total


class SendFinished(Message):
    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error


def _errors(exc: ValidationFailed) -> str:
    return "\n".join(e.message for e in exc.errors[:6])


def outcome_text(error: str | None) -> tuple[str, str, str]:
    """(what the table's line says, what the message box says, theme variable): readable
    without colour (✓ / ✗ / –)."""
    if error is None:
        return "✓ envoyé", "✓ envoyé et consigné dans les stages", "text-success"
    if error == reminders.ALREADY_SENT:
        return "– déjà envoyé", f"– non envoyé : {error}", "text-muted"
    if error == reminders.CHANGED:
        return "– changé depuis", f"– non envoyé : {error}", "text-warning"
    if error.startswith(("adresse refusée", "expéditeur refusé", "refus", "identifiant ou mot de passe")):
        return "✗ refusé", f"✗ refusé : {error}", "text-error"
    if error.startswith("non envoyé :"):
        return "✗ injoignable", f"✗ serveur injoignable : {error.removeprefix('non envoyé :').strip()}", "text-error"
    return "✗ non envoyé", f"✗ {error}", "text-error"


class RemindersScreen(Screen):
    CSS_PATH = "reminders.tcss"
    KEY_SCOPE = "reminders"
    BINDINGS = keys.bindings("reminders")

    def __init__(self) -> None:
        super().__init__()
        self.drafts: list[reminders.Draft] = []
        self.settings: Settings | None = None
        self.shown: tuple[date, tuple[str, ...]] | None = None  # (day, what) of the drafts shown
        self.results: dict[int, str | None] = {}  # draft index -> outcome (None: sent)
        self.busy = False  # computing the preview (tests wait on it)
        self.sending = False
        self._token = 0
        self._error: str | None = None
        self.preparing = ""  # the attachments being made before sending

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="rem-choices"):
            yield Label("Relancer :", classes="rem-label")
            for what in WHAT:
                yield StateCheckbox(True, label=WHAT_LABELS[what], id=f"rem-{what}", compact=True)
            yield Label("au", classes="rem-label")
            yield Input(format_date_fr(self.app.today), placeholder="JJ/MM/AAAA", id="rem-date", compact=True)
        yield Static("", id="rem-summary")
        yield DataTable(id="rem-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="rem-message-box", can_focus=False):
            yield Static("", id="rem-message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for title, key, width in COLUMNS:
            table.add_column(title, key=key, width=width)
        table.focus()
        self.refresh_preview()

    # -- choices -------------------------------------------------------------------------------
    def choices(self) -> tuple[date | None, tuple[str, ...], str | None]:
        """(day, what, error): the day typed (None if it does not read as a date)."""
        what = tuple(w for w in WHAT if self.query_one(f"#rem-{w}", Checkbox).value)
        text = self.query_one("#rem-date", Input).value
        try:
            day = parse_french_date(text, "date")
        except ValidationFailed as exc:
            return None, what, f"Date : {_errors(exc)} (JJ/MM/AAAA)"
        return day, what, None

    @on(Checkbox.Changed)
    def _what_changed(self) -> None:
        self.refresh_preview()

    @on(Input.Changed, "#rem-date")
    def _date_changed(self) -> None:
        self.refresh_preview()

    def action_preview(self) -> None:
        if self.sending:
            self.notify("Envoi en cours : l'aperçu sera recalculé après.", severity="warning")
            return
        self.results.clear()
        self.refresh_preview(force=True)

    def refresh_preview(self, force: bool = False) -> None:
        if self.sending:  # the lines stay those being sent; ^r recomputes after
            return
        day, what, error = self.choices()
        if error or not what:
            self._token += 1  # a preview still running is for other choices
            self.busy = False
            self.drafts, self.shown = [], None
            self._error = error or "Cochez au moins une chose à relancer (conventions, attestations, évaluations)."
            self._show()
            return
        if not force and self.shown == (day, what) and not self.busy:
            return
        state = self.app.state
        if state is None:
            return  # `show_state` comes back here once the store is read
        self._token += 1
        self.busy = True
        self._error = None
        self.results.clear()
        self.query_one("#rem-summary", Static).update(f"Calcul des rappels dus au {format_date_fr(day)}…")
        self._compute(self._token, state.data, day, what)

    @work(thread=True, exclusive=True, group="reminders-preview", exit_on_error=False, description="reminders preview")
    def _compute(self, token: int, data, day: date, what: tuple[str, ...]) -> None:
        try:
            settings = load_settings(self.app.repo.store.path)
            # The attestations attached are named, made when sending (≈ 0.7 s a PDF).
            drafts = reminders.compose(data, settings, reminders.due_for(data, settings, day, what), attach=False)
        except ValidationFailed as exc:
            self.post_message(PreviewReady(token, None, None, _errors(exc)))
            return
        except (StoreError, OSError, ValueError) as exc:
            self.post_message(PreviewReady(token, None, None, str(exc)))
            return
        self.post_message(PreviewReady(token, drafts, settings, None))

    def on_preview_ready(self, message: PreviewReady) -> None:
        if message.token != self._token:
            return  # the choices changed since: a newer preview is on its way
        self.busy = False
        if self.sending:  # computed while the confirmation was open: the lines being sent stay
            return
        day, what, _ = self.choices()
        self.drafts = message.drafts or []
        self.settings = message.settings
        self.shown = (day, what) if message.error is None else None
        self._error = message.error
        self._show()

    def show_state(self, state) -> None:
        """The store changed: the preview follows, unless results are shown; computed when this
        screen is shown again if it is under another one (a file opened from it)."""
        if not self.is_mounted or self.sending or self.results:
            return
        if self.app.screen is not self:  # (Textual's `is_current` is also true under another screen)
            self._stale = True
            return
        self.refresh_preview(force=True)

    def on_screen_resume(self) -> None:
        if getattr(self, "_stale", False) and not self.sending and not self.results:
            self._stale = False
            self.refresh_preview(force=True)

    # -- what is shown -------------------------------------------------------------------------
    def _show(self) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        colours = self.app.theme_variables
        for i, d in enumerate(self.drafts):
            tutor = d.due.tutor.full_name if d.due.tutor else "— sans tuteur —"
            if i in self.results:
                state, _, style = outcome_text(self.results[i])
            elif d.problem:
                state, style = ("✗ sans adresse" if d.due.tutor else "✗ sans tuteur"), "text-error"
            else:
                state, style = TO_SEND, ""
            for student_id, name, documents in self._learners(d):
                table.add_row(fit(tutor, COLUMNS[0][2]), fit(name, COLUMNS[1][2]), fit(documents, COLUMNS[2][2]),
                              Text(fit(state, COLUMNS[3][2]), style=colours.get(style, "")),
                              key=f"{i}:{student_id}")
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self._show_summary()
        self._show_message()

    def _learners(self, d: reminders.Draft) -> list[tuple[str, str, str]]:
        """(student id, name, documents) for each learner of a message, in its order."""
        state = self.app.state
        out: dict[str, list[str]] = {}
        for item in d.due.items:
            docs = out.setdefault(item.placement.student_id, [])
            if DOCUMENT_SHORT[item.document] not in docs:
                docs.append(DOCUMENT_SHORT[item.document])
        rows = []
        for student_id, docs in out.items():
            s = state.get("students", student_id) if state is not None else None
            rows.append((student_id, s.full_name if s is not None else student_id, ", ".join(docs)))
        return rows

    def _show_summary(self) -> None:
        box = self.query_one("#rem-summary", Static)
        if self._error:
            box.update(f"[$text-error]✗ {self._error}[/]")
            return
        day = self.shown[0] if self.shown else None
        sendable = [d for d in self.drafts if not d.problem]
        if not self.drafts:
            box.update(f"Aucun rappel dû au {format_date_fr(day)} pour ce qui est coché." if day else "")
            return
        parts = [f"{count(len(sendable), 'message')} à envoyer" if sendable else "aucun message à envoyer"]
        if len(sendable) < len(self.drafts):
            parts.append(f"{len(self.drafts) - len(sendable)} impossible(s)")
        if self.results:
            sent = sum(1 for e in self.results.values() if e is None)
            failed = sum(1 for e in self.results.values() if e is not None)
            parts = [f"{sent} envoyé(s)", f"{failed} non envoyé(s)" if failed else "aucun échec"]
            if self.sending:
                parts.insert(0, f"Envoi {len(self.results)}/{len(sendable)}…")
        if self.sending and self.preparing:
            parts.insert(0, self.preparing)
        elif self.sending and not self.results:
            parts.insert(0, "Envoi en cours…")
        missing = reminders.smtp_missing(self.settings) if self.settings is not None else None
        server = (f"serveur {self.settings.smtp.host}:{self.settings.smtp.port}" if not missing and self.settings
                  else "[$text-warning]! aucun serveur SMTP configuré (^s : quoi écrire dans pfmp.toml)[/]")
        box.update(" · ".join(parts) + f" · {server}")

    def selected_draft(self) -> tuple[int, str] | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value or ""
        index, _, student_id = key.partition(":")
        return int(index), student_id

    @on(DataTable.RowHighlighted)
    def _show_message(self) -> None:
        box = self.query_one("#rem-message", Static)
        chosen = self.selected_draft()
        if chosen is None or chosen[0] >= len(self.drafts):
            box.update("" if self._error or self.busy else "Rien à envoyer : aucun message.")
            return
        index = chosen[0]
        text = reminders.preview_block(self.drafts[index])
        if index in self.results:
            text = f"{outcome_text(self.results[index])[1]}\n\n{text}"
        box.update(Text(text))

    # -- sending -------------------------------------------------------------------------------
    def action_send(self) -> None:
        if self.sending:
            self.notify("Envoi déjà en cours.", severity="warning")
            return
        day, what, error = self.choices()
        if error or self.busy or self.shown != (day, what):
            self.notify("L'aperçu n'est pas à jour : attendez-le (ou ^r) avant d'envoyer.", severity="warning")
            return
        if day != self.app.today:
            self.notify(f"L'envoi se fait à la date du jour ({format_date_fr(self.app.today)}) : l'aperçu d'un "
                        "autre jour sert à prévoir. Remettez la date du jour pour envoyer.",
                        title="Rien n'a été envoyé", severity="warning", timeout=10)
            return
        missing = reminders.smtp_missing(self.settings) if self.settings is not None else "réglages illisibles"
        if missing:
            self.query_one("#rem-message", Static).update(Text(missing))
            self.notify("Aucun serveur de courriel configuré : le texte affiché dit quoi ajouter à pfmp.toml.",
                        title="Rien n'a été envoyé", severity="error", timeout=10)
            return
        todo = [d for i, d in enumerate(self.drafts) if not d.problem and i not in self.results]
        if not todo:
            self.notify("Rien à envoyer.", severity="warning")
            return
        smtp = self.settings.smtp
        learners = len({i.placement.student_id for d in todo for i in d.due.items})
        message = (f"{count(len(todo), 'message')} à {count(len(todo), 'tuteur')} ({count(learners, 'élève')}), "
                   f"par {smtp.host}:{smtp.port}, de {smtp.sender}.\nChaque envoi est consigné dans les stages "
                   "concernés ; rien n'est renvoyé deux fois le même jour.")

        def answered(yes: bool | None) -> None:
            if yes:
                self.sending = True
                self._show_summary()
                self._send(day, what, todo)

        self.app.push_screen(ConfirmScreen(f"Envoyer les rappels du {format_date_fr(day)} ?", message,
                                           yes="Envoyer", no="Annuler"), answered)

    @work(thread=True, exclusive=True, group="reminders-send", exit_on_error=False, description="reminders send")
    def _send(self, day: date, what: tuple[str, ...], todo: list) -> None:
        repo = self.app.repo
        index = {id(d): i for i, d in enumerate(self.drafts)}
        try:
            reminders.require_sender(repo)
            settings = load_settings(repo.store.path)
            settings.require_smtp()
            fresh = repo.dataset()
            keep, skipped = reminders.still_due(fresh, settings, day, what, todo)
        except ValidationFailed as exc:
            self.post_message(SendFinished(_errors(exc)))
            return
        except (StoreError, OSError) as exc:
            self.post_message(SendFinished(str(exc)))
            return
        for d, reason in skipped:
            self.post_message(ReminderOutcome(index[id(d)], reason))

        def progress(d, error) -> None:  # noqa: ANN001 - a Draft, its French reason
            self.post_message(ReminderOutcome(index[id(d)], error))

        def prepared(done: int, total: int) -> None:
            self.post_message(AttachmentsProgress(done, total))

        try:
            reminders.send(repo, settings, keep, now=lambda: datetime.combine(day, datetime.now().time()),
                           on_progress=progress, data=fresh,  # `day` is today (`action_send`), pinned in tests
                           on_prepare=prepared)
        except ValidationFailed as exc:
            self.post_message(SendFinished(_errors(exc)))
            return
        except (StoreError, OSError, ConflictError) as exc:
            self.post_message(SendFinished(f"consignation impossible : {exc}"))
            return
        self.post_message(SendFinished(None))

    def on_attachments_progress(self, message: AttachmentsProgress) -> None:
        self.preparing = (f"Pièces jointes : {message.done}/{message.total} attestations PDF faites…"
                          if message.done < message.total else "")
        self._show_summary()

    def on_reminder_outcome(self, message: ReminderOutcome) -> None:
        """One message's result: its lines' « État » only (the table is not rebuilt per message)."""
        self.results[message.index] = message.error
        state, _, style = outcome_text(message.error)
        cell = Text(fit(state, COLUMNS[3][2]), style=self.app.theme_variables.get(style, ""))
        table = self.query_one(DataTable)
        prefix = f"{message.index}:"
        for key in list(table.rows):
            if (key.value or "").startswith(prefix):
                table.update_cell(key, "state", cell)
        self._show_summary()
        chosen = self.selected_draft()
        if chosen is not None and chosen[0] == message.index:
            self._show_message()

    def on_send_finished(self, message: SendFinished) -> None:
        self.sending = False
        self.preparing = ""
        self._show()
        self.app.reload()  # the files show the reminders just recorded
        if message.error:
            self.notify(message.error, title="Envoi interrompu", severity="error", timeout=15)
            return
        sent = sum(1 for e in self.results.values() if e is None)
        failed = len(self.results) - sent
        text = f"{count(sent, 'message')} {plural(sent, 'envoyé et consigné', 'envoyés et consignés')}"
        if failed:
            text += f", {failed} non {plural(failed, 'envoyé', 'envoyés')}"
        self.notify(text + ".", title="Rappels", severity="warning" if failed else "information", timeout=10)

    # -- moving --------------------------------------------------------------------------------
    def action_open_file(self) -> None:
        """The learner's file, the cursor on the (first) placement the reminder is about."""
        chosen = self.selected_draft()
        if chosen is None or chosen[0] >= len(self.drafts):
            return
        index, student_id = chosen
        placement = next((i.placement.id for i in self.drafts[index].due.items
                          if i.placement.student_id == student_id), None)
        go(self.app, CandidateFile(student_id, placement))

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        self.action_open_file()

    def action_back(self) -> None:
        if self.sending:
            self.notify("Envoi en cours : attendez la fin (chaque message est consigné dès qu'il part).",
                        severity="warning")
            return
        self.app.pop_screen()
