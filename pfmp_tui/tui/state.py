"""What the screens show, computed off the UI thread: a snapshot of the store and its check.

`load_state` reads the store and runs the compliance engine (`domain.rules`); it is
called from a worker thread so that thousands of candidates never freeze the
screen. Everything else here is a pure function of an `AppState`: filtering the
candidates list, the dashboard's figures, the text of a row.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Callable

from ..domain import wording
from ..domain.mobility import is_abroad
from ..domain.errors import ValidationFailed
from ..domain.model import Assessment, Cohort, Placement
from ..domain.rules import STATUS_LABELS, STATUS_ORDER, CandidateStatus, check_dataset, sort_key
from ..domain.text import fold
from ..domain.validation import format_date_fr
from ..domain.workdays import format_days
from ..services.check import STATUS_MARKERS, VOIE_SHORT
from ..services.errors import StoreError
from ..services.handles import Repository, Snapshot

# Theme variables for each status: the "text-" variants stay readable on light and dark themes.
STATUS_COLOURS = {
    "valide": "$text-success",
    "en_cours": "$text-primary",
    "a_risque": "$text-warning",
    "non_valide": "$text-error",
}
OVERDUE_CODES = frozenset({"ATTESTATION_MISSING"})  # R11: the attestation of an ended PFMP never came

SPECIALS = {
    "ending_this_week": "stage finissant cette semaine",
    "attestation_overdue": "attestation en retard (R11)",
    "abroad": "à l'étranger (mobilité, R15)",
}


def status_text(status: str) -> str:
    """« ! à risque »: a text marker, never colour alone."""
    return f"{STATUS_MARKERS[status]} {STATUS_LABELS[status]}"


def cohort_name(cohort: Cohort | None, fallback: str = "") -> str:
    """« Tle AGOrA 2027 » (`domain.wording.cohort_name`: the same name in every export)."""
    return wording.cohort_name(cohort, fallback)


def dom_id(prefix: str, raw: str) -> str:
    """A widget id for a record id (ids are free text; widget ids are not)."""
    clean = re.sub(r"[^A-Za-z0-9_-]", "_", raw)
    if clean != raw:
        clean += "_" + hashlib.blake2s(raw.encode(), digest_size=4).hexdigest()
    return f"{prefix}-{clean}"


def cohort_short(cohort: Cohort | None, fallback: str = "") -> str:
    """« Tle 2027 »: the first word of the label and the session (list columns are narrow)."""
    if cohort is None:
        return fallback
    words = cohort.label.split()
    if len(words) < 2:
        return cohort_name(cohort)
    return f"{words[0]} {cohort.exam_session}"


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True, slots=True)
class CandidateFilter:
    cohort_id: str | None = None
    status: str | None = None
    voie: str | None = None
    teacher: str | None = None
    text: str = ""
    special: str | None = None  # a key of SPECIALS

    def with_(self, **changes: Any) -> "CandidateFilter":
        return replace(self, **changes)


@dataclass(repr=False, eq=False)  # compared by identity: equality would walk the whole school
class AppState:
    """One consistent picture of the store, and every candidate's status at `today`."""

    snapshot: Snapshot
    stamp: Any
    today: date
    results: list[CandidateStatus]
    by_student: dict[str, CandidateStatus] = field(default_factory=dict)
    placements_by_student: dict[str, list[Placement]] = field(default_factory=dict)
    teachers_by_student: dict[str, frozenset[str]] = field(default_factory=dict)
    ending_this_week: dict[str, int] = field(default_factory=dict)  # student id -> placements ending
    overdue: dict[str, int] = field(default_factory=dict)  # student id -> overdue attestations (R11)
    abroad: dict[str, int] = field(default_factory=dict)  # student id -> placements outside France (R15)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # cohort id -> status -> candidates
    files: dict[str, str] | None = None  # shard -> file name read (`Repository.changes` since then)
    whole: bool = True  # computed for the whole school (`build_state`), not patched (`patch_state`)
    # Statuses and the core only, the learners' records not read yet (`preview_state`): what
    # the dashboard draws at launch. `app.state` is never one: no other screen sees it.
    partial: bool = False
    students_of: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)  # cohort id -> its learners
    # What `mark` compares: a new epoch for a whole-school state, and per cohort the
    # generation at which a patch last recomputed it.
    _epoch: object = field(default_factory=object, repr=False)
    _versions: dict[str, int] = field(default_factory=dict, repr=False)
    # student id -> (the record, its folded search key): built on first search (not at launch).
    _search_sources: dict[str, tuple[Any, str]] | None = field(default=None, repr=False)
    _search_keys: dict[str, str] | None = field(default=None, repr=False)
    _ranked: list[tuple[tuple, CandidateStatus]] = field(default_factory=list, repr=False)  # worst first
    _cohorts: list[Cohort] | None = field(default=None, repr=False)
    _teachers: list[str] | None = field(default=None, repr=False)
    # placement id -> its levels, from the store (`load_state`); None: from `data` (a bare dataset).
    _read_sheet: Callable[[str], list[Assessment]] | None = field(default=None, repr=False)
    _sheets: dict[str, list[Assessment]] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:  # never the school's records (a log line, a worker's description)
        partial = " partial" if self.partial else ""
        return f"<AppState{partial} generation={self.generation} candidates={len(self.results)} today={self.today}>"

    @property
    def generation(self) -> int:
        return self.snapshot.generation

    @property
    def data(self):
        return self.snapshot.data

    def get(self, kind: str, record_id: str | None) -> Any | None:
        return None if record_id is None else self.snapshot.get(kind, record_id)

    def cohorts(self) -> list[Cohort]:
        if self._cohorts is None:
            self._cohorts = sorted(self.data.cohorts, key=lambda c: (c.exam_session, c.label.casefold(), c.id))
        return self._cohorts

    def teachers(self) -> list[str]:
        if self._teachers is None:
            self._teachers = sorted(frozenset().union(*self.teachers_by_student.values()), key=str.casefold)
        return self._teachers

    @property
    def search_keys(self) -> dict[str, str]:
        """student id -> folded « nom prénom prénom nom INE »: built on the first search
        (a worker's), then kept and patched per cohort by the next states."""
        if self._search_keys is None:
            sources = self._search_sources
            if sources is None:
                sources = _search_sources(self.data.students, None)
                self._search_sources = sources
            self._search_keys = {sid: key for sid, (_, key) in sources.items()}
        return self._search_keys

    def mark(self, cohort_id: str) -> tuple:
        """Equal for two states when nothing a screen shows of `cohort_id`'s learners differs
        between them: their records and statuses, the core (cohorts, organisations, tutors)
        and the day. A fiche shown again for another cohort's save can skip its redraw."""
        return (self._epoch, self._versions.get(cohort_id, 0))

    def sheet(self, placement_id: str) -> list[Assessment]:
        """One placement's levels (R12), built for it alone and kept for this state.

        `data.assessments` would build every level of the school (1.1 million at 15,000
        learners: 6.9 s on the UI thread the first time a fiche was shown, and again after
        every commit, issue 13). They are read from the store, at its current generation
        (the next state, a second later at most, shows any newer change)."""
        found = self._sheets.get(placement_id)
        if found is None:
            if self._read_sheet is not None:
                try:
                    found = self._read_sheet(placement_id)
                except (StoreError, ValidationFailed, OSError):
                    found = []  # unreadable now or the placement just deleted: the next state says so
            else:
                found = [a for a in self.data.assessments if a.placement_id == placement_id]
            self._sheets[placement_id] = found
        return found

    def names(self) -> dict[str, str]:
        """id -> readable name, for the "ref" fields of forms and the conflict dialog."""
        out = {c.id: cohort_name(c) for c in self.data.cohorts}
        out.update({o.id: o.name for o in self.data.organisations})
        out.update({t.id: t.full_name for t in self.data.tutors})
        out.update({p.id: p.label for p in self.data.periods})
        return out


