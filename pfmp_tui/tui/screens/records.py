"""Lists of cohorts, organisations and tutors, to create, edit and delete them."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from ...domain.validation import format_date_fr
from .. import keys
from ..role_gates import gate  # issue 16: keys the user's role may not use are hidden
from ..tables import cursor_key
from ..search_defaults import search_defaults
from ..contact_lines import contact_lines
from ..state import AppState, cohort_name, fold

TITLES = {"cohorts": "Cohortes", "organisations": "Organisations d'accueil", "tutors": "Tuteurs"}
WHAT = {"cohorts": "la cohorte", "organisations": "l'organisation", "tutors": "le tuteur"}


def _rows(state: AppState, kind: str, organisation_id: str | None) -> list[tuple[str, tuple[str, ...], str]]:
    """(id, cells, search text) of each record of `kind`."""
    data = state.data
    rows = []
    if kind == "cohorts":
        students: dict[str, int] = {}
        for s in data.students:
            students[s.cohort_id] = students.get(s.cohort_id, 0) + 1
        for c in state.cohorts():
            cells = (cohort_name(c), str(c.exam_session), format_date_fr(c.dossier_deadline),
                     c.holiday_zone or "—", str(students.get(c.id, 0)), c.id)
            rows.append((c.id, cells, fold(" ".join(cells))))
    elif kind == "organisations":
        tutors: dict[str, int] = {}
        for t in data.tutors:
            tutors[t.organisation_id] = tutors.get(t.organisation_id, 0) + 1
        placements: dict[str, int] = {}
        for p in data.placements:
            placements[p.organisation_id] = placements.get(p.organisation_id, 0) + 1
        for o in sorted(data.organisations, key=lambda o: o.name.casefold()):
            cells = (o.name, o.siret or "—", o.city or "—", o.country, str(tutors.get(o.id, 0)),
                     str(placements.get(o.id, 0)))
            rows.append((o.id, cells, fold(" ".join(cells))))
    else:
        orgs = {o.id: o.name for o in data.organisations}
        for t in sorted(data.tutors, key=lambda t: (t.last_name.casefold(), t.first_name.casefold())):
            if organisation_id is not None and t.organisation_id != organisation_id:
                continue
            cells = (t.full_name, orgs.get(t.organisation_id, t.organisation_id), t.job_title or "—",
                     t.email or "—", t.phone or "—")
            rows.append((t.id, cells, fold(" ".join(cells))))
    return rows


# Widths fit 80 columns (a scrollbar and a space each side of a cell included); tutors scroll sideways.
COLUMNS = {
    "cohorts": (("Cohorte", 22), ("Session", 7), ("Dossier", 10), ("Zone", 4), ("Élèves", 6), ("Id", 14)),
    "organisations": (("Nom", 22), ("SIRET", 14), ("Ville", 11), ("Pays", 4), ("Tuteurs", 7), ("Stages", 6)),
    "tutors": (("Tuteur", 20), ("Organisation", 24), ("Fonction", 18), ("Courriel", 26), ("Téléphone", 14)),
}
DETAIL_HEIGHT = {"organisations": 5, "tutors": 2}  # lines of contacts under the table (issue 15)
SEARCH_HINTS = {"organisations": "Rechercher (nom, SIRET, ville)…",
                "tutors": "Rechercher (nom, organisation, fonction, courriel, téléphone)…"}
NOUNS = {"cohorts": "cohorte", "organisations": "organisation", "tutors": "tuteur"}


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class RecordsScreen(Screen):
    CSS_PATH = "records.tcss"
    KEY_SCOPE = "records"
    BINDINGS = keys.bindings("records")

    def __init__(self, kind: str, organisation_id: str | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.organisation_id = organisation_id
        self.search = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=SEARCH_HINTS.get(self.kind, "Rechercher…"), id="records-search", compact=True)
        yield Static("", id="records-summary")
        yield DataTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Static("", id="records-detail")  # contact details of the row under the cursor
        yield Footer(compact=True)

    def on_mount(self) -> None:
        title = TITLES[self.kind]
        if self.organisation_id and self.app.state is not None:
            org = self.app.state.get("organisations", self.organisation_id)
            title += f" de {org.name}" if org is not None else ""
        self.sub_title = title
        table = self.query_one(DataTable)
        for label, width in COLUMNS[self.kind]:
            table.add_column(label, width=width)
        table.focus()
        if self.app.state is not None:
            self.show_state(self.app.state)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not gate(self.app, "records", action):
            return False
        if action == "tutors":
            return self.kind == "organisations"
        return True

    def show_state(self, state: AppState) -> None:
        table = self.query_one(DataTable)
        current = self.current_id()
        table.clear()
        words = fold(self.search).split()
        rows = _rows(state, self.kind, self.organisation_id)
        shown = 0
        widths = [w for _, w in COLUMNS[self.kind]]
        for record_id, cells, key in rows:
            if all(w in key for w in words):
                table.add_row(*(_fit(c, w) for c, w in zip(cells, widths)), key=record_id)
                shown += 1
        if current is not None:
            try:
                table.move_cursor(row=table.get_row_index(current))
            except Exception:
                pass
        noun = NOUNS[self.kind] + ("s" if shown > 1 else "")  # « 1 organisation sur 3 »
        self.query_one("#records-summary", Static).update(f"{shown} {noun} sur {len(rows)} · entrée : modifier")
        self._show_detail()

    def _show_detail(self) -> None:
        """The contact details of the organisation or tutor under the cursor (issue 15)."""
        box = self.query_one("#records-detail", Static)
        state = self.app.state
        record_id = self.current_id()
        lines = (contact_lines(state, self.kind, record_id)
                 if state is not None and record_id is not None and self.kind != "cohorts" else [])
        box.update(Content("\n".join(lines)))
        # A fixed height per list: the table does not grow and shrink (nor hide the cursor's row)
        # as the cursor moves between records with and without notes.
        box.display = self.kind in DETAIL_HEIGHT
        box.styles.height = DETAIL_HEIGHT.get(self.kind, 0)

    @on(DataTable.RowHighlighted, "#records")
    def _highlighted(self) -> None:
        self._show_detail()

    def select_record(self, kind: str, record_id: str) -> None:
        """A record just created: the cursor goes to it (the search is cleared if it hides it)."""
        if kind != self.kind:
            return
        table = self.query_one(DataTable)
        if record_id not in {k.value for k in table.rows} and self.search:
            self.query_one("#records-search", Input).value = ""
            self.search = ""
            if self.app.state is not None:
                self.show_state(self.app.state)
        try:
            table.move_cursor(row=table.get_row_index(record_id))
        except Exception:  # not shown here (another organisation's tutor)
            return
        table.focus()

    def current_id(self) -> str | None:
        return cursor_key(self.query_one(DataTable))

    @on(Input.Changed, "#records-search")
    def _search(self, event: Input.Changed) -> None:
        self.search = event.value
        if self.app.state is not None:
            self.show_state(self.app.state)

    @on(Input.Submitted, "#records-search")
    def _search_done(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected, "#records")
    def _chosen(self) -> None:
        self.action_edit()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_search(self) -> None:
        self.query_one("#records-search", Input).focus()

    def action_new(self) -> None:
        defaults = {"organisation_id": self.organisation_id} if self.kind == "tutors" and self.organisation_id else {}
        defaults.update(search_defaults(self.kind, self.search))
        self.app.open_form(self.kind, defaults=defaults)

    def action_edit(self) -> None:
        record_id = self.current_id()
        if record_id is None:
            self.notify("Liste vide : « n » pour créer.", severity="warning")
            return
        self.app.open_form(self.kind, record_id=record_id)

    def action_delete(self) -> None:
        record_id = self.current_id()
        if record_id is None:
            return
        state = self.app.state
        names = state.names() if state is not None else {}
        self.app.confirm_delete(self.kind, record_id, f"{WHAT[self.kind]} {names.get(record_id, record_id)}")

    def action_tutors(self) -> None:
        record_id = self.current_id()
        if record_id is not None:
            self.app.push_screen(RecordsScreen("tutors", organisation_id=record_id))
