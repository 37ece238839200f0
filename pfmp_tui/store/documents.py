"""Stored documents ⇄ domain records.

Documents were validated when written: reading them back uses fast, trusted
constructors (a malformed one raises KeyError/TypeError/ValueError, turned into a
French StoreError by `ShardView.build_checked`).

An assessment sheet is stored compactly, one array per level, the placement id
being the sheet's key (37 levels × 3 placements × every learner is most of the
data: objects would double the files and their parse time)::

    "assessment_sheets": {"<placement id>": {"placement_id": "<placement id>", "_rev": 3,
        "items": [["<assessment id>", "1.1.1", 3, "tutor", "2026-02-13", null], ...],
        "notes": [["<appreciation id>", "tutor", "2026-02-13", "Très bonne période"]]}}

(``notes``, the sessions' general appreciations, only when there are some.)
"""

from __future__ import annotations

from datetime import date
from sys import intern
from typing import Any

from ..domain.interchange import record_to_dict
from ..domain.model import (
    Absence,
    LegalRepresentative,
    PlacementTerms,
    Reminder,
    Signatures,
    Visit,
    Appreciation,
    Assessment,
    Attestation,
    Cohort,
    Contract,
    Convention,
    Derogation,
    Organisation,
    Payment,
    Period,
    Placement,
    Student,
    Tutor,
    WorkCertificate,
)


