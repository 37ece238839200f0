"""The whole demo school: cohorts, organisations, then each learner with placements and justificatifs."""

from __future__ import annotations

from datetime import date

from ...domain.errors import FieldError, ValidationFailed
from ...domain.model import Dataset
from .calendar import build_cohorts
from .days import add_days
from .draft import SchoolDraft
from .follow_up import add_follow_up
from .justificatifs import build_justificatifs
from .organisations import build_organisations
from .placements import build_placements
from .profiles import SPECIALS
from .students import build_student

DEFAULT_STUDENTS = 90
MAX_STUDENTS = 100_000
DIVISION_SIZE = 35  # learners in a division at most


def split_evenly(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def build_school(draft: SchoolDraft, students: int) -> Dataset:
    """Cohorts, organisations, then each learner in turn: the order `draft.rng` is drawn in is part of the seed."""
    prev_size = max(1, students // 10) if students >= 4 else 0
    tle, first, second = split_evenly(students - prev_size, 3)
    sizes = {"2nde": second, "1re": first, "tle": tle, "prev": prev_size}
    # Divisions of at most DIVISION_SIZE learners, as many as each level needs.
    plans = build_cohorts(draft, {role: max(1, -(-size // DIVISION_SIZE)) for role, size in sizes.items()})
    # 25 to 40 hosts for a usual school, more for the large ones (benchmarks).
    org_count = min(max(25, students // 3), 40) + max(0, students - 600) // 20
    build_organisations(draft, org_count)
    width = max(4, len(str(students)))
    counter = 0
    cert_counter, contract_counter = [0], [0]
    for role in ("2nde", "1re", "tle", "prev"):
        size = sizes[role]
        # The level's learners, in the order drawn, fill its divisions one after the other.
        division_of = [plan for plan, n in zip(plans[role], split_evenly(size, len(plans[role]))) for _ in range(n)]
        specials = SPECIALS[role]
        if role == "prev":
            specials = specials[: min(3, size // 2)]
        else:  # larger schools keep the same mix of voies and defects
            specials = specials * max(1, size // 27)
        profiles = list(specials[:size]) + [("regular", None)] * max(0, size - len(specials))
        draft.rng.shuffle(profiles)
        for (kind, issue), plan in zip(profiles, division_of):
            counter += 1
            number = f"{counter:0{width}d}"
            student = build_student(draft, f"stu-{number}", plan, kind)
            draft.data.students.append(student)
            build_placements(draft, student, plan, kind, issue, number)
            build_justificatifs(draft, student, plan, kind, cert_counter, contract_counter, width)
    add_days(draft.data, draft.today)  # absences, make-up, payment documents (draws no random number)
    return draft.data


def build_demo(students: int = DEFAULT_STUDENTS, seed: int = 1, today: date | None = None) -> Dataset:
    """A believable demo school of exactly `students` learners, the same for the same seed and day.

    Raises ValidationFailed (bad input, exit 2) when `students` is out of range.
    """
    if isinstance(students, bool) or not isinstance(students, int) or not 1 <= students <= MAX_STUDENTS:
        raise ValidationFailed(FieldError(
            "--students", f"nombre d'élèves invalide « {students} » (entre 1 et {MAX_STUDENTS})"))
    today = today if today is not None else date.today()
    data = build_school(SchoolDraft(seed, today), students)
    add_follow_up(data, seed, today)
    return data
