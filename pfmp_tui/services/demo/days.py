"""The demo's days that count (issue 14): absences behind the short attestations (R18), make-up
placements in the school holidays, payment documents received or not (R17).

A pass over the school already built that draws no random number: the learners are picked by
their place in the lists, so the rest of the demo (and its seed) is exactly what it was.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from ...domain.absences import makeup_weeks
from ...domain.model import Absence, Attestation, Convention, Dataset, Payment, Placement
from ...domain.workdays import working_days
from ..calendar_data import school_calendar

REASONS = ("maladie", "maladie", "force_majeure", "injustifiee", "autre")
NOTES = {"maladie": "arrêt maladie", "force_majeure": "intempéries : entreprise fermée",
         "autre": "convocation au tribunal (témoin)"}
MAKEUP_EVERY = 3  # one absent learner in three has a make-up planned
NO_RIB_EVERY = 6
NO_AUTHORISATION_EVERY = 8


def _absence_days(p: Placement, missing: int, n: int) -> Absence:
    """`missing` working days from the second week of `p`, as one absence."""
    start = p.start + timedelta(days=7)
    while start.weekday() >= 5:
        start += timedelta(days=1)
    end, counted = start, 1
    while counted < missing:
        end += timedelta(days=1)
        if end.weekday() < 5:
            counted += 1
    if end > p.end:  # a short PFMP: the days end on its last day
        end = p.end
    reason = REASONS[n % len(REASONS)]
    return Absence(f"abs-{p.id}", p.id, start, end, min(missing, working_days(start, end)), reason,
                   NOTES.get(reason), justified=reason != "injustifiee" and n % 4 != 3)


def add_days(data: Dataset, today: date) -> None:
    """Absences, make-up placements and payment documents, in place."""
    students = {s.id: s for s in data.students}
    cohorts = {c.id: c for c in data.cohorts}
    by_student: dict[str, list[Placement]] = {}
    for p in data.placements:
        by_student.setdefault(p.student_id, []).append(p)
    # Absences: every signed attestation short of its working days is explained by them (R18).
    absent_students: list[str] = []
    for n, p in enumerate(sorted(data.placements, key=lambda p: p.id)):
        att = p.attestation
        if att is None or not att.signed_by_tutor:
            continue
        missing = working_days(p.start, p.end) - att.days_completed
        if missing <= 0:
            continue
        data.absences.append(_absence_days(p, missing, n))
        if p.student_id not in absent_students:
            absent_students.append(p.student_id)
    # Make-up placements in the school holidays (R18), for some of them.
    calendar = school_calendar()
    taken_ids = {p.id for p in data.placements}
    for k, sid in enumerate(absent_students):
        if k % MAKEUP_EVERY:
            continue
        student = students[sid]
        cohort = cohorts[student.cohort_id]
        mine = sorted(by_student[sid], key=lambda p: p.start)
        target = next(p for p in mine if any(a.placement_id == p.id for a in data.absences))
        weeks = makeup_weeks(cohort.holiday_zone, calendar, target.end, cohort.dossier_deadline)
        free = [(a, b) for a, b, _ in weeks if not any(p.start <= b and a <= p.end for p in mine)]
        if not free:
            continue
        start, end = free[0]
        pid = f"{target.id.rsplit('-', 1)[0]}-{len(mine) + 1}"  # the learner's next placement number
        if pid in taken_ids:
            continue
        makeup = Placement(pid, sid, target.organisation_id, start, end, period_id=None, tutor_id=target.tutor_id,
                           teacher=target.teacher, convention=Convention("signed", start - timedelta(days=10)),
                           makes_up=target.id)
        if end < today and target.attestation is not None:
            makeup = replace(makeup, attestation=Attestation(end, True, working_days(start, end),
                                                             "Rattrapage : " + target.attestation.activities))
        data.placements.append(makeup)
        by_student[sid].append(makeup)
        taken_ids.add(pid)
    # Payment documents of the allocation (R17): most received, some not yet.
    position = {s.id: i for i, s in enumerate(data.students)}
    scolaire = sorted((s for s in data.students if s.voie == "scolaire"), key=lambda s: s.id)
    for n, s in enumerate(scolaire):
        data.students[position[s.id]] = replace(s, payment=Payment(
            bank_details_received=n % NO_RIB_EVERY != 1, authorisation_received=n % NO_AUTHORISATION_EVERY != 2))
