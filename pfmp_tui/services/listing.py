"""`pfmp list KIND`: the ids and main fields of one kind of record, for scripts and admins.

Each kind has its columns (`COLUMNS`): a key (the JSON key, the interchange field where
there is one), a French heading (table and CSV), and how to read the value from the record
and the dataset. Add a column by adding a `Column` (issue 14 adds « à l'étranger » to
placements). `--cohort` keeps what belongs to that cohort: its students, periods and their
placements, and the organisations and tutors those placements use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import CONVENTION_LABELS, VOIE_LABELS, Dataset
from ..domain.wording import cohort_name

KINDS = ("cohorts", "students", "organisations", "tutors", "periods", "placements")


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # JSON key
    heading: str  # French, table and CSV
    value: Callable[[Any, "Context"], Any]  # str | int | date | bool | None
    width: int = 0  # table width (0: as wide as the widest value)


class Context:
    """Lookups shared by the columns of one listing."""

    def __init__(self, data: Dataset) -> None:
        self.data = data
        self.cohorts = {c.id: c for c in data.cohorts}
        self.students = {s.id: s for s in data.students}
        self.organisations = {o.id: o for o in data.organisations}
        self.tutors = {t.id: t for t in data.tutors}
        self.periods = {p.id: p for p in data.periods}

    def student_count(self, cohort_id: str) -> int:
        return sum(1 for s in self.data.students if s.cohort_id == cohort_id)


def _attestation(p, _ctx) -> str:
    a = p.attestation
    if a is None:
        return "aucune"
    return f"{'signée' if a.signed_by_tutor else 'non signée'}, {a.days_completed} j"


COLUMNS: dict[str, tuple[Column, ...]] = {
    "cohorts": (
        Column("id", "id", lambda c, _: c.id),
        Column("name", "cohorte", lambda c, _: cohort_name(c)),
        Column("exam_session", "session", lambda c, _: c.exam_session),
        Column("dossier_deadline", "date limite du dossier", lambda c, _: c.dossier_deadline),
        Column("holiday_zone", "zone", lambda c, _: c.holiday_zone),
        Column("students", "élèves", lambda c, ctx: ctx.student_count(c.id)),
    ),
    "students": (
        Column("id", "id", lambda s, _: s.id),
        Column("last_name", "nom", lambda s, _: s.last_name),
        Column("first_name", "prénom", lambda s, _: s.first_name),
        Column("ine", "INE", lambda s, _: s.ine),
        Column("cohort_id", "cohorte", lambda s, ctx: s.cohort_id),
        Column("voie", "voie", lambda s, _: VOIE_LABELS.get(s.voie, s.voie)),
        Column("birth_date", "naissance", lambda s, _: s.birth_date),
    ),
    "organisations": (
        Column("id", "id", lambda o, _: o.id),
        Column("name", "nom", lambda o, _: o.name),
        Column("siret", "SIRET", lambda o, _: o.siret),
        Column("postcode", "code postal", lambda o, _: o.postcode),
        Column("city", "ville", lambda o, _: o.city),
        Column("country", "pays", lambda o, _: o.country),
    ),
    "tutors": (
        Column("id", "id", lambda t, _: t.id),
        Column("last_name", "nom", lambda t, _: t.last_name),
        Column("first_name", "prénom", lambda t, _: t.first_name),
        Column("organisation_id", "organisation", lambda t, _: t.organisation_id),
        Column("organisation", "nom de l'organisation",
               lambda t, ctx: getattr(ctx.organisations.get(t.organisation_id), "name", None)),
        Column("job_title", "fonction", lambda t, _: t.job_title),
        Column("email", "courriel", lambda t, _: t.email),
    ),
    "periods": (
        Column("id", "id", lambda p, _: p.id),
        Column("cohort_id", "cohorte", lambda p, _: p.cohort_id),
        Column("label", "libellé", lambda p, _: p.label),
        Column("start", "début", lambda p, _: p.start),
        Column("end", "fin", lambda p, _: p.end),
    ),
    "placements": (
        Column("id", "id", lambda p, _: p.id),
        Column("student_id", "élève", lambda p, _: p.student_id),
        Column("student", "nom de l'élève",
               lambda p, ctx: getattr(ctx.students.get(p.student_id), "full_name", None)),
        Column("period_id", "période", lambda p, _: p.period_id),
        Column("organisation_id", "organisation", lambda p, _: p.organisation_id),
        Column("tutor_id", "tuteur", lambda p, _: p.tutor_id),
        Column("start", "début", lambda p, _: p.start),
        Column("end", "fin", lambda p, _: p.end),
        Column("convention", "convention", lambda p, _: CONVENTION_LABELS.get(p.convention.status)),
        Column("attestation", "attestation", _attestation),
    ),
}


def _records(data: Dataset, kind: str, cohort_id: str | None) -> list[Any]:
    if cohort_id is None:
        records = list(getattr(data, kind))
    elif kind == "cohorts":
        records = [c for c in data.cohorts if c.id == cohort_id]
    elif kind in ("students", "periods"):
        records = [r for r in getattr(data, kind) if r.cohort_id == cohort_id]
    else:
        students = {s.id for s in data.students if s.cohort_id == cohort_id}
        placements = [p for p in data.placements if p.student_id in students]
        if kind == "placements":
            records = placements
        elif kind == "organisations":
            used = {p.organisation_id for p in placements}
            records = [o for o in data.organisations if o.id in used]
        else:
            used = {p.tutor_id for p in placements}
            records = [t for t in data.tutors if t.id in used]
    return sorted(records, key=_sort_key(kind))


def _sort_key(kind: str) -> Callable[[Any], Any]:
    from ..domain.text import fold

    if kind == "cohorts":
        return lambda c: (c.exam_session, fold(c.label))
    if kind in ("students", "tutors"):
        return lambda r: (fold(r.last_name), fold(r.first_name), r.id)
    if kind == "organisations":
        return lambda o: (fold(o.name), o.id)
    return lambda r: (r.start, r.id)


def rows(data: Dataset, kind: str, cohort_id: str | None = None) -> tuple[tuple[Column, ...], list[list[Any]]]:
    """(columns, one list of values per record) for `kind`, sorted as people look for them."""
    if kind not in COLUMNS:
        raise ValidationFailed(FieldError("QUOI", f"« {kind} » : attendu {', '.join(KINDS)}"))
    if cohort_id is not None and not any(c.id == cohort_id for c in data.cohorts):
        raise ValidationFailed(FieldError("--cohort", f"cohorte inconnue « {cohort_id} »"))
    ctx = Context(data)
    columns = COLUMNS[kind]
    return columns, [[c.value(r, ctx) for c in columns] for r in _records(data, kind, cohort_id)]
