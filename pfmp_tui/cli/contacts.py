"""`pfmp organisation show|set …` and `pfmp representative list|add|set|delete …`: the
organisations' contact details and the learners' legal representatives (issue 15), which
otherwise only `load`, the demo or the SIECLE import set.

Records are named as everywhere else (services/lookup.py): an organisation by id, name or
SIRET, a learner by id, INE or « NOM Prénom »; a representative by number (as `list`
shows it) or name. An empty value (``--phone ""``) clears an optional field."""

from __future__ import annotations

import argparse
from datetime import date

ORGANISATION_OPTIONS = {  # field -> (option, help)
    "phone": ("--phone", "téléphone"),
    "email": ("--email", "courriel"),
    "website": ("--website", "site web, ex. www.exemple.fr"),
    "notes": ("--notes", "notes libres (accès, horaires…)"),
    "representative": ("--representative", "qui signe la convention pour l'organisation"),
    "representative_title": ("--representative-title", "sa qualité (gérant, DRH…)"),
}
REPRESENTATIVE_OPTIONS = {
    "last_name": ("--last-name", "nom"),
    "first_name": ("--first-name", "prénom"),
    "relation": ("--relation", "lien avec l'élève (mère, père, tuteur…)"),
    "email": ("--email", "courriel"),
    "phone": ("--phone", "téléphone"),
    "address": ("--address", "adresse postale, en une ligne"),
}
FIELD_LABELS = {
    "phone": "téléphone", "email": "courriel", "website": "site web", "notes": "notes",
    "representative": "représentant", "representative_title": "qualité",
}


def add_parsers(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    p = sub.add_parser("organisation", help="coordonnées d'une organisation d'accueil : voir, modifier")
    act = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p), required=True)
    for action, help_text, options in (("show", "affiche l'organisation et ses coordonnées", {}),
                                       ("set", "modifie des coordonnées (« \"\" » efface)", ORGANISATION_OPTIONS)):
        a = act.add_parser(action, help=help_text)
        a.add_argument("organisation", metavar="ORGANISATION", help="identifiant, nom ou SIRET")
        for option, option_help in options.values():
            a.add_argument(option, metavar="TEXTE", help=option_help)

    p = sub.add_parser("representative", help="représentants légaux d'un élève : lister, ajouter, modifier, supprimer")
    act = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p), required=True)
    a = act.add_parser("missing", help="élèves mineurs (aujourd'hui ou au début d'un stage à venir) sans "
                                       "représentant légal, ou sans adresse pour la convention")
    a.add_argument("--cohort", metavar="ID")
    a.add_argument("--as-of", metavar="DATE", help="date de référence JJ/MM/AAAA ou AAAA-MM-JJ (défaut : aujourd'hui)")
    for action, help_text, which, options in (
        ("list", "les représentants légaux d'un élève, numérotés", False, {}),
        ("add", "ajoute un représentant légal (--last-name et --first-name obligatoires)", False, REPRESENTATIVE_OPTIONS),
        ("set", "modifie un représentant légal (« \"\" » efface un champ facultatif)", True, REPRESENTATIVE_OPTIONS),
        ("delete", "supprime un représentant légal", True, {}),
    ):
        a = act.add_parser(action, help=help_text)
        a.add_argument("student", metavar="ÉLÈVE", help="identifiant, INE ou « NOM Prénom »")
        if which:
            a.add_argument("which", metavar="REPRÉSENTANT", help="son numéro (voir list) ou « Prénom Nom »")
        for option, option_help in options.values():
            a.add_argument(option, metavar="TEXTE", help=option_help)


def _given(args: argparse.Namespace, options: dict) -> tuple[dict, dict]:
    """(field -> value typed) for the options given, and field -> option name for messages."""
    values = {f: getattr(args, f) for f in options if getattr(args, f, None) is not None}
    return values, {f: option for f, (option, _) in options.items()}


def _describe_organisation(org) -> list[str]:  # noqa: ANN001
    where = ", ".join(x for x in (org.address, " ".join(x for x in (org.postcode, org.city) if x)) if x)
    lines = [f"{org.name} [{org.id}]" + (f" — SIRET {org.siret}" if org.siret else "")]
    if where:
        lines.append(f"  adresse : {where}")
    for field, label in FIELD_LABELS.items():
        lines.append(f"  {label} : {getattr(org, field) or '—'}")
    return lines


