"""Reminders to tutors by e-mail (`pfmp remind`, the TUI): what is due
(`domain.reminders`), one French message per tutor from editable templates, the
pre-filled attestation PDF attached, sent through `services.mail`, and recorded per
placement and document (`Placement.reminders`) as soon as each message has left.

Templates are Jinja text files: the first line ``Objet : …`` is the subject, the rest
the body. The defaults are below (`DEFAULT_TEMPLATE`); a school puts its own
``rappel.txt`` in the folder named by ``reminders.templates`` in the settings
(``pfmp remind --write-template FILE`` writes the default one to start from).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from email.message import EmailMessage
from email.header import decode_header, make_header
from email.utils import formataddr, parseaddr
from pathlib import Path

from ..domain import reminders as rules
from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import CONVENTION_LABELS, REMINDER_DOCUMENT_LABELS, Dataset, Reminder
from ..domain.text import slug
from ..domain.validation import format_date_fr
from ..store.repository import ConflictError, Repository
from .mail import Outcome, new_message, send_all
from .settings import Settings

TEMPLATE_NAME = "rappel.txt"

DEFAULT_TEMPLATE = """\
Objet : {{ etablissement.nom or "Lycée" }} — PFMP : {{ objet }}
Bonjour {{ tuteur.nom_complet }},

Vous accueillez ou avez accueilli {{ "un élève" if nombre_eleves == 1 else "des élèves" }} \
{% if etablissement.nom %}du {{ etablissement.nom }} {% endif %}en période de formation \
en milieu professionnel (PFMP). Merci de votre accueil ; nous nous permettons de vous \
rappeler ce qui reste à faire.
{% if conventions %}

Convention de stage à signer avant le début de la PFMP :
{% for i in conventions %}
  - {{ i.eleve }} ({{ i.classe }}), du {{ i.debut }} au {{ i.fin }} — convention : {{ i.statut }}
{% endfor %}
{% endif %}
{% if attestations %}

Attestation de PFMP à remplir et signer (le modèle pré-rempli est joint) :
{% for i in attestations %}
  - {{ i.eleve }} ({{ i.classe }}), PFMP du {{ i.debut }} au {{ i.fin }}
{% endfor %}
{% endif %}
{% if evaluations %}

Évaluation des compétences à compléter (document de liaison) :
{% for i in evaluations %}
  - {{ i.eleve }} ({{ i.classe }}), PFMP du {{ i.debut }} au {{ i.fin }}
{% endfor %}
{% endif %}

Ces documents sont indispensables au dossier de l'élève pour l'examen du baccalauréat \
professionnel. Pour toute question, répondez simplement à ce message\
{% if referents %} ou écrivez à {{ referents | join(", ") }}{% endif %}.

