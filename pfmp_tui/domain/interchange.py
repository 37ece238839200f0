"""The interchange document (CONTRACT.md): parse, validate, serialise.

`parse_document` checks a whole document and reports *every* problem with its
JSON path (``students[3].birth_date: date invalide « 2026-13-01 »``), so that a
load is all or nothing. `to_document` writes records back in a stable order
(sorted by id), so that dump → load → dump is identical.

The record-level parsers (`parse_record`) are shared by the store and the TUI's
forms, so a form and a load give the same French message for the same field.
"""

from __future__ import annotations

from dataclasses import fields as dc_fields
from datetime import date
from typing import Any, Callable

from . import validation as v
from .competences import COMPETENCE_CODES, COMPETENCES
from .errors import Collector, FieldError, ValidationFailed
from .integrity import cross_record_errors
from .kinds import OPTIONAL, RECORDS
from .model import (
    ABSENCE_REASONS,
    REMINDER_DOCUMENTS,
    SIGNATORIES,
    VISIT_KINDS,
    LegalRepresentative,
    PlacementTerms,
    Reminder,
    Signatures,
    Visit,
    ASSESSORS,
    CLASS_YEARS,
    Payment,
    CONVENTION_STATUSES,
    HOLIDAY_ZONES,
    VOIES,
    Attestation,
    Convention,
    Dataset,
    Derogation,
)
from .requirements import derogation_error
from .workdays import working_days

FORMAT = "pfmp-interchange"
VERSION = 1

Parser = Callable[[Any, str], Any]


def _opt(parser: Parser) -> Parser:
    def parse(value: Any, path: str) -> Any:
        return None if value is None else parser(value, path)

    return parse


def _text(value: Any, path: str) -> str:
    return v.require_str(value, path)


def _long_text(value: Any, path: str) -> str:
    if value == "":
        return ""
    return v.require_str(value, path, max_len=5000)


def _long_text_required(value: Any, path: str) -> str:
    return v.require_str(value, path, max_len=5000)


def _opt_text(value: Any, path: str) -> str | None:
    return v.optional_str(value, path)


def _opt_long_text(value: Any, path: str) -> str | None:
    return v.optional_str(value, path, max_len=5000)


def _choice(*choices: Any) -> Parser:
    return lambda value, path: v.require_choice(value, path, choices)


def _int(minimum: int | None = None, maximum: int | None = None) -> Parser:
    return lambda value, path: v.require_int(value, path, minimum=minimum, maximum=maximum)


def _competence(value: Any, path: str) -> str:
    if not isinstance(value, str) or value not in COMPETENCE_CODES:
        raise ValidationFailed(FieldError(path, f"compétence inconnue {v.show(value)} (attendu 1.1.1 … 3.3.4)"))
    return value


def _derogation(value: Any, path: str) -> Derogation | None:
    if value is None:
        return None
    raw = _object(value, path, {"required_days": True, "reason": True})
    errs = Collector()
    days = _field(raw, "required_days", _int(0, 1000), path, errs)
    reason = _field(raw, "reason", _text, path, errs)
    errs.raise_if_any()
    return Derogation(required_days=days, reason=reason)


def _payment(value: Any, path: str) -> Payment | None:
    """Extension (R17): whether the RIB and the legal representative's authorisation arrived."""
    if value is None:
        return None
    raw = _object(value, path, {"bank_details_received": True, "authorisation_received": True})
    errs = Collector()
    bank = _field(raw, "bank_details_received", v.require_bool, path, errs)
    authorisation = _field(raw, "authorisation_received", v.require_bool, path, errs)
    errs.raise_if_any()
    return Payment(bank_details_received=bank, authorisation_received=authorisation)