def build_state(snapshot: Snapshot, today: date, stamp: Any = None, *,
                results: list[CandidateStatus] | None = None, previous: AppState | None = None) -> AppState:
    """The state of `snapshot`, every cohort computed: `results` are its statuses (the
    store's, kept per bucket); without them the whole dataset is checked here (tests on
    a bare dataset). Search keys of records unchanged since `previous` (the same
    objects: the store shares them between snapshots) are reused.

    After a commit that changed some cohorts only, `patch_state` does the same work for
    those cohorts alone (issue 13)."""
    data = snapshot.data
    if results is None:
        results = check_dataset(data, today)
    state = AppState(snapshot=snapshot, stamp=stamp, today=today, results=results)
    state.by_student = {r.student_id: r for r in results}
    _add_results(state, results)
    _add_records(state, data.students, data.placements, _foreign(data), previous)
    if previous is not None and previous._search_sources is not None:
        state._search_sources = _search_sources(data.students, previous._search_sources)
    if previous is not None and previous.data.cohorts is data.cohorts:
        state._cohorts = previous._cohorts
    return state


def patch_state(previous: AppState, snapshot: Snapshot, stamp: Any, ranked: list[tuple[tuple, CandidateStatus]],
                changed: dict[str, Any], fresh: list[CandidateStatus]) -> AppState:
    """`previous` with the cohorts of `changed` (cohort id -> that cohort's dataset,
    `Repository.cohort_dataset`) computed again and everything else kept: the state
    after a commit that did not touch the core (cohorts, organisations, tutors), at a
    cost that is the changed cohorts' size, not the school's. `ranked` is the merged
    ranking, `fresh` the changed cohorts' statuses in it. Equal to `build_state` of the same
    snapshot (tests/test_tui_incremental.py)."""
    results = [r for _, r in ranked]
    state = AppState(snapshot=snapshot, stamp=stamp, today=previous.today, results=results, whole=False)
    state.by_student = dict(previous.by_student)
    state.placements_by_student = dict(previous.placements_by_student)
    state.teachers_by_student = dict(previous.teachers_by_student)
    state.ending_this_week = dict(previous.ending_this_week)
    state.overdue = dict(previous.overdue)
    state.abroad = dict(previous.abroad)
    state.counts = dict(previous.counts)
    state.students_of = dict(previous.students_of)
    state._epoch, state._versions = previous._epoch, dict(previous._versions)
    state._versions.update(dict.fromkeys(changed, snapshot.generation))
    sources = dict(previous._search_sources) if previous._search_sources is not None else None
    keys = dict(previous._search_keys) if previous._search_keys is not None else None
    per_student = (state.by_student, state.placements_by_student, state.teachers_by_student,
                   state.ending_this_week, state.overdue, state.abroad)
    for cohort_id in changed:
        for sid in state.students_of.pop(cohort_id, ()):
            for table in per_student:
                table.pop(sid, None)
            if sources is not None:
                sources.pop(sid, None)
            if keys is not None:
                keys.pop(sid, None)
        state.counts.pop(cohort_id, None)
    for r in fresh:
        state.by_student[r.student_id] = r
    _add_results(state, fresh)
    foreign = _foreign(snapshot.data)
    for cohort_id, cohort_data in changed.items():
        students = [s for s in cohort_data.students if s.cohort_id == cohort_id]
        _add_records(state, students, cohort_data.placements, foreign, previous)
        if sources is not None:
            part = _search_sources(students, previous._search_sources)
            sources.update(part)
            if keys is not None:
                keys.update((sid, key) for sid, (_, key) in part.items())
    state._search_sources, state._search_keys = sources, keys
    state._cohorts = previous._cohorts if previous.data.cohorts is snapshot.data.cohorts else None
    return state