Avec nos remerciements,
{{ etablissement.chef or "L'équipe pédagogique" }}
{{ etablissement.nom }}
"""


@dataclass(frozen=True, slots=True)
class Draft:
    """One message to one tutor, ready to preview or send."""

    due: rules.TutorDue
    to: str | None  # None: no address (reported, not sent)
    subject: str
    body: str
    attachments: tuple[tuple[str, bytes], ...]
    # Attachments named but not made yet (file name, placement id): a preview does not pay for
    # the PDFs (about 0.7 s each, font loading in fpdf2); `send` makes them just before sending.
    pending: tuple[tuple[str, str], ...] = ()
    described: tuple[str, ...] = ()  # each item as a person reads it (learner, dates, host)

    @property
    def problem(self) -> str | None:
        if self.due.tutor is None:
            return "stage(s) sans tuteur : personne à qui écrire"
        if self.to is None:
            return f"le tuteur {self.due.tutor.full_name} n'a pas d'adresse électronique"
        return None

    @property
    def shown_to(self) -> str:
        """The recipient as a person reads it (`to` is RFC 2047-encoded for the wire)."""
        if self.to is None:
            return "—"
        name, address = parseaddr(self.to)
        name = str(make_header(decode_header(name))) if name else ""
        return f"{name} <{address}>" if name else address


def load_template(settings: Settings) -> tuple[str, str]:
    folder = settings.reminders.templates
    if folder is not None:
        path = Path(folder) / TEMPLATE_NAME
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationFailed(FieldError(str(path), f"modèle de message illisible : {exc}")) from None
    return DEFAULT_TEMPLATE, "modèle par défaut"


def _render(text: str, source: str, values: dict) -> tuple[str, str]:
    from jinja2 import Environment, StrictUndefined, TemplateError

    env = Environment(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    try:
        out = env.from_string(text).render(**values)
    except TemplateError as exc:
        raise ValidationFailed(FieldError(source, f"modèle de message invalide : {exc}")) from None
    first, _, body = out.partition("\n")
    if not first.lower().startswith("objet"):
        raise ValidationFailed(FieldError(source, "la première ligne du modèle doit être « Objet : … »"))
    return first.split(":", 1)[1].strip() if ":" in first else first[5:].strip(), body.lstrip("\n")


def compose(data: Dataset, settings: Settings, due: list[rules.TutorDue], *, attach: bool = True) -> list[Draft]:
    """One draft per tutor; `attach=False` names the attachments without making them (`pending`)."""
    text, source = load_template(settings)
    students = {s.id: s for s in data.students}
    cohorts = {c.id: c for c in data.cohorts}
    orgs = {o.id: o for o in data.organisations}
    school = settings.school
    drafts = []
    for entry in due:
        lists: dict[str, list[dict]] = {"convention": [], "attestation": [], "assessment": []}
        described: list[str] = []
        for item in entry.items:
            p = item.placement
            s = students[p.student_id]
            lists[item.document].append({
                "eleve": f"{s.first_name} {s.last_name.upper()}",
                "classe": cohorts[s.cohort_id].label if s.cohort_id in cohorts else s.cohort_id,
                "debut": format_date_fr(p.start), "fin": format_date_fr(p.end),
                "statut": CONVENTION_LABELS.get(p.convention.status, p.convention.status),
                "organisme": orgs[p.organisation_id].name if p.organisation_id in orgs else "",
            })
            row = lists[item.document][-1]
            described.append(f"{row['eleve']} ({row['classe']}), PFMP du {row['debut']} au {row['fin']}"
                             + (f" chez {row['organisme']}" if row["organisme"] else "")
                             + f" : {REMINDER_DOCUMENT_LABELS[item.document]}")
        kinds = [REMINDER_DOCUMENT_LABELS[d].split(" (")[0] for d in ("convention", "attestation", "assessment") if lists[d]]
        teachers = []
        for item in entry.items:
            t = settings.teacher(item.placement.teacher)
            if t is not None and t.email and t.email not in teachers:
                teachers.append(t.email)
        t = entry.tutor
        values = {
            "tuteur": {"nom": t.last_name if t else "", "prenom": t.first_name if t else "",
                       "nom_complet": t.full_name if t else ""},
            "etablissement": {"nom": school.name, "chef": school.head, "telephone": school.phone,
                              "courriel": school.email},
            "conventions": lists["convention"], "attestations": lists["attestation"],
            "evaluations": lists["assessment"],
            "nombre_eleves": len({i.placement.student_id for i in entry.items}),
            "objet": ", ".join(kinds), "referents": teachers,
        }
        subject, body = _render(text, source, values)
        pending: list[tuple[str, str]] = []
        if t is not None:
            for item in entry.items:
                if item.document == "attestation":
                    s = students[item.placement.student_id]
                    name = f"attestation_{slug(f'{s.last_name.upper()} {s.first_name}', lower=False, max_len=40)}.pdf"
                    pending.append((name, item.placement.id))
        to = formataddr((t.full_name, t.email)) if t is not None and t.email else None
        draft = Draft(entry, to, subject, body, (), tuple(pending), tuple(described))
        drafts.append(with_attachments(data, settings, draft) if attach else draft)
    return drafts


def with_attachments(data: Dataset, settings: Settings, draft: Draft) -> Draft:
    """`draft` with its pending attachments made (the pre-filled attestation PDFs)."""
    from .papers import attestation_pdf

    if not draft.pending:
        return draft
    made = list(draft.attachments)
    with tempfile.TemporaryDirectory(prefix="pfmp-") as tmp:
        for name, placement_id in draft.pending:
            path = attestation_pdf(data, placement_id, settings.school.name, Path(tmp) / name)
            made.append((name, path.read_bytes()))
    return replace(draft, attachments=tuple(made), pending=())


def preview_block(d: Draft) -> str:
    """What one message would be, as the dry run shows it (the TUI shows the same block)."""
    if d.problem:
        lines = [f"NON ENVOYABLE : {d.problem}"]
        lines += ([f"  - {text}" for text in d.described] if d.described else
                  [f"  - {i.placement.id} ({REMINDER_DOCUMENT_LABELS[i.document]})" for i in d.due.items])
        return "\n".join(lines)
    head = [f"À : {d.shown_to}", f"Objet : {d.subject}"]
    head += [f"Pièce jointe : {name} ({len(blob) // 1024 + 1} Ko)" for name, blob in d.attachments]
    head += [f"Pièce jointe : {name} (PDF pré-rempli, fait à l'envoi)" for name, _ in d.pending]
    return "\n".join(head) + "\n\n" + d.body.rstrip()


def preview(drafts: list[Draft]) -> str:
    """Exactly what would be sent to whom (the dry run)."""
    if not drafts:
        return "Aucun rappel à envoyer."
    blocks = [preview_block(d) for d in drafts]
    sendable = sum(1 for d in drafts if not d.problem)
    return ("\n\n" + "─" * 60 + "\n\n").join(blocks) + f"\n\n{sendable} message(s) à envoyer, {len(drafts) - sendable} impossible(s)."


def to_email(settings: Settings, draft: Draft) -> EmailMessage:
    msg = new_message(settings.require_smtp(), draft.to or "", draft.subject, draft.body)
    for name, blob in draft.attachments:
        msg.add_attachment(blob, maintype="application", subtype="pdf", filename=name)
    return msg


@dataclass(frozen=True, slots=True)
class SendReport:
    sent: tuple[Draft, ...]
    failed: tuple[tuple[Draft, str], ...]


def record(repo: Repository, draft: Draft, when: datetime) -> None:
    """Write, per placement and document, that `draft` went to its tutor at `when`."""
    address = draft.due.tutor.email if draft.due.tutor else draft.to or ""
    by_placement: dict[str, list[str]] = {}
    for item in draft.due.items:
        by_placement.setdefault(item.placement.id, []).append(item.document)
    stamp = when.replace(microsecond=0).isoformat()
    for attempt in range(5):
        snap = repo.snapshot()
        changed = Dataset()
        revs = {}
        for pid, documents in by_placement.items():
            p = snap.get("placements", pid)
            if p is None:  # deleted meanwhile: nothing to attach the history to
                continue
            new = tuple(Reminder(stamp, doc, address, draft.due.tutor.id if draft.due.tutor else None) for doc in documents)
            changed.placements.append(replace(p, reminders=p.reminders + new))
            revs[("placements", pid)] = snap.rev("placements", pid)
        if not changed.placements:
            return
        try:
            repo.upsert_all(changed, revs)
            return
        except ConflictError:
            if attempt == 4:
                raise


def send(repo: Repository, settings: Settings, drafts: list[Draft], now: Callable[[], datetime] = datetime.now,
         on_progress: Callable[[Draft, str | None], None] | None = None, *, data: Dataset | None = None,
         on_prepare: Callable[[int, int], None] | None = None) -> SendReport:
    """Send the sendable drafts; each one that left is recorded at once.

    Pending attachments are made first, from `data` (else the store read now);
    `on_prepare(done, total)` follows that. `on_progress` and the report name the drafts
    given (not the copies with their attachments made)."""
    config = settings.require_smtp()
    sendable = [d for d in drafts if not d.problem]
    total = sum(1 for d in sendable if d.pending)
    if total and data is None:
        data = repo.dataset()
    by_msg = {}
    messages = []
    for d in sendable:
        made = d
        if d.pending:
            made = with_attachments(data, settings, d)
            if on_prepare is not None:
                on_prepare(sum(1 for m in by_msg.values() if m.pending) + 1, total)
        m = to_email(settings, made)
        by_msg[id(m)] = d
        messages.append(m)
    sent: list[Draft] = []
    failed: list[tuple[Draft, str]] = [(d, d.problem) for d in drafts if d.problem]

    def on_sent(outcome: Outcome) -> None:
        d = by_msg[id(outcome.message)]
        if outcome.ok:
            record(repo, d, now())
            sent.append(d)
        else:
            failed.append((d, outcome.error or ""))
        if on_progress is not None:
            on_progress(d, outcome.error)

    send_all(config, messages, on_sent)
    return SendReport(tuple(sent), tuple(failed))


def delays(settings: Settings) -> rules.Delays:
    r = settings.reminders
    return rules.Delays(r.convention_days_before, r.attestation_days_after, r.assessment_days_after)


def history(data: Dataset, placement_id: str) -> list[tuple[Reminder, str]]:
    """The reminders of one placement, latest first, with the document's French label."""
    p = next((p for p in data.placements if p.id == placement_id), None)
    if p is None:
        raise ValidationFailed(FieldError("STAGE", f"stage « {placement_id} » introuvable"))
    return [(r, REMINDER_DOCUMENT_LABELS[r.document]) for r in sorted(p.reminders, key=lambda r: r.sent_at, reverse=True)]


