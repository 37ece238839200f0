"""The terminal UI (Textual): the coordinators' daily tool, several sessions on one store.

The app keeps one `AppState` (a snapshot of the store and every candidate's
status), computed in a worker thread and handed to every screen of the stack
(`show_state`). It polls the store's stamp twice a second: a change saved by
another session (TUI or `pfmp` verb) is read again and shown without a restart.
Saves go through `services.editing`, which refuses to overwrite a record someone
else changed since it was opened.
"""

from __future__ import annotations

import gc
import getpass
import os
import re
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from textual import events, work
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.screen import Screen

from ..domain.errors import ValidationFailed
from ..domain.rules import STATUS_ORDER, check_dataset
from ..domain.validation import format_date_fr
from ..domain.wording import agree_kind, capitalised, count
from ..services import editing
from ..services.editing import Saved
from ..services.export import default_export_path, missing_attestation_rows, write_export
from ..services.errors import ConflictError, StoreError
from ..services.handles import Repository
from . import accountability, keys, navigation, overflow, settings, textual_french
from .targets import Journal, Reminders, Users
from .commands import PfmpCommands
from .key_order import OrderedKeys
from .screens.candidate import CandidateScreen
from .screens.dashboard import DashboardScreen
from .screens.dialogs import ConfirmScreen, ExportScreen, HelpScreen
from .screens.forms import FormScreen
from .search_defaults import search_defaults
from .state import AppState, CandidateFilter, cohort_name, load_state, status_text
from .targets import Allocation, CandidateFile, CohortCompetences, Import, MyStudents, Periods, Records, Target, Timeline

LIGHT, DARK = "textual-light", "textual-dark"
# Seconds between two looks at the manifest's stamp (one os.stat): another session's save
# shows within this plus one state rebuild (issue 13: ≤ 1 s; at 1.0 s its p95 was 1.03 s).
POLL_INTERVAL = 0.5
# At launch, the longest the school's read waits for the dashboard to be drawn (s).
DRAW_FIRST_LIMIT = 1.0
textual_french.apply()  # Textual's own footer texts in French (« esc Fermer la liste »)


class StateLoaded(Message):
    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state


class LoadFailed(Message):
    def __init__(self, message: str, stamp: Any, busy: bool = False) -> None:
        super().__init__()
        self.message = message
        self.stamp = stamp
        self.busy = busy  # another process holds the store's lock: try again


class ExportDone(Message):
    def __init__(self, path: Path | None, rows: int, error: str | None = None) -> None:
        super().__init__()
        self.path = path
        self.rows = rows
        self.error = error


