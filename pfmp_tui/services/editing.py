"""Editing use cases behind the TUI's forms: form values in, validated records saved.

A form is data (`FORMS`): its fields, their French labels and their type. What a
person types stays a string until here: dates come as JJ/MM/AAAA (or AAAA-MM-JJ),
numbers as text. `build` turns the values into the record's interchange form and
validates it with `interchange.parse_record`, the parser `pfmp load` uses, so a
form and a load say the same thing about the same value. Errors come back keyed
by the form's field (``start``, ``attestation.days_completed``), ready to show
under that field.

`save` then creates or updates through the Repository: an update names the
revision the form was opened on, and if someone saved the record since, it raises
`Conflict` carrying both versions. Nothing is ever overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from ..domain import validation as v
from ..domain.competences import COMPETENCES
from ..domain.convention import minor_hours_errors
from ..domain.errors import ValidationFailed
from ..domain.interchange import SPECS, parse_record, record_to_dict
from ..domain.model import CONVENTION_LABELS, VOIE_LABELS, Placement
from ..domain.text import slug
from ..domain.workdays import working_days
from ..store.repository import KIND_LABELS, ConflictError, Repository, describe_removed
from .planning import new_id as random_id

EMPTY = "champ obligatoire vide"  # the domain's message for an empty required text (validation.require_str)
GENERAL = ""  # errors that belong to no field (shown at the top of the form)


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a form. `key` is the record's interchange path (``convention.status``)."""

    key: str
    label: str
    type: str = "text"  # text | long_text | date | int | hours | bool | choice | ref | codes
    required: bool = False
    choices: tuple[tuple[str, Any], ...] = ()  # (label, value) for "choice"
    ref: str | None = None  # the kind a "ref" field points to (its choices come from the store)
    placeholder: str = ""


@dataclass(frozen=True, slots=True)
class Form:
    name: str
    kind: str  # the record kind saved
    title_new: str
    title_edit: str
    fields: tuple[Field, ...]

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


_DATE = "JJ/MM/AAAA"

