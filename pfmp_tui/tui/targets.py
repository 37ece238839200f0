"""What a screen can ask to see next, and the one function that asks for it.

A screen never imports another screen: to show the candidate file of a learner it calls
``go(self.app, CandidateFile(student_id))``. The app hands the target to `navigation`,
the one module that knows which screen shows each target and how to open it. This
module imports no screen, so any screen may import it without a cycle (import-linter
keeps it so: see the contracts in pyproject.toml).

A target names a thing of the school (a learner, a placement, a cohort, a period) and
the view of it wanted; `None` for a cohort means « the one in view, else ask ».
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class CandidateFile:
    """A learner's file (status, placements, justificatifs); `placement_id` is put under the cursor."""

    student_id: str
    placement_id: str | None = None


@dataclass(frozen=True, slots=True)
class AssessmentGrid:
    """The 37 competences of one placement (R12), the cursor on `code` when given."""

    placement_id: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """A learner's competences period after period (R12, R16)."""

    student_id: str


@dataclass(frozen=True, slots=True)
class CohortCompetences:
    """The competences no learner of a cohort was assessed on; `None`: the cohort under the cursor."""

    cohort_id: str | None = None


@dataclass(frozen=True, slots=True)
class Periods:
    """A cohort's PFMP periods; `None`: the cohort in view, else one the person chooses."""

    cohort_id: str | None = None


@dataclass(frozen=True, slots=True)
class Placing:
    """Placing the learners of a cohort in one period."""

    period_id: str


@dataclass(frozen=True, slots=True)
class Assignment:
    """Host, tutor and teacher of a placement, or of a learner not yet placed in a period.

    The screen closes with True when something was saved (the `then` of `go`)."""

    placement_id: str | None = None
    period_id: str | None = None
    student_id: str | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    """The frise of a cohort (learners × weeks); `None`: the cohort in view, else one chosen."""

    cohort_id: str | None = None


@dataclass(frozen=True, slots=True)
class MyStudents:
    """« Mes élèves »: the learners the session's teacher follows, what is waiting first."""


@dataclass(frozen=True, slots=True)
class Import:
    """Importing learners (`what` = "students", into `cohort_id` if given), organisations, or the
    legal representatives of learners already stored (`what` = "representatives", issue 15)."""

    what: str
    cohort_id: str | None = None


@dataclass(frozen=True, slots=True)
class Records:
    """A list of records (`kind`: cohorts, organisations, tutors…), tutors of one organisation."""

    kind: str
    organisation_id: str | None = None


@dataclass(frozen=True, slots=True)
class Allocation:
    """The allocation PFMP of a cohort (R17); `None`: the cohort in view, else one chosen."""

    cohort_id: str | None = None


@dataclass(frozen=True, slots=True)
class Journal:
    """The journal of changes (issue 16), filtered by `initial` (an id, @login, a date)."""

    initial: str = ""
    title: str = "Journal des modifications"


@dataclass(frozen=True, slots=True)
class Users:
    """The store's users and their roles (issue 16)."""


@dataclass(frozen=True, slots=True)
class Reminders:
    """Reminders to tutors by e-mail (issue 15): preview, then send (coordination)."""


@dataclass(frozen=True, slots=True)
class PlacementList:
    """Placements the dashboard counts (issue 15): `what` = "r10" (starting within 15 days or
    started without a signed convention) or "no_visit" (in progress, past their middle, no visit)."""

    what: str


@dataclass(frozen=True, slots=True)
class Visits:
    """The visits of one placement (issue 15 §3): plan, record as done, delete."""

    placement_id: str


Target = (CandidateFile | AssessmentGrid | Progress | CohortCompetences | Periods | Placing | Assignment
          | Timeline | MyStudents | Import | Records | Journal | Users | Allocation | PlacementList | Visits
          | Reminders)


class Navigates(Protocol):
    """The app, as screens see it for navigation."""

    def open_target(self, target: Target, then: Callable[[Any], object] | None = None) -> None: ...


def go(app: Navigates, target: Target, then: Callable[[Any], object] | None = None) -> None:
    """Open the screen that shows `target`; `then(result)` when it closes (modal screens)."""
    app.open_target(target, then)
