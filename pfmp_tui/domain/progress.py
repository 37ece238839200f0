"""Progress across the cycle: the document de liaison read as grids (R12, R16).

Pure functions of a `Dataset`: no I/O.

- `progress(data, student_id)`: one learner's grid, competence code × placement
  (placements ordered by start), each cell holding the assessment that gives the
  latest level of that competence in that placement, and the coverage of the three
  blocs (R16: diversity of situations across the three pôles is the aim).
- `cohort_progress(data, cohort_id)`: per competence, how many learners of the
  cohort have been assessed on it; the competences never assessed.
- `waiting_for(teacher_login, data, as_of)`: « Mes élèves », the learners whose
  placements this teacher follows, with what is waiting for them (R11, R12).

Readings made here:
- « Assessed » means an assessment with a level (1–4). An assessment whose level is
  null (« non évalué ») may carry a comment, but assesses nothing.
- The latest level of a competence in a placement is the level of its assessment
  with the latest date among those with a level. On the same date the tutor's
  assessment wins over the teacher's: R12 names the tutor's assessment as the one
  the document de liaison records; a teacher's entry of the same day is usually
  the transcription or a co-assessment of it. Then the greatest id, so the choice
  is stable. When no assessment of the cell has a level, the cell shows the latest
  comment-only assessment (its level is null).
- Across the cycle, the latest level of a competence is the one of the latest
  placement (by start) in which it was assessed. A bloc's « acquired » count is
  the number of its competences whose latest level across the cycle is 3 (acquis)
  or 4 (maîtrisé): a competence acquired once and assessed lower afterwards is not
  counted, the last word of the tutors is.
- `waiting_for` matches the placement's `teacher` to the login case-insensitively
  (spaces around ignored), and takes what is waiting from the compliance engine
  (`rules.evaluate`), so that « Mes élèves » and `pfmp check` always agree: an
  ended placement (end < as_of) with no assessment (R12), with no attestation or
  an unsigned one (R11, for the voies whose justificatif is a PFMP duration).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .competences import BLOCS, COMPETENCES, Competence
from .errors import FieldError, ValidationFailed
from .model import Assessment, Dataset, Placement, Student
from .rules import CandidateStatus, Flag, evaluate

__all__ = [
    "ACQUIRED_LEVEL",
    "LEVEL_SHORT",
    "BlocCoverage",
    "ProgressGrid",
    "CohortProgress",
    "FollowedLearner",
    "WAITING_CODES",
    "latest_assessment",
    "placement_order",
    "progress",
    "cohort_progress",
    "waiting_for",
]

ACQUIRED_LEVEL = 3  # 3 acquis, 4 maîtrisé
# Short codes for narrow columns (papers, terminal tables); LEVELS has the words.
LEVEL_SHORT: dict[int | None, str] = {1: "NA", 2: "ECA", 3: "A", 4: "M", None: "—"}
# What « Mes élèves » shows as waiting for a teacher: flags of `rules.evaluate`.
WAITING_CODES = ("ATTESTATION_MISSING", "ATTESTATION_UNSIGNED", "ASSESSMENT_MISSING")


def placement_order(p: Placement) -> tuple:
    return (p.start, p.end, p.id)


def latest_assessment(assessments: Iterable[Assessment]) -> Assessment | None:
    """The assessment giving the latest level of one competence in one placement (see above)."""
    best: Assessment | None = None
    best_key: tuple | None = None
    for a in assessments:
        key = (a.level is not None, a.date, a.assessor == "tutor", a.id)
        if best_key is None or key > best_key:
            best, best_key = a, key
    return best


@dataclass(frozen=True, slots=True)
class BlocCoverage:
    number: int  # 1..3
    label: str
    total: int  # competences of the bloc
    assessed: int  # competences assessed (with a level) at least once in the cycle
    acquired: int  # competences whose latest level in the cycle is >= 3


@dataclass(frozen=True, slots=True)
class ProgressGrid:
    student: Student
    placements: tuple[Placement, ...]  # ordered by start
    cells: dict[tuple[str, str], Assessment]  # (competence code, placement id) -> latest assessment
    coverage: tuple[BlocCoverage, ...]

    def cell(self, code: str, placement_id: str) -> Assessment | None:
        return self.cells.get((code, placement_id))

    def level(self, code: str, placement_id: str) -> int | None:
        a = self.cells.get((code, placement_id))
        return None if a is None else a.level

    def latest(self, code: str) -> Assessment | None:
        """The latest assessment with a level of `code` across the cycle, or None."""
        for p in reversed(self.placements):
            a = self.cells.get((code, p.id))
            if a is not None and a.level is not None:
                return a
        return None


def _student(data: Dataset, student_id: str) -> Student:
    for s in data.students:
        if s.id == student_id:
            return s
    raise ValidationFailed(FieldError("student_id", f"élève « {student_id} » introuvable"))


def progress(data: Dataset, student_id: str) -> ProgressGrid:
    """The learner's competence × placement grid and bloc coverage (R12, R16)."""
    student = _student(data, student_id)
    placements = tuple(sorted((p for p in data.placements if p.student_id == student_id), key=placement_order))
    ids = {p.id for p in placements}
    grouped: dict[tuple[str, str], list[Assessment]] = defaultdict(list)
    for a in data.assessments:
        if a.placement_id in ids:
            grouped[(a.competence, a.placement_id)].append(a)
    cells = {key: latest_assessment(items) for key, items in grouped.items()}
    grid = ProgressGrid(student, placements, cells, ())  # coverage needs `latest`
    coverage = []
    for bloc in BLOCS:
        codes = [c.code for act in bloc.activities for c in act.competences]
        latest = [grid.latest(code) for code in codes]
        coverage.append(BlocCoverage(
            number=bloc.number,
            label=bloc.label,
            total=len(codes),
            assessed=sum(1 for a in latest if a is not None),
            acquired=sum(1 for a in latest if a is not None and a.level >= ACQUIRED_LEVEL),
        ))
    return ProgressGrid(student, placements, cells, tuple(coverage))