def _convention(value: Any, path: str) -> Convention:
    raw = _object(value, path, {"status": True, "signed_on": False,
                                "generated_on": False, "sent_on": False, "signatures": False})
    errs = Collector()
    status = _field(raw, "status", _choice(*CONVENTION_STATUSES), path, errs)
    signed_on = _field(raw, "signed_on", _opt(v.parse_date), path, errs)
    generated_on = _field(raw, "generated_on", _opt(v.parse_date), path, errs)
    sent_on = _field(raw, "sent_on", _opt(v.parse_date), path, errs)
    signatures = _field(raw, "signatures", _signatures, path, errs)
    errs.raise_if_any()
    return Convention(status=status, signed_on=signed_on, generated_on=generated_on, sent_on=sent_on,
                      signatures=signatures)


def _signatures(value: Any, path: str) -> Signatures | None:
    if value is None:
        return None
    raw = _object(value, path, {k: False for k in SIGNATORIES})
    errs = Collector()
    dates = {k: _field(raw, k, _opt(v.parse_date), path, errs) for k in SIGNATORIES}
    errs.raise_if_any()
    signatures = Signatures(**dates)
    return None if signatures.is_empty() else signatures


def _list_of(item: Parser) -> Parser:
    """A list of objects (absent or null: empty), each parsed by `item`, as a tuple."""
    def parse(value: Any, path: str) -> tuple:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise ValidationFailed(FieldError(path, f"liste attendue, reçu {v.show(value)}"))
        if len(value) > 200:
            raise ValidationFailed(FieldError(path, f"{len(value)} éléments : 200 au plus"))
        errs = Collector()
        out = []
        for i, raw in enumerate(value):
            try:
                out.append(item(raw, f"{path}[{i}]"))
            except ValidationFailed as exc:
                errs.errors.extend(exc.errors)
        errs.raise_if_any()
        return tuple(out)

    return parse


def _legal_representative(value: Any, path: str) -> LegalRepresentative:
    raw = _object(value, path, {"last_name": True, "first_name": True, "relation": False,
                                "email": False, "phone": False, "address": False})
    errs = Collector()
    values = {
        "last_name": _field(raw, "last_name", _text, path, errs),
        "first_name": _field(raw, "first_name", _text, path, errs),
        "relation": _field(raw, "relation", _opt_text, path, errs),
        "email": _field(raw, "email", v.parse_email, path, errs),
        "phone": _field(raw, "phone", v.parse_phone, path, errs),
        "address": _field(raw, "address", _opt_text, path, errs),
    }
    errs.raise_if_any()
    return LegalRepresentative(**values)


