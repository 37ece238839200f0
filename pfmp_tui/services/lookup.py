"""Find a record from what a person types: its id, or its name (or SIRET) when only one matches.

`pfmp place --organisation "Mairie de Lyon"`, `--tutor "Anne Petit"`, `--period "PFMP 1"`: an
admin knows the names, not the ids. An id always wins; otherwise the text is compared with
the names folded (case, accents, spacing: « mairie de lyon » finds « Mairie de Lyon »), and a
SIRET with its spaces removed. No match, or several, is bad input (exit 2) whose message
lists the candidates with their ids, so the next command can name one.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import Dataset, Organisation, Period, Student, Tutor
from ..domain.text import fold

# At most this many candidates are listed in an « ambiguous » message.
MAX_LISTED = 8


def _describe_organisation(o: Organisation) -> str:
    extra = ", ".join(x for x in (o.city, f"SIRET {o.siret}" if o.siret else None) if x)
    return f"{o.id} ({o.name}{', ' + extra if extra else ''})"


def _describe_tutor(t: Tutor, data: Dataset) -> str:
    org = next((o.name for o in data.organisations if o.id == t.organisation_id), t.organisation_id)
    return f"{t.id} ({t.full_name}, {org})"


def _describe_period(p: Period) -> str:
    return f"{p.id} ({p.label}, {p.cohort_id}, du {p.start:%d/%m/%Y} au {p.end:%d/%m/%Y})"


def _describe_student(s: Student) -> str:
    extra = ", ".join(x for x in (s.cohort_id, f"INE {s.ine}" if s.ine else None,
                                  f"né(e) le {s.birth_date:%d/%m/%Y}" if s.birth_date else None) if x)
    return f"{s.id} ({s.full_name}, {extra})"


def student_id(data: Dataset, text: str, option: str = "ÉLÈVE") -> str:
    """The learner `text` names: their id, their INE, or « NOM Prénom » / « Prénom NOM »."""
    students = data.students
    if any(s.id == text for s in students):
        return text
    ine = text.strip().upper()
    by_ine = [s for s in students if s.ine and s.ine == ine]
    if by_ine:
        return by_ine[0].id
    key = fold(text)
    matches = [s for s in students
               if key in (fold(f"{s.last_name} {s.first_name}"), fold(f"{s.first_name} {s.last_name}"))]
    return _choose(option, text, "élève", False, matches, _describe_student)


def _choose(option: str, text: str, what: str, feminine: bool, matches: Sequence, describe) -> str:
    if len(matches) == 1:
        return matches[0].id
    if not matches:
        raise ValidationFailed(FieldError(
            option, f"aucun{'e' if feminine else ''} {what} ne correspond à « {text} » (identifiant, nom"
                    + {"organisation": " ou SIRET", "élève": ", INE"}.get(what, "") + ")"))
    listed = "; ".join(describe(m) for m in matches[:MAX_LISTED])
    more = f"; et {len(matches) - MAX_LISTED} autres" if len(matches) > MAX_LISTED else ""
    raise ValidationFailed(FieldError(
        option, f"« {text} » désigne {len(matches)} {what}s : {listed}{more}. Donnez l'identifiant."))


def organisation_id(data: Dataset, text: str, option: str = "--organisation") -> str:
    """The organisation `text` names: its id, its name, or its SIRET (spaces allowed)."""
    orgs = data.organisations
    if any(o.id == text for o in orgs):
        return text
    digits = text.replace(" ", "")
    if digits.isdigit():
        by_siret = [o for o in orgs if o.siret == digits]
        if by_siret:
            return _choose(option, text, "organisation", True, by_siret, _describe_organisation)
    key = fold(text)
    return _choose(option, text, "organisation", True, [o for o in orgs if fold(o.name) == key],
                   _describe_organisation)


def _tutor_keys(t: Tutor) -> set[str]:
    return {fold(f"{t.first_name} {t.last_name}"), fold(f"{t.last_name} {t.first_name}")}


def tutor_id(data: Dataset, text: str, organisation: str | None = None, option: str = "--tutor") -> str:
    """The tutor `text` names (id, « Prénom Nom » or « NOM Prénom »), within `organisation` if given."""
    tutors: Iterable[Tutor] = data.tutors
    if any(t.id == text for t in tutors):
        return text
    if organisation is not None:
        tutors = [t for t in tutors if t.organisation_id == organisation]
    key = fold(text)
    return _choose(option, text, "tuteur", False, [t for t in tutors if key in _tutor_keys(t)],
                   lambda t: _describe_tutor(t, data))


def period_id(data: Dataset, text: str, cohort: str | None = None, option: str = "--period") -> str:
    """The period `text` names (id or label), within `cohort` if given."""
    periods: Iterable[Period] = data.periods
    if any(p.id == text for p in periods):
        return text
    if cohort is not None:
        periods = [p for p in periods if p.cohort_id == cohort]
    key = fold(text)
    return _choose(option, text, "période", True, [p for p in periods if fold(p.label) == key], _describe_period)
