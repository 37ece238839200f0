"""`pfmp mail test ADDRESS` and `pfmp remind …`: the SMTP settings tried, and the
reminders of the week to tutors (R10, R11, R12)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

from ..domain.errors import FieldError, ValidationFailed


def add_parsers(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    p = sub.add_parser("mail", help="courriel : essai des réglages SMTP")
    act = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p), required=True)
    t = act.add_parser("test", help="envoie un message d'essai")
    t.add_argument("address", metavar="ADRESSE")

    p = sub.add_parser("remind", help="rappels aux tuteurs par courriel : conventions, attestations, évaluations")
    p.add_argument("--what", metavar="QUOI", default="conventions,attestations,assessments",
                   help="conventions, attestations, assessments, séparés par des virgules (défaut : les trois)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="montre exactement ce qui serait envoyé, à qui (défaut)")
    mode.add_argument("--send", action="store_true", help="envoie les messages et les consigne dans chaque stage")
    mode.add_argument("--history", metavar="STAGE", help="les rappels déjà envoyés pour un stage")
    mode.add_argument("--write-template", metavar="FICHIER", help="écrit le modèle de message par défaut, pour l'adapter")
    p.add_argument("--as-of", metavar="DATE", help="date de référence AAAA-MM-JJ (défaut : aujourd'hui)")


def _what(value: str) -> tuple[str, ...]:
    from ..domain.reminders import WHAT

    chosen = tuple(w.strip() for w in value.split(",") if w.strip())
    bad = [w for w in chosen if w not in WHAT]
    if bad or not chosen:
        raise ValidationFailed(FieldError("--what", f"« {', '.join(bad) or value} » : attendu conventions, "
                                                    "attestations ou assessments"))
    return chosen


def cmd_mail(args: argparse.Namespace) -> int:
    from ..domain.validation import parse_email
    from ..services import data_io
    from ..services.mail import new_message, send_all
    from ..services.settings import load_settings

    address = parse_email(args.address, "ADRESSE")
    if address is None:
        raise ValidationFailed(FieldError("ADRESSE", "adresse électronique obligatoire"))
    from ..services import access

    access.require(data_io.open_repository(args.db), "export")  # mail leaves the school
    settings = load_settings(data_io.store_path(args.db))
    config = settings.require_smtp()
    body = ("Ce message d'essai a été envoyé par pfmp pour vérifier les réglages du serveur de courriel "
            f"({config.host}:{config.port}, {config.security}).\nS'il vous parvient, les rappels aux tuteurs "
            "pourront partir.\n")
    outcome = send_all(config, [new_message(config, address, "pfmp — message d'essai", body)])[0]
    if not outcome.ok:
        print(f"pfmp : message d'essai non envoyé à {address} : {outcome.error}", file=sys.stderr)
        return 1
    print(f"Message d'essai envoyé à {address} par {config.host}:{config.port}.")
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    from ..domain.validation import format_date_fr, parse_date
    from ..services import data_io
    from ..services import reminders
    from ..services.files import write_private
    from ..services.settings import load_settings

    if args.write_template:
        from pathlib import Path

        path = write_private(Path(args.write_template), reminders.DEFAULT_TEMPLATE.encode("utf-8"))
        print(f"Modèle de message écrit : {path} (à placer, nommé {reminders.TEMPLATE_NAME}, dans le dossier "
              "« reminders.templates » des réglages)")
        return 0
    db = data_io.store_path(args.db)
    repo = data_io.open_repository(db)
    if args.history:
        entries = reminders.history(repo.dataset(), args.history)
        if not entries:
            print(f"Aucun rappel envoyé pour le stage « {args.history} ».")
        for r, label in entries:
            print(f"{format_date_fr(r.sent_on)} {r.sent_at[11:16]}  {label:<32} → {r.to}")
        return 0
    from ..services import access

    access.require(repo, "remind" if args.send else "papers")  # sending records in the placements: coordination
    what = _what(args.what)
    as_of = date.today() if args.as_of is None else parse_date(args.as_of, "--as-of")
    settings = load_settings(db)
    data = repo.dataset()
    # The PDFs attached are made when sending, not for the dry run (≈ 0.7 s each).
    drafts = reminders.compose(data, settings, reminders.due_for(data, settings, as_of, what), attach=False)
    if not args.send:
        print(reminders.preview(drafts))
        if drafts:
            print("Rien n'a été envoyé (aperçu) : ajoutez --send pour envoyer.")
        return 0
    settings.require_smtp()

    def progress(draft, error) -> None:  # noqa: ANN001
        if error is None:
            print(f"envoyé : {draft.shown_to} ({len(draft.due.items)} document(s))")
        else:
            print(f"ÉCHEC : {draft.shown_to} : {error}", file=sys.stderr)

    report = reminders.send(repo, settings, drafts, now=lambda: datetime.combine(as_of, datetime.now().time()),
                            on_progress=progress, data=data)
    unsendable = [reason for draft, reason in report.failed if draft.problem]
    for reason in unsendable:
        print(f"non envoyable : {reason}", file=sys.stderr)
    failed = len(report.failed) - len(unsendable)
    print(f"{len(report.sent)} message(s) envoyé(s) et consigné(s), {failed} en échec, "
          f"{len(unsendable)} sans destinataire.")
    return 1 if failed else 0


COMMANDS = {"mail": cmd_mail, "remind": cmd_remind}