def _foreign(data) -> frozenset[str]:
    """Ids of the organisations outside France (R15: the list's « à l'étranger »)."""
    return frozenset(o.id for o in data.organisations if is_abroad(o))


def _add_results(state: AppState, results: list[CandidateStatus]) -> None:
    """What the statuses of `results` add: overdue attestations (R11) and each cohort's counts."""
    counts = state.counts
    for r in results:
        n = sum(1 for f in r.flags if f.code in OVERDUE_CODES)
        if n:
            state.overdue[r.student_id] = n
        by_status = counts.get(r.cohort_id)
        if by_status is None:
            by_status = counts[r.cohort_id] = dict.fromkeys(STATUS_ORDER, 0)
        by_status[r.status] += 1


def _add_records(state: AppState, students: list, placements: list[Placement], foreign: frozenset[str],
                 previous: AppState | None = None) -> None:
    """What `students` and their `placements` add to the per-student tables."""
    members: dict[str, list[str]] = defaultdict(list)
    for s in students:
        members[s.cohort_id].append(s.id)
    for cohort_id, ids in members.items():
        state.students_of[cohort_id] = state.students_of.get(cohort_id, ()) + tuple(ids)
    # One pass over the placements for the counts, then one sort per learner.
    monday, sunday = week_of(state.today)
    grouped: dict[str, list[Placement]] = {}
    teachers: dict[str, set[str]] = {}
    ending, abroad = state.ending_this_week, state.abroad
    for p in placements:
        sid = p.student_id
        items = grouped.get(sid)
        if items is None:
            grouped[sid] = [p]
        else:
            items.append(p)
        if p.teacher:
            teachers.setdefault(sid, set()).add(p.teacher)
        if monday <= p.end <= sunday:
            ending[sid] = ending.get(sid, 0) + 1
        if p.organisation_id in foreign:
            abroad[sid] = abroad.get(sid, 0) + 1
    old = previous.placements_by_student if previous is not None else {}
    by_student = state.placements_by_student
    for sid, items in grouped.items():
        if len(items) > 1:
            items.sort(key=_placement_order)
        before = old.get(sid)
        if before is not None and len(before) == len(items) and all(p is q for p, q in zip(before, items)):
            by_student[sid] = before  # the same placements: the same list
        else:
            by_student[sid] = items
    state.teachers_by_student.update((sid, frozenset(ts)) for sid, ts in teachers.items())