FORMS: dict[str, Form] = {
    f.name: f
    for f in (
        Form("cohorts", "cohorts", "Nouvelle cohorte", "Modifier la cohorte", (
            Field("label", "Libellé", required=True, placeholder="Tle AGOrA 2027"),
            Field("exam_session", "Session d'examen", "int", True, placeholder="2027"),
            Field("dossier_deadline", "Date limite du dossier (envoi au jury)", "date", True, placeholder=_DATE),
            Field("holiday_zone", "Zone de vacances", "choice", choices=(("A", "A"), ("B", "B"), ("C", "C"))),
        )),
        Form("students", "students", "Nouvel élève", "Modifier l'élève", (
            Field("last_name", "Nom", required=True),
            Field("first_name", "Prénom", required=True),
            Field("ine", "INE", placeholder="1234567890A"),
            Field("birth_date", "Date de naissance", "date", placeholder=_DATE),
            Field("email", "Courriel"),
            Field("cohort_id", "Cohorte", "ref", True, ref="cohorts"),
            Field("voie", "Voie", "choice", True, choices=tuple((label, key) for key, label in VOIE_LABELS.items())),
            Field("cycle_years", "Cycle (voie scolaire)", "choice", choices=(("3 ans (R1)", 3), ("2 ans (R2)", 2))),
            Field("positioned", "Positionné par décision du recteur (R3, R4)", "bool"),
        )),
        Form("derogation", "students", "Dérogation", "Dérogation", (
            Field("derogation.required_days", "Durée exigée par la dérogation (jours ouvrés, 5 j = 1 sem.)", "int",
                  placeholder="80"),
            Field("derogation.reason", "Motif et décision (obligatoire)", "long_text"),
        )),
        Form("organisations", "organisations", "Nouvelle organisation", "Modifier l'organisation", (
            Field("name", "Nom", required=True),
            Field("siret", "SIRET", placeholder="14 chiffres"),
            Field("address", "Adresse"),
            Field("postcode", "Code postal"),
            Field("city", "Ville"),
            Field("country", "Pays (code ISO)", required=True, placeholder="FR"),
        )),
        Form("tutors", "tutors", "Nouveau tuteur", "Modifier le tuteur", (
            Field("organisation_id", "Organisation", "ref", True, ref="organisations"),
            Field("last_name", "Nom", required=True),
            Field("first_name", "Prénom", required=True),
            Field("job_title", "Fonction"),
            Field("email", "Courriel"),
            Field("phone", "Téléphone"),
        )),
        Form("placements", "placements", "Nouveau stage (PFMP)", "Modifier le stage (PFMP)", (
            Field("organisation_id", "Organisation d'accueil", "ref", True, ref="organisations"),
            Field("tutor_id", "Tuteur", "ref", ref="tutors"),
            Field("teacher", "Professeur référent", placeholder="identifiant, ex. mdurand"),
            Field("start", "Début", "date", True, placeholder=_DATE),
            Field("end", "Fin", "date", True, placeholder=_DATE),
            Field("period_id", "Période", "ref", ref="periods"),
            Field("convention.status", "Convention (R10)", "choice", True,
                  choices=tuple((label, key) for key, label in CONVENTION_LABELS.items())),
            Field("convention.signed_on", "Convention signée le", "date", placeholder=_DATE),
        )),
        Form("attestation", "placements", "Attestation de PFMP (R11)",
             "Attestation de PFMP (R11) · tout vider pour la retirer", (
            Field("attestation.received_on", "Reçue le", "date", True, placeholder=_DATE),
            Field("attestation.signed_by_tutor", "Signée par le tuteur", "bool"),
            Field("attestation.days_completed", "Jours effectués (5 j = 1 sem.)", "int", True),
            Field("attestation.activities", "Activités réalisées", "long_text"),
        )),
        Form("work_certificates", "work_certificates", "Nouveau certificat de travail", "Modifier le certificat de travail", (
            Field("employer", "Employeur", required=True),
            Field("start", "Début", "date", True, placeholder=_DATE),
            Field("end", "Fin", "date", True, placeholder=_DATE),
            Field("full_time", "À temps plein", "bool"),
        )),
        Form("contracts", "contracts", "Nouveau contrat d'apprentissage", "Modifier le contrat d'apprentissage", (
            Field("employer", "Employeur", required=True),
            Field("start", "Début", "date", True, placeholder=_DATE),
            Field("end", "Fin", "date", True, placeholder=_DATE),
        )),
        # What the convention fixes for one placement (issue 15): hours (a minor's are refused
        # beyond 8 h a day, 35 h a week, or with night work: the store checks it, as `pfmp terms`),
        # the annexe pédagogique (competences among the 37), gratification, travel, meals, insurance.
        Form("terms", "placements", "Conditions de la convention", "Conditions de la convention (annexe pédagogique)", (
            Field("terms.daily_hours", "Heures par jour", "hours", placeholder="7 (mineur : 8 au plus)"),
            Field("terms.weekly_hours", "Heures par semaine", "hours", placeholder="35 (mineur : 35 au plus)"),
            Field("terms.schedule", "Horaires", placeholder="lundi–vendredi 9 h–12 h, 13 h 30–17 h"),
            Field("terms.night_work", "Travail de nuit (22h–6h)", "bool"),
            Field("terms.competences", "Compétences visées", "codes",
                  choices=tuple((f"{c.code} {c.label}", c.code) for c in COMPETENCES)),
            Field("terms.activities", "Activités prévues", "long_text"),
            Field("terms.gratification", "Gratification"),
            Field("terms.travel", "Transport (frais)"),
            Field("terms.meals", "Restauration, hébergement"),
            Field("terms.insurance", "Assurance (accueil)"),
        )),
    )
}