def cmd_organisation(args: argparse.Namespace) -> int:
    from ..domain.errors import FieldError, ValidationFailed
    from ..services import contacts, data_io, lookup

    repo = data_io.open_repository(args.db)
    org_id = lookup.organisation_id(repo.dataset(), args.organisation.strip(), "ORGANISATION")
    if args.action == "show":
        org = repo.snapshot().get("organisations", org_id)
    else:
        values, labels = _given(args, ORGANISATION_OPTIONS)
        if not values:
            options = ", ".join(option for option, _ in ORGANISATION_OPTIONS.values())
            raise ValidationFailed(FieldError("organisation set", f"rien à modifier : donnez au moins une option ({options})"))
        org = contacts.set_organisation_contacts(repo, org_id, values, labels)
        print("Organisation enregistrée :")
    print("\n".join(_describe_organisation(org)))
    return 0


def _print_representatives(student) -> None:  # noqa: ANN001
    from ..domain.convention import is_minor
    from ..domain.wording import count

    reps = student.legal_representatives
    if student.birth_date is None:
        age = "date de naissance inconnue"
    elif is_minor(student, date.today()):
        age = "mineur aujourd'hui : un représentant légal signe la convention"
    else:
        age = "majeur aujourd'hui : la convention n'attend pas de signature d'un représentant légal"
    print(f"{student.full_name} [{student.id}] ({age}) : {count(len(reps), 'représentant légal', 'représentants légaux')}")
    for i, r in enumerate(reps, 1):
        print(f"  {i}. {r.full_name}" + (f" ({r.relation})" if r.relation else ""))
        details = [x for x in (r.phone, r.email) if x]
        if details:
            print(f"     {' · '.join(details)}")
        if r.address:
            print(f"     {r.address}")


def _print_missing(data, args: argparse.Namespace) -> int:  # noqa: ANN001
    from ..domain.errors import FieldError, ValidationFailed
    from ..domain.validation import format_date_fr
    from ..domain.wording import count
    from ..services.contacts import representatives_to_complete
    from .options import date_option

    if args.cohort is not None and not any(c.id == args.cohort for c in data.cohorts):
        raise ValidationFailed(FieldError("--cohort", f"cohorte inconnue « {args.cohort} »"))
    as_of = date.today() if args.as_of is None else date_option(args.as_of, "--as-of")
    todo = representatives_to_complete(data, as_of, args.cohort)
    print(f"{count(len(todo), 'élève mineur', 'élèves mineurs')} dont la convention attend un représentant "
          f"légal au {format_date_fr(as_of)} :")
    for s, why in todo:
        print(f"  {s.full_name} [{s.id}], {s.cohort_id} : {why}")
    return 0


def cmd_representative(args: argparse.Namespace) -> int:
    from ..domain.errors import FieldError, ValidationFailed
    from ..services import contacts, data_io, lookup

    repo = data_io.open_repository(args.db)
    if args.action == "missing":
        return _print_missing(repo.dataset(), args)
    student_id = lookup.student_id(repo.dataset(), args.student.strip(), "ÉLÈVE")
    if args.action == "list":
        student = repo.snapshot().get("students", student_id)
    elif args.action == "delete":
        student, removed = contacts.delete_representative(repo, student_id, args.which)
        print(f"Représentant légal supprimé : {removed.full_name}.")
    else:
        values, labels = _given(args, REPRESENTATIVE_OPTIONS)
        if args.action == "add":
            student = contacts.add_representative(repo, student_id, values, labels)
            print("Représentant légal ajouté.")
        else:
            if not values:
                options = ", ".join(option for option, _ in REPRESENTATIVE_OPTIONS.values())
                raise ValidationFailed(FieldError("representative set",
                                                  f"rien à modifier : donnez au moins une option ({options})"))
            student = contacts.set_representative(repo, student_id, args.which, values, labels)
            print("Représentant légal modifié.")
    _print_representatives(student)
    return 0


COMMANDS = {"organisation": cmd_organisation, "representative": cmd_representative}
