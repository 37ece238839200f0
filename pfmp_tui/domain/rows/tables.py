"""Rows of a CSV file (with the line each starts on) and the cells of a row."""

from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence

from ..errors import FieldError, ValidationFailed

Table = list[tuple[int, list[str]]]  # (line number in the file, cells)

HEADER_SEARCH = 10  # the header row is looked for among the first non-empty rows
MAX_ROWS = 100_000  # a list of learners or organisations; beyond, the file is refused (issue 10)


def sniff_delimiter(text: str) -> str:
    """`;` (what French spreadsheets write), `,` or a tab: the most frequent in the first lines."""
    lines = [line for line in text.splitlines()[:20] if line.strip()][:5]
    counts = {d: sum(line.count(d) for line in lines) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ";"


def csv_rows(text: str, delimiter: str | None = None) -> Table:
    """Non-empty CSV records with the line each starts on (a quoted cell may span lines)."""
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Table = []
    try:
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if any(c.strip() for c in cells):
                rows.append((start, cells))
                if len(rows) > MAX_ROWS:
                    raise ValidationFailed(FieldError(f"ligne {start}", f"fichier trop long (plus de {MAX_ROWS} lignes)"))
    except csv.Error as exc:
        raise ValidationFailed(FieldError(f"ligne {reader.line_num}", f"CSV illisible : {exc}")) from None
    return rows


def cell_text(cells: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    value = cells[index]
    return "" if value is None else str(value).strip()


def headers_found(headers: Iterable[str]) -> str:
    shown = [f"« {h} »" for h in headers if h.strip()]
    return ", ".join(shown) if shown else "aucun"

