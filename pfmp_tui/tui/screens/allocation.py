"""Allocation PFMP of a cohort (R17): one row per learner and PFMP started, what is payable,
and what blocks or holds each payment; the cohort's total on top.

Reads the app's state only (the same rows as `pfmp allocation --cohort`, services/allocation.py).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.content import Content
from textual.markup import escape
from textual.widgets import DataTable, Static

from ...domain.allocation import format_euros
from ...domain.school_years import school_year_label
from ...domain.validation import format_date_fr
from ...services.allocation import AllocationRow, allocation_rows
from .. import keys
from ..state import AppState, cohort_name
from ..targets import CandidateFile, go
from .base import TableDetailScreen

# 66 columns of text + 2 of padding each: 78, room for the scrollbar at 80.
ALLOCATION_COLUMNS = (("Élève", "name", 18), ("Classe", "class", 9), ("PFMP", "dates", 14),
                      ("Jours", "days", 5), ("Montant", "amount", 10), ("État", "status", 10))
STATUS_STYLES = {"à payer": ("✓ à payer", "text-success"), "en attente": ("… attente", "text-warning"),
                 "bloqué": ("✗ bloqué", "text-error")}


class AllocationScreen(TableDetailScreen):
    KEY_SCOPE = "allocation"
    BINDINGS = keys.bindings("allocation")
    CSS_PATH = "allocation.tcss"
    SUMMARY_ID, TABLE_ID, DETAIL_ID, COLUMNS = "allocation-summary", "allocation", "allocation-detail", ALLOCATION_COLUMNS

    def __init__(self, cohort_id: str) -> None:
        super().__init__()
        self.cohort_id = cohort_id
        self.rows: dict[str, AllocationRow] = {}

    def current_cohort_id(self) -> str:
        return self.cohort_id

    def show_state(self, state: AppState) -> None:
        cohort = state.get("cohorts", self.cohort_id)
        summary = self.query_one("#allocation-summary", Static)
        table = self.query_one(DataTable)
        if cohort is None:
            self.sub_title = "Allocation PFMP"
            summary.update(Content.from_markup("[$text-error]✗ Cette cohorte a été supprimée (par une autre session ?).[/]"))
            table.clear()
            return
        self.sub_title = f"Allocation PFMP · {cohort_name(cohort)}"
        rows, totals = allocation_rows(state.data, state.today, self.cohort_id)
        current = _cursor_key(table)
        table.clear()
        self.rows = {}
        colours = self.app.theme_variables
        for r in rows:
            key = f"{r.student_id}/{r.line.placement_id}"
            self.rows[key] = r
            line = r.line
            text, style = STATUS_STYLES[line.status]
            table.add_row(
                _fit(f"{r.last_name.upper()} {r.first_name}", 18), line.class_label,
                f"{line.start:%d/%m}–{line.end:%d/%m/%y}", str(line.payable_days),
                format_euros(line.amount_cents) + ("*" if line.capped else ""),
                Text(text, style=colours.get(style, "")), key=key)
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))
        if totals:
            t = totals[0]
            head = (f"[b]{escape(cohort_name(cohort))}[/] au {format_date_fr(state.today)} · {t.lines} PFMP · "
                    f"{t.payable_days} j payables · [b]{format_euros(t.amount_cents)}[/]\n"
                    f"✗ {t.blocked} bloquée(s) · … {t.held} en attente (RIB, autorisation) · * plafond")
        else:
            head = (f"[b]{escape(cohort_name(cohort))}[/] · aucune PFMP ouvrant droit à l'allocation "
                    "(élèves sous statut scolaire seulement, R17)")
        summary.update(Content.from_markup(head))
        self._show_detail()

    @on(DataTable.RowHighlighted, "#allocation")
    def _highlighted(self) -> None:
        self._show_detail()

    def _selected(self) -> AllocationRow | None:
        return self.rows.get(_cursor_key(self.query_one(DataTable)) or "")

    def _show_detail(self) -> None:
        detail = self.query_one("#allocation-detail", Static)
        r = self._selected()
        if r is None:
            detail.update("")
            return
        line = r.line
        rate = f"{format_euros(line.daily_cents)} par jour" if line.daily_cents is not None else "forfait inconnu"
        parts = [f"[b]{escape(r.last_name.upper())} {escape(r.first_name)}[/] · {line.class_label} "
                 f"{school_year_label(line.school_year)} · PFMP du {format_date_fr(line.start)} au "
                 f"{format_date_fr(line.end)}" + (f" · rattrapage de {escape(line.makes_up)}" if line.makes_up else ""),
                 f"{line.payable_days} j × {rate} = {format_euros(line.gross_cents)}"
                 + (f" → {format_euros(line.amount_cents)} (plafond annuel {format_euros(line.cap_cents)})"
                    if line.capped else "")]
        for reason in line.blocked_by:
            parts.append(f"[$text-error]✗ bloqué[/] : {escape(reason)}")
        for reason in line.held_by:
            parts.append(f"[$text-warning]… en attente[/] : {escape(reason)} (le montant ne change pas)")
        if not line.reasons:
            parts.append("[$text-success]✓ à saisir pour le paiement (ASP)[/]")
        detail.update(Content.from_markup("\n".join(parts)))

    @on(DataTable.RowSelected, "#allocation")
    def _selected_row(self) -> None:  # entrée on the table
        self.action_open()

    def action_open(self) -> None:
        r = self._selected()
        if r is not None:
            go(self.app, CandidateFile(r.student_id, r.line.placement_id))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


def _cursor_key(table: DataTable) -> str | None:
    if not table.row_count:
        return None
    try:
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    except Exception:  # noqa: BLE001 - an empty or refreshing table has no cursor row
        return None


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
