"""`pfmp paper convention …` and `pfmp terms …`: conventions filled from a DOCX model,
and the terms they fix (hours, annexe pédagogique, gratification…)."""

from __future__ import annotations

import argparse
import sys
import textwrap
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
    from ..services import access

    db = data_io.store_path(args.db)
    settings = load_settings(db)
    if args.school:
        settings = replace(settings, school=replace(settings.school, name=args.school))
    repo = data_io.open_repository(db)
    access.require(repo, "papers")  # issue 16: not the role « lecture »
    out_dir = Path(args.output) if args.output else exports_dir
    done = generate(repo, settings, placement_id=args.id, period_id=args.period,
                    template=Path(args.template) if args.template else None, out_dir=out_dir)
    for g in done:
        print(f"Convention écrite : {g.path}")
        for w in g.warnings:
            print(f"  attention : {w}", file=sys.stderr)
    print(f"{len(done)} convention(s) écrite(s).")
    return 0


def add_terms_parser(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
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


def add_convention_parser(sub) -> None:  # noqa: ANN001
    from ..domain.model import SIGNATORIES

    p = sub.add_parser("convention", help="conventions : avancement des signatures, envoi, signatures (R10)")
    act = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p), required=True)
    a = act.add_parser("progress", help="avancement par période : générées, envoyées, signées par chaque partie")
    a.add_argument("--period", metavar="PÉRIODE")
    a.add_argument("--cohort", metavar="COHORTE")
    a.add_argument("--as-of", metavar="DATE", help="date de référence AAAA-MM-JJ (défaut : aujourd'hui)")
    a = act.add_parser("sent", help="note les conventions envoyées pour signature")
    a.add_argument("placement", nargs="?", metavar="STAGE")
    a.add_argument("--period", metavar="PÉRIODE", help="toutes celles de la période")
    a.add_argument("--on", metavar="DATE", help="date d'envoi (défaut : aujourd'hui)")
    a = act.add_parser("sign", help="note une ou plusieurs signatures")
    a.add_argument("placement", metavar="STAGE")
    a.add_argument("--by", required=True, metavar="PARTIES", help=f"parmi {', '.join(SIGNATORIES)}, séparées par des virgules")
    a.add_argument("--on", metavar="DATE", help="date de signature (défaut : aujourd'hui)")


def _date(value, option):  # noqa: ANN001
    from datetime import date

    from ..domain.validation import parse_date

    return date.today() if value is None else parse_date(value, option)


def cmd_convention(args: argparse.Namespace) -> int:
    from ..domain.model import CONVENTION_LABELS
    from ..services import data_io, signatures

    repo = data_io.open_repository(args.db)
    if args.action == "sent":
        n = signatures.mark_sent(repo, _date(args.on, "--on"), placement_id=args.placement, period_id=args.period)
        print(f"{n} convention(s) notée(s) envoyée(s).")
        return 0
    if args.action == "sign":
        parties = [x.strip() for x in args.by.split(",") if x.strip()]
        p = signatures.sign(repo, args.placement, parties, _date(args.on, "--on"))
        missing = signatures.missing_signatures(repo.dataset(), p)
        state = CONVENTION_LABELS[p.convention.status]
        tail = f" ; manque : {', '.join(_labels(missing))}" if missing else ""
        print(f"Convention du stage {p.id} : {state}{tail}.")
        return 0
    print(progress_report(repo.dataset(), _date(args.as_of, "--as-of"), args.period, args.cohort))
    return 0


def _labels(parties) -> list[str]:  # noqa: ANN001
    from ..domain.model import SIGNATORY_LABELS

    return [SIGNATORY_LABELS[x] for x in parties]


SHORT = {"school": "établissement", "organisation": "organisme", "student": "élève",
         "legal_representative": "repr. légal", "tutor": "tuteur", "teacher": "référent"}


def progress_report(data, as_of, period_id=None, cohort_id=None) -> str:  # noqa: ANN001
    from ..domain.convention import SOON_DAYS, signature_progress
    from ..domain.model import SIGNATORIES
    from ..domain.validation import format_date_fr
    from ..services.signatures import missing_signatures

    periods = sorted(data.periods, key=lambda x: (x.start, x.id))
    if period_id is not None:
        periods = [x for x in periods if x.id == period_id]
        if not periods:
            raise ValidationFailed(FieldError("--period", f"période « {period_id} » introuvable"))
    else:
        periods = [x for x in periods if x.end >= as_of and (cohort_id is None or x.cohort_id == cohort_id)]
    students = {s.id: s for s in data.students}
    orgs = {o.id: o for o in data.organisations}
    out = []
    for period in periods:
        pr = signature_progress(data, period.id, as_of)
        if not pr.placements:
            continue
        n = pr.placements
        out.append(textwrap.fill(f"{period.label} [{period.id}], du {format_date_fr(period.start)} au "
                                 f"{format_date_fr(period.end)} : {n} stage(s)", 80, subsequent_indent="  "))
        out.append(f"  générées {pr.generated}/{n} · envoyées {pr.sent}/{n} · signées {pr.signed}/{n}")
        short = SHORT
        parts = [f"{short[k]} {pr.signed_by[k][0]}/{pr.signed_by[k][1]}" for k in SIGNATORIES
                 if k in ("school", "organisation", "student") or (k == "legal_representative" and pr.signed_by[k][1])]
        out.append("  signées par : " + ", ".join(parts))
        for title, items in ((f"Début dans {SOON_DAYS} jours ou moins sans convention signée (R10) :", pr.unsigned_soon),
                             ("Commencés sans convention signée (R10) :", pr.unsigned_started)):
            if not items:
                continue
            out.append(f"  {title}")
            for p in items:
                s = students[p.student_id]
                missing = ", ".join(SHORT[x] for x in missing_signatures(data, p)) or "—"
                out.append(textwrap.fill(
                    f"- {s.last_name.upper()} {s.first_name} — {orgs[p.organisation_id].name}, "
                    f"début {format_date_fr(p.start)}, manque : {missing} [{p.id}]",
                    80, initial_indent="  ", subsequent_indent="    "))
    return "\n".join(out) if out else "Aucune période en cours ou à venir avec des stages."


def add_parsers(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    add_terms_parser(sub)
    add_convention_parser(sub)


COMMANDS = {"terms": cmd_terms, "convention": cmd_convention}
