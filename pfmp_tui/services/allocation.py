"""`pfmp allocation`: the list the administration keys in for the ASP (R17).

One row per learner and PFMP started by the reference date (cohorte, nom, prénom, INE, date de naissance, classe,
PFMP début/fin, jours effectués, forfait, montant, plafond appliqué, bloqué par),
then per cohort a total. Learners who get no allocation (apprentices, continuing
education, experience) have no row. FR-Excel CSV (BOM, `;`, JJ/MM/AAAA, decimal
comma), XLSX (numbers as numbers, frozen header) and JSON, written by the same
injection-safe helpers as the other exports (services/export.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain.allocation import AllocationLine, format_euros, student_allocation
from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import CLASS_YEAR_LABELS, Dataset
from ..domain.school_years import school_year_label
from ..domain.text import slug
from ..domain.validation import format_date_fr
from .export import export_bytes, neutralise
from .files import unique_path, write_private

COLUMNS = (
    "cohorte", "nom", "prénom", "INE", "date de naissance", "classe", "PFMP début", "PFMP fin",
    "jours effectués", "forfait", "montant", "plafond appliqué", "bloqué par",
)
FORMATS = ("table", "csv", "xlsx", "json")
EXPORT_STEM = "allocation-pfmp"
TOTAL = "Total"


@dataclass(frozen=True, slots=True)
class CohortTotal:
    cohort_id: str
    label: str
    lines: int
    payable_days: int
    amount_cents: int
    blocked: int  # lines with nothing payable yet
    held: int  # lines payable but held (RIB, authorisation)


@dataclass(frozen=True, slots=True)
class AllocationRow:
    cohort_id: str
    cohort_label: str
    student_id: str
    last_name: str
    first_name: str
    ine: str | None
    birth_date: date | None
    line: AllocationLine


def _euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def allocation_rows(data: Dataset, as_of: date, cohort_id: str | None = None,
                    school_year: int | None = None) -> tuple[list[AllocationRow], list[CohortTotal]]:
    """Rows by cohort (label order), then learner name, then PFMP date; and each cohort's total."""
    cohorts = {c.id: c for c in data.cohorts}
    if cohort_id is not None and cohort_id not in cohorts:
        raise ValidationFailed(FieldError("--cohort", f"cohorte inconnue « {cohort_id} »"))
    placements = defaultdict(list)
    for p in data.placements:
        placements[p.student_id].append(p)
    rows: list[AllocationRow] = []
    students = sorted(
        (s for s in data.students if cohort_id is None or s.cohort_id == cohort_id),
        key=lambda s: (cohorts[s.cohort_id].label.casefold(), s.cohort_id, s.last_name.casefold(),
                       s.first_name.casefold(), s.id),
    )
    for s in students:
        cohort = cohorts[s.cohort_id]
        for line in student_allocation(s, cohort, placements[s.id], as_of):
            if school_year is not None and line.school_year != school_year:
                continue
            if line.start > as_of:  # not started: nothing done, nothing to key in yet
                continue
            rows.append(AllocationRow(cohort.id, cohort.label, s.id, s.last_name, s.first_name, s.ine,
                                      s.birth_date, line))
    totals: dict[str, list[AllocationRow]] = defaultdict(list)
    for r in rows:
        totals[r.cohort_id].append(r)
    return rows, [
        CohortTotal(cid, cohorts[cid].label, len(rs), sum(r.line.payable_days for r in rs),
                    sum(r.line.amount_cents for r in rs), sum(1 for r in rs if r.line.blocked_by),
                    sum(1 for r in rs if not r.line.blocked_by and r.line.held_by))
        for cid, rs in totals.items()
    ]


def _cap_text(line: AllocationLine) -> str:
    if line.cap_cents is None:
        return ""
    if line.capped:
        return f"oui ({format_euros(line.cap_cents)} en {CLASS_YEAR_LABELS.get(line.class_year, '')})"
    return "non"


def export_dicts(rows: list[AllocationRow], totals: list[CohortTotal]) -> list[dict[str, Any]]:
    """The rows as the export writes them, a total row after each cohort's rows."""
    out: list[dict[str, Any]] = []
    by_cohort = {t.cohort_id: t for t in totals}
    for i, r in enumerate(rows):
        line = r.line
        out.append({
            "cohorte": r.cohort_label, "nom": r.last_name, "prénom": r.first_name, "INE": r.ine,
            "date de naissance": r.birth_date, "classe": line.class_label if line.class_year else None,
            "PFMP début": line.start, "PFMP fin": line.end, "jours effectués": line.payable_days,
            "forfait": _euros(line.daily_cents), "montant": _euros(line.amount_cents),
            "plafond appliqué": _cap_text(line), "bloqué par": " ; ".join(line.reasons) or None,
        })
        if i + 1 == len(rows) or rows[i + 1].cohort_id != r.cohort_id:
            t = by_cohort[r.cohort_id]
            out.append({"cohorte": t.label, "nom": TOTAL, "jours effectués": t.payable_days,
                        "montant": _euros(t.amount_cents),
                        "bloqué par": f"{t.blocked} bloquée(s), {t.held} en attente" if t.blocked or t.held else None})
    return out


