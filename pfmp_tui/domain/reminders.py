"""What tutors must be reminded of, computed from the records (pure).

- ``convention`` (R10): a convention not signed when the PFMP starts in N days or less
  (and until it ends);
- ``attestation`` (R11): no attestation signed by the tutor N days after the end;
- ``assessment`` (R12): no assessment in the document de liaison N days after the end.

An item already reminded on `as_of` (a `Reminder` of that document that day) is not
due again: nothing is sent twice the same day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from .model import Dataset, Placement, Tutor

WHAT = ("conventions", "attestations", "assessments")
DOCUMENT_OF = {"conventions": "convention", "attestations": "attestation", "assessments": "assessment"}


@dataclass(frozen=True, slots=True)
class Delays:
    convention_days_before: int = 15
    attestation_days_after: int = 7
    assessment_days_after: int = 7


@dataclass(frozen=True, slots=True)
class DueItem:
    placement: Placement
    document: str  # "convention" | "attestation" | "assessment"


@dataclass(frozen=True, slots=True)
class TutorDue:
    """Everything one tutor is to be reminded of (one message)."""

    tutor: Tutor | None  # None: the placements have no tutor
    items: tuple[DueItem, ...]


def _is_due(p: Placement, document: str, as_of: date, delays: Delays, assessed: set[str]) -> bool:
    if document == "convention":
        return p.convention.status != "signed" and p.start - timedelta(days=delays.convention_days_before) <= as_of <= p.end
    if document == "attestation":
        a = p.attestation
        return (a is None or not a.signed_by_tutor) and as_of >= p.end + timedelta(days=delays.attestation_days_after)
    return p.id not in assessed and as_of >= p.end + timedelta(days=delays.assessment_days_after)


def reminded_on(p: Placement, document: str, day: date) -> bool:
    return any(r.document == document and r.sent_on == day for r in p.reminders)


def due(data: Dataset, as_of: date, what: tuple[str, ...] = WHAT, delays: Delays = Delays()) -> list[TutorDue]:
    """The reminders due on `as_of`, one entry per tutor (tutors by name; no tutor last)."""
    documents = [DOCUMENT_OF[w] for w in WHAT if w in what]
    assessed = {a.placement_id for a in data.assessments if a.level is not None}
    tutors = {t.id: t for t in data.tutors}
    students = {s.id: s for s in data.students}
    by_tutor: dict[str | None, list[DueItem]] = defaultdict(list)
    for p in data.placements:
        for document in documents:
            if _is_due(p, document, as_of, delays, assessed) and not reminded_on(p, document, as_of):
                by_tutor[p.tutor_id if p.tutor_id in tutors else None].append(DueItem(p, document))
    out = []
    for tutor_id, items in by_tutor.items():
        items.sort(key=lambda i: (documents.index(i.document), students[i.placement.student_id].last_name.casefold(),
                                  students[i.placement.student_id].first_name.casefold(), i.placement.start))
        out.append(TutorDue(tutors.get(tutor_id) if tutor_id else None, tuple(items)))
    out.sort(key=lambda d: (d.tutor is None, d.tutor.last_name.casefold() if d.tutor else "",
                            d.tutor.first_name.casefold() if d.tutor else "", d.tutor.id if d.tutor else ""))
    return out
