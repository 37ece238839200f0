"""`pfmp export missing-attestations`: the list admins send out (CONTRACT.md).

One row per ended placement lacking a signed attestation (R11), plus one row per
candidate « non valide » or « à risque » for another blocking reason (their rules
and messages joined). Rows hold `date` objects; each format writes them its way:
CSV JJ/MM/AAAA, XLSX real dates shown DD/MM/YYYY, JSON ISO dates.

Formula injection (OWASP « CSV injection »): every text cell starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a single quote, in
CSV and XLSX, and in JSON too, so that the three formats carry the same text and a
JSON list pasted into a spreadsheet is no more dangerous than the CSV.

Files are written through `store.storage.atomic_write`: a temp file created with
mode 0600 (0660 when ``PFMP_SHARED_GROUP=1``), then renamed, never chmod-ed after
the data is in.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from ..domain.model import VOIE_LABELS, Dataset
from ..domain.rules import CandidateStatus
from ..domain.wording import cohort_name
from ..domain.text import slug
from ..domain.validation import format_date_fr
from .files import unique_path, write_private

COLUMNS = (
    "cohorte", "nom", "prénom", "INE", "voie", "organisation", "tuteur",
    "courriel tuteur", "début", "fin", "règle", "motif",
)
DATE_COLUMNS = frozenset({"début", "fin"})
FORMATS = ("csv", "xlsx", "json")
EXPORT_STEM = "attestations-manquantes"

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
R11_CODES = frozenset({"ATTESTATION_MISSING", "ATTESTATION_UNSIGNED"})


# Invisible characters (zero width, BOM) a spreadsheet may skip before reading « = » as a
# formula; a visible space keeps the cell text, as before.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def neutralise(cell: str) -> str:
    """Prefix a quote to a cell a spreadsheet could read as a formula (OWASP), also when
    the formula hides behind invisible characters (U+200B, U+FEFF…)."""
    return "'" + cell if cell.lstrip(_INVISIBLE).startswith(_DANGEROUS_START) else cell


def missing_attestation_rows(data: Dataset, results: list[CandidateStatus], as_of: date) -> list[dict[str, Any]]:
    """CONTRACT.md's rows, in the order of `results` (worst first), placements by date.

    `as_of` is the date `results` were computed at: the R11 flags already say which
    placements had ended by then.
    """
    students = {s.id: s for s in data.students}
    cohorts = {c.id: c for c in data.cohorts}
    placements = {p.id: p for p in data.placements}
    organisations = {o.id: o for o in data.organisations}
    tutors = {t.id: t for t in data.tutors}

    rows: list[dict[str, Any]] = []
    for result in results:
        student = students[result.student_id]
        cohort = cohorts.get(student.cohort_id)
        base = {
            "cohorte": cohort_name(cohort, student.cohort_id),  # « 1re AGOrA 2028 », as on the screen
            "nom": student.last_name,
            "prénom": student.first_name,
            "INE": student.ine,
            "voie": VOIE_LABELS.get(student.voie, student.voie),
        }
        r11 = [f for f in result.flags if f.code in R11_CODES and f.placement_id in placements]
        r11.sort(key=lambda f: (placements[f.placement_id].start, f.placement_id))
        for flag in r11:
            p = placements[flag.placement_id]
            org = organisations.get(p.organisation_id)
            tutor = tutors.get(p.tutor_id) if p.tutor_id else None
            rows.append({
                **base,
                "organisation": org.name if org else p.organisation_id,
                "tuteur": tutor.full_name if tutor else None,
                "courriel tuteur": tutor.email if tutor else None,
                "début": p.start,
                "fin": p.end,
                "règle": flag.rule,
                "motif": flag.message,
            })
        others = [f for f in result.blocking_flags if f.code not in R11_CODES]
        if result.status in ("non_valide", "a_risque") and others:
            rules = list(dict.fromkeys(f.rule for f in others))
            rows.append({
                **base,
                "organisation": None,
                "tuteur": None,
                "courriel tuteur": None,
                "début": None,
                "fin": None,
                "règle": ", ".join(rules),
                "motif": " ; ".join(f.message for f in others),
            })
    return rows


# -- writing ------------------------------------------------------------------------------
def _csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row.get(column)
            if value is None:
                cells.append("")
            elif isinstance(value, date):
                cells.append(format_date_fr(value))
            else:
                cells.append(neutralise(str(value)))
        writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _json_bytes(rows: list[dict[str, Any]]) -> bytes:
    items = []
    for row in rows:
        item = {}
        for column in COLUMNS:
            value = row.get(column)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, str):
                value = neutralise(value)
            item[column] = value
        items.append(item)
    return (json.dumps(items, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _xlsx_bytes(rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Attestations manquantes"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(c) for c in COLUMNS]
    for r, row in enumerate(rows, start=2):
        for c, column in enumerate(COLUMNS, start=1):
            value = row.get(column)
            cell = ws.cell(row=r, column=c)
            if value is None:
                continue
            if isinstance(value, date):
                cell.value = value
                cell.number_format = "DD/MM/YYYY"
                width = 10
            else:
                text = neutralise(str(value))
                cell.value = text
                cell.data_type = "s"  # never a formula, whatever openpyxl guesses
                width = max((len(part) for part in text.splitlines()), default=0)
            widths[c - 1] = max(widths[c - 1], width)
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(width + 2, 80)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


_WRITERS = {"csv": _csv_bytes, "xlsx": _xlsx_bytes, "json": _json_bytes}


def write_export(rows: list[dict[str, Any]], fmt: str, path: Path) -> Path:
    """Write `rows` as `fmt` (csv, xlsx, json) to `path`, mode 0600 (0660 if shared); returns it.

    An existing `path` is replaced atomically (the caller named it: ``-o``);
    `default_export_path` never names an existing file.
    """
    if fmt not in _WRITERS:
        raise ValueError(f"format d'export inconnu « {fmt} » (csv, xlsx ou json)")
    path = Path(path)
    return write_private(path, _WRITERS[fmt](rows))


def default_export_path(exports_dir: Path, fmt: str, as_of: date, cohort_id: str | None = None) -> Path:
    """``exports/attestations-manquantes_2026-11-28[_cohort-slug].csv``, never an existing file (-2, -3…)."""
    stem = f"{EXPORT_STEM}_{as_of.isoformat()}"
    if cohort_id:
        stem += f"_{slug(cohort_id, max_len=40, fallback='cohorte')}"
    return unique_path(Path(exports_dir), stem, f".{fmt}")