def to_json(rows: list[AllocationRow], totals: list[CohortTotal], as_of: date, school_year: int | None) -> dict:
    def text(value: str | None) -> str | None:
        return None if value is None else neutralise(value)

    return {
        "as_of": as_of.isoformat(),
        "school_year": None if school_year is None else school_year_label(school_year),
        "rows": [{
            "cohort_id": r.cohort_id, "cohorte": text(r.cohort_label), "student_id": r.student_id,
            "nom": text(r.last_name), "prénom": text(r.first_name), "INE": r.ine,
            "date de naissance": r.birth_date.isoformat() if r.birth_date else None,
            "placement_id": r.line.placement_id, "school_year": school_year_label(r.line.school_year),
            "classe": r.line.class_year, "PFMP début": r.line.start.isoformat(), "PFMP fin": r.line.end.isoformat(),
            "jours effectués": r.line.payable_days, "forfait": _euros(r.line.daily_cents),
            "montant": _euros(r.line.amount_cents), "plafond appliqué": r.line.capped,
            "plafond": _euros(r.line.cap_cents), "bloqué par": list(r.line.blocked_by),
            "en attente de": list(r.line.held_by), "rattrapage de": r.line.makes_up,
        } for r in rows],
        "totals": [{"cohort_id": t.cohort_id, "cohorte": text(t.label), "lignes": t.lines, "jours": t.payable_days,
                    "montant": _euros(t.amount_cents), "bloquées": t.blocked, "en attente": t.held} for t in totals],
    }


def export_file_bytes(rows: list[AllocationRow], totals: list[CohortTotal], fmt: str, as_of: date,
                      school_year: int | None) -> bytes:
    if fmt == "json":
        import json

        doc = to_json(rows, totals, as_of, school_year)
        return (json.dumps(doc, ensure_ascii=False, indent=2, default=float) + "\n").encode("utf-8")
    return export_bytes(export_dicts(rows, totals), fmt, COLUMNS, "Allocation PFMP")


def write_allocation(rows: list[AllocationRow], totals: list[CohortTotal], fmt: str, path: Path, as_of: date,
                     school_year: int | None) -> Path:
    """Write the list (csv, xlsx, json), mode 0600 (0660 if shared)."""
    return write_private(Path(path), export_file_bytes(rows, totals, fmt, as_of, school_year))


def default_path(exports_dir: Path, fmt: str, as_of: date, cohort_id: str | None, school_year: int | None) -> Path:
    """``exports/allocation-pfmp_2026-11-28[_2026-2027][_cohort].csv``, never an existing file."""
    stem = f"{EXPORT_STEM}_{as_of.isoformat()}"
    if school_year is not None:
        stem += f"_{school_year_label(school_year)}"
    if cohort_id:
        stem += f"_{slug(cohort_id, max_len=40, fallback='cohorte')}"
    return unique_path(Path(exports_dir), stem, f".{fmt}")


def table(rows: list[AllocationRow], totals: list[CohortTotal], as_of: date, school_year: int | None,
          width: int = 80) -> str:
    """For people, 80 columns: per cohort, one line per PFMP and what blocks it, then the total."""
    year = f" — année scolaire {school_year_label(school_year)}" if school_year is not None else ""
    out = [f"Allocation PFMP au {format_date_fr(as_of)}{year} (R17)"]
    if not rows:
        out.append("Aucune PFMP ouvrant droit à l'allocation.")
        return "\n".join(out) + "\n"
    by_cohort = {t.cohort_id: t for t in totals}
    current = None
    for i, r in enumerate(rows):
        if r.cohort_id != current:
            current = r.cohort_id
            out += ["", f"{r.cohort_label} ({r.cohort_id})",
                    f"{'élève':<24} {'classe':<9} {'PFMP':<23} {'jours':>5} {'montant':>11}  état"]
        line = r.line
        name = f"{r.last_name.upper()} {r.first_name}"[:24]
        cap = " plafonné" if line.capped else ""
        out.append(f"{name:<24} {line.class_label:<9} {format_date_fr(line.start)}–{format_date_fr(line.end)} "
                   f"{line.payable_days:>5} {format_euros(line.amount_cents):>11}  {line.status}{cap}")
        for reason in line.reasons:
            out.append(f"{'':<6}↳ {reason}"[:width])
        t = by_cohort[r.cohort_id]
        if i + 1 == len(rows) or rows[i + 1].cohort_id != r.cohort_id:
            out.append(f"{'Total ' + t.label:<58.58} {t.payable_days:>5} {format_euros(t.amount_cents):>11}")
            out.append(f"  {t.lines} PFMP : {t.blocked} bloquée(s), {t.held} en attente (RIB, autorisation)")
    return "\n".join(out) + "\n"
