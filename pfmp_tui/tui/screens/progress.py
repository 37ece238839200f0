"""Progress across the cycle (R12, R16): a learner's competences × placements, a cohort's gaps.

`ProgressScreen`: the 37 competences under their bloc and activity, one column per
placement (by start, headed with its month « 01/26 ») holding the latest level given
in it (NA, ECA, A, M; — not assessed), and the coverage of the three blocs: R16 asks
for diversity of situations across the three pôles. Entrée (or « g ») on a cell opens
that placement's grid on that competence.

`CohortCompetencesScreen`: per competence, how many learners of a cohort have been
assessed on it, the ones never assessed first in view (« j » shows all 37).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.coordinate import Coordinate
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ...domain.competences import BLOCS, LEVELS, competence
from ...domain.errors import ValidationFailed
from ...domain.model import ASSESSOR_LABELS
from ...domain.progress import LEVEL_SHORT, ProgressGrid, cohort_progress, progress
from ...domain.validation import format_date_fr
from .. import keys
from ..liaison import write_paper
from ..formatting import LEVEL_STYLES, bloc_heading, short_dates
from ..state import AppState, cohort_name
from ..targets import AssessmentGrid, go
from ..widgets.grouped_table import GroupedTable

CODE_WIDTH, CELL_WIDTH, FIXED = 5, 5, 2  # code and label columns stay when scrolling sideways
BAR = {"acquired": "█", "assessed": "▒", "none": "░"}  # shapes, not colour alone
# One line at 80 columns: « en cours d'acquisition » is shortened here only.
_WORDS = {**LEVELS, 2: "en cours d'acq."}
LEGEND = " · ".join(f"{LEVEL_SHORT[n]} {_WORDS[n]}" for n in (1, 2, 3, 4)) + f" · — {LEVELS[None]}"


def coverage_bar(grid: ProgressGrid, bloc) -> str:
    """One mark per competence of the bloc: █ acquis ou maîtrisé, ▒ évalué plus bas, ░ jamais évalué."""
    marks = []
    for act in bloc.activities:
        for c in act.competences:
            a = grid.latest(c.code)
            marks.append(BAR["none"] if a is None else BAR["acquired"] if a.level >= 3 else BAR["assessed"])
    return "".join(marks)


class ProgressScreen(Screen):
    CSS_PATH = "progress.tcss"
    KEY_SCOPE = "progress"
    BINDINGS = keys.bindings("progress")

    def __init__(self, student_id: str) -> None:
        super().__init__()
        self.student_id = student_id
        self.grid: ProgressGrid | None = None
        self._layout: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="progress-head")
        yield Static("", id="progress-coverage")
        yield GroupedTable(id="progress", cursor_type="cell", zebra_stripes=False)
        yield Static("", id="progress-detail")
        yield Static(LEGEND, id="progress-legend")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.query_one("#progress", GroupedTable).focus()
        if self.app.state is not None:
            self.show_state(self.app.state)

    def _theme_changed(self) -> None:
        if self.app.state is not None:
            self.show_state(self.app.state)

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if self.app.state is not None and self.grid is not None and self._label_width() != self._layout[1]:
            self.show_state(self.app.state)

    def _label_width(self) -> int:
        table = self.query_one("#progress", GroupedTable)
        width = table.size.width or self.size.width
        n = len(self.grid.placements) if self.grid is not None else 0
        return max(18, width - 3 - 2 * (2 + n) - CODE_WIDTH - CELL_WIDTH * n)

    # -- data ------------------------------------------------------------------------------------
    def show_state(self, state: AppState) -> None:
        student = state.get("students", self.student_id)
        table = self.query_one("#progress", GroupedTable)
        if student is None:
            self.grid = None
            self.query_one("#progress-head", Static).update(
                Content.from_markup("[$text-error]✗ Cet élève a été supprimé (par une autre session ?).[/]"))
            self.query_one("#progress-coverage", Static).update("")
            self.query_one("#progress-detail", Static).update("")
            table.clear(columns=True)
            self._layout = None
            return
        try:
            grid = progress(state.data, self.student_id)
        except ValidationFailed:
            return
        self.grid = grid
        self.sub_title = f"Progression · {student.full_name}"
        cohort = state.get("cohorts", student.cohort_id)
        assessed = sum(1 for p in grid.placements if any(k[1] == p.id for k in grid.cells))
        n = len(grid.placements)
        self.query_one("#progress-head", Static).update(Content.from_markup(
            f"{n} stage{'s' if n > 1 else ''}, {assessed} évalué{'s' if assessed > 1 else ''}"
            f" · blocs (R16) : {BAR['acquired']} acquise {BAR['assessed']} évaluée {BAR['none']} jamais"
            f" · {escape(cohort_name(cohort, student.cohort_id))}"))
        lines = []
        for cov, bloc in zip(grid.coverage, BLOCS):
            lines.append(f"Bloc {cov.number} {coverage_bar(grid, bloc)} {cov.assessed:>2}/{cov.total} évaluées · "
                         f"{cov.acquired:>2} acquises ou maîtrisées · {escape(bloc.unit)}")
        self.query_one("#progress-coverage", Static).update(Content.from_markup("\n".join(lines)))
        self._fill(grid)
        self._show_detail()

    def _fill(self, grid: ProgressGrid) -> None:
        table = self.query_one("#progress", GroupedTable)
        current = table.cursor_coordinate if table.row_count else None
        colours = self.app.theme_variables
        label_width = self._label_width()
        layout = (tuple(p.id for p in grid.placements), label_width)
        if layout != self._layout:
            self._layout = layout
            table.clear(columns=True)
            table.fixed_columns = FIXED
            table.add_column("Code", key="code", width=CODE_WIDTH)
            table.add_column("Compétence", key="label", width=label_width)
            for p in grid.placements:
                table.add_column(f"{p.start:%m/%y}", key=p.id, width=CELL_WIDTH)
        table.clear()
        heading = colours.get("text-primary", "")
        blank = [""] * len(grid.placements)
        for bloc in BLOCS:
            table.add_heading(Text(f"B{bloc.number}", style=f"bold {heading}"),
                              Text(bloc_heading(bloc), style=f"bold {heading}", overflow="ellipsis", no_wrap=True),
                              *blank, key=f"bloc-{bloc.number}")
            for act in bloc.activities:
                table.add_heading(Text(act.code, style=heading),
                                  Text(act.label, style=f"italic {heading}", overflow="ellipsis", no_wrap=True),
                                  *blank, key=f"act-{act.code}")
                for c in act.competences:
                    cells = []
                    for p in grid.placements:
                        a = grid.cell(c.code, p.id)
                        level = a.level if a is not None else None
                        text = LEVEL_SHORT[level] + ("*" if a is not None and a.comment else "")
                        style = colours.get(LEVEL_STYLES[level], "") if level is not None else colours.get("text-muted", "")
                        cells.append(Text(text, style=style, justify="center"))
                    table.add_row(Text(c.code), Text(c.label, overflow="ellipsis", no_wrap=True), *cells, key=c.code)
        if current is not None and current.row < table.row_count:
            table.move_cursor(row=current.row, column=min(current.column, len(table.columns) - 1))
        else:
            table.first_item()
            if grid.placements:  # on the latest placement: what the last tutor said
                table.move_cursor(column=len(table.columns) - 1)

    # -- the cell under the cursor --------------------------------------------------------------------
    def selected(self) -> tuple[str | None, str | None]:
        """(competence code, placement id) under the cursor; the placement is None on the label."""
        table = self.query_one("#progress", GroupedTable)
        if self.grid is None or not table.row_count:
            return None, None
        row, column = table.cursor_coordinate
        code = None if table.is_heading(row) else table.row_key_at(row)
        placement_id = None
        if column >= FIXED:
            placement_id = table.coordinate_to_cell_key(Coordinate(row, column)).column_key.value
        return code, placement_id

    def _show_detail(self) -> None:
        detail = self.query_one("#progress-detail", Static)
        code, placement_id = self.selected()
        grid = self.grid
        if grid is None or code is None:
            detail.update("" if grid is None or grid.placements else "Aucun stage : rien à évaluer encore.")
            return
        c = competence(code)
        lines = [f"[b]{c.code}[/] {escape(c.label)}"]
        state = self.app.state
        if placement_id is not None:
            p = next(p for p in grid.placements if p.id == placement_id)
            org = state.get("organisations", p.organisation_id) if state is not None else None
            where = f"{short_dates(p)} {escape(org.name if org else p.organisation_id)}"
            lines.append(f"{where} : " + self._assessment_text(grid.cell(code, placement_id)))
        else:
            a = grid.latest(code)
            lines.append("Dernier niveau sur le cycle : " + self._assessment_text(a))
        detail.update(Content.from_markup("\n".join(lines)))

    @staticmethod
    def _assessment_text(a) -> str:
        if a is None:
            return "[$text-muted]non évalué[/]"
        level = (f"[${LEVEL_STYLES[a.level]}]{LEVEL_SHORT[a.level]} {LEVELS[a.level]}[/]" if a.level is not None
                 else "[$text-muted]non évalué[/]")
        text = f"{level} ({ASSESSOR_LABELS.get(a.assessor, a.assessor)}, {format_date_fr(a.date)})"
        return text + (f" « {escape(a.comment)} »" if a.comment else "")

    @on(DataTable.CellHighlighted, "#progress")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.CellSelected, "#progress")
    def _selected(self) -> None:
        self.action_assess()

    # -- actions --------------------------------------------------------------------------------------
    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_assess(self) -> None:
        code, placement_id = self.selected()
        if self.grid is None or not self.grid.placements:
            self.notify("Aucun stage à évaluer.", severity="warning")
            return
        if placement_id is None:
            placement_id = self.grid.placements[-1].id
            a = self.grid.latest(code) if code else None
            if a is not None:
                placement_id = a.placement_id
        go(self.app, AssessmentGrid(placement_id, code))

    def palette_entries(self) -> list[tuple[str, str, Callable[[], object]]]:
        """The progress's own entry of the command palette (see `liaison.palette_commands`)."""
        return [("Document de liaison PDF", "Stages et évaluations de l'élève, dans exports/ (R12)",
                 self.action_liaison_pdf)]

    def action_liaison_pdf(self) -> None:
        if self.grid is not None:
            write_paper(self.app, "liaison", self.student_id)