class PfmpApp(OrderedKeys, App[None]):
    TITLE = "PFMP AGOrA"
    CSS_PATH = "global.tcss"
    CSS = overflow.CSS  # one-line texts end with « … » (issue 12)
    BINDINGS = keys.bindings("app")
    COMMANDS = App.COMMANDS | {PfmpCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    NOTIFICATION_TIMEOUT = 6

    def __init__(self, repo: Repository, *, today: date | None = None, user: str | None = None,
                 exports_dir: Path | None = None, poll_interval: float = POLL_INTERVAL,
                 state: AppState | None = None, preview: AppState | None = None) -> None:
        super().__init__()
        self.repo = repo
        self._fixed_today = today
        self.user = user if user is not None else _login()
        self.exports_dir = Path(exports_dir) if exports_dir is not None else Path.cwd() / "exports"
        self.poll_interval = poll_interval
        self.state: AppState | None = None
        self._first_state = state  # read by the bootstrap, if it did (tests)
        # The launch's first picture (`state.preview_state`: statuses and cohorts, read by
        # `bootstrap.run_tui` before the app starts): the dashboard draws it while the
        # school's records are read in a worker; None once `state` is there.
        self.preview: AppState | None = None
        self._first_preview = preview
        # What was asked for before the school was read (a screen to open), in order: run
        # when it is, the keys typed after it held until then (`wait_for_school`).
        self._school_waiters: list[Callable[[], object]] = []
        self._waiting_note: Notification | None = None
        self.launch_error: str | None = None  # the school could not be read at launch: `run_tui` says why
        self.loading_state = False
        self._reload_pending = False
        self._seen_stamp: Any = None
        self._announce = False
        self.user_keymap: dict[str, str] = {}  # binding id -> key, from the user's keymap file
        self._select_after_load: tuple[str, str] | None = None  # (kind, id) of a record just created
        accountability.install(self)  # issue 16: the journal names the screen of each change

    def _print_error_renderables(self) -> None:
        """An unexpected error: one French line, the traceback only with PFMP_DEBUG=1."""
        error = self._exception
        if error is None or os.environ.get("PFMP_DEBUG") == "1":
            super()._print_error_renderables()
            return
        self._exit_renderables.clear()
        self.error_console.print(
            f"pfmp : erreur inattendue dans l'interface : {type(error).__name__}: {error} "
            "(rien n'a été enregistré de plus ; PFMP_DEBUG=1 pour le détail)",
            markup=False,
            highlight=False,
        )

    @property
    def today(self) -> date:
        return self._fixed_today or date.today()

    # -- loading and watching the store -------------------------------------------------------------
    def on_mount(self) -> None:
        self.user_keymap, warnings = keys.load_keymap(keys.keymap_path())
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        for warning in warnings:
            self.notify(warning, title="Raccourcis", severity="warning")
        try:
            self.theme = settings.saved_theme(DARK)  # the theme chosen last time (^t, « Thème… »)
        except Exception:  # a theme this Textual does not know
            self.theme = DARK
        self.watch(self, "theme", self._remember_theme, init=False)
        first, self._first_state = self._first_state, None
        preview, self._first_preview = self._first_preview, None
        if first is not None and first.today == self.today:
            self.state = first  # the dashboard is composed with its figures, not composed twice
        elif preview is not None and preview.today == self.today:
            self.preview = preview  # drawn now; the school is read below, in a worker
        self.push_screen(DashboardScreen())
        if first is not None and first.today == self.today:
            # Read before the app started: handed over like a load (screens mounted first).
            self.loading_state = True
            self.post_message(StateLoaded(first))
        elif self.preview is not None:
            # The school is read once the dashboard is drawn: a worker reading it competes with
            # the frames for the interpreter (issue 13: the dashboard first, its frames short).
            self.loading_state = True
            self.call_after_refresh(self._read_school, time.monotonic() + DRAW_FIRST_LIMIT)
        else:
            self.reload()
        if self.poll_interval:
            self.set_interval(self.poll_interval, self.poll_store)

    def poll_store(self) -> None:
        """Another session saved? (the manifest's stamp changes on every commit)."""
        try:
            stamp = self.repo.store.stamp()
        except OSError:
            return
        if stamp != self._seen_stamp and not self.loading_state:
            self.reload()

    def _read_school(self, deadline: float) -> None:
        if not getattr(self.screen, "ready", True) and time.monotonic() < deadline:
            self.call_after_refresh(self._read_school, deadline)  # its cards are still being mounted
            return
        self.loading_state = False
        self.reload()

    def reload(self) -> None:
        if self.loading_state:
            self._reload_pending = True
            return
        self.loading_state = True
        self._load(self.today)

    @work(thread=True, exit_on_error=False, group="load", description="load_state")
    def _load(self, today: date) -> None:
        stamp = None
        # The school's first read makes a whole school of long-lived objects: no cyclic
        # collection meanwhile (a full one scans them all, holding the interpreter: frames of
        # 0.15–0.23 s on the dashboard at 1,500 learners while the worker read), then out of
        # the collector's scans before it runs again (`_freeze_heap`, issue 13).
        first = self.state is None
        collecting = gc.isenabled()
        if first:
            gc.disable()
        try:
            stamp = self.repo.store.stamp()
            state = load_state(self.repo, today, self.state)  # the shards a commit wrote, only
            if isinstance(self.screen, DashboardScreen):  # else drawn when on top again (its own thread)
                size = self.size
                DashboardScreen.prepare(state, size.width, size.height)  # its figures, off the UI thread
        except (StoreError, OSError, ValueError) as exc:
            message = str(exc)  # StoreBusy (another process holds the lock) says « magasin occupé … »
            self.post_message(LoadFailed(message, stamp, busy=message.startswith("magasin occupé")))
            return
        finally:
            if first:
                gc.freeze()
                if collecting:
                    gc.enable()
        self.post_message(StateLoaded(state))

    def on_state_loaded(self, message: StateLoaded) -> None:
        self.loading_state = False
        state = message.state
        self._seen_stamp = state.stamp
        self.state = state  # loads never overlap (loading_state): this is the newest
        self.preview = None
        for screen in self.screen_stack:
            show = getattr(screen, "show_state", None)
            if show is not None:
                show(state)
        if state.whole:
            self.call_after_refresh(_freeze_heap)
        waiters, self._school_waiters = self._school_waiters, []
        for action in waiters:  # asked for while the school was read: now, in the order asked
            action()
        if waiters:
            self._unnotify(self._waiting_note)  # « Lecture de l'école… »: done
            self._resume_keys()
        if self._select_after_load is not None:
            kind, record_id = self._select_after_load
            self._select_after_load = None
            for screen in self.screen_stack:
                select = getattr(screen, "select_record", None)
                if select is not None:
                    self.call_after_refresh(select, kind, record_id)
        if self._announce:
            self._announce = False
            counts = {s: 0 for s in STATUS_ORDER}
            for r in state.results:
                counts[r.status] += 1
            self.notify(" · ".join(f"{status_text(s)} : {counts[s]}" for s in STATUS_ORDER),
                        title=f"Vérification au {format_date_fr(state.today)}")
        if self._reload_pending:
            self._reload_pending = False
            self.reload()

    def on_load_failed(self, message: LoadFailed) -> None:
        self.loading_state = False
        self._seen_stamp = message.stamp
        busy = message.busy  # StoreBusy: the last state stays on screen
        if self.state is None:  # the school could not be read at launch
            if busy:
                self.notify(f"{message.message} : nouvel essai dans un instant.", title="Magasin occupé",
                            severity="warning")
                self.set_timer(1.0, self.reload)
                return
            # A damaged file found by the background read (the bootstrap read the manifest, the
            # core, the index and the statuses): refused like at the door, nothing written
            # (no screen that writes was opened), the reason printed by `run_tui`.
            self.launch_error = message.message
            self.exit(return_code=1)
            return
        self.notify(message.message, title="Magasin occupé" if busy else "Magasin illisible", severity="error",
                    timeout=15)

    # -- before the school is read --------------------------------------------------------------------
    def wait_for_school(self, action: Callable[[], object]) -> bool:
        """True if the school's records are still being read (launch): `action` (opening a
        screen) is then kept and run once they are, and every key typed after it waits
        behind it, so that what is typed reaches the screen it was typed for (issue 13:
        never a lost key, never a screen on half data)."""
        if self.state is not None:
            return False
        if not self._school_waiters:
            self._waiting_note = Notification("Lecture de l'école… l'écran demandé s'ouvre dès qu'elle est lue.",
                                              "Un instant", timeout=30)
            # Shown now, not posted (`notify`): the school's state may be next in the queue,
            # and it takes this note away (`_unnotify`).
            self._on_notify(Notify(self._waiting_note))
        self._school_waiters.append(action)
        return True

    def _quit_held(self) -> bool:
        """^q among the keys waiting for the school: quit at once. Nothing holds input yet
        (every screen waits for the school), and the keys typed for a screen never opened
        go with the app."""
        quit_keys = ("ctrl+q", self.user_keymap.get("app.quit"))
        if any(isinstance(e, events.Key) and e.key in quit_keys for e in getattr(self, "_held_inputs", ())):
            self.exit()
            return True
        return False

    async def on_event(self, event: events.Event) -> None:
        await super().on_event(event)
        if self._school_waiters and isinstance(event, events.Key):
            self._quit_held()

    async def _release_next_key(self) -> None:
        """`OrderedKeys`: keys typed after a screen asked for before the school was read
        wait for it (held in order; `_resume_keys` hands them out)."""
        if self._school_waiters:
            self._key_in_flight = None
            self._key_hop_node = None
            self._quit_held()
            return
        await super()._release_next_key()

    def _resume_keys(self) -> None:
        """The screens asked for are pushed: once they are mounted and settled (as after any
        key that opens a screen), the held keys go to them, in order."""
        if not getattr(self, "_held_inputs", None) or self._key_in_flight is not None:
            return
        self._key_generation += 1
        self._key_in_flight = self._held_inputs[0]  # nothing else goes out meanwhile
        self._key_hop_node = self
        self.call_later(self._key_settled, self._key_generation)

    # -- navigation ---------------------------------------------------------------------------------
    def open_target(self, target: Target, then: Callable[[Any], object] | None = None) -> None:
        """Where `targets.go` leads: the screen showing `target` (see `navigation`)."""
        navigation.open_target(self, target, then)

    def open_candidates(self, filter: CandidateFilter | None = None) -> None:
        navigation.open_candidates(self, filter)

    def open_candidate(self, student_id: str) -> None:
        self.open_target(CandidateFile(student_id))

    def after_leaving(self, then: Callable[[], object]) -> None:
        """Run `then` once every screen holding unsaved input (a changed form, the assessment
        grid) has been confirmed away, top first: app-wide moves (^q, the palette, the
        dashboard) never drop typed input silently."""
        dirty = [s for s in reversed(self.screen_stack)
                 if getattr(s, "confirm_leave", None) is not None and getattr(s, "dirty", False)]

        def step(i: int) -> None:
            if i == len(dirty):
                then()
            else:
                dirty[i].confirm_leave(lambda: step(i + 1))

        step(0)

    def action_dashboard(self) -> None:
        self.after_leaving(self._back_to_dashboard)

    def _back_to_dashboard(self) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, DashboardScreen):
            self.pop_screen()

    async def action_quit(self) -> None:
        self.after_leaving(self.exit)

    def action_candidates(self) -> None:
        self.open_candidates(CandidateFilter())

    def action_my_students(self) -> None:
        """« Mes élèves » (issue 6): the learners `self.user` follows, what is waiting first."""
        self.open_target(MyStudents())

    def action_cohort_competences(self, cohort_id: str | None = None) -> None:
        self.open_target(CohortCompetences(cohort_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not accountability.gate(self, "app", action):  # issue 16: hidden when the role may not
            return False
        if action == "cohort_competences":  # « v » of the records screen: on the cohorts list only
            return navigation.cohort_actions_available(self.screen)
        if action in ("periods", "timeline"):  # issue 5: not on the organisations or tutors lists
            return navigation.cohort_actions_available(self.screen)
        return True

    # -- journal, users (issue 16) --------------------------------------------------------------------
    def action_journal(self) -> None:
        navigation.open_target(self, Journal())

    def confirm_revert(self, entry_id: int) -> None:
        accountability.confirm_revert(self, entry_id)

    def action_users(self) -> None:
        navigation.open_target(self, Users())

    def action_reminders(self) -> None:
        """Reminders to tutors by e-mail (issue 15): preview, then send."""
        navigation.open_target(self, Reminders())

    # -- planning and import (issues 5, 7) -----------------------------------------------------------
    def action_periods(self, cohort_id: str | None = None) -> None:
        self.open_target(Periods(cohort_id))

    def action_timeline(self, cohort_id: str | None = None) -> None:
        self.open_target(Timeline(cohort_id))

    def action_allocation(self, cohort_id: str | None = None) -> None:
        """Allocation PFMP of a cohort (R17, issue 14)."""
        self.open_target(Allocation(cohort_id))

    def action_import(self, what: str) -> None:
        self.open_target(Import(what, navigation.cohort_in_view(self.screen)))

    def action_records(self, kind: str) -> None:
        self.open_target(Records(kind))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        scope = getattr(self.screen, "KEY_SCOPE", None)
        scopes = [s for s in (scope, "figure" if scope == "dashboard" else None) if s]
        self.push_screen(HelpScreen(scopes + ["app"] + (["form"] if scope != "form" else [])))

    def _remember_theme(self, theme: str) -> None:
        settings.remember("theme", theme)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_check(self) -> None:
        self._announce = True
        self.reload()

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder="Rechercher une commande, une cohorte, un élève…",
                                            id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Aide", "Les touches de l'écran en cours", self.action_help)
        yield SystemCommand("Thème…", "Choisir les couleurs de l'interface", self.action_change_theme)
        yield SystemCommand("Quitter", "Fermer pfmp", self.action_quit)

    # -- editing -----------------------------------------------------------------------------------
    def open_form(self, form: str, *, record_id: str | None = None, context: dict[str, Any] | None = None,
                  defaults: dict[str, Any] | None = None, subtitle: str = "") -> None:
        """Open the form `form` on a new record, or on `record_id` read fresh from the store."""
        if navigation.later(self, lambda: self.open_form(form, record_id=record_id, context=context,
                                                         defaults=defaults, subtitle=subtitle)):
            return  # its choices (cohorts, organisations…) come from the school's state
        kind = editing.FORMS[form].kind
        base = rev = None
        if record_id is not None:
            try:
                found = self.repo.get(kind, record_id)
            except StoreError as exc:
                self.notify(str(exc), title="Magasin illisible", severity="error")
                return
            if found is None:
                self.notify(f"{capitalised(editing.kind_label(kind))} introuvable : "
                            f"{agree_kind('supprimé', kind)} par une autre session ?", severity="error")
                self.reload()
                return
            base, rev = found
        if form == "attestation" and base is not None and base.attestation is None:
            values = editing.attestation_defaults(base, self.today)
            subtitle = f"{subtitle}\n{editing.ATTESTATION_PREFILLED}" if subtitle else editing.ATTESTATION_PREFILLED
        else:
            values = editing.initial_values(form, base, **{k.replace(".", "__"): v for k, v in (defaults or {}).items()})
        self.push_screen(FormScreen(form, values=values, base=base, rev=rev, context=context, subtitle=subtitle),
                         self._saved)

    def _saved(self, saved: Saved | None) -> None:
        if saved is None:
            return
        label = capitalised(editing.kind_label(saved.kind))
        self.notify(f"{label} {agree_kind('créé' if saved.created else 'enregistré', saved.kind)}.",
                    title="Enregistré")
        if saved.created:
            # The cursor goes to the new record once the screens show it (never left on the
            # old row, where « suppr » would hit the wrong one).
            self._select_after_load = (saved.kind, saved.record.id)
        self.reload()
        if saved.created and saved.kind == "students":
            self.open_candidate(saved.record.id)

    def action_new_student(self) -> None:
        """From a list: its cohort, and what was typed in its search (a name), carried into the form."""
        filter = getattr(self.screen, "filter", None)
        cohort = getattr(filter, "cohort_id", None)
        defaults: dict[str, Any] = {"cohort_id": cohort} if cohort else {}
        text = getattr(filter, "text", "") or ""
        if re.fullmatch(r"\s*\d{9,10}[A-Za-z]{1,2}\s*", text):
            defaults["ine"] = text.strip().upper()
        else:
            defaults.update(search_defaults("students", text))
        self.open_form("students", defaults=defaults or None)

    def action_new_placement(self) -> None:
        if navigation.later(self, self.action_new_placement):
            return
        if isinstance(self.screen, CandidateScreen):
            self.screen.action_new_placement()
            return
        self.open_candidates(CandidateFilter())
        self.notify("Choisissez l'élève (entrée), puis « s » pour un nouveau stage.", title="Nouveau stage")

    def confirm_delete(self, kind: str, record_id: str, what: str) -> None:
        """Ask first, saying what goes with the record; then delete it if nobody changed it since."""
        try:
            found = self.repo.get(kind, record_id)
            summary = editing.deletion_summary(self.repo, kind, record_id) if found else ""
        except StoreError as exc:
            self.notify(str(exc), title="Magasin illisible", severity="error")
            return
        if found is None:
            self.notify("Déjà supprimé par une autre session.", severity="warning")
            self.reload()
            return
        _, rev = found
        message = ("Rien d'autre n'est supprimé." if summary == "rien d'autre"
                   else f"Cela supprime aussi : {summary}.")

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                removed = editing.delete(self.repo, kind, record_id, rev)
            except ValidationFailed as exc:
                self.notify("\n".join(e.message for e in exc.errors), title="Suppression refusée",
                            severity="error", timeout=10)
                return
            except ConflictError as exc:
                self.notify(str(exc), title="Suppression refusée", severity="error", timeout=10)
                self.reload()
                return
            except StoreError as exc:
                self.notify(str(exc), title="Magasin illisible", severity="error")
                return
            extra = "" if removed == "rien d'autre" else f" (avec {removed})"
            self.notify(f"Supprimé : {what}{extra}.", title="Supprimé")
            if kind == "students" and isinstance(self.screen, CandidateScreen) and self.screen.student_id == record_id:
                self.pop_screen()
            self.reload()

        self.push_screen(ConfirmScreen(f"Supprimer {what} ?", message), done)

    # -- exports ---------------------------------------------------------------------------------
    def action_export(self, cohort_id: str | None = None, student_ids: frozenset[str] | None = None,
                      listed: str = "") -> None:
        """The export dialog; from a filtered list (`student_ids`, described by `listed`), the
        export holds exactly the learners of that list."""
        if navigation.later(self, lambda: self.action_export(cohort_id, student_ids, listed)):
            return  # the dialog lists the cohorts of the school's state
        state = self.state
        cohorts = [(cohort_name(c), c.id) for c in state.cohorts()] if state is not None else []
        self.push_screen(ExportScreen(cohorts, cohort_id, listed=listed),
                         lambda choice: self._export_chosen(choice, student_ids))

    def _export_chosen(self, choice: tuple[str, str | None] | None, student_ids: frozenset[str] | None = None) -> None:
        if choice is not None:
            self.export_missing_attestations(*choice, student_ids=student_ids)

    @work(thread=True, exit_on_error=False, group="export", description="export_missing_attestations")
    def export_missing_attestations(self, fmt: str, cohort_id: str | None = None,
                                    student_ids: frozenset[str] | None = None) -> None:
        """Write the missing-attestations list (CONTRACT.md) under exports/, then notify its path."""
        today = self.today
        try:
            data = self.repo.dataset()
            results = check_dataset(data, today, cohort_id)
            if student_ids is not None:
                results = [r for r in results if r.student_id in student_ids]
            rows = missing_attestation_rows(data, results, today)
            path = write_export(rows, fmt, default_export_path(self.exports_dir, fmt, today, cohort_id))
        except (StoreError, OSError, ValueError) as exc:
            self.post_message(ExportDone(None, 0, str(exc)))
            return
        self.post_message(ExportDone(path.resolve(), len(rows)))

    def on_export_done(self, message: ExportDone) -> None:
        if message.error is not None:
            self.notify(message.error, title="Export impossible", severity="error", timeout=15)
            return
        self.notify(f"{message.path}\n{count(message.rows, 'ligne')}.",
                    title="Fichier écrit", timeout=15)



def _freeze_heap() -> None:
    """Take every object alive now out of the cyclic collector's scans (`gc.freeze`).

    A state of the whole school is hundreds of thousands of long-lived objects (records,
    statuses, the screens' widgets): left to the collector, a full collection scans them
    all every few saves, a frozen frame of 0.1–0.3 s at 1,500 learners (issue 13). Frozen
    after the state computed for the whole school is drawn, a collection scans only what
    was made since (one save's records). An object frozen here that later becomes garbage
    in a reference cycle is not reclaimed (acyclic garbage still is, at once): one school's
    worth of state per full recomputation, which happens at launch and when the core or the
    day changes."""
    gc.freeze()


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (containers without a passwd entry)
        return ""
