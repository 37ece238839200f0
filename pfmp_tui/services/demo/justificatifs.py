"""The demo's other justificatifs: apprentices' contracts (R7), certificats de travail of adults (R6, R8)."""

from __future__ import annotations

from datetime import date

from ...domain.model import Contract, Student, WorkCertificate
from .calendar import CohortPlan, monday_on_or_after
from .draft import SchoolDraft


def build_justificatifs(draft: SchoolDraft, student: Student, plan: CohortPlan, kind: str,
                        cert_counter: list[int], contract_counter: list[int], width: int) -> None:
    """The contract of an apprentice (R7) or the certificats de travail of an adult (R6, R8), by profile."""
    rng = draft.rng
    session = plan.cohort.exam_session

    def employer() -> str:
        return rng.choice(draft.domestic).name

    def cert(start: date, end: date, full_time: bool) -> None:
        cert_counter[0] += 1
        draft.data.work_certificates.append(WorkCertificate(
            id=f"cert-{cert_counter[0]:0{width}d}", student_id=student.id, employer=employer(),
            start=start, end=end, full_time=full_time))

    if kind == "apprentice":
        contract_counter[0] += 1
        entered = session - (3 if plan.role == "2nde" else 2)
        draft.data.contracts.append(Contract(
            id=f"ctr-{contract_counter[0]:0{width}d}", student_id=student.id, employer=employer(),
            start=monday_on_or_after(date(entered, 9, 1)), end=date(session, 7, 31)))
    elif kind == "perf_part_time":  # R6: a year part time within the 24 months before the deadline
        cert(date(session - 3, 9, 1), date(session - 1, 8, 31), False)
    elif kind == "perf_full_time":  # R6: two employers, full time
        cert(date(session - 4, 10, 2), date(session - 2, 12, 20), True)
        cert(date(session - 1, 1, 6), date(session - 1, 8, 29), True)
    elif kind == "perf_short":  # R6 not met: seven months part time before the deadline
        cert(date(session - 1, 9, 1), date(session, 3, 31), False)
    elif kind == "experience":  # R8: more than 3 years
        first = rng.randint(session - 12, session - 8)
        cert(date(first, 3, 1), date(first + 2, 6, 30), True)
        cert(date(first + 2, 9, 1), date(first + 4, 1, 31), True)
    elif kind == "experience_short":  # R8 not met: 2 years and 3 months
        first = rng.randint(session - 9, session - 5)
        cert(date(first, 4, 1), date(first + 2, 6, 30), True)
