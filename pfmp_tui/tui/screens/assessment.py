"""The assessment grid of a placement: the document de liaison keyed from the tutor's paper (R12, R13).

The 37 competences under their bloc and activity, the evaluation indicators of
the competence under the cursor beside the grid (below it at 80 columns). A level
is one key — 1 non acquis, 2 en cours d'acquisition, 3 acquis, 4 maîtrisé, 0 or
suppr non évalué — and the cursor goes on to the next competence, so a paper
form is keyed in a couple of minutes. « c » (or entrée) writes the tutor's
comment on a competence, « t » says who assessed, « d » when; ^s saves through
`services.assessing.save_grid`, which refuses to overwrite a sheet someone else
saved since it was opened (both versions are then shown, nothing is written).
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

from ...domain.competences import BLOCS, LEVELS, competence
from ...domain.errors import ValidationFailed
from ...domain.model import ASSESSOR_LABELS
from ...domain.progress import LEVEL_SHORT
from ...domain.validation import format_date_fr, parse_french_date
from ...domain.wording import count, plural
from ...services import assessing
from ...services.assessing import (
    GridState,
    Session,
    load_grid,
    save_grid,
    session_label,
)
from ...services.errors import ConflictError, StoreError
from .. import keys
from ..formatting import LEVEL_STYLES, bloc_heading, short_dates
from ..state import AppState
from ..widgets.grouped_table import GroupedTable
from .dialogs import ConfirmScreen

# Theme variables of each level: colour is never alone (the digit and the short code say it too).
LEGEND = " · ".join(f"{n} {LEVELS[n]}" for n in (1, 2, 3, 4)) + f" · 0 {LEVELS[None]}"
CODE_WIDTH, LEVEL_WIDTH, MARK_WIDTH = 5, 5, 1


def level_cell(level: int | None, colours: dict[str, str]) -> Text:
    """« 3 A »: the key that sets it and the short code; « — » when not assessed."""
    if level is None:
        return Text(LEVEL_SHORT[None], style=colours.get("text-muted", ""))
    return Text(f"{level} {LEVEL_SHORT[level]}", style=colours.get(LEVEL_STYLES[level], ""))


def level_words(level: int | None) -> str:
    return LEVELS[level] if level is None else f"{level} — {LEVELS[level]}"


class CommentScreen(ModalScreen[str | None]):
    """One line for the tutor's comment on a competence; None if cancelled, "" to clear it."""

    CSS_PATH = "assessment.tcss"
    KEY_SCOPE = "dialog"
    BINDINGS = keys.bindings("dialog")

    def __init__(self, code: str, value: str | None) -> None:
        super().__init__()
        self.code = code
        self.value = value or ""

    def compose(self) -> ComposeResult:
        c = competence(self.code)
        with Vertical(id="dialog", classes="comment-dialog"):
            yield Static(f"Commentaire · {c.code}", classes="dialog-title")
            yield Static(c.label, classes="dialog-subtitle")
            yield Input(self.value, placeholder="Le commentaire du tuteur…", id="comment-input", compact=True)
            yield Static("entrée : valider · échap : annuler · vide : pas de commentaire", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#comment-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_close(self) -> None:
        self.dismiss(None)


class GridConflictScreen(ModalScreen[str]):
    """The sheet was saved by someone else since it was opened: what differs, side by side.

    Like `dialogs.ConflictScreen` for records: « theirs » reloads the stored grid,
    « mine » goes back to the keyed one; nothing was written either way.
    """

    CSS_PATH = "assessment.tcss"
    KEY_SCOPE = "dialog"
    BINDINGS = keys.bindings("dialog")

    def __init__(self, rows: list[tuple[str, str, str]], theirs_exists: bool, message: str) -> None:
        super().__init__()
        self.rows = rows  # (code, mine, theirs)
        self.theirs_exists = theirs_exists
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="conflict-dialog"):
            yield Static("Enregistrement refusé : conflit", classes="dialog-title")
            yield Static(self.message, id="conflict-message")
            yield DataTable(id="conflict-table", cursor_type="none", zebra_stripes=True)
            yield Static("Votre saisie reste dans la grille tant que vous ne reprenez pas la version enregistrée.",
                         classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                if self.theirs_exists:
                    yield Button("Reprendre la version enregistrée", id="theirs", variant="warning", compact=True)
                yield Button("Revenir à ma saisie (échap)", id="mine", compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Compétence", width=10)
        table.add_column("Votre saisie", width=26)
        table.add_column("Version enregistrée", width=26)
        for code, mine, theirs in self.rows:
            table.add_row(Text(code), Text(mine, overflow="ellipsis", no_wrap=True),
                          Text(theirs, overflow="ellipsis", no_wrap=True))
        self.query_one("#mine", Button).focus()

    def action_close(self) -> None:
        self.dismiss("mine")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "mine")


def _cell_text(level: int | None, comment: str | None) -> str:
    text = LEVELS[level] if level is None else f"{level} {LEVELS[level]}"
    return f"{text} « {comment} »" if comment else text


def differences(levels: dict, comments: dict, theirs: GridState | None) -> list[tuple[str, str, str]]:
    """(code, my cell, stored cell) of every competence whose level or comment differs."""
    rows = []
    for code in assessing.CODES:
        a = (levels.get(code), comments.get(code) or None)
        b = (theirs.levels[code], theirs.comments[code] or None) if theirs is not None else (None, None)
        if a != b:
            rows.append((code, _cell_text(*a), _cell_text(*b) if theirs is not None else "(supprimé)"))
    return rows


class AssessmentScreen(Screen):
    """Key the assessment of one placement; `code` puts the cursor on a competence."""

    CSS_PATH = "assessment.tcss"
    KEY_SCOPE = "assessment"
    BINDINGS = keys.bindings("assessment")

    def __init__(self, placement_id: str, *, code: str | None = None, session: Session | None = None) -> None:
        super().__init__()
        self.placement_id = placement_id
        self.start_code = code
        self.start_session = session
        self.grid: GridState | None = None
        self.rev = 0
        self.base_on: date | None = None  # the date the grid was opened with
        self.levels: dict[str, int | None] = {}
        self.comments: dict[str, str | None] = {}
        self.assessor = "tutor"
        self.stale = False  # someone saved the sheet since it was opened
        self.gone = False  # the placement was deleted
        self._label_w = 0

    # -- layout ------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="grid-head")
        with Horizontal(id="grid-session"):
            yield Label("Par", classes="grid-label")
            yield Button("tuteur", id="grid-assessor", compact=True, tooltip="t : tuteur ou enseignant")
            yield Label(" le ", classes="grid-label")
            yield Input("", placeholder="JJ/MM/AAAA", id="grid-date", compact=True)
            yield Static("", id="grid-count")
        yield Static("", id="grid-error", classes="form-error")
        with Horizontal(id="grid-general"):
            yield Label("Appréciation générale", classes="grid-label")
            yield Input("", placeholder="L'appréciation générale du tuteur…", id="grid-general-input", compact=True)
        with Horizontal(id="grid-body"):
            yield GroupedTable(id="grid", cursor_type="row", zebra_stripes=False)
            with VerticalScroll(id="grid-side", can_focus=False):
                yield Static("", id="grid-detail")
        yield Static(LEGEND, id="grid-legend")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#grid-general").display = assessing.GENERAL_COMMENT_SUPPORTED
        self.watch(self.app, "theme", self._fill_table, init=False)
        table = self.query_one("#grid", GroupedTable)
        table.focus()
        self._load(*(self.start_session or (None, None)))
        if self.grid is not None:
            if not table.move_to_key(self.start_code):
                table.first_item()
            self._show_detail()

    def _load(self, assessor: str | None = None, on: date | None = None) -> None:
        """(Re)read the grid from the store: my keyed values are replaced."""
        try:
            grid, rev = load_grid(self.app.repo, self.placement_id, assessor=assessor, on=on)
        except ValidationFailed:
            self._placement_gone()
            return
        except StoreError as exc:
            self.notify(str(exc), title="Magasin illisible", severity="error")
            return
        self.grid, self.rev = grid, rev
        self.stale = self.gone = False
        self.levels, self.comments = dict(grid.levels), dict(grid.comments)
        self.assessor = grid.assessor
        # A new grid is dated today (the day the paper is keyed); a stored one keeps its date.
        self.base_on = self.app.today if grid.is_new and on is None else grid.on
        self.query_one("#grid-date", Input).value = format_date_fr(self.base_on)
        self.query_one("#grid-general-input", Input).value = grid.general_comment or ""
        self._show_error("")
        s = grid.student
        self.sub_title = f"Évaluation · {s.full_name}" if s is not None else "Évaluation"
        self._fill_table()
        self._show_session()

    def _placement_gone(self) -> None:
        self.gone = True
        self._show_error("✗ Ce stage a été supprimé (par une autre session ?) : rien ne peut être enregistré.")

    def _label_width(self) -> int:
        """The label column takes what the others leave (a scrollbar and a space each side of a cell off)."""
        table = self.query_one("#grid", GroupedTable)
        width = table.size.width or self.size.width
        return max(16, width - 3 - 2 * 4 - CODE_WIDTH - LEVEL_WIDTH - MARK_WIDTH)

    def _fill_table(self) -> None:
        grid = self.grid
        if grid is None:
            return
        table = self.query_one("#grid", GroupedTable)
        current = table.row_key_at(table.cursor_row)
        colours = self.app.theme_variables
        label_width = self._label_width()
        if label_width != self._label_w:
            self._label_w = label_width
            table.clear(columns=True)
            table.add_column("Code", key="code", width=CODE_WIDTH)
            table.add_column("Compétence", key="label", width=label_width)
            table.add_column("Niv.", key="level", width=LEVEL_WIDTH)
            table.add_column("", key="mark", width=MARK_WIDTH)
        table.clear()
        heading = colours.get("text-primary", "")
        for bloc in BLOCS:
            table.add_heading(Text(f"B{bloc.number}", style=f"bold {heading}"),
                              Text(bloc_heading(bloc), style=f"bold {heading}", overflow="ellipsis", no_wrap=True),
                              "", "", key=f"bloc-{bloc.number}")
            for act in bloc.activities:
                table.add_heading(Text(act.code, style=heading),
                                  Text(act.label, style=f"italic {heading}", overflow="ellipsis", no_wrap=True),
                                  "", "", key=f"act-{act.code}")
                for c in act.competences:
                    table.add_row(Text(c.code), Text(c.label, overflow="ellipsis", no_wrap=True),
                                  level_cell(self.levels.get(c.code), colours),
                                  Text("✎" if self.comments.get(c.code) else ""), key=c.code)
        if not table.move_to_key(current):
            table.first_item()

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if self.grid is not None and self._label_width() != self._label_w:
            self._fill_table()

    # -- what is shown -------------------------------------------------------------------------------
    def _show_session(self) -> None:
        grid = self.grid
        if grid is None:
            return
        self.query_one("#grid-assessor", Button).label = ASSESSOR_LABELS[self.assessor]
        p, org, tutor = grid.placement, grid.organisation, grid.tutor
        parts = [short_dates(p), org.name if org is not None else p.organisation_id]
        if grid.period is not None:
            parts.append(grid.period.label)
        if tutor is not None:
            parts.append(f"tuteur : {tutor.full_name}")
        self.query_one("#grid-head", Static).update(Text(" · ".join(parts), overflow="ellipsis", no_wrap=True))
        assessed = sum(1 for v in self.levels.values() if v is not None)
        bits = [f"{assessed}/{len(self.levels)} évaluées"]
        commented = sum(1 for v in self.comments.values() if v)
        if commented:
            bits.append(f"✎ {commented}")
        if grid.is_new and grid.sessions:
            bits.append(f"{len(grid.sessions)} autre{'s' if len(grid.sessions) > 1 else ''} (v)")
        elif len(grid.sessions) > 1 and grid.session in grid.sessions:
            bits.append(f"éval. {grid.sessions.index(grid.session) + 1}/{len(grid.sessions)} (v)")
        if self.gone:
            bits.append("[$text-error]✗ stage supprimé[/]")
        elif self.stale:
            bits.append("[$text-warning]! modifiée ailleurs[/]")
        elif self.dirty:
            bits.append("[$text-warning]● non enregistré[/]")
        elif grid.is_new:
            bits.append("[dim]nouvelle[/]")
        else:
            bits.append("[$text-success]✓ enregistrée[/]")
        self.query_one("#grid-count", Static).update(Content.from_markup(" · ".join(bits)))

    def _show_detail(self) -> None:
        code = self.current_code()
        detail = self.query_one("#grid-detail", Static)
        if code is None:
            detail.update("")
            return
        c = competence(code)
        level = self.levels.get(code)
        comment = self.comments.get(code)
        colour = f"${LEVEL_STYLES[level]}" if level is not None else "$text-muted"
        lines = [
            f"[b]{c.code}[/] {escape(c.label)}",
            f"Niveau : [{colour}]{escape(level_words(level))}[/]"
            + (f" · ✎ « {escape(comment)} »" if comment else " · [dim]c : commentaire[/]"),
            f"[$text-primary]Indicateurs d'évaluation[/] [dim](activité {c.activity})[/]",
            *(f"· {escape(i)}" for i in c.indicators),
        ]
        detail.update(Content.from_markup("\n".join(lines)))
        self.query_one("#grid-side", VerticalScroll).scroll_home(animate=False)

    def _show_error(self, message: str) -> None:
        box = self.query_one("#grid-error", Static)
        box.update(message)
        box.set_class(bool(message), "-shown")

    def _refresh_row(self, code: str) -> None:
        table = self.query_one("#grid", GroupedTable)
        colours = self.app.theme_variables
        table.update_cell(code, "level", level_cell(self.levels.get(code), colours))
        table.update_cell(code, "mark", Text("✎" if self.comments.get(code) else ""))

    # -- state ----------------------------------------------------------------------------------------
    def current_code(self) -> str | None:
        table = self.query_one("#grid", GroupedTable)
        if not table.row_count or table.is_heading(table.cursor_row):
            return None
        return table.row_key_at(table.cursor_row)

    def date_value(self) -> date | None:
        return self._parse_date()[0]

    def _parse_date(self) -> tuple[date | None, str]:
        """(the date typed, or None and why not)."""
        try:
            return parse_french_date(self.query_one("#grid-date", Input).value, "date"), ""
        except ValidationFailed as exc:
            return None, "; ".join(e.message for e in exc.errors)

    def general_value(self) -> str | None:
        if not assessing.GENERAL_COMMENT_SUPPORTED:
            return None
        return self.query_one("#grid-general-input", Input).value.strip() or None

    @property
    def dirty(self) -> bool:
        grid = self.grid
        if grid is None:
            return False
        return (self.levels != grid.levels
                or {k: v or None for k, v in self.comments.items()} != {k: v or None for k, v in grid.comments.items()}
                or self.assessor != grid.assessor
                or self.query_one("#grid-date", Input).value.strip() != format_date_fr(self.base_on)
                or self.general_value() != (grid.general_comment or None))

    def show_state(self, state: AppState) -> None:
        """The store changed: follow it if nothing is keyed, else say that ^s will be refused."""
        if self.grid is None:
            return
        if state.get("placements", self.placement_id) is None:
            self._placement_gone()
        elif state.snapshot.sheet_revs.get(self.placement_id, 0) > self.rev:  # not an older load
            if self.dirty:
                self.stale = True
                self._show_error("! Une autre session a enregistré une évaluation de ce stage depuis que vous "
                                 "l'avez ouverte : ^s sera refusé et montrera les différences.")
            else:
                self._load(self.grid.assessor, self.base_on if not self.grid.is_new else None)
                self.notify("Grille relue : une autre session l'a enregistrée.", title="Mise à jour")
        self._show_session()

    # -- keys -----------------------------------------------------------------------------------------
    def action_level(self, level: int) -> None:
        code = self.current_code()
        if code is None or self.grid is None:
            return
        self.levels[code] = level or None  # 0: non évalué
        self._refresh_row(code)
        table = self.query_one("#grid", GroupedTable)
        nxt = table.next_item(table.cursor_row + 1)
        if nxt is not None:
            table.move_cursor(row=nxt)
        else:
            self._show_detail()
        self._show_session()

    def action_comment(self) -> None:
        code = self.current_code()
        if code is None or self.grid is None:
            return

        def done(value: str | None) -> None:
            if value is None:
                return
            self.comments[code] = value or None
            self._refresh_row(code)
            self._show_detail()
            self._show_session()

        self.app.push_screen(CommentScreen(code, self.comments.get(code)), done)

    def action_toggle_assessor(self) -> None:
        if self.grid is None:
            return
        self.assessor = "teacher" if self.assessor == "tutor" else "tutor"
        self._show_session()

    def action_edit_date(self) -> None:
        self.query_one("#grid-date", Input).focus()

    def action_next_session(self) -> None:
        """The next stored session of this placement (tutor's paper, teacher's visit…)."""
        grid = self.grid
        if grid is None or not grid.sessions:
            self.notify("Aucune autre évaluation enregistrée pour ce stage.", severity="warning")
            return
        if grid.is_new or grid.session not in grid.sessions:
            target = grid.sessions[0]
        else:
            target = grid.sessions[(grid.sessions.index(grid.session) + 1) % len(grid.sessions)]
        if not grid.is_new and target == grid.session and not self.dirty:
            self.notify("C'est la seule évaluation enregistrée de ce stage (n : nouvelle).", severity="warning")
            return
        self._leave_then(lambda: self._switch(target), "Ouvrir une autre évaluation sans enregistrer ?")

    def action_new_session(self) -> None:
        """An empty grid dated today, kept beside the stored ones (a teacher's visit…)."""
        if self.grid is None:
            return
        self._leave_then(lambda: self._switch((self.assessor, self.app.today)),
                         "Commencer une nouvelle évaluation sans enregistrer ?")

    def _switch(self, session: Session) -> None:
        self._load(*session)
        self.query_one("#grid", GroupedTable).first_item()
        self._show_detail()
        self.notify(("Nouvelle évaluation : " if self.grid and self.grid.is_new else "Évaluation ")
                    + session_label((self.assessor, self.base_on)), title="Grille")

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one("#grid", GroupedTable).focus()
            return
        self._leave_then(self.dismiss_screen, "Quitter la grille sans enregistrer ?")

    def confirm_leave(self, then) -> None:
        """For app-wide moves (tableau de bord, quitter): ask before dropping unsaved input."""
        self._leave_then(then, "Quitter la grille sans enregistrer ?")

    def dismiss_screen(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def _leave_then(self, then, question: str) -> None:
        if not self.dirty or self.gone:
            then()
            return
        n = self._changes()

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmScreen(
            question, f"{count(n, 'changement')} non {plural(n, 'enregistré', 'enregistrés')} "
                      f"{plural(n, 'sera perdu', 'seront perdus')} (^s pour enregistrer d'abord).",
            yes="Abandonner la saisie", no="Continuer la saisie"), answered)

    def _changes(self) -> int:
        grid = self.grid
        n = sum(1 for c in assessing.CODES
                if self.levels[c] != grid.levels[c] or (self.comments[c] or None) != (grid.comments[c] or None))
        n += self.assessor != grid.assessor
        n += self.query_one("#grid-date", Input).value.strip() != format_date_fr(self.base_on)
        return max(n, 1)

    # -- saving ---------------------------------------------------------------------------------------
    def action_save(self) -> None:
        grid = self.grid
        if grid is None or self.gone:
            self.notify("Rien à enregistrer : ce stage n'existe plus.", severity="error")
            return
        on, why = self._parse_date()
        if on is None:
            self._show_error(f"✗ Date de l'évaluation : {why}")
            self.query_one("#grid-date", Input).focus()
            return
        replaces = None if grid.is_new else grid.session
        target = (self.assessor, on)
        if target != replaces and target in grid.sessions:
            def answered(yes: bool | None) -> None:
                if yes:
                    self._save(on, replaces)

            self.app.push_screen(ConfirmScreen(
                "Remplacer une autre évaluation ?",
                f"Ce stage a déjà une évaluation « {session_label(target)} » : cette grille la remplacera.",
                yes="Remplacer", no="Annuler"), answered)
            return
        self._save(on, replaces)

    def _save(self, on: date, replaces: Session | None) -> None:
        repo = self.app.repo
        try:
            save_grid(repo, self.placement_id, self.levels, self.comments, self.general_value(),
                      self.assessor, on, self.rev, replaces=replaces)
        except ValidationFailed as exc:
            self._show_error("\n".join(f"✗ {e.message}" for e in exc.errors))
            return
        except ConflictError as exc:
            self._conflict(exc, on)
            return
        except StoreError as exc:
            self._show_error(f"✗ {exc}")
            return
        assessed = sum(1 for v in self.levels.values() if v is not None)
        self.notify(f"{count(assessed, 'compétence')} {plural(assessed, 'évaluée', 'évaluées')}"
                    f" ({session_label((self.assessor, on))}).", title="Grille enregistrée")
        self._load(self.assessor, on)
        self.app.reload()

    def _conflict(self, exc: ConflictError, on: date) -> None:
        if exc.kind == "placements":
            self._placement_gone()
            self._show_session()
            return
        self.stale = True
        try:
            theirs, theirs_rev = load_grid(self.app.repo, self.placement_id, assessor=self.assessor, on=on)
        except (ValidationFailed, StoreError):
            theirs, theirs_rev = None, None
        self._theirs = (theirs, theirs_rev) if theirs is not None else None
        if theirs is not None and not theirs.is_new and self.grid is not None:
            taken, clashes = self._merge_from(theirs)
            if not clashes:  # they changed other competences: keep both, say so, save
                self._rebase(theirs, theirs_rev, taken)
                self.notify(f"Une autre session avait évalué : {', '.join(taken) or 'rien de plus'}. Ses niveaux "
                            "et les vôtres sont enregistrés ensemble.", title="Fusion", timeout=10)
                self._save(on, None if self.grid.is_new else self.grid.session)
                return
        rows = differences(self.levels, self.comments, theirs)
        label = session_label((self.assessor, on))
        if theirs is not None and not theirs.is_new:
            message = (f"Une autre session a enregistré l'évaluation de ce stage depuis que vous l'avez ouverte : "
                       f"rien n'a été enregistré, rien n'a été écrasé. Différences avec « {label} » :")
        else:
            message = ("Une autre session a enregistré une autre évaluation de ce stage depuis que vous l'avez "
                       "ouverte : rien n'a été enregistré. Reprenez la version enregistrée, puis reportez votre "
                       "saisie.")
        self._show_error("! Enregistrement refusé : une autre session a enregistré ce stage entre-temps.")
        self._show_session()
        self.app.push_screen(GridConflictScreen(rows, theirs is not None, message), self._after_conflict)

    def _merge_from(self, theirs: GridState) -> tuple[list[str], list[str]]:
        """(competences only they changed, competences both changed differently) since the grid opened."""
        opened = self.grid
        taken, clashes = [], []
        for code in assessing.CODES:
            mine = (self.levels[code], self.comments[code] or None)
            base = (opened.levels[code], opened.comments[code] or None)
            other = (theirs.levels[code], theirs.comments[code] or None)
            if other == base or other == mine:
                continue
            (clashes if mine != base else taken).append(code)
        return taken, clashes

    def _rebase(self, theirs: GridState, rev: int, taken: list[str]) -> None:
        """Keep my keyed values on top of their saved sheet: the next ^s is not refused again."""
        for code in taken:
            self.levels[code], self.comments[code] = theirs.levels[code], theirs.comments[code]
        self.grid, self.rev = theirs, rev
        self.stale = False
        self._show_error("")
        self._fill_table()
        self._show_session()

    def _after_conflict(self, choice: str | None) -> None:
        if self.grid is None:
            return
        if choice != "theirs":
            # « Revenir à ma saisie »: my levels stay (theirs merged where I keyed nothing), on their
            # revision, so the next ^s saves instead of being refused forever.
            pending = getattr(self, "_theirs", None)
            if pending is not None and not pending[0].is_new:
                taken, clashes = self._merge_from(pending[0])
                self._rebase(pending[0], pending[1], taken)
                self.notify("Votre saisie est gardée ; ^s l'enregistrera sur la version de l'autre session"
                            + (f" ({', '.join(clashes)} : la vôtre)." if clashes else "."), title="Conflit", timeout=8)
            return
        on = self.date_value()
        self._load(self.assessor, on)
        self.notify("Version enregistrée reprise : vos changements sont abandonnés.", title="Conflit", timeout=6)

    # -- events ---------------------------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#grid")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected, "#grid")
    def _selected(self) -> None:
        self.action_comment()

    @on(Button.Pressed, "#grid-assessor")
    def _assessor_pressed(self) -> None:
        self.action_toggle_assessor()

    @on(Input.Changed, "#grid-date")
    def _date_changed(self) -> None:
        if self.grid is not None:
            self._show_session()

    @on(Input.Submitted, "#grid-date")
    def _date_submitted(self) -> None:
        on, why = self._parse_date()
        if on is None:
            self._show_error(f"✗ Date de l'évaluation : {why}")
            return
        self._show_error("")
        self.query_one("#grid", GroupedTable).focus()

    @on(Input.Submitted, "#grid-general-input")
    def _general_submitted(self) -> None:
        self.query_one("#grid", GroupedTable).focus()
