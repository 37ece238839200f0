"""`pfmp history` and `pfmp revert`: the journal of changes (issue 16)."""

from __future__ import annotations

import argparse
import json
import sys

from ..domain.errors import FieldError, ValidationFailed
from ..domain.validation import parse_date
from ..services import data_io
from ..services import journal


def register(sub) -> dict:
    p = sub.add_parser("history", help="journal des modifications : qui a changé quoi, quand")
    p.add_argument("record", nargs="?", metavar="ENREGISTREMENT", help="identifiant d'un enregistrement")
    p.add_argument("--student", metavar="ID", help="tout ce qui concerne un élève")
    p.add_argument("--since", metavar="DATE", help="à partir de cette date (JJ/MM/AAAA)")
    p.add_argument("--user", metavar="LOGIN", help="les modifications d'un utilisateur")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p = sub.add_parser("revert", help="annule une entrée du journal (si rien n'a changé depuis)")
    p.add_argument("entry", metavar="ENTRÉE", help="numéro de l'entrée (pfmp history)")
    return {"history": _cmd_history, "revert": _cmd_revert}


def _cmd_history(args: argparse.Namespace) -> int:
    filters = journal.Filters(
        record_id=args.record, student=args.student, user=args.user,
        since=None if args.since is None else parse_date(args.since, "--since"),
    )
    items = journal.history(data_io.open_repository(args.db), filters)
    if args.format == "json":
        print(json.dumps(items, ensure_ascii=False, indent=2))
    else:
        print(journal.render_table(items, filters))
    return 0


def _cmd_revert(args: argparse.Namespace) -> int:
    try:
        entry_id = int(args.entry)
    except ValueError:
        raise ValidationFailed(FieldError("ENTRÉE", f"numéro d'entrée attendu, pas « {args.entry} »")) from None
    repo = data_io.open_repository(args.db)
    try:
        new_id = journal.revert(repo, entry_id, via="cli:revert")
    except journal.RevertRefused as exc:
        print(f"pfmp : {exc}", file=sys.stderr)
        return 1
    print(f"Entrée {entry_id} annulée (nouvelle entrée n° {new_id}).")
    return 0
