"""Candidates' statuses computed shard by shard, and kept with the shard's view.

A learner's status (rules.evaluate) depends on their own records — all in their
bucket — and on the core (their cohort, the organisations named in messages). So
the statuses of one bucket are a function of two immutable files, the bucket's and
the core's, plus the day and the requirement profile: they are kept keyed by those
and recomputed only when one of them changes. After an edit of one learner, one
bucket (a few dozen learners) is checked again, not the school. The day is a range:
a bucket's statuses are the same from the day they were computed through the
earliest day one of its learners' changes (domain/stability.py), so the first
process of the next morning reuses them.

R12 only asks whether a placement has an assessment: each sheet contributes its first
level (`LazySheets.heads`), so checking builds no other assessment.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from ..domain.model import Cohort, Organisation
from ..domain.rules import CandidateStatus
from ..domain.stability import FOREVER, evaluate_through
from .views import ShardView


def shard_statuses(view: ShardView, cohorts: dict[str, Cohort], organisations: dict[str, Organisation],
                   as_of: date, profile: str) -> tuple[list[CandidateStatus], date]:
    """The status of every learner of one shard (unsorted), and the last day they all
    stay the same (the earliest of the learners' `stable_through`; >= as_of)."""
    students = view.records.get("students", {})
    if not students:
        return [], FOREVER
    by_student: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for kind in ("placements", "work_certificates", "contracts"):
        for record in view.records.get(kind, {}).values():
            by_student[record.student_id][kind].append(record)
    absences: dict[str, list[Any]] = defaultdict(list)  # placement id -> its absences (R18), same shard
    for absence in view.records.get("absences", {}).values():
        absences[absence.placement_id].append(absence)
    sheets = view.sheets
    out = []
    through = FOREVER
    for student in students.values():
        cohort = cohorts.get(student.cohort_id)
        if cohort is None:
            raise ValueError(f"élève « {student.id} » : cohorte inconnue « {student.cohort_id} »")
        mine = by_student.get(student.id, {})
        placements = mine.get("placements", [])
        heads = [a for p in placements if p.id in sheets for a in sheets.heads(p.id)]
        result, until = evaluate_through(student, cohort, placements, mine.get("work_certificates", []),
                                         mine.get("contracts", []), heads, organisations, as_of, profile=profile,
                                         absences=[a for p in placements for a in absences.get(p.id, ())])
        out.append(result)
        through = min(through, until)
    return out, through
