"""`pfmp backup` and `pfmp restore` (issue 16)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..services import backup, data_io

BACKUPS_DIR = Path("backups")


def register(sub) -> dict:
    p = sub.add_parser("backup", help="sauvegarde complète (données, utilisateurs, journal) en un fichier compressé privé")
    p.add_argument("-o", "--output", metavar="FICHIER", help=f"fichier ou dossier (défaut : {BACKUPS_DIR}/pfmp-DATE-HEURE{backup.SUFFIX})")
    p.add_argument("--keep", type=int, metavar="N", help="ne garde que les N sauvegardes datées les plus récentes du dossier")
    p = sub.add_parser("restore", help="remplace le magasin par une sauvegarde (demande confirmation)")
    p.add_argument("file", metavar="FICHIER")
    p.add_argument("--yes", action="store_true", help="ne pas demander confirmation (scripts)")
    return {"backup": _cmd_backup, "restore": _cmd_restore}


def _cmd_backup(args: argparse.Namespace) -> int:
    repo = data_io.open_repository(args.db)
    path, removed = backup.backup(repo, args.output, BACKUPS_DIR, args.keep)
    print(f"Sauvegarde écrite : {path}")
    for old in removed:
        print(f"Ancienne sauvegarde supprimée : {old}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    repo = data_io.open_repository(args.db)
    saved = backup.read_backup(args.file)  # a bad file is refused before any question
    current = repo.dataset()
    if not current.is_empty() and not args.yes:
        question = (f"Le magasin {repo.store.path} contient {len(current.students)} élève(s) : le remplacer par la "
                    f"sauvegarde du {saved.created} ? Une copie de l'actuel sera gardée dans {BACKUPS_DIR}/. [o/N] ")
        if not sys.stdin.isatty():
            print(f"pfmp : le magasin {repo.store.path} n'est pas vide : ajoutez --yes pour le remplacer. "
                  "Rien n'a été modifié.", file=sys.stderr)
            return 1
        if input(question).strip().lower() not in ("o", "oui", "y", "yes"):
            print("Rien n'a été modifié.", file=sys.stderr)
            return 1
    saved, before = backup.restore(repo, args.file, BACKUPS_DIR)
    if before is not None:
        print(f"Copie du magasin remplacé : {before}")
    print(f"Magasin restauré depuis {args.file} (sauvegarde du {saved.created}).")
    return 0