def _placement_order(p: Placement) -> tuple:
    return (p.start, p.end, p.id)


def _search_sources(students: list, old: dict[str, tuple[Any, str]] | None) -> dict[str, tuple[Any, str]]:
    """student id -> (the student record, its folded search key); a record unchanged
    since `old` (the same object) keeps its key."""
    old = old or {}
    out: dict[str, tuple[Any, str]] = {}
    for s in students:
        known = old.get(s.id)
        if known is not None and known[0] is s:
            out[s.id] = known
        else:
            out[s.id] = (s, fold(f"{s.last_name} {s.first_name} {s.first_name} {s.last_name} {s.ine or ''}"))
    return out


def load_state(repo: Repository, today: date, previous: AppState | None = None) -> AppState:
    """Read the store and every candidate's status (call it from a worker).

    The store keeps a typed view of each shard file and its learners' statuses
    (issue 13). With `previous` (the state shown), only the cohorts whose shards a
    commit wrote — this session's or another's — are checked and derived again
    (`patch_state`); a change of the core (cohorts, organisations, tutors) or of the
    day computes the whole state (`build_state`)."""
    for _ in range(3):
        stamp = repo.store.stamp()  # before reading: a commit during the read shows up at the next poll
        since = previous.files if previous is not None and previous.today == today else None
        changes = repo.changes(since) if since is not None else None
        snapshot = repo.snapshot()
        if changes is not None and (changes.core or changes.gone):
            changes = None  # cohorts, organisations or a whole cohort changed: the school's ranking again
        changed: dict[str, Any] = {}
        fresh: list[CandidateStatus] = []
        if changes is None:
            ranked = _ranked(repo.statuses(today))
        else:
            fresh = [r for c in sorted(changes.cohorts) for r in repo.statuses(today, c)]
            ranked = _merge_ranked(previous._ranked, changes.cohorts, fresh)
            changed = {c: repo.cohort_dataset(c) for c in sorted(changes.cohorts)}
        generation, files = repo.shard_files()
        if generation == snapshot.generation and (changes is None or changes.generation == generation):
            break  # the statuses are those of the snapshot (no commit in between)
    if changes is None:
        state = build_state(snapshot, today, stamp, results=[r for _, r in ranked], previous=previous)
    else:
        state = patch_state(previous, snapshot, stamp, ranked, changed, fresh)
    state._ranked = ranked
    state.files = files
    state._read_sheet = lambda placement_id: repo.sheet(placement_id)[0]
    return state


def preview_state(repo: Repository, today: date) -> AppState:
    """The dashboard's first picture, before the school's records are read (issue 13):
    every candidate's status (kept per bucket beside its file: no bucket parsed when
    they were kept for `today`) and the core (cohorts, organisations, tutors), at one
    generation. Its `data` holds the core only: it is `partial`, for the dashboard
    alone, while `load_state` reads the school in a worker (≈ 0.2 s against ≈ 2.5 s
    at 15,000 learners)."""
    for _ in range(3):
        stamp = repo.store.stamp()
        generation, _files = repo.shard_files()
        results = repo.statuses(today)
        core = repo.core_dataset()
        if repo.shard_files()[0] == generation:
            break  # no commit in between: the statuses are those of this core
    state = AppState(snapshot=Snapshot(generation, core, {}, {}), stamp=stamp, today=today, results=results,
                     whole=False, partial=True)
    state.by_student = {r.student_id: r for r in results}
    _add_results(state, results)
    return state


def _ranked(results: list[CandidateStatus]) -> list[tuple[tuple, CandidateStatus]]:
    return sorted(((sort_key(r), r) for r in results), key=lambda pair: pair[0])


