"""The placements a dashboard count names (issue 15): exactly those, one a row.

- « r10 »: PFMP starting within 15 days, or started, without a signed convention (R10);
- « no_visit »: placements in progress past their middle with no visit done (§3); the
  « État » column says since when (the placement's middle).

Entrée opens the learner's file on the placement; « v » its visits (plan one from here).
The list follows the store: a convention signed or a visit recorded elsewhere takes
its row away at the next state.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ...domain.model import CONVENTION_LABELS, Placement
from ...domain.validation import format_date_fr
from ...domain.visits import midpoint
from ...domain.wording import count
from ...services.signatures import OverviewCache
from .. import keys
from ..formatting import fit, short_dates
from ..role_gates import gate
from ..state import AppState, cohort_short
from ..tables import cursor_key
from ..targets import CandidateFile, Visits, go
from .visits import visit_text

TITLES = {
    "r10": "Conventions non signées : début sous 15 jours ou commencé (R10)",
    "no_visit": "Stages passés la mi-parcours sans visite",
}
# (title, key, width); the learner takes what the others leave.
COLUMNS = (("Élève", "name", 0), ("Cohorte", "cohort", 9), ("Stage", "dates", 17), ("Organisation", "org", 13),
           ("État", "what", 16))


def rows_for(state: AppState, what: str, cache: OverviewCache | None = None) -> list[tuple[Placement, str]]:
    """(placement, what is wrong, in words) for `what`; with `cache` (the screen's), only the
    learners whose placements changed since the last state are read again."""
    today = state.today
    cache = cache or OverviewCache()
    ov, late = cache.compute(state.data.periods, state.placements_by_student, lambda sid: state.get("students", sid),
                             today, limit=0)
    if what == "r10":
        out = [(p, "✗ commencé") for p in ov.unsigned_started]
        out += [(p, f"! dans {(p.start - today).days} j") for p in ov.unsigned_soon]
        return out
    return [(p, f"! passé le {format_date_fr(midpoint(p))[:5]}") for p in late]


class PlacementListScreen(Screen):
    CSS_PATH = "placement_list.tcss"
    KEY_SCOPE = "placement_list"
    BINDINGS = keys.bindings("placement_list")

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what
        self.placements: dict[str, Placement] = {}
        self._shown: tuple | None = None
        self._cache = OverviewCache()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="plist-summary")
        yield DataTable(id="plist", cursor_type="row", zebra_stripes=True)
        yield Static("", id="plist-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = TITLES[self.what]
        table = self.query_one(DataTable)
        width = max(12, (self.app.size.width or 80) - 3 - 2 * len(COLUMNS) - sum(w for *_, w in COLUMNS))
        for title, key, w in COLUMNS:
            table.add_column(title, key=key, width=w or width)
        table.focus()
        if self.app.state is not None:
            self.show_state(self.app.state)

    def show_state(self, state: AppState) -> None:
        table = self.query_one(DataTable)
        rows = rows_for(state, self.what, self._cache)
        shown = ([(p.id, what) for p, what in rows], state.data.students, state.data.organisations)
        if (self._shown is not None and shown[0] == self._shown[0] and shown[1] is self._shown[1]
                and shown[2] is self._shown[2] and all(self.placements.get(p.id) is p for p, _ in rows)):
            return  # the same placements, learners, hosts (a save elsewhere): the rows are not built again
        self._shown = shown
        current = cursor_key(table)
        table.clear()
        self.placements = {p.id: p for p, _ in rows}
        name_width = table.columns["name"].width if "name" in table.columns else 20
        for p, what in rows:
            s = state.get("students", p.student_id)
            org = state.get("organisations", p.organisation_id)
            cohort = cohort_short(state.get("cohorts", s.cohort_id), s.cohort_id) if s else ""
            table.add_row(Text(fit(s.full_name if s else p.student_id, name_width)), Text(cohort),
                          Text(short_dates(p)), Text(fit(org.name if org else p.organisation_id, 13)), Text(what),
                          key=p.id)
        if current in self.placements:
            table.move_cursor(row=table.get_row_index(current))
        n = len(rows)
        summary = (count(n, "stage") + " · entrée : la fiche · v : les visites") if n else \
            "✓ Aucun stage dans cette liste."
        self.query_one("#plist-summary", Static).update(summary)
        self._detail()

    def selected(self) -> Placement | None:
        key = cursor_key(self.query_one(DataTable))
        return self.placements.get(key) if key else None

    def _detail(self) -> None:
        p = self.selected()
        box = self.query_one("#plist-detail", Static)
        if p is None:
            box.update("")
            return
        state = self.app.state
        tutor = state.get("tutors", p.tutor_id) if state else None
        conv = CONVENTION_LABELS.get(p.convention.status, p.convention.status)
        visits = " · ".join(visit_text(v) for v in p.visits) or "aucune"
        box.update(Content.from_markup(
            f"Convention : {escape(conv)} · tuteur : {escape(tutor.full_name if tutor else '—')} · "
            f"référent : {escape(p.teacher or '—')}\nVisites : {escape(visits)}"))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._detail()

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        p = self.selected()
        if p is not None:
            go(self.app, CandidateFile(p.student_id, p.id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return gate(self.app, "placement_list", action)

    def action_visits(self) -> None:
        p = self.selected()
        if p is not None:
            go(self.app, Visits(p.id))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
