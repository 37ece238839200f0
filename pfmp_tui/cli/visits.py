"""`pfmp visit …`, `pfmp visits` and `pfmp calendar`: teachers' visits (visite de stage)
and the iCalendar file teachers import."""

from __future__ import annotations

import argparse
import textwrap
from datetime import date
from pathlib import Path

EXPORTS_DIR = Path("exports")  # as `pfmp export` and `pfmp paper`
KINDS_HELP = "sur_place, telephone ou visio (défaut : sur_place)"


def add_parsers(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    p = sub.add_parser("visit", help="visites de stage : planifier, noter comme faite, supprimer")
    act = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p), required=True)
    a = act.add_parser("add", help="planifie une visite (ou note une visite déjà faite avec --done)")
    a.add_argument("placement", metavar="STAGE")
    a.add_argument("--on", metavar="DATE", help="date prévue AAAA-MM-JJ")
    a.add_argument("--teacher", metavar="IDENTIFIANT", help="qui visite (défaut : le référent du stage)")
    a.add_argument("--kind", metavar="MODE", help=KINDS_HELP)
    a.add_argument("--done", metavar="DATE", help="déjà faite, à cette date")
    a.add_argument("--report", metavar="TEXTE", help="compte rendu court")
    d = act.add_parser("done", help="note une visite comme faite")
    d.add_argument("placement", metavar="STAGE")
    d.add_argument("visit", metavar="VISITE", help="identifiant de la visite (v1, v2…)")
    d.add_argument("--on", metavar="DATE", help="date de la visite (défaut : aujourd'hui)")
    d.add_argument("--kind", metavar="MODE", help=KINDS_HELP)
    d.add_argument("--report", metavar="TEXTE", help="compte rendu court")
    r = act.add_parser("delete", help="supprime une visite")
    r.add_argument("placement", metavar="STAGE")
    r.add_argument("visit", metavar="VISITE")

    p = sub.add_parser("visits", help="visites à planifier et à faire (un enseignant), "
                                      "ou stages sans visite à mi-parcours (coordination)")
    p.add_argument("--teacher", metavar="IDENTIFIANT", help="un enseignant (défaut : la vue coordination)")
    p.add_argument("--cohort", metavar="COHORTE")
    p.add_argument("--all", action="store_true", help="coordination : aussi les stages terminés")
    p.add_argument("--as-of", metavar="DATE", help="date de référence AAAA-MM-JJ (défaut : aujourd'hui)")

    p = sub.add_parser("calendar", help="fichier iCalendar (.ics) : périodes, stages et visites prévues")
    p.add_argument("--teacher", metavar="IDENTIFIANT", help="les élèves et visites d'un enseignant (défaut : tout)")
    p.add_argument("-o", "--output", metavar="FICHIER.ics", help="fichier (défaut : sous exports/)")


def _date(value: str | None, option: str) -> date | None:
    from ..domain.validation import parse_date

    return None if value is None else parse_date(value, option)


def cmd_visit(args: argparse.Namespace) -> int:
    from ..domain.errors import FieldError, ValidationFailed
    from ..services import data_io, visits

    repo = data_io.open_repository(args.db)
    if args.action == "add":
        planned, done = _date(args.on, "--on"), _date(args.done, "--done")
        if planned is None and done is None:
            raise ValidationFailed(FieldError("--on", "date prévue (--on) ou date de réalisation (--done) obligatoire"))
        v = visits.plan_visit(repo, args.placement, planned, teacher=args.teacher, kind=args.kind, done_on=done,
                              report=args.report)
        print(f"Visite enregistrée pour le stage {args.placement} : {visits.describe(v)}")
    elif args.action == "done":
        v = visits.visit_done(repo, args.placement, args.visit, _date(args.on, "--on") or date.today(),
                              report=args.report, kind=args.kind)
        print(f"Visite notée : {visits.describe(v)}")
    else:
        visits.remove_visit(repo, args.placement, args.visit)
        print(f"Visite {args.visit} du stage {args.placement} supprimée.")
    return 0


def _who(data, p) -> str:  # noqa: ANN001
    s = next(s for s in data.students if s.id == p.student_id)
    org = next(o for o in data.organisations if o.id == p.organisation_id)
    return f"{s.last_name.upper()} {s.first_name} — {org.name}"


def print_teacher_visits(data, login: str, as_of: date) -> int:  # noqa: ANN001
    """« Mes élèves »: the visits to plan and to do (also under `pfmp todo`); returns how many."""
    from ..domain.validation import format_date_fr
    from ..domain.visits import teacher_visits

    todo = teacher_visits(data, login, as_of)
    if todo:
        print(f"Visites de stage : {sum(1 for t in todo if t.visit is None)} à planifier, "
              f"{sum(1 for t in todo if t.visit is not None)} à faire.")
    for t in todo:
        p = t.placement
        when = f"le {format_date_fr(t.visit.planned_on)}" if t.visit and t.visit.planned_on else \
            f"stage du {format_date_fr(p.start)} au {format_date_fr(p.end)}"
        ident = f" ({t.visit.id})" if t.visit else ""
        print(textwrap.fill(f"- {t.what}{ident} : {_who(data, p)}, {when} [{p.id}]", 80, subsequent_indent="    "))
    return len(todo)


def cmd_visits(args: argparse.Namespace) -> int:
    from ..domain.validation import format_date_fr
    from ..domain.visits import midpoint, no_visit_by_mid_period
    from ..services import data_io

    data = data_io.open_repository(args.db).dataset()
    as_of = _date(args.as_of, "--as-of") or date.today()
    if args.teacher:
        if not print_teacher_visits(data, args.teacher, as_of):
            print(f"Aucune visite à planifier ni à faire pour « {args.teacher} ».")
        return 0
    late = no_visit_by_mid_period(data, as_of, args.cohort, include_ended=args.all)
    what = "stage(s)" if args.all else "stage(s) en cours"
    print(f"{len(late)} {what} sans visite à mi-parcours au {format_date_fr(as_of)} :")
    for p in late:
        print(textwrap.fill(f"- {_who(data, p)}, mi-parcours le {format_date_fr(midpoint(p))}, "
                            f"référent {p.teacher or '—'} [{p.id}]", 80, subsequent_indent="    "))
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from ..services import data_io
    from ..services.ics import calendar_path, write_calendar

    from ..services import access

    repo = data_io.open_repository(args.db)
    access.require(repo, "papers")  # personal data leave the store: not the role « lecture »
    data = repo.dataset()
    if args.output:
        out = Path(args.output)
    else:
        out = calendar_path(EXPORTS_DIR, args.teacher)
    path = write_calendar(data, out, args.teacher)
    print(f"Calendrier écrit : {path}")
    return 0


COMMANDS = {"visit": cmd_visit, "visits": cmd_visits, "calendar": cmd_calendar}