class CohortCompetencesScreen(Screen):
    """The competences no learner of a cohort has been assessed on (R12, R16), or all 37."""

    CSS_PATH = "progress.tcss"
    KEY_SCOPE = "cohort_competences"
    BINDINGS = keys.bindings("cohort_competences")

    def __init__(self, cohort_id: str, *, only_never: bool = True) -> None:
        super().__init__()
        self.cohort_id = cohort_id
        self.only_never = only_never

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="cohort-comp-head")
        yield GroupedTable(id="cohort-comp", cursor_type="row", zebra_stripes=False)
        yield Static("", id="cohort-comp-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#cohort-comp", GroupedTable).focus()
        if self.app.state is not None:
            self.show_state(self.app.state)

    def show_state(self, state: AppState) -> None:
        cohort = state.get("cohorts", self.cohort_id)
        head = self.query_one("#cohort-comp-head", Static)
        table = self.query_one("#cohort-comp", GroupedTable)
        if cohort is None:
            head.update(Content.from_markup("[$text-error]✗ Cette cohorte a été supprimée (par une autre session ?).[/]"))
            table.clear()
            return
        cp = cohort_progress(state.data, self.cohort_id)
        never = {c.code for c in cp.never_assessed}
        name = cohort_name(cohort)
        self.sub_title = f"Compétences · {name}"
        if not never:
            summary = "[$text-success]✓ chaque compétence évaluée au moins une fois[/]"
        else:
            summary = (f"[$text-warning]! {len(never)} compétence{'s' if len(never) > 1 else ''} jamais "
                       f"évaluée{'s' if len(never) > 1 else ''}[/]")
        shown = "jamais évaluées" if self.only_never and never else "toutes"
        head.update(Content.from_markup(
            f"{cp.learners} élève{'s' if cp.learners > 1 else ''} · {summary} (R12, R16)"
            f"\n[dim]Affichées : {shown} · j : {'toutes' if shown != 'toutes' else 'jamais évaluées'}[/]"))
        current = table.row_key_at(table.cursor_row) if table.row_count else None
        if not table.columns:
            width = max(20, (table.size.width or self.size.width) - 3 - 2 * 3 - 5 - 14)
            table.add_column("Code", key="code", width=5)
            table.add_column("Compétence", key="label", width=width)
            table.add_column("Élèves évalués", key="count", width=14)
        table.clear()
        colours = self.app.theme_variables
        heading = colours.get("text-primary", "")
        for bloc in BLOCS:
            rows = [c for act in bloc.activities for c in act.competences
                    if not (self.only_never and never) or c.code in never]
            if not rows:
                continue
            table.add_heading(Text(f"B{bloc.number}", style=f"bold {heading}"),
                              Text(bloc_heading(bloc), style=f"bold {heading}", overflow="ellipsis", no_wrap=True),
                              "", key=f"bloc-{bloc.number}")
            for c in rows:
                n = cp.assessed_learners[c.code]
                count = (Text(f"✗ 0/{cp.learners}", style=colours.get("text-warning", "")) if n == 0
                         else Text(f"{n}/{cp.learners}"))
                table.add_row(Text(c.code), Text(c.label, overflow="ellipsis", no_wrap=True), count, key=c.code)
        if not table.move_to_key(current):
            table.first_item()
        self._show_detail()

    def _show_detail(self) -> None:
        table = self.query_one("#cohort-comp", GroupedTable)
        detail = self.query_one("#cohort-comp-detail", Static)
        if not table.row_count or table.is_heading(table.cursor_row):
            detail.update("")
            return
        c = competence(table.row_key_at(table.cursor_row))
        detail.update(Content.from_markup(f"[b]{c.code}[/] {escape(c.label)}"))

    @on(DataTable.RowHighlighted, "#cohort-comp")
    def _highlighted(self) -> None:
        self._show_detail()

    def action_toggle_never(self) -> None:
        self.only_never = not self.only_never
        if self.app.state is not None:
            self.show_state(self.app.state)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