# Defaults of a new record's keys that are not null (the others are).
_NEW_DEFAULTS: dict[str, dict[str, Any]] = {
    "students": {"voie": "scolaire", "cycle_years": 3, "positioned": False},
    "organisations": {"country": "FR"},
    "placements": {"convention": {"status": "none", "signed_on": None}},
    "work_certificates": {"full_time": True},
}

_ID_PREFIX = {
    "students": "el",
    "organisations": "org",
    "tutors": "tu",
    "placements": "pfmp",
    "work_certificates": "cert",
    "contracts": "contrat",
}


class FormErrors(Exception):
    """Bad form values: field key -> French messages. Nothing was saved."""

    def __init__(self, errors: Mapping[str, list[str]]):
        self.errors = {k: list(msgs) for k, msgs in errors.items()}
        super().__init__("; ".join(f"{k}: {m}" if k else m for k, ms in self.errors.items() for m in ms))


class Conflict(Exception):
    """Someone saved (or deleted) the record since the form was opened: nothing was saved.

    `yours` is the record the form would have saved, `theirs` the stored one (None if deleted).
    """

    def __init__(self, form: str, yours: Any, theirs: Any | None, theirs_rev: int | None, message: str):
        self.form = form
        self.yours = yours
        self.theirs = theirs
        self.theirs_rev = theirs_rev
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Saved:
    kind: str
    record: Any
    rev: int
    created: bool


@dataclass(slots=True)
class _Raw:
    """The record being built, in its interchange (JSON) form, and the errors found so far."""

    data: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def put(self, key: str, value: Any) -> None:
        target = self.data
        *parents, last = key.split(".")
        for p in parents:
            if not isinstance(target.get(p), dict):
                target[p] = {}
            target = target[p]
        target[last] = value


def _get(record_dict: Mapping[str, Any], key: str) -> Any:
    value: Any = record_dict
    for part in key.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