def _hours(maximum: float) -> Parser:
    def parse(value: Any, path: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= maximum:
            raise ValidationFailed(FieldError(path, f"nombre d'heures invalide {v.show(value)} (entre 0 et {maximum:g})"))
        return int(value) if float(value).is_integer() else float(value)  # 7 and 7.0 dump alike: 7

    return parse


def _competence_list(value: Any, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValidationFailed(FieldError(path, f"liste attendue, reçu {v.show(value)}"))
    errs = Collector()
    codes: list[str] = []
    for i, code in enumerate(value):
        try:
            code = _competence(code, f"{path}[{i}]")
        except ValidationFailed as exc:
            errs.errors.extend(exc.errors)
            continue
        if code in codes:
            errs.add(f"{path}[{i}]", f"compétence {v.show(code)} en double")
        codes.append(code)
    errs.raise_if_any()
    order = {c.code: i for i, c in enumerate(COMPETENCES)}
    return tuple(sorted(codes, key=order.__getitem__))


TERMS_KEYS = ("daily_hours", "weekly_hours", "schedule", "night_work", "competences", "activities",
              "gratification", "travel", "meals", "insurance")


def _terms(value: Any, path: str) -> PlacementTerms | None:
    if value is None:
        return None
    raw = _object(value, path, {k: False for k in TERMS_KEYS})
    errs = Collector()
    parsers: dict[str, Parser] = {
        "daily_hours": _hours(24), "weekly_hours": _hours(60), "schedule": _opt_text,
        "night_work": lambda x, p: False if x is None else v.require_bool(x, p),
        "competences": _competence_list, "activities": _opt_long_text, "gratification": _opt_text,
        "travel": _opt_text, "meals": _opt_text, "insurance": _opt_text,
    }
    values = {k: _field(raw, k, parser, path, errs) for k, parser in parsers.items()}
    errs.raise_if_any()
    terms = PlacementTerms(**values)
    return None if terms == PlacementTerms() else terms


def _visit(value: Any, path: str) -> Visit:
    raw = _object(value, path, {"id": True, "planned_on": False, "done_on": False, "teacher": False,
                                "kind": True, "report": False})
    errs = Collector()
    values = {
        "id": _field(raw, "id", v.require_id, path, errs),
        "planned_on": _field(raw, "planned_on", _opt(v.parse_date), path, errs),
        "done_on": _field(raw, "done_on", _opt(v.parse_date), path, errs),
        "teacher": _field(raw, "teacher", _opt_text, path, errs),
        "kind": _field(raw, "kind", _choice(*VISIT_KINDS), path, errs),
        "report": _field(raw, "report", _opt_long_text, path, errs),
    }
    errs.raise_if_any()
    if values["planned_on"] is None and values["done_on"] is None:
        errs.add(_join(path, "planned_on"), "une visite a une date prévue ou une date de réalisation")
    errs.raise_if_any()
    return Visit(**values)


def _visits(value: Any, path: str) -> tuple[Visit, ...]:
    visits = _list_of(_visit)(value, path)
    seen: set[str] = set()
    for i, visit in enumerate(visits):
        if visit.id in seen:
            raise ValidationFailed(FieldError(f"{path}[{i}].id", f"id {v.show(visit.id)} en double"))
        seen.add(visit.id)
    return visits


def _datetime(value: Any, path: str) -> str:
    from datetime import datetime

    if isinstance(value, str) and len(value) == 19 and value[10] == "T":
        try:
            datetime.fromisoformat(value)
            return value
        except ValueError:
            pass
    raise ValidationFailed(FieldError(path, f"date et heure invalides {v.show(value)} (attendu AAAA-MM-JJTHH:MM:SS)"))


def _reminder(value: Any, path: str) -> Reminder:
    raw = _object(value, path, {"sent_at": True, "document": True, "to": True, "tutor_id": False})
    errs = Collector()
    values = {
        "sent_at": _field(raw, "sent_at", _datetime, path, errs),
        "document": _field(raw, "document", _choice(*REMINDER_DOCUMENTS), path, errs),
        "to": _field(raw, "to", _required_email, path, errs),
        "tutor_id": _field(raw, "tutor_id", _opt(v.require_id), path, errs),
    }
    errs.raise_if_any()
    return Reminder(**values)


def _required_email(value: Any, path: str) -> str:
    email = v.parse_email(value, path)
    if email is None:
        raise ValidationFailed(FieldError(path, "adresse électronique obligatoire"))
    return email


def _website(value: Any, path: str) -> str | None:
    return v.parse_website(value, path)


def _attestation(value: Any, path: str) -> Attestation | None:
    if value is None:
        return None
    raw = _object(value, path, {"received_on": True, "signed_by_tutor": True, "days_completed": True, "activities": False})
    errs = Collector()
    received_on = _field(raw, "received_on", v.parse_date, path, errs)
    signed = _field(raw, "signed_by_tutor", v.require_bool, path, errs)
    days = _field(raw, "days_completed", _int(0), path, errs)
    activities = _field(raw, "activities", lambda x, p: "" if x is None else _long_text(x, p), path, errs)
    errs.raise_if_any()
    return Attestation(received_on=received_on, signed_by_tutor=signed, days_completed=days, activities=activities or "")


def _object(value: Any, path: str, keys: dict[str, bool]) -> dict:
    """`value` must be an object whose keys are among `keys`; required ones present."""
    if not isinstance(value, dict):
        raise ValidationFailed(FieldError(path, f"objet attendu, reçu {v.show(value)}"))
    errors = [FieldError(_join(path, k), "clé inconnue") for k in value if k not in keys]
    errors += [FieldError(_join(path, k), "clé obligatoire absente") for k, req in keys.items() if req and k not in value]
    if errors:
        raise ValidationFailed(errors)
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _field(raw: dict, key: str, parser: Parser, path: str, errs: Collector) -> Any:
    try:
        return parser(raw.get(key), _join(path, key))
    except ValidationFailed as exc:
        errs.errors.extend(exc.errors)
        return None


# key -> (parser, required). Keys not required default to null when absent.
SPECS: dict[str, tuple[type, dict[str, tuple[Parser, bool]]]] = {
    "cohorts": (
        RECORDS["cohorts"],
        {
            "id": (v.require_id, True),
            "label": (_text, True),
            "exam_session": (_int(2000, 2100), True),
            "dossier_deadline": (v.parse_date, True),
            "holiday_zone": (_choice(*HOLIDAY_ZONES), False),
        },
    ),
    "students": (
        RECORDS["students"],
        {
            "id": (v.require_id, True),
            "ine": (v.parse_ine, False),
            "last_name": (_text, True),
            "first_name": (_text, True),
            "birth_date": (_opt(v.parse_date), False),
            "email": (v.parse_email, False),
            "cohort_id": (v.require_id, True),
            "voie": (_choice(*VOIES), True),
            "cycle_years": (_choice(3, 2, None), False),
            "positioned": (v.require_bool, True),
            "derogation": (_derogation, False),
            "payment": (_payment, False),  # extension (R17)
            "legal_representatives": (_list_of(_legal_representative), False),  # extension
        },
    ),
    "organisations": (
        RECORDS["organisations"],
        {
            "id": (v.require_id, True),
            "name": (_text, True),
            "siret": (v.parse_siret, False),
            "address": (_opt_text, False),
            "postcode": (_opt_text, False),
            "city": (_opt_text, False),
            "country": (v.parse_country, True),
            # extensions: contact details
            "phone": (v.parse_phone, False),
            "email": (v.parse_email, False),
            "website": (_website, False),
            "notes": (_opt_long_text, False),
            "representative": (_opt_text, False),
            "representative_title": (_opt_text, False),
        },
    ),
    "tutors": (
        RECORDS["tutors"],
        {
            "id": (v.require_id, True),
            "organisation_id": (v.require_id, True),
            "last_name": (_text, True),
            "first_name": (_text, True),
            "email": (v.parse_email, False),
            "phone": (v.parse_phone, False),
            "job_title": (_opt_text, False),
        },
    ),
    "periods": (
        RECORDS["periods"],
        {
            "id": (v.require_id, True),
            "cohort_id": (v.require_id, True),
            "label": (_text, True),
            "start": (v.parse_date, True),
            "end": (v.parse_date, True),
        },
    ),
    "placements": (
        RECORDS["placements"],
        {
            "id": (v.require_id, True),
            "student_id": (v.require_id, True),
            "period_id": (_opt(v.require_id), False),
            "organisation_id": (v.require_id, True),
            "tutor_id": (_opt(v.require_id), False),
            "teacher": (_opt_text, False),
            "start": (v.parse_date, True),
            "end": (v.parse_date, True),
            "convention": (_convention, True),
            "attestation": (_attestation, False),
            "makes_up": (_opt(v.require_id), False),  # extension (R18)
            "class_year": (_opt(_choice(*CLASS_YEARS)), False),  # extension (R17)
            # extensions
            "terms": (_terms, False),
            "visits": (_visits, False),
            "reminders": (_list_of(_reminder), False),
        },
    ),
    "assessments": (
        RECORDS["assessments"],
        {
            "id": (v.require_id, True),
            "placement_id": (v.require_id, True),
            "competence": (_competence, True),
            "level": (_choice(1, 2, 3, 4, None), False),
            "comment": (_opt_long_text, False),
            "assessor": (_choice(*ASSESSORS), True),
            "date": (v.parse_date, True),
        },
    ),
    "work_certificates": (
        RECORDS["work_certificates"],
        {
            "id": (v.require_id, True),
            "student_id": (v.require_id, True),
            "employer": (_text, True),
            "start": (v.parse_date, True),
            "end": (v.parse_date, True),
            "full_time": (v.require_bool, True),
        },
    ),
    "contracts": (
        RECORDS["contracts"],
        {
            "id": (v.require_id, True),
            "student_id": (v.require_id, True),
            "employer": (_text, True),
            "start": (v.parse_date, True),
            "end": (v.parse_date, True),
        },
    ),
    # Extension (not in CONTRACT.md v1): written only when not empty, so a store without
    # appreciations dumps exactly the v1 document.
    "appreciations": (
        RECORDS["appreciations"],
        {
            "id": (v.require_id, True),
            "placement_id": (v.require_id, True),
            "assessor": (_choice(*ASSESSORS), True),
            "date": (v.parse_date, True),
            "comment": (_long_text_required, True),
        },
    ),
    # Extension (CONTRACT.md « Extensions », R18): written only when not empty.
    "absences": (
        RECORDS["absences"],
        {
            "id": (v.require_id, True),
            "placement_id": (v.require_id, True),
            "start": (v.parse_date, True),
            "end": (v.parse_date, True),
            "days": (_int(0), True),
            "reason": (_choice(*ABSENCE_REASONS), True),
            "note": (_opt_text, False),
            "justified": (v.require_bool, True),
        },
    ),
}

# Kinds that `to_document` leaves out when empty (extensions of the contract's document).
OPTIONAL_KINDS = OPTIONAL

# Keys of a record that `record_to_dict` leaves out when empty (null, empty list):
# extensions of the contract's records, so a v1 document round-trips unchanged.
OPTIONAL_KEYS: dict[str, frozenset[str]] = {
    "students": frozenset({"payment", "legal_representatives"}),
    "organisations": frozenset({"phone", "email", "website", "notes", "representative", "representative_title"}),
    "placements": frozenset({"makes_up", "class_year", "terms", "visits", "reminders"}),
}
# Keys of a placement's convention left out when null (extensions).
CONVENTION_OPTIONAL_KEYS = frozenset({"generated_on", "sent_on", "signatures"})

# Which list each reference points into: (kind, key) -> target kind.
REFERENCES: dict[tuple[str, str], str] = {
    ("students", "cohort_id"): "cohorts",
    ("tutors", "organisation_id"): "organisations",
    ("periods", "cohort_id"): "cohorts",
    ("placements", "student_id"): "students",
    ("placements", "period_id"): "periods",
    ("placements", "organisation_id"): "organisations",
    ("placements", "tutor_id"): "tutors",
    ("assessments", "placement_id"): "placements",
    ("work_certificates", "student_id"): "students",
    ("contracts", "student_id"): "students",
    ("appreciations", "placement_id"): "placements",
    ("absences", "placement_id"): "placements",
    ("placements", "makes_up"): "placements",
}


def parse_record(kind: str, raw: Any, path: str) -> Any:
    """One record of `kind` from its JSON form; raises ValidationFailed with every bad field."""
    cls, spec = SPECS[kind]
    obj = _object(raw, path, {k: req for k, (_, req) in spec.items()})
    errs = Collector()
    values = {key: _field(obj, key, parser, path, errs) for key, (parser, _) in spec.items()}
    errs.raise_if_any()
    if kind == "students" and "cycle_years" not in obj:
        values["cycle_years"] = None
    if kind == "organisations":
        try:
            values["postcode"] = v.parse_postcode(obj.get("postcode"), _join(path, "postcode"), values["country"])
        except ValidationFailed as exc:
            errs.errors.extend(exc.errors)
    if "start" in values and "end" in values:
        if values["end"] < values["start"]:
            errs.add(_join(path, "end"), v.end_before_start(values["start"], values["end"]))
    if kind == "students" and values["derogation"] is not None:
        problem = derogation_error(cls(**values))
        if problem:
            errs.add(_join(path, "derogation.required_days"), problem)
    if kind == "absences" and values["end"] >= values["start"]:
        max_days = working_days(values["start"], values["end"])
        if values["days"] > max_days:
            errs.add(_join(path, "days"), f"{values['days']} jours d'absence dépassent les {max_days} jours "
                                          "ouvrés de ses dates (R18)")
    if kind == "placements" and values["attestation"] is not None:
        max_days = working_days(values["start"], values["end"])
        if values["attestation"].days_completed > max_days:
            errs.add(
                _join(path, "attestation.days_completed"),
                f"{values['attestation'].days_completed} jours dépassent les {max_days} jours ouvrés de la période",
            )
    errs.raise_if_any()
    return cls(**values)


def check_references(data: Dataset, errs: Collector, known: Dataset | None = None) -> None:
    """Every reference resolves, in `data` or in `known` (records already in a store)."""
    ids: dict[str, set[str]] = {kind: {r.id for r in getattr(data, kind)} for kind in Dataset.KINDS}
    if known is not None:
        for kind in Dataset.KINDS:
            ids[kind] |= {r.id for r in getattr(known, kind)}
    for (kind, key), target in REFERENCES.items():
        for i, record in enumerate(getattr(data, kind)):
            ref = getattr(record, key)
            if ref is not None and ref not in ids[target]:
                errs.add(f"{kind}[{i}].{key}", f"référence inconnue {v.show(ref)} (aucun élément de « {target} » n'a cet id)")
    # A tutor of a placement belongs to its organisation.
    tutors = {t.id: t for t in data.tutors}
    if known is not None:
        tutors.update({t.id: t for t in known.tutors if t.id not in tutors})
    for i, p in enumerate(data.placements):
        t = tutors.get(p.tutor_id) if p.tutor_id else None
        if t is not None and t.organisation_id != p.organisation_id:
            errs.add(f"placements[{i}].tutor_id", f"le tuteur {v.show(p.tutor_id)} n'appartient pas à l'organisation {v.show(p.organisation_id)}")
    # The extensions' rules across records (CONTRACT « Extensions »).
    placements = {p.id: p for p in data.placements}
    if known is not None:
        placements = {**{p.id: p for p in known.placements}, **placements}
    paths = {p.id: f"placements[{i}]" for i, p in enumerate(data.placements)}
    cross_record_errors(data, placements, paths, errs)
    # A minor's hours (Code du travail; the convention-type): refused on entry.
    if any(p.terms is not None for p in data.placements):
        from .convention import minor_hours_errors

        students = {s.id: s for s in data.students}
        if known is not None:
            students.update({s.id: s for s in known.students if s.id not in students})
        for i, p in enumerate(data.placements):
            if p.terms is not None and p.student_id in students:
                errs.errors.extend(minor_hours_errors(students[p.student_id], p, p.terms, f"placements[{i}].terms"))


def parse_document(doc: Any, *, resolve_references: bool = True) -> Dataset:
    """A whole interchange document → Dataset. Raises ValidationFailed listing every problem.

    With `resolve_references=False` references are left for the caller to check
    against a store (a `pfmp load` may point to records the store already has).
    """
    errs = Collector()
    if not isinstance(doc, dict):
        raise ValidationFailed(FieldError("", "le document doit être un objet JSON"))
    allowed = {"format", "version", *Dataset.KINDS}
    for key in doc:
        if key not in allowed:
            errs.add(key, "clé inconnue")
    if doc.get("format") != FORMAT:
        errs.add("format", f"format inattendu {v.show(doc.get('format'))} (attendu « {FORMAT} »)")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        errs.add("version", f"version invalide {v.show(version)}")
    elif version > VERSION:
        errs.add("version", f"version {version} plus récente que celle que ce programme comprend ({VERSION}) : mettez pfmp à jour")
    elif version < 1:
        errs.add("version", f"version invalide {v.show(version)}")
    data = Dataset()
    for kind in Dataset.KINDS:
        raw_list = doc.get(kind, [])
        if not isinstance(raw_list, list):
            errs.add(kind, f"liste attendue, reçu {v.show(raw_list)}")
            continue
        seen: dict[str, int] = {}
        records = getattr(data, kind)
        for i, raw in enumerate(raw_list):
            path = f"{kind}[{i}]"
            try:
                record = parse_record(kind, raw, path)
            except ValidationFailed as exc:
                errs.errors.extend(exc.errors)
                continue
            if record.id in seen:
                errs.add(f"{path}.id", f"id {v.show(record.id)} en double (déjà utilisé par {kind}[{seen[record.id]}])")
                continue
            seen[record.id] = i
            records.append(record)
    if not errs and resolve_references:
        check_references(data, errs)
    errs.raise_if_any()
    return data


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Convention):
        return {f.name: _json_value(getattr(value, f.name)) for f in dc_fields(value)
                if f.name not in CONVENTION_OPTIONAL_KEYS or getattr(value, f.name) is not None}
    if isinstance(value, (Signatures, PlacementTerms)):
        # Only what is set: an empty annexe or signature list is not written.
        return {f.name: _json_value(getattr(value, f.name)) for f in dc_fields(value)
                if getattr(value, f.name) not in (None, (), False)}
    if isinstance(value, (Derogation, Attestation, Payment, LegalRepresentative, Visit, Reminder)):
        return {f.name: _json_value(getattr(value, f.name)) for f in dc_fields(value)}
    if isinstance(value, tuple):
        return [_json_value(x) for x in value]
    return value


def record_to_dict(kind: str, record: Any) -> dict:
    """JSON form of a record, keys in the contract's order; extension keys only when set."""
    _, spec = SPECS[kind]
    optional = OPTIONAL_KEYS.get(kind, frozenset())
    out = {}
    for key in spec:
        value = getattr(record, key)
        if key in optional and value in (None, ()):
            continue
        out[key] = _json_value(value)
    return out


def _plain_id(value: Any) -> bool:
    return (type(value) is str and 0 < len(value) <= 100 and bool(value.strip())
            and not any(ord(c) < 32 for c in value))


def _canonical_assessment(a: Any) -> bool:
    """True when `parse_record` would give `a` back unchanged (a fast path: a school's
    levels are most of its records). Anything unusual goes through the full parser."""
    comment = a.comment
    return (
        type(a) is RECORDS["assessments"]
        and _plain_id(a.id) and _plain_id(a.placement_id)
        and a.competence in COMPETENCE_CODES
        and (a.level is None or (type(a.level) is int and 1 <= a.level <= 4))
        and type(a.assessor) is str and a.assessor in ASSESSORS
        and type(a.date) is date
        and (comment is None or (type(comment) is str and comment == comment.strip() and 0 < len(comment) <= 5000
                                 and not any(ord(c) < 32 and c not in "\n\t" for c in comment)))
    )


def validate_record(kind: str, record: Any, path: str = "") -> Any:
    """The record as `load` would read it, or ValidationFailed naming each bad field: one
    validation for every way in (load, import, TUI, CLI, Python API)."""
    if kind == "assessments" and _canonical_assessment(record):
        return record
    try:
        raw = record_to_dict(kind, record)
    except AttributeError as exc:
        raise ValidationFailed(FieldError(path, f"enregistrement incomplet ({exc})")) from None
    return parse_record(kind, raw, path)


def to_document(data: Dataset) -> dict:
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    for kind in Dataset.KINDS:
        records = getattr(data, kind)
        if kind in OPTIONAL_KINDS and not records:
            continue
        doc[kind] = [record_to_dict(kind, r) for r in sorted(records, key=lambda r: r.id)]
    return doc