def due_for(data: Dataset, settings: Settings, as_of: date, what: tuple[str, ...]) -> list[rules.TutorDue]:
    return rules.due(data, as_of, what, delays(settings))


# -- what the TUI adds around the same use case ---------------------------------------------------
SMTP_EXAMPLE = """\
[smtp]
host = "smtp.lycee.example"      # le serveur de courriel de l'établissement
port = 587
security = "starttls"            # starttls, ssl ou none
login = "pfmp@lycee.example"     # sans identifiant : pas d'authentification
password_env = "PFMP_SMTP_PASSWORD"   # ou password_file = "/chemin/mot-de-passe" (jamais le mot de passe lui-même)
sender = "PFMP Lycée <pfmp@lycee.example>"
reply_to = "ddfpt@lycee.example"
"""


def smtp_missing(settings: Settings) -> str | None:
    """None when a server is configured; else what to put in which file, in French."""
    if settings.smtp is not None:
        return None
    where = settings.path or "pfmp.toml (à côté du magasin)"
    return (f"Aucun serveur de courriel configuré : ajoutez une section [smtp] au fichier {where}, par exemple :\n\n"
            f"{SMTP_EXAMPLE}\nPuis « pfmp mail test VOTRE-ADRESSE » pour l'essayer. Le mot de passe est lu dans "
            "le fichier ou la variable d'environnement nommés, jamais dans le magasin.")


