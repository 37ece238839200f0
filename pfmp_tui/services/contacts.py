"""Contact details of host organisations and learners' legal representatives (issue 15),
changed one at a time (`pfmp organisation set`, `pfmp representative add|set|delete`).

Every value goes through the domain's field rules — an organisation's as `load` parses them
(`interchange.SPECS`), a representative's with the `domain.validation` rules the
interchange's ``legal_representatives`` parser uses —, each error named by the caller's
label for the field (the CLI passes its option names); the store then checks the whole
record as a `load` would.
The record is saved against the revision it was read at: an edit made elsewhere since
is a `ConflictError`, never overwritten.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Callable, Mapping

from ..domain import validation as v
from ..domain.convention import is_minor
from ..domain.errors import Collector, FieldError, ValidationFailed
from ..domain.interchange import SPECS
from ..domain.model import Dataset, LegalRepresentative, Organisation, Student
from ..domain.text import fold
from ..store.repository import Repository

_Rule = Callable[[Any, str], Any]

# The organisation's fields as `load` parses them (interchange SPECS): one rule for every way in.
ORGANISATION_CONTACT_RULES: dict[str, _Rule] = {
    key: SPECS["organisations"][1][key][0]
    for key in ("phone", "email", "website", "notes", "representative", "representative_title")
}
REPRESENTATIVE_RULES: dict[str, _Rule] = {
    "last_name": v.require_str,
    "first_name": v.require_str,
    "relation": v.optional_str,
    "email": v.parse_email,
    "phone": v.parse_phone,
    "address": v.optional_str,
}
MAX_REPRESENTATIVES = 200  # as the interchange document allows


def _checked(rules: Mapping[str, _Rule], changes: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    unknown = set(changes) - set(rules)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    errs = Collector()
    out = {}
    for key, value in changes.items():
        try:
            out[key] = rules[key](value, labels.get(key, key))
        except ValidationFailed as exc:
            errs.errors.extend(exc.errors)
    errs.raise_if_any()
    return out


def set_organisation_contacts(repo: Repository, organisation_id: str, changes: Mapping[str, Any],
                              labels: Mapping[str, str] = {}) -> Organisation:
    """Change some contact details of an organisation (a blank value clears one); returns it saved."""
    snap = repo.snapshot()
    org = snap.get("organisations", organisation_id)
    if org is None:
        raise ValidationFailed(FieldError("ORGANISATION", f"organisation « {organisation_id} » introuvable"))
    values = _checked(ORGANISATION_CONTACT_RULES, changes, labels)
    saved = replace(org, **values)
    if saved != org:
        repo.update("organisations", saved, snap.rev("organisations", organisation_id))
    return saved


def _student(repo: Repository, student_id: str) -> tuple[Student, int]:
    snap = repo.snapshot()
    student = snap.get("students", student_id)
    if student is None:
        raise ValidationFailed(FieldError("ÉLÈVE", f"élève « {student_id} » introuvable"))
    return student, snap.rev("students", student_id)


def find_representative(student: Student, which: str, label: str = "REPRÉSENTANT") -> int:
    """The index of the representative `which` names: their number (1, 2…) or their name."""
    reps = student.legal_representatives
    text = which.strip()
    if text.isdigit():
        n = int(text)
        if 1 <= n <= len(reps):
            return n - 1
        raise ValidationFailed(FieldError(label, f"{student.full_name} n'a pas de représentant légal n° {n} "
                                                 f"({len(reps)} enregistré(s))"))
    key = fold(text)
    found = [i for i, r in enumerate(reps)
             if key in (fold(f"{r.first_name} {r.last_name}"), fold(f"{r.last_name} {r.first_name}"))]
    if len(found) == 1:
        return found[0]
    listed = "; ".join(f"{i + 1}. {r.full_name}" for i, r in enumerate(reps)) or "aucun"
    why = "plusieurs représentants portent ce nom" if found else "aucun représentant légal ne s'appelle ainsi"
    raise ValidationFailed(FieldError(label, f"« {which} » : {why} ({listed}) : donnez son numéro"))


def _same_person(a: LegalRepresentative, b: LegalRepresentative) -> bool:
    return fold(f"{a.last_name}|{a.first_name}") == fold(f"{b.last_name}|{b.first_name}")


def _save(repo: Repository, student: Student, rev: int, reps: tuple[LegalRepresentative, ...],
          label: str) -> Student:
    for i, r in enumerate(reps):
        if any(_same_person(r, other) for other in reps[:i]):
            raise ValidationFailed(FieldError(label, f"{r.full_name} est déjà représentant légal de {student.full_name}"))
    if len(reps) > MAX_REPRESENTATIVES:
        raise ValidationFailed(FieldError(label, f"{MAX_REPRESENTATIVES} représentants légaux au plus"))
    saved = replace(student, legal_representatives=reps)
    if saved != student:
        repo.update("students", saved, rev)
    return saved


def add_representative(repo: Repository, student_id: str, values: Mapping[str, Any],
                       labels: Mapping[str, str] = {}) -> Student:
    """A new legal representative at the end of the learner's list (last and first names required)."""
    student, rev = _student(repo, student_id)
    missing = [k for k in ("last_name", "first_name") if k not in values]
    if missing:
        raise ValidationFailed([FieldError(labels.get(k, k), "obligatoire") for k in missing])
    rep = LegalRepresentative(**_checked(REPRESENTATIVE_RULES, values, labels))
    return _save(repo, student, rev, student.legal_representatives + (rep,), labels.get("last_name", "last_name"))


def set_representative(repo: Repository, student_id: str, which: str, changes: Mapping[str, Any],
                       labels: Mapping[str, str] = {}) -> Student:
    """Change some fields of one representative (a blank optional value clears it)."""
    student, rev = _student(repo, student_id)
    i = find_representative(student, which)
    reps = list(student.legal_representatives)
    reps[i] = replace(reps[i], **_checked(REPRESENTATIVE_RULES, changes, labels))
    return _save(repo, student, rev, tuple(reps), labels.get("last_name", "last_name"))


def delete_representative(repo: Repository, student_id: str, which: str) -> tuple[Student, LegalRepresentative]:
    """Remove one representative; returns the learner saved and who was removed."""
    student, rev = _student(repo, student_id)
    i = find_representative(student, which)
    reps = list(student.legal_representatives)
    removed = reps.pop(i)
    return _save(repo, student, rev, tuple(reps), "REPRÉSENTANT"), removed


def representatives_to_complete(data: Dataset, as_of: date, cohort_id: str | None = None
                                ) -> list[tuple[Student, str]]:
    """Learners whose convention needs a legal representative who is not (fully) known yet.

    A learner counts when under 18 today or at the start of one of their placements not
    yet ended (the legal representative signs that convention); they are listed when no
    representative is recorded, or none has a postal address (the convention prints it)."""
    ongoing: dict[str, list[date]] = {}
    for p in data.placements:
        if p.end >= as_of:
            ongoing.setdefault(p.student_id, []).append(p.start)
    out = []
    for s in data.students:
        if cohort_id is not None and s.cohort_id != cohort_id:
            continue
        if not any(is_minor(s, day) for day in (as_of, *ongoing.get(s.id, ()))):
            continue
        if not s.legal_representatives:
            out.append((s, "aucun représentant légal"))
        elif not any(r.address for r in s.legal_representatives):
            out.append((s, "représentant(s) légal(aux) sans adresse"))
    out.sort(key=lambda item: (item[0].cohort_id, fold(item[0].last_name), fold(item[0].first_name)))
    return out