def _d(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


# Text a school repeats from record to record — the ids a placement names (its learner,
# host, tutor, period), a référent's name, the terms of a convention copied from one
# model, competence codes — is kept once (interned) rather than once a record: it was
# 13 of the 15 MB of strings the typed records of the 1,500-learner demo held (issue 13).
def _s(value: str | None) -> str | None:
    return None if value is None else intern(value)


# Fast, trusted constructors: documents were validated when written.
def _cohort(d: dict) -> Cohort:
    return Cohort(d["id"], d["label"], d["exam_session"], date.fromisoformat(d["dossier_deadline"]), d["holiday_zone"])


def _student(d: dict) -> Student:
    der = d["derogation"]
    return Student(
        id=d["id"], last_name=d["last_name"], first_name=d["first_name"], cohort_id=intern(d["cohort_id"]),
        voie=intern(d["voie"]), ine=d["ine"], birth_date=_d(d["birth_date"]), email=d["email"],
        cycle_years=d["cycle_years"], positioned=d["positioned"],
        derogation=None if der is None else Derogation(der["required_days"], der["reason"]),
        payment=_payment(d.get("payment")),
        legal_representatives=tuple(LegalRepresentative(**r) for r in d.get("legal_representatives", ())),
    )


def _payment(d: dict | None) -> Payment | None:
    return None if d is None else Payment(d["bank_details_received"], d["authorisation_received"])


def _organisation(d: dict) -> Organisation:
    get = d.get
    return Organisation(d["id"], d["name"], d["siret"], d["address"], d["postcode"], d["city"], d["country"],
                        get("phone"), get("email"), get("website"), get("notes"), get("representative"),
                        get("representative_title"))


def _tutor(d: dict) -> Tutor:
    return Tutor(d["id"], intern(d["organisation_id"]), d["last_name"], d["first_name"], d["email"], d["phone"], d["job_title"])


def _period(d: dict) -> Period:
    return Period(d["id"], d["cohort_id"], d["label"], date.fromisoformat(d["start"]), date.fromisoformat(d["end"]))


def _placement(d: dict) -> Placement:
    c = d["convention"]
    a = d["attestation"]
    return Placement(
        id=d["id"], student_id=intern(d["student_id"]), organisation_id=intern(d["organisation_id"]),
        start=date.fromisoformat(d["start"]), end=date.fromisoformat(d["end"]),
        period_id=_s(d["period_id"]), tutor_id=_s(d["tutor_id"]), teacher=_s(d["teacher"]),
        convention=Convention(intern(c["status"]), _d(c["signed_on"])) if len(c) == 2 else _convention(c),
        attestation=None if a is None else Attestation(
            date.fromisoformat(a["received_on"]), a["signed_by_tutor"], a["days_completed"], a["activities"]
        ),
        makes_up=d.get("makes_up"), class_year=d.get("class_year"),  # extensions: absent when null
        terms=_terms(d["terms"]) if "terms" in d else None,
        visits=tuple(Visit(v["id"], _d(v["planned_on"]), _d(v["done_on"]), _s(v["teacher"]), _s(v["kind"]), v["report"])
                     for v in d["visits"]) if "visits" in d else (),
        reminders=tuple(Reminder(r["sent_at"], r["document"], r["to"], r["tutor_id"])
                        for r in d["reminders"]) if "reminders" in d else (),
    )


def _absence(d: dict) -> Absence:
    return Absence(d["id"], intern(d["placement_id"]), date.fromisoformat(d["start"]), date.fromisoformat(d["end"]),
                   d["days"], _s(d["reason"]), d["note"], d["justified"])


# Extensions (issue 15), written only when set (`interchange.OPTIONAL_KEYS`).
def _convention(c: dict) -> Convention:
    sig = c.get("signatures")
    return Convention(
        intern(c["status"]), _d(c["signed_on"]), _d(c.get("generated_on")), _d(c.get("sent_on")),
        None if sig is None else Signatures(**{k: _d(v) for k, v in sig.items()}),
    )


def _terms(t: dict) -> PlacementTerms:
    get = t.get
    return PlacementTerms(get("daily_hours"), get("weekly_hours"), _s(get("schedule")), get("night_work", False),
                          tuple(map(intern, get("competences", ()))), _s(get("activities")),
                          _s(get("gratification")), _s(get("travel")), _s(get("meals")), _s(get("insurance")))


# One level of a sheet: [id, competence, level, assessor, date, comment].
SHEET_ITEM = ("id", "competence", "level", "assessor", "date", "comment")


def _sheet_items(placement_id: str, items: list[list]) -> list[Assessment]:
    fromiso = date.fromisoformat
    return [Assessment(i[0], placement_id, intern(i[1]), i[2], intern(i[3]), fromiso(i[4]), i[5]) for i in items]


# One general appreciation of a sheet: [id, assessor, date, comment].
def _sheet_notes(placement_id: str, notes: list[list]) -> list[Appreciation]:
    return [Appreciation(n[0], placement_id, n[1], date.fromisoformat(n[2]), n[3]) for n in notes]


def _certificate(d: dict) -> WorkCertificate:
    return WorkCertificate(d["id"], d["student_id"], d["employer"], date.fromisoformat(d["start"]),
                           date.fromisoformat(d["end"]), d["full_time"])


def _contract(d: dict) -> Contract:
    return Contract(d["id"], d["student_id"], d["employer"], date.fromisoformat(d["start"]), date.fromisoformat(d["end"]))


FROM_DOC = {
    "cohorts": _cohort,
    "students": _student,
    "organisations": _organisation,
    "tutors": _tutor,
    "periods": _period,
    "placements": _placement,
    "work_certificates": _certificate,
    "contracts": _contract,
    "absences": _absence,
}



def _sheet_doc(placement_id: str, items: list[Assessment], rev: int, notes: list[Appreciation] = ()) -> dict:
    doc = {
        "placement_id": placement_id,
        "items": [
            [a.id, a.competence, a.level, a.assessor, a.date.isoformat(), a.comment]
            for a in sorted(items, key=lambda a: a.id)
        ],
        "_rev": rev,
    }
    if notes:
        doc["notes"] = [[n.id, n.assessor, n.date.isoformat(), n.comment] for n in sorted(notes, key=lambda n: n.id)]
    return doc


def record_doc(kind: str, record: Any, rev: int) -> dict:
    """The stored document of a record at revision `rev`."""
    doc = record_to_dict(kind, record)
    doc["_rev"] = rev
    return doc
