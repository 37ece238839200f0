"""The kinds of record, defined once: their name, class, French words and order.

A kind's name is at the same time the attribute of `Dataset` holding its records,
the key of its list in the interchange document (CONTRACT.md) and the name of its
table in the store. `KINDS` is in the contract's order (the order of `Dataset`'s
fields, of a dump, of `check`'s counts).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .model import (
    Appreciation,
    Assessment,
    Cohort,
    Contract,
    Dataset,
    Organisation,
    Period,
    Placement,
    Student,
    Tutor,
    WorkCertificate,
)


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # Dataset attribute, interchange key, store table
    record: type  # the domain class of one record
    label: str  # French, one record (« élève »)
    plural: str  # French, several records (« élèves »)
    optional: bool = False  # an extension of the contract: left out of a document when empty


KINDS: tuple[Kind, ...] = (
    Kind("cohorts", Cohort, "cohorte", "cohortes"),
    Kind("students", Student, "élève", "élèves"),
    Kind("organisations", Organisation, "organisation", "organisations"),
    Kind("tutors", Tutor, "tuteur", "tuteurs"),
    Kind("periods", Period, "période", "périodes"),
    Kind("placements", Placement, "stage (PFMP)", "stages (PFMP)"),
    Kind("assessments", Assessment, "évaluation", "évaluations"),
    Kind("work_certificates", WorkCertificate, "certificat de travail", "certificats de travail"),
    Kind("contracts", Contract, "contrat d'apprentissage", "contrats d'apprentissage"),
    # Extension (not in CONTRACT.md v1): a store without appreciations dumps the v1 document.
    Kind("appreciations", Appreciation, "appréciation générale", "appréciations générales", optional=True),
)

BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)
RECORDS: dict[str, type] = {k.name: k.record for k in KINDS}
LABELS: dict[str, str] = {k.name: k.label for k in KINDS}
PLURALS: dict[str, str] = {k.name: k.plural for k in KINDS}
OPTIONAL: frozenset[str] = frozenset(k.name for k in KINDS if k.optional)

# `Dataset` holds one list per kind, in the same order: a kind added here without its
# list there (or the reverse) fails at import, not in the middle of a load.
if NAMES != tuple(f.name for f in fields(Dataset)):  # pragma: no cover
    raise AssertionError("domain/kinds.py and Dataset disagree on the record kinds")


def describe_counts(counts: dict[str, int]) -> str:
    """« 1 élève, 3 stages (PFMP) » for {kind: count} (« rien d'autre » when empty)."""
    if not counts:
        return "rien d'autre"
    return ", ".join(f"{n} {LABELS[k] if n == 1 else PLURALS[k]}" for k, n in counts.items())