def _merge_ranked(ranked: list[tuple[tuple, CandidateStatus]], cohorts: frozenset[str],
                  fresh: list[CandidateStatus]) -> list[tuple[tuple, CandidateStatus]]:
    """`ranked` with the candidates of `cohorts` replaced by `fresh`, still worst first:
    the cost is the changed cohorts' size (and one pass over the list), not a re-sort."""
    out = [pair for pair in ranked if pair[1].cohort_id not in cohorts] if cohorts else list(ranked)
    for pair in _ranked(fresh):
        bisect.insort(out, pair, key=lambda p: p[0])
    return out


# -- candidates list ------------------------------------------------------------------------------
def matches(state: AppState, r: CandidateStatus, f: CandidateFilter, words: list[str] | None = None) -> bool:
    if f.cohort_id is not None and r.cohort_id != f.cohort_id:
        return False
    if f.status is not None and r.status != f.status:
        return False
    if f.voie is not None and r.voie != f.voie:
        return False
    if f.teacher is not None and f.teacher not in state.teachers_by_student.get(r.student_id, ()):
        return False
    if f.special == "ending_this_week" and r.student_id not in state.ending_this_week:
        return False
    if f.special == "attestation_overdue" and r.student_id not in state.overdue:
        return False
    if f.special == "abroad" and r.student_id not in state.abroad:
        return False
    if f.text:
        words = fold(f.text).split() if words is None else words
        key = state.search_keys.get(r.student_id, "")
        if not all(w in key for w in words):
            return False
    return True


def filter_results(state: AppState, f: CandidateFilter) -> list[CandidateStatus]:
    if f == CandidateFilter():
        return list(state.results)
    words = fold(f.text).split()  # once, not once a candidate
    return [r for r in state.results if matches(state, r, f, words)]


def progress_text(r: CandidateStatus) -> str:
    """« 18 sem. 2 j / 22 sem. », or the justificatif a voie without duration needs (R6–R8)."""
    if r.required_days is None:
        return {"R6": "certificats (R6)", "R7": "contrat (R7)", "R8": "expérience (R8)"}.get(
            r.requirement_rule, r.requirement_rule)
    return f"{format_days(r.attested_days)} / {format_days(r.required_days)}"


def row_cells(state: AppState, r: CandidateStatus, full_cohort: bool = False) -> dict[str, str]:
    """The cells of a candidate's row, by column key."""
    cohort = state.get("cohorts", r.cohort_id)
    return {
        "name": r.name,
        "status": status_text(r.status),
        "progress": progress_text(r),
        "cohort": (cohort_name if full_cohort else cohort_short)(cohort, r.cohort_id),
        "voie": VOIE_SHORT.get(r.voie, r.voie),
    }


def describe_filter(state: AppState | None, f: CandidateFilter) -> str:
    parts = []
    if f.cohort_id:
        cohort = state.get("cohorts", f.cohort_id) if state else None
        parts.append(cohort_name(cohort, f.cohort_id))
    if f.status:
        parts.append(STATUS_LABELS[f.status])
    if f.voie:
        parts.append(VOIE_SHORT.get(f.voie, f.voie))
    if f.teacher:
        parts.append(f"réf. {f.teacher}")
    if f.special:
        parts.append(SPECIALS[f.special])
    if f.text:
        parts.append(f"« {f.text} »")
    return ", ".join(parts)


# -- dashboard ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CohortFigures:
    cohort: Cohort
    counts: dict[str, int]
    total: int


_NONE = dict.fromkeys(STATUS_ORDER, 0)


def cohort_figures(state: AppState) -> list[CohortFigures]:
    """Each cohort's candidates by status: the counts the state keeps per cohort."""
    out = []
    for c in state.cohorts():
        counts = state.counts.get(c.id, _NONE)
        out.append(CohortFigures(c, counts, sum(counts.values())))
    return out


def upcoming_deadlines(state: AppState, limit: int = 3) -> list[tuple[Cohort, int]]:
    """The nearest dossier deadlines still to come, with the number of candidates at risk."""
    coming = sorted((c for c in state.data.cohorts if c.dossier_deadline >= state.today),
                    key=lambda c: (c.dossier_deadline, c.id))
    return [(c, state.counts.get(c.id, _NONE)["a_risque"]) for c in coming[:limit]]


def days_until(day: date, today: date) -> str:
    n = (day - today).days
    if n == 0:
        return "aujourd'hui"
    if n > 0:
        return f"dans {n} j"
    return f"il y a {-n} j"


def deadline_text(cohort: Cohort, today: date) -> str:
    return f"{format_date_fr(cohort.dossier_deadline)} ({days_until(cohort.dossier_deadline, today)})"
