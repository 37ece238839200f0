"""`pfmp purge` and `pfmp subject-access`: the RGPD duties (issue 16)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..services import data_io, privacy

EXPORTS_DIR = Path("exports")


def register(sub) -> dict:
    p = sub.add_parser("purge", help="RGPD : anonymise (ou supprime) les élèves des sessions d'examen anciennes")
    p.add_argument("--sessions-before", type=int, metavar="ANNÉE",
                   help=f"sessions d'examen antérieures à cette année (défaut : l'année en cours − {privacy.RETENTION_SESSIONS})")
    p.add_argument("--remove", action="store_true", help="supprime les élèves et tout ce qui les concerne au lieu d'anonymiser")
    p.add_argument("--dry-run", action="store_true", help="montre ce qui serait purgé, sans rien modifier")
    p = sub.add_parser("subject-access", help="RGPD, droit d'accès : tout ce qui est détenu sur un élève (JSON et PDF)")
    p.add_argument("student", metavar="ÉLÈVE", help="identifiant de l'élève")
    p.add_argument("-o", "--output", metavar="FICHIER", help="fichier JSON (le PDF est écrit à côté)")
    return {"purge": _cmd_purge, "subject-access": _cmd_subject_access}


def _cmd_purge(args: argparse.Namespace) -> int:
    year = args.sessions_before if args.sessions_before is not None else privacy.default_limit()
    report = privacy.purge(data_io.open_repository(args.db), year, remove=args.remove, dry_run=args.dry_run,
                           exports_dir=EXPORTS_DIR)
    print("\n".join(report.lines(args.dry_run)))
    return 0


def _cmd_subject_access(args: argparse.Namespace) -> int:
    json_path, pdf_path = privacy.write_subject_access(data_io.open_repository(args.db), args.student, args.output,
                                                       EXPORTS_DIR)
    print(f"Données de l'élève écrites : {json_path} et {pdf_path}")
    return 0
