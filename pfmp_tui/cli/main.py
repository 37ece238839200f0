"""The `pfmp` command line (CONTRACT.md « Command line »).

Exit codes: 0 done; 2 bad input (each message names what and where, nothing in the
store changed); 1 anything else, one line, no traceback unless PFMP_DEBUG=1.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import traceback
from datetime import date
from pathlib import Path
from typing import Sequence

from ..domain.errors import FieldError, ValidationFailed
from ..domain.json_guard import excerpt
from ..domain.kinds import LABELS as KIND_LABELS
from ..domain.kinds import PLURALS as KIND_PLURALS
from ..domain.wording import count, plural
from ..services import access, data_io
from ..store import audit
from ..store.repository import ConflictError
from ..store.storage import StoreError
from . import listing
from .options import date_option, iso_date_option, organisation_option, period_option, tutor_option

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2
MAX_ERRORS_SHOWN = 30  # the rest are counted: a file of 5,000 bad rows gives one screen, not 300 KB
EXPORTS_DIR = Path("exports")

# argparse speaks English; our users read French. It looks its messages up through
# gettext at call time, so a small catalogue covers what a user can trigger.
_FRENCH = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "affiche cette aide et quitte",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (possibles : %(choices)s)",
    "expected one argument": "une valeur est attendue",
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s : %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s (%(matches)s)",
}


def _french(message: str) -> str:
    return _FRENCH.get(message, message)


argparse._ = _french  # type: ignore[attr-defined]


class FrenchParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # bad command line = bad input: exit 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog} : erreur : {message}\n")


def _as_of(value: str | None) -> date:
    return date.today() if value is None else date_option(value, "--as-of")


def build_parser() -> FrenchParser:
    parser = FrenchParser(
        prog="pfmp",
        description="Suivi des PFMP du Bac Pro AGOrA : qui serait « non valide », et pourquoi.",
    )
    parser.add_argument("--db", metavar="CHEMIN", help="fichier principal du magasin (défaut : $PFMP_DB, sinon db/pfmp.json)")
    sub = parser.add_subparsers(dest="verb", metavar="VERBE", parser_class=FrenchParser)

    sub.add_parser("tui", help="l'interface en terminal (défaut)")

    p = sub.add_parser("demo", help="remplit le magasin avec un lycée de démonstration")
    p.add_argument("--students", type=int, default=90, metavar="N", help="nombre d'élèves (défaut 90)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="graine (même graine, même lycée)")
    p.add_argument("--force", action="store_true", help="remplace un magasin non vide")

    p = sub.add_parser("load", help="importe un document d'échange (tout ou rien)")
    p.add_argument("file", metavar="FICHIER", help="document JSON (« - » pour l'entrée standard)")
    p.add_argument("--replace", action="store_true", help="remplace tout le magasin au lieu d'ajouter")
    p.add_argument("--force", action="store_true",
                   help="avec --replace : repart de zéro même sur un magasin cassé (ses fichiers sont mis de côté)")

    p = sub.add_parser("dump", help="écrit tout le magasin en document d'échange")
    p.add_argument("-o", "--output", metavar="FICHIER", help="fichier de sortie (défaut : sortie standard)")

    p = sub.add_parser("check", help="statut et alertes de chaque candidat")
    p.add_argument("--cohort", metavar="ID")
    p.add_argument("--as-of", metavar="DATE", help="date de référence JJ/MM/AAAA ou AAAA-MM-JJ (défaut : aujourd'hui)")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = sub.add_parser("export", help="exports pour l'administration")
    what = p.add_subparsers(dest="what", metavar="QUOI", parser_class=FrenchParser, required=True)
    e = what.add_parser("missing-attestations", help="candidats dont des justificatifs manquent (R11, R14)")
    e.add_argument("--cohort", metavar="ID")
    e.add_argument("--as-of", metavar="DATE", help="date de référence JJ/MM/AAAA ou AAAA-MM-JJ (défaut : aujourd'hui)")
    e.add_argument("--format", choices=("csv", "xlsx", "json"), default="csv")
    e.add_argument("-o", "--output", metavar="CHEMIN", help="fichier de sortie (défaut : sous exports/)")
    p = sub.add_parser("periods", help="les périodes de PFMP d'une cohorte, avec leurs alertes de calendrier")
    p.add_argument("--cohort", metavar="ID", required=True)
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = sub.add_parser("period", help="crée, modifie ou supprime une période")
    act = p.add_subparsers(dest="action", metavar="ACTION", parser_class=FrenchParser, required=True)
    a = act.add_parser("add", help="nouvelle période")
    a.add_argument("--cohort", metavar="ID", required=True)
    a.add_argument("--label", metavar="LIBELLÉ", required=True)
    a.add_argument("--start", metavar="DATE", required=True, help="JJ/MM/AAAA ou AAAA-MM-JJ")
    a.add_argument("--end", metavar="DATE", required=True, help="JJ/MM/AAAA ou AAAA-MM-JJ")
    a.add_argument("--id", metavar="ID", help="identifiant (défaut : généré)")
    a = act.add_parser("edit", help="modifie une période")
    a.add_argument("id", metavar="ID")
    a.add_argument("--label", metavar="LIBELLÉ")
    a.add_argument("--start", metavar="DATE", help="JJ/MM/AAAA ou AAAA-MM-JJ")
    a.add_argument("--end", metavar="DATE", help="JJ/MM/AAAA ou AAAA-MM-JJ")
    a = act.add_parser("delete", help="supprime une période sans stage")
    a.add_argument("id", metavar="ID")

    p = sub.add_parser("plan", help="propose des périodes qui atteignent la durée requise (R1–R5)")
    p.add_argument("--cohort", metavar="ID", required=True)
    p.add_argument("--weeks", metavar="S1,S2,S3", required=True, help="semaines voulues par année du cycle, ex. 6,8,8")
    p.add_argument("--start", metavar="DATE", help="un jour de la première année du cycle, JJ/MM/AAAA ou AAAA-MM-JJ (défaut : selon la session)")
    p.add_argument("--apply", nargs="?", const="all", metavar="N,N", help="crée les périodes proposées (toutes, ou les numéros donnés)")

    p = sub.add_parser("place", help="place toute une cohorte (ou une sélection) dans une période")
    p.add_argument("--period", metavar="ID|LIBELLÉ", required=True, help="la période : identifiant, ou libellé s'il est unique")
    p.add_argument("--students", metavar="ID,ID", help="sélection d'élèves (défaut : toute la cohorte)")
    p.add_argument("--organisation", metavar="ID|NOM|SIRET",
                   help="organisation d'accueil : identifiant, nom ou SIRET s'il est unique (défaut : « à trouver »)")
    p.add_argument("--tutor", metavar="ID|NOM", help="tuteur : identifiant, ou « Prénom Nom » s'il est unique")
    p.add_argument("--teacher", metavar="IDENTIFIANT", help="professeur référent (identifiant de connexion)")

    p = sub.add_parser("assign", help="choisit l'organisation (et le tuteur) d'un stage")
    p.add_argument("placement", metavar="STAGE")
    p.add_argument("--organisation", metavar="ID|NOM|SIRET", required=True,
                   help="identifiant, nom ou SIRET s'il est unique")
    p.add_argument("--tutor", metavar="ID|NOM", help="identifiant, ou « Prénom Nom » s'il est unique")
    p.add_argument("--teacher", metavar="IDENTIFIANT")
    p = sub.add_parser("import", help="importe des élèves (SIECLE) ou des organisations (tableur), tout ou rien")
    what = p.add_subparsers(dest="what", metavar="QUOI", parser_class=FrenchParser, required=True)
    i = what.add_parser("students", help="élèves d'un export SIECLE (XML, zippé ou non, ou CSV par division)")
    i.add_argument("file", metavar="FICHIER")
    i.add_argument("--cohort", metavar="ID", required=True)
    i.add_argument("--division", metavar="DIV", help="ne garder que cette division (ex. 2AGORA1)")
    i.add_argument("--responsables", metavar="FICHIER",
                   help="représentants légaux : l'export SIECLE ResponsablesAvecAdresses (XML, zippé ou non), "
                        "avec l'export XML des élèves")
    i = what.add_parser("representatives", help="représentants légaux (SIECLE ResponsablesAvecAdresses) des élèves "
                                                "déjà enregistrés, sans les créer ni les changer de cohorte")
    i.add_argument("file", metavar="FICHIER", help="l'export ResponsablesAvecAdresses (XML, zippé ou non)")
    i.add_argument("--students", metavar="FICHIER", required=True,
                   help="l'export XML des élèves (ElevesAvecAdresses ou ElevesSansAdresses) : il lie ELEVE_ID à l'INE")
    i = what.add_parser("organisations", help="organisations et tuteurs d'un CSV ou XLSX")
    i.add_argument("file", metavar="FICHIER")
    i.add_argument("--map", action="append", default=[], metavar="CHAMP=ENTÊTE",
                   help="associe un champ à une colonne, ex. --map name=\"Raison sociale\" (répétable)")
    for i in what.choices.values():
        i.add_argument("--keep-good", action="store_true",
                       help="importe les bonnes lignes et écrit le rapport des rejetées sous exports/")
        i.add_argument("--dry-run", action="store_true", help="montre ce qui serait fait, sans rien écrire")

    p = sub.add_parser("paper", help="documents : attestation de PFMP à faire signer, document de liaison (PDF), "
                                     "convention (DOCX)")
    p.add_argument("kind", choices=("attestation", "liaison", "convention"), metavar="attestation|liaison|convention")
    p.add_argument("id", nargs="?", metavar="ID", help="le stage (attestation, convention) ou l'élève (liaison)")
    p.add_argument("-o", "--output", metavar="FICHIER",
                   help="fichier PDF (défaut : sous exports/) ; pour une convention, le dossier")
    p.add_argument("--school", metavar="NOM", help="nom de l'établissement (défaut : $PFMP_SCHOOL)")
    from .conventions import add_paper_options

    add_paper_options(p)

    for module in _verb_modules():
        module.add_parsers(sub)

    p = sub.add_parser("progress", help="compétences d'un élève, période par période (R12, R16)")
    p.add_argument("student", metavar="ÉLÈVE")

    p = sub.add_parser("todo", help="« Mes élèves » : ce qui attend un professeur référent (R11, R12)")
    p.add_argument("--teacher", metavar="IDENTIFIANT", help="identifiant de connexion (défaut : le vôtre)")
    p.add_argument("--as-of", metavar="DATE", help="date de référence JJ/MM/AAAA ou AAAA-MM-JJ (défaut : aujourd'hui)")

    listing.add_parser(sub, FrenchParser)
    for module in _extra_verbs():  # issue 16: journal, users, backups, RGPD (one module each)
        COMMANDS.update(module.register(sub))

    from . import days  # allocation, absence, makeup, class-year, payment (issue 14)

    COMMANDS.update(days.register(sub, FrenchParser))
    return parser


def _id_list(value: str | None, option: str) -> list[str] | None:
    if value is None:
        return None
    items = [x.strip() for x in value.split(",") if x.strip()]
    if not items:
        raise ValidationFailed(FieldError(option, "liste vide"))
    return items


def _int_list(value: str, option: str) -> list[int]:
    try:
        return [int(x) for x in value.split(",")]
    except ValueError:
        raise ValidationFailed(FieldError(option, f"liste de nombres attendue, ex. 6,8,8 (reçu « {value} »)")) from None


def _cmd_periods(args: argparse.Namespace) -> int:
    import json

    from ..domain.workdays import format_days
    from ..services.planning import list_periods

    infos = list_periods(data_io.open_repository(args.db), args.cohort)
    if args.format == "json":
        print(json.dumps([
            {"id": i.period.id, "label": i.period.label, "start": i.period.start.isoformat(),
             "end": i.period.end.isoformat(), "working_days": i.working_days, "placed": i.placed,
             "unplaced": i.unplaced, "warnings": list(i.warnings)} for i in infos
        ], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not infos:
        print(f"Aucune période pour la cohorte « {args.cohort} ».")
    total = 0
    for i in infos:
        total += i.working_days
        p = i.period
        print(f"{p.id:<16} {p.label[:26]:<26} {p.start:%d/%m/%Y} → {p.end:%d/%m/%Y}  {format_days(i.working_days):>12}")
        print(f"{'':16} placés : {i.placed}, sans organisation : {i.unplaced}")
        for w in i.warnings:
            print(f"{'':16} ! {w}")
    if infos:
        print(f"Total : {format_days(total)}")
    return EXIT_OK


def _cmd_period(args: argparse.Namespace) -> int:
    from ..domain.interchange import record_to_dict
    from ..services.planning import save_period

    repo = data_io.open_repository(args.db)
    if args.action == "delete":
        repo.delete("periods", args.id)
        print(f"Période « {args.id} » supprimée.")
        return EXIT_OK
    if args.action == "add":
        raw = {"cohort_id": args.cohort, "label": args.label, "start": iso_date_option(args.start, "--start"),
               "end": iso_date_option(args.end, "--end")}
        if args.id:
            raw["id"] = args.id
        period, warnings = save_period(repo, raw, path="")
    else:
        found = repo.get("periods", args.id)
        if found is None:
            raise ValidationFailed(FieldError("ID", f"période inconnue « {args.id} »"))
        current, rev = found
        raw = record_to_dict("periods", current)
        if args.label is not None:
            raw["label"] = args.label
        for key in ("start", "end"):
            if getattr(args, key) is not None:
                raw[key] = iso_date_option(getattr(args, key), f"--{key}")
        period, warnings = save_period(repo, raw, rev, path="")
    print(f"Période « {period.id} » enregistrée : {period.label}, du {period.start:%d/%m/%Y} au {period.end:%d/%m/%Y}.")
    for w in warnings:
        print(f"  ! {w}")
    return EXIT_OK


def _cmd_plan(args: argparse.Namespace) -> int:
    from ..domain.workdays import format_days
    from ..services.planning import accept_plan, plan

    repo = data_io.open_repository(args.db)
    start = date_option(args.start, "--start") if args.start else None
    the_plan = plan(repo, args.cohort, _int_list(args.weeks, "--weeks"), start, today=date.today())
    for n, p in enumerate(the_plan.proposals, 1):
        print(f"{n:>2}. {p.label:<24} {p.start:%d/%m/%Y} → {p.end:%d/%m/%Y}  {format_days(p.working_days):>10}")
        for w in p.warnings:
            print(f"      ! {w}")
    if the_plan.past:
        n = len(the_plan.past)
        print(f"! {count(n, 'période proposée', 'périodes proposées')} {plural(n, 'commence', 'commencent')} avant "
              f"aujourd'hui ({', '.join(str(i + 1) for i in the_plan.past)}) : --start pour partir d'une autre date, "
              "ou --apply avec les seuls numéros voulus.")
    for t in the_plan.totals:
        mark = "✔" if t.enough else "✖ insuffisant"
        print(f"{t.rule} : {format_days(t.planned_days)} prévues / {format_days(t.required_days)} requises "
              f"({count(t.students, 'élève')}) {mark}")
    if args.apply:
        keep = None if args.apply == "all" else _int_list(args.apply, "--apply")
        created = accept_plan(repo, the_plan, keep)
        n = len(created)
        print(f"{count(n, 'période')} {plural(n, 'créée', 'créées')} : {', '.join(p.id for p in created)}")
    else:
        print("Proposition seulement : ajoutez --apply (ou --apply 1,3) pour créer les périodes.")
    return EXIT_OK


def _cmd_place(args: argparse.Namespace) -> int:
    from ..services.planning import place

    repo = data_io.open_repository(args.db)
    data = repo.dataset()
    organisation = organisation_option(data, args.organisation)
    result = place(repo, period_option(data, args.period), _id_list(args.students, "--students"),
                   organisation, tutor_option(data, args.tutor, organisation), args.teacher)
    n, skipped = len(result.created), len(result.skipped)
    print(f"{count(n, 'stage')} {plural(n, 'créé', 'créés')}"
          + (f", {count(skipped, 'élève')} {plural(skipped, 'déjà placé', 'déjà placés')}" if skipped else "") + ".")
    for w in result.warnings:
        print(f"  ! {w}")
    return EXIT_OK


def _cmd_assign(args: argparse.Namespace) -> int:
    from ..services.planning import KEEP, assign, assign_warnings

    repo = data_io.open_repository(args.db)
    teacher = KEEP if args.teacher is None else (args.teacher.strip() or None)  # --teacher "" clears it
    # Read, decided and written in one transaction: a store that cannot be read whole is
    # refused before the change is written, so « nothing changed » is then true (issue 10).
    with repo.transaction():
        data = repo.core_dataset()  # organisations and tutors: the core (issue 13)
        organisation = organisation_option(data, args.organisation)
        p = assign(repo, args.placement, organisation, tutor_option(data, args.tutor, organisation), teacher)
        warnings = assign_warnings(repo, p)  # the cohort's, from its shards and the index
    print(f"Stage « {p.id} » : organisation « {p.organisation_id} »" + (f", tuteur « {p.tutor_id} »" if p.tutor_id else "") + ".")
    for w in warnings:
        print(f"  ! {w}")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from ..services import importing

    repo = data_io.open_repository(args.db)
    mapping = {}
    for item in getattr(args, "map", []):
        key, sep, header = item.partition("=")
        if not sep or not key.strip() or not header.strip():
            raise ValidationFailed(FieldError("--map", f"« {item} » : attendu CHAMP=ENTÊTE"))
        mapping[key.strip()] = header.strip()
    if not args.dry_run:
        # Matched with the store and written in one transaction (issue 10: no duplicates).
        if args.what == "representatives":
            report = importing.import_representatives(repo, args.file, args.students, keep_good=args.keep_good,
                                                      exports_dir=EXPORTS_DIR)
        elif args.what == "students":
            report = importing.import_students(repo, args.file, args.cohort, division=args.division,
                                               keep_good=args.keep_good, exports_dir=EXPORTS_DIR,
                                               responsables=args.responsables)
        else:
            report = importing.import_organisations(repo, args.file, mapping=mapping or None,
                                                    keep_good=args.keep_good, exports_dir=EXPORTS_DIR)
        print(report.summary())
        return EXIT_OK
    if args.what == "representatives":
        report = importing.preview_representatives(repo, args.file, args.students)
    elif args.what == "students":
        report = importing.preview_students(repo, args.file, args.cohort, division=args.division,
                                            responsables=args.responsables)
    else:
        report = importing.preview_organisations(repo, args.file, mapping=mapping or None)
    if not args.keep_good:
        report.raise_if_rejected()
    what = {"students": "élève", "organisations": "organisation", "tutors": "tuteur"}
    for change in report.created:
        print(f"  + {what[change.kind]} {change.label}")
    for change in report.updated:
        diffs = "; ".join(f"{label} : {old} → {new}" for label, old, new in change.differences())
        print(f"  ~ {what[change.kind]} {change.label} ({diffs})")
    print(report.summary() + " (essai : rien n'a été écrit)")
    return EXIT_OK


def _cmd_paper(args: argparse.Namespace) -> int:
    from ..services.papers import make_paper

    if args.kind == "convention":
        from .conventions import cmd_paper_convention

        return cmd_paper_convention(args, EXPORTS_DIR)
    if args.id is None:
        raise ValidationFailed(FieldError("ID", "identifiant du stage ou de l'élève obligatoire"))

    school = args.school if args.school is not None else os.environ.get("PFMP_SCHOOL", "")
    repo = data_io.open_repository(args.db)
    access.require(repo, "papers")  # issue 16: not the role « lecture »
    data = repo.dataset()
    out = Path(args.output) if args.output else None
    path = make_paper(data, args.kind, args.id, school, out, EXPORTS_DIR)
    print(f"Document écrit : {path}")
    return EXIT_OK


def _cmd_progress(args: argparse.Namespace) -> int:
    from ..domain.competences import COMPETENCES
    from ..domain.progress import LEVEL_SHORT, progress

    grid = progress(data_io.open_repository(args.db).dataset(), args.student)
    s = grid.student
    print(f"{s.last_name.upper()} {s.first_name} — {s.cohort_id}")
    cols = grid.placements[-8:]  # at 80 columns, the last 8 periods
    for i, p in enumerate(cols, 1):
        print(f"  P{i} : {p.start:%d/%m/%Y} → {p.end:%d/%m/%Y}")
    label_width = 80 - 7 - 4 * len(cols)
    print(f"{'':6} {'':{label_width}}" + "".join(f"{'P' + str(i):>4}" for i in range(1, len(cols) + 1)))
    for c in COMPETENCES:
        label = c.label if len(c.label) <= label_width else c.label[: label_width - 1] + "…"
        cells = "".join(f"{LEVEL_SHORT[grid.level(c.code, p.id)]:>4}" for p in cols)
        print(f"{c.code:<6} {label:<{label_width}}{cells}")
    for b in grid.coverage:
        print(f"Bloc {b.number} : {b.assessed}/{b.total} compétences évaluées, {b.acquired} acquises ou maîtrisées")
    print("NA non acquis · ECA en cours d'acquisition · A acquis · M maîtrisé · — non éval.")
    return EXIT_OK


def _cmd_todo(args: argparse.Namespace) -> int:
    import getpass

    from ..domain.progress import waiting_for

    login = args.teacher or getpass.getuser()
    learners = waiting_for(login, data_io.open_repository(args.db).dataset(), _as_of(args.as_of))
    if not learners:
        print(f"Aucun élève suivi par « {login} ».")
        return EXIT_OK
    waiting = sum(len(f.waiting) for f in learners)
    print(f"« {login} » suit {count(len(learners), 'élève')} ; {count(waiting, 'document')} en attente.")
    for f in learners:
        print(f"- {f.student.last_name.upper()} {f.student.first_name} ({f.student.cohort_id})")
        for flag in f.waiting:
            print(textwrap.fill(flag.message, 80, initial_indent="    · ", subsequent_indent="      "))
    from .visits import print_teacher_visits

    print_teacher_visits(data_io.open_repository(args.db).dataset(), login, _as_of(args.as_of))
    return EXIT_OK


def _cmd_tui(args: argparse.Namespace) -> int:
    from ..tui.bootstrap import run_tui

    # run_tui reads the whole store once before drawing anything: a corrupt store is refused there
    return run_tui(data_io.store_path(args.db))


def _cmd_demo(args: argparse.Namespace) -> int:
    from ..services.demo import build_demo

    repo = data_io.open_repository(args.db)
    if args.force:
        _start_over(repo)
    if not args.force and not repo.dataset().is_empty():
        print(
            f"pfmp : le magasin {repo.store.path} n'est pas vide : rien n'a été modifié "
            "(ajoutez --force pour le remplacer par la démonstration)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    data = build_demo(args.students, args.seed, today=date.today())
    repo.add_all(data, replace=True)
    counts = data.counts()
    print(
        f"Lycée de démonstration écrit dans {repo.store.path} : {counts['cohorts']} cohortes, "
        f"{counts['students']} élèves, {counts['placements']} stages. Lancez « pfmp » pour l'ouvrir."
    )
    return EXIT_OK


def _start_over(repo) -> None:
    """--force on a broken store (data files without their main file): a new empty store,
    the old files moved aside, never deleted (issue 10)."""
    aside = repo.store.start_over()
    if aside is not None:
        print(f"pfmp : magasin cassé repris à zéro ; ses anciens fichiers sont conservés dans {aside}",
              file=sys.stderr)


def _cmd_load(args: argparse.Namespace) -> int:
    repo = data_io.open_repository(args.db)
    if args.force:
        if not args.replace:
            raise ValidationFailed(FieldError("--force", "ne s'emploie qu'avec --replace"))
        _start_over(repo)
    counts = data_io.load(repo, args.file, replace=args.replace)
    summary = ", ".join(f"{n} {KIND_LABELS[kind] if n < 2 else KIND_PLURALS[kind]}"
                        for kind, n in counts.items() if n) or "aucun enregistrement"
    verb = "remplacé par" if args.replace else "chargé :"
    print(f"Magasin {verb} {summary}.", file=sys.stderr)
    return EXIT_OK


def _cmd_dump(args: argparse.Namespace) -> int:
    repo = data_io.open_repository(args.db)
    access.require(repo, "dump")  # issue 16: the whole store leaves it
    path = data_io.dump(repo, args.output)
    if path is not None:
        print(f"Document écrit : {path}", file=sys.stderr)
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    import orjson

    from ..services.check import render_table, run_check, to_json

    as_of = _as_of(args.as_of)
    results = run_check(data_io.open_repository(args.db), as_of, args.cohort)
    if args.format == "json":
        # The bytes json.dumps(indent=2, ensure_ascii=False) writes, several times faster.
        sys.stdout.flush()
        sys.stdout.buffer.write(orjson.dumps(to_json(results, as_of), option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
    else:
        print(render_table(results, as_of))
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from ..services.check import run_check
    from ..services.export import default_export_path, missing_attestation_rows, write_export

    as_of = _as_of(args.as_of)
    repo = data_io.open_repository(args.db)
    access.require(repo, "export")  # issue 16: administration or coordination
    data = repo.dataset()
    results = run_check(repo, as_of, args.cohort, data=data)
    rows = missing_attestation_rows(data, results, as_of)
    path = Path(args.output) if args.output else default_export_path(EXPORTS_DIR, args.format, as_of, args.cohort)
    written = write_export(rows, args.format, path)
    print(f"{count(len(rows), 'ligne')} {plural(len(rows), 'écrite', 'écrites')} dans {written}")
    return EXIT_OK


COMMANDS = {
    "tui": _cmd_tui,
    "demo": _cmd_demo,
    "load": _cmd_load,
    "dump": _cmd_dump,
    "check": _cmd_check,
    "export": _cmd_export,
    "periods": _cmd_periods,
    "period": _cmd_period,
    "plan": _cmd_plan,
    "place": _cmd_place,
    "assign": _cmd_assign,
    "import": _cmd_import,
    "paper": _cmd_paper,
    "progress": _cmd_progress,
    "todo": _cmd_todo,
    "list": listing.run,
}


def _verb_modules() -> tuple:
    """Verbs kept in their own modules: each has `add_parsers(sub)` and `COMMANDS`."""
    from . import contacts, conventions, mail, visits

    return (conventions, mail, visits, contacts)  # contacts: organisations' details, legal representatives (issue 15)


for _module in _verb_modules():
    COMMANDS.update(_module.COMMANDS)


def _extra_verbs() -> list:
    from . import backup, journal, privacy, users

    return [journal, users, backup, privacy]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    verb = args.verb or "tui"
    try:
        with audit.acting(f"cli:{verb}"):  # the journal names the verb of each change
            return COMMANDS[verb](args)
    except audit.PermissionDenied as exc:
        print(f"pfmp : {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ValidationFailed as exc:
        # Bounded (issue 10): a short excerpt of each path and reason, and the first errors only.
        for error in exc.errors[:MAX_ERRORS_SHOWN]:
            where = f"{excerpt(error.path, 120)}: " if error.path else ""
            print(f"pfmp : {where}{excerpt(error.message, 300)}", file=sys.stderr)
        if len(exc.errors) > MAX_ERRORS_SHOWN:
            print(f"pfmp : … et {len(exc.errors) - MAX_ERRORS_SHOWN} autre(s) erreur(s).", file=sys.stderr)
        print("pfmp : rien n'a été modifié.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (StoreError, ConflictError) as exc:
        _debug()
        print(f"pfmp : {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("pfmp : interrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `pfmp dump | head`: the reader left; not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except OSError as exc:
        _debug()
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"pfmp : erreur système{where} : {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        _debug()
        print(f"pfmp : erreur inattendue : {type(exc).__name__}: {excerpt(str(exc), 300)} (PFMP_DEBUG=1 pour le détail)",
              file=sys.stderr)
        return EXIT_ERROR


def _debug() -> None:
    if os.environ.get("PFMP_DEBUG") == "1":
        traceback.print_exc()


def run() -> None:
    sys.exit(main())
