"""What a deletion takes with it, and what forbids it."""

from __future__ import annotations

from typing import Iterable

from ..domain.kinds import describe_counts
from ..domain.model import Dataset
from ..domain.wording import count


def _dependents(data: Dataset, kind: str, record_id: str) -> dict[str, int]:
    out: dict[str, int] = {}

    def count(k: str, n: int) -> None:
        if n:
            out[k] = out.get(k, 0) + n

    if kind == "cohorts":
        students = {s.id for s in data.students if s.cohort_id == record_id}
        placements = {p.id for p in data.placements if p.student_id in students}
        count("students", len(students))
        count("periods", sum(1 for p in data.periods if p.cohort_id == record_id))
        count("placements", len(placements))
        count("assessments", sum(1 for a in data.assessments if a.placement_id in placements))
        count("appreciations", sum(1 for n in data.appreciations if n.placement_id in placements))
        count("work_certificates", sum(1 for c in data.work_certificates if c.student_id in students))
        count("contracts", sum(1 for c in data.contracts if c.student_id in students))
    elif kind == "students":
        placements = {p.id for p in data.placements if p.student_id == record_id}
        count("placements", len(placements))
        count("assessments", sum(1 for a in data.assessments if a.placement_id in placements))
        count("appreciations", sum(1 for n in data.appreciations if n.placement_id in placements))
        count("work_certificates", sum(1 for c in data.work_certificates if c.student_id == record_id))
        count("contracts", sum(1 for c in data.contracts if c.student_id == record_id))
    elif kind == "organisations":
        count("tutors", sum(1 for t in data.tutors if t.organisation_id == record_id))
    elif kind == "placements":
        count("assessments", sum(1 for a in data.assessments if a.placement_id == record_id))
        count("appreciations", sum(1 for n in data.appreciations if n.placement_id == record_id))
    return out


def _blockers(data: Dataset, kind: str, record_id: str) -> str | None:
    """Why a record cannot be deleted (records elsewhere still point to it), or None."""
    if kind == "organisations":
        n = sum(1 for p in data.placements if p.organisation_id == record_id)
        if n:
            return f"organisation utilisée par {count(n, 'stage')} : changez ou supprimez-les d'abord"
    if kind == "tutors":
        n = sum(1 for p in data.placements if p.tutor_id == record_id)
        if n:
            return f"tuteur désigné dans {count(n, 'stage')} : changez ou supprimez-les d'abord"
    if kind == "periods":
        n = sum(1 for p in data.placements if p.period_id == record_id)
        if n:
            return f"période utilisée par {count(n, 'stage')} : changez ou supprimez-les d'abord"
    return None


def describe_removed(removed: dict[str, int]) -> str:
    return describe_counts(removed)


def iter_kinds() -> Iterable[str]:
    return Dataset.KINDS