@dataclass(frozen=True, slots=True)
class CohortProgress:
    cohort_id: str
    learners: int  # learners of the cohort
    assessed_learners: dict[str, int]  # competence code -> learners assessed on it (with a level)

    @property
    def never_assessed(self) -> tuple[Competence, ...]:
        """Competences no learner of the cohort has been assessed on, in référentiel order."""
        return tuple(c for c in COMPETENCES if self.assessed_learners[c.code] == 0)


def cohort_progress(data: Dataset, cohort_id: str) -> CohortProgress:
    if not any(c.id == cohort_id for c in data.cohorts):
        raise ValidationFailed(FieldError("cohort_id", f"cohorte inconnue « {cohort_id} »"))
    students = {s.id for s in data.students if s.cohort_id == cohort_id}
    owner = {p.id: p.student_id for p in data.placements if p.student_id in students}
    seen: dict[str, set[str]] = defaultdict(set)
    for a in data.assessments:
        if a.level is not None and a.placement_id in owner:
            seen[a.competence].add(owner[a.placement_id])
    return CohortProgress(cohort_id, len(students), {c.code: len(seen[c.code]) for c in COMPETENCES})


@dataclass(frozen=True, slots=True)
class FollowedLearner:
    student: Student
    placements: tuple[Placement, ...]  # those the teacher follows, ordered by start
    waiting: tuple[Flag, ...]  # R11 / R12 flags of those placements, in placement order
    status: CandidateStatus  # the learner's whole status (`pfmp check`)


def waiting_for(teacher_login: str, data: Dataset, as_of: date) -> list[FollowedLearner]:
    """« Mes élèves »: every learner with a placement followed by `teacher_login`.

    Learners with something waiting come first (most items first), then by name.
    """
    login = teacher_login.strip().casefold()
    if not login:
        raise ValidationFailed(FieldError("--teacher", "identifiant de l'enseignant vide"))
    followed: dict[str, list[Placement]] = defaultdict(list)
    for p in data.placements:
        if p.teacher is not None and p.teacher.strip().casefold() == login:
            followed[p.student_id].append(p)
    if not followed:
        return []
    cohorts = {c.id: c for c in data.cohorts}
    organisations = {o.id: o for o in data.organisations}
    by_student: dict[str, list[Placement]] = defaultdict(list)
    for p in data.placements:
        if p.student_id in followed:
            by_student[p.student_id].append(p)
    placement_ids = {p.id for ps in by_student.values() for p in ps}
    assessments: dict[str, list[Assessment]] = defaultdict(list)
    for a in data.assessments:
        if a.placement_id in placement_ids:
            assessments[a.placement_id].append(a)
    certificates = defaultdict(list)
    for c in data.work_certificates:
        certificates[c.student_id].append(c)
    contracts = defaultdict(list)
    for k in data.contracts:
        contracts[k.student_id].append(k)

    out = []
    for student in data.students:
        if student.id not in followed:
            continue
        cohort = cohorts.get(student.cohort_id)
        if cohort is None:
            raise ValueError(f"élève « {student.id} » : cohorte inconnue « {student.cohort_id} »")
        mine = by_student[student.id]
        status = evaluate(
            student, cohort, mine, certificates[student.id], contracts[student.id],
            [a for p in mine for a in assessments[p.id]], organisations, as_of,
        )
        theirs = tuple(sorted(followed[student.id], key=placement_order))
        rank = {p.id: i for i, p in enumerate(theirs)}
        waiting = tuple(sorted(
            (f for f in status.flags if f.code in WAITING_CODES and f.placement_id in rank),
            key=lambda f: (rank[f.placement_id], WAITING_CODES.index(f.code)),
        ))
        out.append(FollowedLearner(student, theirs, waiting, status))
    out.sort(key=lambda f: (-len(f.waiting), f.student.last_name.casefold(), f.student.first_name.casefold(), f.student.id))
    return out
