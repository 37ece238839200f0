"""Teachers' visits (visite de stage) of placements (pure).

- `teacher_visits`: for one teacher (« Mes élèves »), the placements not ended that
  have no visit yet (to plan) and the visits planned but not done (to do; late when
  their date has passed);
- `no_visit_by_mid_period`: for the coordinator, the placements past their middle
  with no visit done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .model import Dataset, Placement, Visit


def _login(value: str | None) -> str:
    return (value or "").strip().casefold()


def follows(placement: Placement, login: str) -> bool:
    return _login(placement.teacher) == _login(login)


def visit_teacher(placement: Placement, visit: Visit) -> str | None:
    """Who visits: the visit's teacher, else the placement's référent."""
    return visit.teacher or placement.teacher


def midpoint(p: Placement) -> date:
    return date.fromordinal((p.start.toordinal() + p.end.toordinal()) // 2)


@dataclass(frozen=True, slots=True)
class VisitTodo:
    placement: Placement
    visit: Visit | None  # None: a visit to plan
    late: bool = False

    @property
    def what(self) -> str:
        if self.visit is None:
            return "visite à planifier"
        return "visite en retard" if self.late else "visite à faire"


PLAN_AHEAD_DAYS = 30  # a visit is to plan once the placement starts within a month


def teacher_visits(data: Dataset, login: str, as_of: date, plan_ahead_days: int = PLAN_AHEAD_DAYS) -> list[VisitTodo]:
    """Visits to plan (placements in progress or starting within `plan_ahead_days`, with no
    visit) and to do (planned, not done) for `login`, the visits to do first, by date."""
    horizon = date.fromordinal(as_of.toordinal() + plan_ahead_days)
    out: list[VisitTodo] = []
    for p in data.placements:
        mine = follows(p, login)
        planned = [v for v in p.visits if v.done_on is None and _login(visit_teacher(p, v)) == _login(login)]
        for v in planned:
            out.append(VisitTodo(p, v, late=v.planned_on is not None and v.planned_on < as_of))
        if mine and p.end >= as_of and p.start <= horizon and not p.visits:
            out.append(VisitTodo(p, None))
    out.sort(key=lambda t: (t.visit is None, (t.visit.planned_on if t.visit and t.visit.planned_on else t.placement.start),
                            t.placement.id))
    return out


def no_visit_by_mid_period(data: Dataset, as_of: date, cohort_id: str | None = None,
                           include_ended: bool = False) -> list[Placement]:
    """Placements in progress (or also ended, with `include_ended`) whose middle has passed
    with no visit done yet."""
    placements = data.placements
    if cohort_id is not None:
        cohort_of = {s.id: s.cohort_id for s in data.students}
        placements = [p for p in placements if cohort_of.get(p.student_id) == cohort_id]
    return no_visit_by_mid_period_in(placements, as_of, include_ended)


def no_visit_by_mid_period_in(placements: list[Placement], as_of: date, include_ended: bool = False) -> list[Placement]:
    """`no_visit_by_mid_period` over `placements` (no index of the learners needed)."""
    out = [
        p for p in placements
        if (include_ended or as_of <= p.end)  # cheap tests first: most placements have ended
        and p.start < as_of and as_of > midpoint(p)
        and not any(v.done_on is not None and v.done_on <= as_of for v in p.visits)
    ]
    return sorted(out, key=lambda p: (p.start, p.student_id, p.id))