# -- ids -------------------------------------------------------------------------------------
def new_id(kind: str, label: str = "", taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A fresh id: a readable slug for cohorts (used by `pfmp check --cohort`), random otherwise."""
    if kind == "cohorts":
        base = slug(label, max_len=40, fallback="cohorte")
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate
    return random_id(_ID_PREFIX.get(kind, kind))


# -- record <-> form values ------------------------------------------------------------------
def initial_values(form: str, record: Any | None = None, **defaults: Any) -> dict[str, Any]:
    """What the form shows: strings for inputs (dates JJ/MM/AAAA), bools, choice values.

    `defaults` (keyed by field key, dots as ``__``) fill the fields the record leaves empty.
    """
    spec = FORMS[form]
    raw = record_to_dict(spec.kind, record) if record is not None else {}
    given = {k.replace("__", "."): val for k, val in defaults.items()}
    out: dict[str, Any] = {}
    for f in spec.fields:
        value = _get(raw, f.key)
        if value is None:
            value = given.get(f.key, _get(_NEW_DEFAULTS.get(spec.kind, {}), f.key) if record is None else None)
        out[f.key] = _display(f, value)
    return out


def _display(f: Field, value: Any) -> Any:
    if f.type == "bool":
        return bool(value)
    if f.type == "codes":  # a tuple of codes among f.choices (the competences targeted)
        return tuple(value or ())
    if f.type == "hours" and value is not None:
        return f"{value:g}".replace(".", ",")  # 7,5 as a person writes it
    if f.type in ("choice", "ref"):
        return value
    if value is None:
        return ""
    if f.type == "date":
        return v.format_date_fr(value if isinstance(value, date) else date.fromisoformat(value))
    return str(value)


def attestation_defaults(placement: Placement, today: date) -> dict[str, Any]:
    """Pre-filled attestation for a placement that has none: received today, all its working days,
    signed by the tutor (R11): what coordinators receive far more often than not. The form says
    so (`ATTESTATION_PREFILLED`) and shows the box « ☑ oui », so an unsigned one is a visible untick,
    not a silent default."""
    return initial_values(
        "attestation",
        None,
        attestation__received_on=today,
        attestation__days_completed=working_days(placement.start, placement.end),
        attestation__signed_by_tutor=True,
    )


ATTESTATION_PREFILLED = "Pré-rempli : reçue aujourd'hui, signée, tous les jours ouvrés. Vérifiez sur le papier."


def readable(form: str, record: Any | None, names: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(label, value as a person reads it) for each field of `form` (for the conflict dialog).

    `names` turns the ids of "ref" fields into names.
    """
    spec = FORMS[form]
    if record is None:
        return [(f.label, "—") for f in spec.fields]
    values = initial_values(form, record)
    out = []
    for f in spec.fields:
        value = values[f.key]
        if f.type == "bool":
            text = "oui" if value else "non"
        elif f.type == "choice":
            text = next((label for label, key in f.choices if key == value), "—" if value is None else str(value))
        elif f.type == "ref":
            text = "—" if value is None else (names or {}).get(value, str(value))
        elif f.type == "codes":
            text = ", ".join(value) or "—"
        else:
            text = value or "—"
        out.append((f.label, text))
    return out


# -- form values -> record ------------------------------------------------------------------
def _all_blank(values: Mapping[str, Any], fields, skip: set[str] = frozenset()) -> bool:
    return all(
        values.get(f.key) is None or str(values.get(f.key)).strip() == ""
        for f in fields
        if f.type not in skip
    )


def _convert(f: Field, value: Any, raw: _Raw) -> Any:
    """A form value → its interchange value; conversion errors go to `raw.errors`."""
    if f.type == "bool":
        return bool(value)
    if f.type == "codes":
        return list(value or ())
    if f.type in ("choice", "ref"):
        if value is None or value == "":
            if f.required:
                raw.fail(f.key, EMPTY)
            return None
        return value
    text = "" if value is None else str(value).strip()
    if f.type == "date":
        if not text:
            if f.required:
                raw.fail(f.key, EMPTY)
            return None
        try:
            return v.parse_french_date(text, f.key).isoformat()
        except ValidationFailed as exc:
            for e in exc.errors:
                raw.fail(f.key, e.message)
            return None
    if f.type == "int":
        if not text:
            if f.required:
                raw.fail(f.key, EMPTY)
            return None
        # Not a number: hand the text over, the domain says « nombre entier attendu, reçu … ».
        return int(text) if re.fullmatch(r"[+-]?\d{1,9}", text) else text
    if f.type == "hours":
        if not text:
            return None
        number = text.replace(",", ".").removesuffix("h").strip()
        # Not a number: hand the text over, the domain says « nombre d'heures invalide … ».
        return float(number) if re.fullmatch(r"\d{1,3}(\.\d{1,2})?", number) else text
    if f.key == "country":
        return text.upper()
    return text  # an empty optional text: the domain's parsers read "" as null


def build(
    form: str,
    values: Mapping[str, Any],
    *,
    base: Any | None = None,
    context: Mapping[str, Any] | None = None,
    taken_ids: set[str] | frozenset[str] = frozenset(),
) -> Any:
    """The record the form describes (a new one if `base` is None); raises FormErrors.

    `context` gives keys the form does not show (a new placement's ``student_id``).
    Keys of `base` that the form does not show are kept as they are.
    """
    spec = FORMS[form]
    kind = spec.kind
    # The terms form (issue 15) is given the learner, to refuse a minor's hours as the store
    # will (`domain.convention`) while the person types: not a key of the record.
    student = (context or {}).get("student")
    context = {k: val for k, val in (context or {}).items() if k != "student"}
    if base is not None:
        data = record_to_dict(kind, base)
    else:
        data = {key: None for key in SPECS[kind][1]}
        for key, value in _NEW_DEFAULTS.get(kind, {}).items():
            data[key] = dict(value) if isinstance(value, dict) else value
        data.update(context or {})
        if data.get("id") is None:
            data["id"] = new_id(kind, str(values.get("label") or ""), taken_ids)
    raw = _Raw(data)
    if form == "attestation" and base is not None and _all_blank(values, spec.fields, skip={"bool"}):
        # Every field emptied: the attestation recorded by mistake is removed (R11 then
        # flags the placement again), as emptying a dérogation removes it.
        raw.data["attestation"] = None
        return parse_record(kind, raw.data, "form")
    for f in spec.fields:
        raw.put(f.key, _convert(f, values.get(f.key), raw))
    if form == "derogation":
        d = raw.data["derogation"]
        if d is not None and d.get("required_days") is None:
            if d.get("reason"):
                raw.fail("derogation.required_days", EMPTY)  # a reason without a duration
            else:
                raw.data["derogation"] = None  # both empty: no dérogation
    if form == "attestation" and raw.data["attestation"] is not None:
        raw.data["attestation"].setdefault("activities", "")
    try:
        record = parse_record(kind, raw.data, "form")
    except ValidationFailed as exc:
        for e in exc.errors:
            key = e.path.removeprefix("form").removeprefix(".")
            key = key if any(f.key == key for f in spec.fields) else GENERAL
            if key not in raw.errors:  # one message per field: the conversion's comes first
                raw.fail(key, e.message)
            elif key == GENERAL:
                raw.fail(key, e.message)
        raise FormErrors(raw.errors) from None
    if form == "terms" and student is not None:
        for e in minor_hours_errors(student, record, record.terms, "terms"):
            raw.fail(e.path if any(f.key == e.path for f in spec.fields) else GENERAL, e.message)
    if raw.errors:
        raise FormErrors(raw.errors)
    return record


def validate(form: str, values: Mapping[str, Any], *, base: Any | None = None,
             context: Mapping[str, Any] | None = None) -> dict[str, list[str]]:
    """Field key -> messages (empty if the values are valid); nothing is saved."""
    try:
        build(form, values, base=base, context=context)
    except FormErrors as exc:
        return exc.errors
    return {}


def save(
    repo: Repository,
    form: str,
    values: Mapping[str, Any],
    *,
    base: Any | None = None,
    rev: int | None = None,
    context: Mapping[str, Any] | None = None,
) -> Saved:
    """Create (no `base`) or update (`base` opened at revision `rev`) the record of `form`.

    Raises FormErrors (bad values, unknown references: nothing saved) or Conflict
    (someone else saved the record since revision `rev`: nothing saved).
    """
    kind = FORMS[form].kind
    taken: set[str] = set()
    if kind == "cohorts" and base is None:
        taken = {c.id for c in repo.dataset().cohorts}
    record = build(form, values, base=base, context=context, taken_ids=taken)
    try:
        if base is None:
            new_rev = repo.create(kind, record)
        else:
            if rev is None:
                raise ValueError("an update needs the revision the form was opened on")
            new_rev = repo.update(kind, record, rev)
    except ConflictError as exc:
        raise Conflict(form, record, exc.current, exc.current_rev, str(exc)) from None
    except ValidationFailed as exc:  # references checked by the store, or an id taken
        fields = {f.key for f in FORMS[form].fields}
        errors: dict[str, list[str]] = {}
        for e in exc.errors:
            errors.setdefault(e.path if e.path in fields else GENERAL, []).append(e.message)
        raise FormErrors(errors) from None
    return Saved(kind, record, new_rev, base is None)


# -- deleting ---------------------------------------------------------------------------------
def deletion_summary(repo: Repository, kind: str, record_id: str) -> str:
    """What deleting the record takes with it, in French (for the confirmation dialog)."""
    return describe_removed(repo.dependents(kind, record_id))


def delete(repo: Repository, kind: str, record_id: str, rev: int | None) -> str:
    """Delete a record (and what depends on it); returns what went with it, in French.

    Raises ValidationFailed (records elsewhere still point to it) or ConflictError
    (changed or deleted by another session since `rev`).
    """
    return describe_removed(repo.delete(kind, record_id, rev))


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)
