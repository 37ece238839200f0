"""`pfmp paper convention …` and `pfmp terms …`: conventions filled from a DOCX model,
and the terms they fix (hours, annexe pédagogique, gratification…)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from ..domain.errors import FieldError, ValidationFailed


def add_paper_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--period", metavar="PÉRIODE", help="convention : une par élève de cette période")
    p.add_argument("--template", metavar="MODÈLE.docx", help="convention : le modèle de l'établissement "
                                                              "(défaut : le modèle national fourni)")
    p.add_argument("--fields", action="store_true", help="convention : liste les champs utilisables dans un modèle")
    p.add_argument("--write-template", metavar="FICHIER.docx",
                   help="convention : écrit le modèle par défaut, pour l'adapter")


def cmd_paper_convention(args: argparse.Namespace, exports_dir: Path) -> int:
    from ..services import data_io
    from ..services.conventions import fields_help, generate
    from ..services.files import write_private
    from ..services.settings import load_settings

    if args.fields:
        print(fields_help())
        return 0
    if args.write_template:
        from ..services.convention_template import build_default_template

        path = write_private(Path(args.write_template), build_default_template())
        print(f"Modèle écrit : {path}")
        return 0
    db = data_io.store_path(args.db)
    settings = load_settings(db)
    if args.school:
        settings = replace(settings, school=replace(settings.school, name=args.school))
    repo = data_io.open_repository(db)
    out_dir = Path(args.output) if args.output else exports_dir
    done = generate(repo, settings, placement_id=args.id, period_id=args.period,
                    template=Path(args.template) if args.template else None, out_dir=out_dir)
    for g in done:
        print(f"Convention écrite : {g.path}")
        for w in g.warnings:
            print(f"  attention : {w}", file=sys.stderr)
    print(f"{len(done)} convention(s) écrite(s).")
    return 0


def add_parsers(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    p = sub.add_parser("terms", help="ce que fixe la convention d'un stage : horaires, activités, gratification…")
    p.add_argument("placement", metavar="STAGE")
    p.add_argument("--daily-hours", type=float, metavar="H", help="heures par jour (mineur : 8 au plus)")
    p.add_argument("--weekly-hours", type=float, metavar="H", help="heures par semaine (mineur : 35 au plus)")
    p.add_argument("--schedule", metavar="TEXTE", help="horaires, en clair")
    p.add_argument("--night-work", choices=("oui", "non"), help="travail de nuit (interdit aux mineurs)")
    p.add_argument("--competences", metavar="CODES", help="compétences visées, ex. 1.1.1,2.3.2 (« - » : aucune)")
    p.add_argument("--activities", metavar="TEXTE", help="activités prévues (annexe pédagogique)")
    p.add_argument("--gratification", metavar="TEXTE")
    p.add_argument("--travel", metavar="TEXTE", help="frais de transport")
    p.add_argument("--meals", metavar="TEXTE", help="restauration, hébergement")
    p.add_argument("--insurance", metavar="TEXTE", help="assurance de l'organisme d'accueil")


def cmd_terms(args: argparse.Namespace) -> int:
    from ..services import data_io
    from ..services.convention_terms import describe_terms, set_terms

    repo = data_io.open_repository(args.db)
    changes: dict = {}
    for key in ("daily_hours", "weekly_hours", "schedule", "activities", "gratification", "travel", "meals", "insurance"):
        value = getattr(args, key)
        if value is not None:
            changes[key] = None if value == "" else value
    if args.night_work is not None:
        changes["night_work"] = args.night_work == "oui"
    if args.competences is not None:
        codes = [] if args.competences.strip() in ("", "-") else [c.strip() for c in args.competences.split(",")]
        changes["competences"] = codes
    if not changes:
        placement = repo.snapshot().get("placements", args.placement)
        if placement is None:
            raise ValidationFailed(FieldError("STAGE", f"stage « {args.placement} » introuvable"))
        print(describe_terms(placement))
        return 0
    placement = set_terms(repo, args.placement, changes)
    print(describe_terms(placement))
    return 0


COMMANDS = {"terms": cmd_terms}