def require_sender(repo: Repository) -> None:
    """Sending records each reminder in its placements: coordination only (domain/roles.py)."""
    from . import access

    access.require(repo, "remind")


ALREADY_SENT = "déjà envoyé aujourd'hui (par une autre session ?) : rien n'est renvoyé"
CHANGED = "ce qui est dû a changé depuis l'aperçu : recalculez l'aperçu (^r) avant d'envoyer"


def still_due(data: Dataset, settings: Settings, as_of: date, what: tuple[str, ...],
              drafts: list[Draft]) -> tuple[list[Draft], list[tuple[Draft, str]]]:
    """The previewed drafts that are still due exactly as previewed (read again just before
    sending, so that a reminder another session sent meanwhile is never sent twice the same
    day), and the others with the reason they are not sent."""
    fresh: dict[str | None, set[tuple[str, str]]] = {}
    for entry in due_for(data, settings, as_of, what):
        fresh[entry.tutor.id if entry.tutor else None] = {(i.placement.id, i.document) for i in entry.items}
    keep: list[Draft] = []
    skipped: list[tuple[Draft, str]] = []
    for d in drafts:
        items = {(i.placement.id, i.document) for i in d.due.items}
        now = fresh.get(d.due.tutor.id if d.due.tutor else None, set())
        if items == now:
            keep.append(d)
        elif not items & now:
            skipped.append((d, ALREADY_SENT))
        else:
            skipped.append((d, CHANGED))
    return keep, skipped
