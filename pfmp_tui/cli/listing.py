"""`pfmp list cohorts|students|organisations|tutors|periods|placements [--cohort ID] [--format …]`.

Table (aligned, dates JJ/MM/AAAA, « — » for nothing), JSON (the keys of `services.listing`,
ISO dates, like the interchange document) or CSV (what a French spreadsheet opens: UTF-8
with BOM, « ; », dates JJ/MM/AAAA, cells that could run as formulas neutralised).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import date
from typing import Any

from ..domain.validation import format_date_fr
from ..domain.wording import count
from ..services import data_io
from ..services.export import neutralise
from ..services.listing import KINDS, rows

# What each kind is called in the « N … » line under the table.
WORDS = {"cohorts": ("cohorte", "cohortes"), "students": ("élève", "élèves"),
         "organisations": ("organisation", "organisations"), "tutors": ("tuteur", "tuteurs"),
         "periods": ("période", "périodes"), "placements": ("stage", "stages")}
MAX_CELL = 32  # table cells longer than this are cut with « … »


def add_parser(sub: Any, parser_class: type) -> None:
    p = sub.add_parser("list", help="les identifiants et les champs principaux d'un type d'enregistrement")
    p.add_argument("what", choices=KINDS, metavar="|".join(KINDS))
    p.add_argument("--cohort", metavar="ID", help="seulement ce qui concerne cette cohorte")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return format_date_fr(value)
    return str(value)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def render_table(columns, values: list[list[Any]]) -> str:
    cells = [[_cut(_text(v)) or "—" for v in row] for row in values]
    widths = [max([len(c.heading)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.heading.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def render_csv(columns, values: list[list[Any]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.heading for c in columns])
    for row in values:
        writer.writerow([neutralise(_text(v)) if isinstance(v, str) else _text(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def render_json(columns, values: list[list[Any]]) -> str:
    items = [{c.key: (v.isoformat() if isinstance(v, date) else v) for c, v in zip(columns, row)} for row in values]
    return json.dumps(items, ensure_ascii=False, indent=2)


def run(args: argparse.Namespace) -> int:
    data = data_io.open_repository(args.db).dataset()
    columns, values = rows(data, args.what, args.cohort)
    if args.format == "json":
        print(render_json(columns, values))
    elif args.format == "csv":
        sys.stdout.write(render_csv(columns, values))
    else:
        if values:
            print(render_table(columns, values))
        one, many = WORDS[args.what]
        print(count(len(values), one, many) + (f" (cohorte {args.cohort})" if args.cohort else "") + ".")
    return 0
