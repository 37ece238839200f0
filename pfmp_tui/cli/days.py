"""Verbs of the days that count (issue 14): `pfmp allocation` (R17), `pfmp absence` (R18),
`pfmp makeup` (rattrapage, R18), `pfmp class-year` (R17) and `pfmp payment` (R17).

`register` adds them to the main parser and returns their handlers; main.py maps them.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Callable

from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import ABSENCE_REASON_LABELS, ABSENCE_REASONS, CLASS_YEAR_LABELS, CLASS_YEARS
from ..domain.validation import format_date_fr, parse_french_date
from ..services import data_io

EXIT_OK = 0
EXPORTS_DIR = Path("exports")
_YES = {"oui": True, "o": True, "yes": True, "y": True, "1": True, "non": False, "n": False, "no": False, "0": False}


def _date(value: str | None, option: str) -> date:
    if value is None:
        raise ValidationFailed(FieldError(option, "date obligatoire"))
    return parse_french_date(value, option)


def _as_of(value: str | None) -> date:
    return date.today() if value is None else parse_french_date(value, "--as-of")


def _yes_no(value: str | None, option: str) -> bool | None:
    if value is None:
        return None
    try:
        return _YES[value.strip().lower()]
    except KeyError:
        raise ValidationFailed(FieldError(option, f"oui ou non attendu (reçu « {value} »)")) from None


def register(sub: argparse._SubParsersAction, parser_class: type) -> dict[str, Callable[[argparse.Namespace], int]]:
    p = sub.add_parser("allocation", help="allocation PFMP : la liste à saisir pour le paiement par l'ASP (R17)")
    p.add_argument("--cohort", metavar="ID", help="une seule cohorte")
    p.add_argument("--school-year", metavar="AAAA-AAAA", help="une année scolaire, ex. 2026-2027 (défaut : toutes)")
    p.add_argument("--format", choices=("table", "csv", "xlsx", "json"), default="table")
    p.add_argument("-o", "--output", metavar="CHEMIN", help="fichier à écrire (csv/xlsx : défaut sous exports/)")
    p.add_argument("--as-of", metavar="DATE", help="date de référence (défaut : aujourd'hui)")

    p = sub.add_parser("absence", help="absences pendant une PFMP (R18)")
    act = p.add_subparsers(dest="action", metavar="ACTION", parser_class=parser_class, required=True)
    a = act.add_parser("add", help="enregistre une absence")
    a.add_argument("placement", metavar="PFMP")
    a.add_argument("--start", metavar="DATE", required=True)
    a.add_argument("--end", metavar="DATE", help="défaut : le jour du début")
    a.add_argument("--days", type=int, metavar="N", help="jours ouvrés manqués (défaut : tous ceux des dates)")
    a.add_argument("--reason", choices=ABSENCE_REASONS, required=True,
                   help=", ".join(f"{k} ({v})" for k, v in ABSENCE_REASON_LABELS.items()))
    a.add_argument("--note", metavar="TEXTE", help="précision (obligatoire pour « autre »)")
    a.add_argument("--justified", action="store_true", help="justificatif reçu")
    a = act.add_parser("justify", help="justificatif reçu (ou non, avec --no)")
    a.add_argument("absence", metavar="ABSENCE")
    a.add_argument("--no", action="store_true", help="justificatif non reçu")
    a = act.add_parser("delete", help="supprime une absence")
    a.add_argument("absence", metavar="ABSENCE")
    a = act.add_parser("list", help="absences, manque, rattrapage, jours par année, mobilité, allocation d'un élève")
    a.add_argument("student", metavar="ÉLÈVE")
    a.add_argument("--as-of", metavar="DATE", help="date de référence (défaut : aujourd'hui)")

    p = sub.add_parser("makeup", help="fait d'une PFMP le rattrapage d'une autre (R18)")
    p.add_argument("placement", metavar="PFMP")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--for", dest="target", metavar="PFMP", help="la PFMP qu'elle rattrape")
    group.add_argument("--clear", action="store_true", help="n'est plus un rattrapage")

    p = sub.add_parser("class-year", help="classe d'une PFMP quand elle n'est pas celle de la cohorte (R17)")
    p.add_argument("placement", metavar="PFMP")
    p.add_argument("class_year", metavar="CLASSE", choices=(*CLASS_YEARS, "auto"),
                   help="seconde, premiere, terminale, ou auto (celle de la cohorte)")

    p = sub.add_parser("payment", help="pièces du paiement de l'allocation : RIB, autorisation (R17)")
    act = p.add_subparsers(dest="action", metavar="ACTION", parser_class=parser_class, required=True)
    a = act.add_parser("set", help="RIB reçu ? autorisation du représentant légal reçue ?")
    a.add_argument("student", metavar="ÉLÈVE")
    a.add_argument("--rib", metavar="oui|non", help="RIB reçu (jamais les coordonnées elles-mêmes)")
    a.add_argument("--authorisation", metavar="oui|non", help="autorisation du représentant légal (élève mineur)")

    return {"allocation": _cmd_allocation, "absence": _cmd_absence, "makeup": _cmd_makeup,
            "class-year": _cmd_class_year, "payment": _cmd_payment}


def _cmd_allocation(args: argparse.Namespace) -> int:
    from ..domain.school_years import parse_school_year
    from ..services import allocation as alloc

    as_of = _as_of(args.as_of)
    year = None
    if args.school_year is not None:
        try:
            year = parse_school_year(args.school_year)
        except ValueError as exc:
            raise ValidationFailed(FieldError("--school-year", str(exc))) from None
    repo = data_io.open_repository(args.db)
    if args.output or args.format in ("csv", "xlsx"):
        from ..services import access

        access.require(repo, "export")  # issue 16: a file of learners' payments leaves the store
    data = repo.dataset()
    rows, totals = alloc.allocation_rows(data, as_of, args.cohort, year)
    if args.format == "table" and not args.output:
        print(alloc.table(rows, totals, as_of, year), end="")
        return EXIT_OK
    if args.format == "json" and not args.output:
        print(alloc.export_file_bytes(rows, totals, "json", as_of, year).decode("utf-8"), end="")
        return EXIT_OK
    if args.format == "table":
        path = Path(args.output)
        from ..services.files import write_private

        write_private(path, alloc.table(rows, totals, as_of, year).encode("utf-8"))
        print(f"{len(rows)} ligne(s) écrite(s) dans {path}")
        return EXIT_OK
    path = Path(args.output) if args.output else alloc.default_path(EXPORTS_DIR, args.format, as_of, args.cohort, year)
    written = alloc.write_allocation(rows, totals, args.format, path, as_of, year)
    print(f"{len(rows)} ligne(s) écrite(s) dans {written}")
    return EXIT_OK


def _cmd_absence(args: argparse.Namespace) -> int:
    from ..services import days

    repo = data_io.open_repository(args.db)
    if args.action == "add":
        start = _date(args.start, "--start")
        end = _date(args.end, "--end") if args.end else start
        absence = days.add_absence(repo, args.placement, start, end, args.reason, days=args.days,
                                   note=args.note, justified=args.justified)
        print(f"absence {absence.id} enregistrée : {absence.days} j du {format_date_fr(absence.start)} au "
              f"{format_date_fr(absence.end)} ({ABSENCE_REASON_LABELS[absence.reason]})")
    elif args.action == "justify":
        absence = days.set_absence_justified(repo, args.absence, not args.no)
        print(f"absence {absence.id} : {'justificatif reçu' if absence.justified else 'justificatif non reçu'}")
    elif args.action == "delete":
        days.delete_absence(repo, args.absence)
        print(f"absence {args.absence} supprimée")
    else:
        print(_render_days(repo, args.student, _as_of(args.as_of)), end="")
    return EXIT_OK


def _render_days(repo, student_id: str, as_of: date) -> str:
    from ..domain.allocation import format_euros
    from ..domain.school_years import school_year_label
    from ..services import days

    info = days.candidate_days(repo.dataset(), student_id, as_of)
    out = ["Jours par année scolaire (R1) : " + (", ".join(
        f"{school_year_label(y)} {n} j" for y, n in info.per_school_year.items()) or "aucune PFMP")]
    out.append(f"Absences (R18) : {info.shortfall.absent_days} j ; rattrapage prévu : {info.shortfall.made_up_days} j")
    for a in info.absences:
        note = f" — {a.note}" if a.note else ""
        proof = "justifiée" if a.justified else "justificatif non reçu"
        out.append(f"  {a.id}  PFMP {a.placement_id}  {format_date_fr(a.start)}–{format_date_fr(a.end)}  "
                   f"{a.days} j  {ABSENCE_REASON_LABELS.get(a.reason, a.reason)}{note}  ({proof})")
    for target, makeups in info.makeups.items():
        for m in makeups:
            out.append(f"  rattrapage de {target} : PFMP {m.id} du {format_date_fr(m.start)} au {format_date_fr(m.end)}")
    if info.shortfall.motif:
        out.append(f"Manque impossible à rattraper avant la date limite ({info.shortfall.missing_days} j manquants, "
                   f"{info.shortfall.days_left} j ouvrés restants).")
        out.append(f"Motif pour durée non effectuée : {info.shortfall.motif}")
    elif info.makeup_weeks:
        out.append("Semaines de vacances possibles pour un rattrapage : " + ", ".join(
            f"{format_date_fr(a)}–{format_date_fr(b)}" for a, b, _ in info.makeup_weeks))
    out.append(f"Mobilité (R15, UE/EEE/AELE hors France) : {info.mobility_days} j"
               + (f" ({len(info.abroad)} PFMP à l'étranger)" if info.abroad else ""))
    if info.not_eligible:
        out.append(f"Allocation PFMP : {info.not_eligible}")
    else:
        out.append("Allocation PFMP (R17) :")
        for line in info.allocation:
            out.append(f"  {line.placement_id}  {line.class_label:<9} {line.payable_days:>3} j  "
                       f"{format_euros(line.amount_cents):>10}  {line.status}"
                       + (f" : {' ; '.join(line.reasons)}" if line.reasons else ""))
    return "\n".join(out) + "\n"


def _cmd_makeup(args: argparse.Namespace) -> int:
    from ..services import days

    placement = days.set_makes_up(data_io.open_repository(args.db), args.placement, None if args.clear else args.target)
    if placement.makes_up:
        print(f"PFMP {placement.id} : rattrapage de {placement.makes_up} (R18)")
    else:
        print(f"PFMP {placement.id} : n'est plus un rattrapage")
    return EXIT_OK


def _cmd_class_year(args: argparse.Namespace) -> int:
    from ..services import days

    value = None if args.class_year == "auto" else args.class_year
    placement = days.set_class_year(data_io.open_repository(args.db), args.placement, value)
    label = CLASS_YEAR_LABELS[placement.class_year] if placement.class_year else "celle de la cohorte"
    print(f"PFMP {placement.id} : classe {label}")
    return EXIT_OK


def _cmd_payment(args: argparse.Namespace) -> int:
    from ..services import days

    rib = _yes_no(args.rib, "--rib")
    authorisation = _yes_no(args.authorisation, "--authorisation")
    if rib is None and authorisation is None:
        raise ValidationFailed(FieldError("--rib", "rien à enregistrer : donnez --rib et/ou --authorisation"))
    payment = days.set_payment(data_io.open_repository(args.db), args.student, bank_details=rib,
                               authorisation=authorisation)
    print(f"élève {args.student} : RIB {'reçu' if payment.bank_details_received else 'non reçu'}, autorisation "
          f"{'reçue' if payment.authorisation_received else 'non reçue'}")
    return EXIT_OK

