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
from typing import Any

from ..domain import wording
from ..domain.model import Cohort, Placement
from ..domain.rules import STATUS_LABELS, STATUS_ORDER, CandidateStatus, check_dataset, sort_key
from ..domain.text import fold
from ..domain.validation import format_date_fr
from ..domain.workdays import format_days
from ..services.check import STATUS_MARKERS, VOIE_SHORT
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


@dataclass(repr=False)
class AppState:
    """One consistent picture of the store, and every candidate's status at `today`."""

    snapshot: Snapshot
    stamp: Any
    today: date
    results: list[CandidateStatus]
    by_student: dict[str, CandidateStatus] = field(default_factory=dict)
    placements_by_student: dict[str, list[Placement]] = field(default_factory=dict)
    teachers_by_student: dict[str, frozenset[str]] = field(default_factory=dict)
    search_keys: dict[str, str] = field(default_factory=dict)
    ending_this_week: dict[str, int] = field(default_factory=dict)  # student id -> placements ending
    overdue: dict[str, int] = field(default_factory=dict)  # student id -> overdue attestations (R11)
    files: dict[str, str] | None = None  # shard -> file name read (`Repository.changes` since then)
    _search_sources: dict[str, tuple[Any, str]] = field(default_factory=dict, repr=False)
    _ranked: list[tuple[tuple, CandidateStatus]] = field(default_factory=list, repr=False)  # worst first

    def __repr__(self) -> str:  # never the school's records (a log line, a worker's description)
        return f"<AppState generation={self.generation} candidates={len(self.results)} today={self.today}>"

    @property
    def generation(self) -> int:
        return self.snapshot.generation

    @property
    def data(self):
        return self.snapshot.data

    def get(self, kind: str, record_id: str | None) -> Any | None:
        return None if record_id is None else self.snapshot.get(kind, record_id)

    def cohorts(self) -> list[Cohort]:
        return sorted(self.data.cohorts, key=lambda c: (c.exam_session, c.label.casefold(), c.id))

    def teachers(self) -> list[str]:
        return sorted({t for ts in self.teachers_by_student.values() for t in ts}, key=str.casefold)

    def names(self) -> dict[str, str]:
        """id -> readable name, for the "ref" fields of forms and the conflict dialog."""
        out = {c.id: cohort_name(c) for c in self.data.cohorts}
        out.update({o.id: o.name for o in self.data.organisations})
        out.update({t.id: t.full_name for t in self.data.tutors})
        out.update({p.id: p.label for p in self.data.periods})
        return out


def build_state(snapshot: Snapshot, today: date, stamp: Any = None, *,
                results: list[CandidateStatus] | None = None, previous: AppState | None = None) -> AppState:
    """The state of `snapshot`: `results` are its statuses (the store's, kept per bucket);
    without them the whole dataset is checked here (tests on a bare dataset).

    With `previous` (the state this one replaces), what is derived from records that
    did not change — the same objects, the store shares them between snapshots — is
    taken from it rather than computed again (issue 13: the cost of refreshing after
    one edit must not be the school's)."""
    data = snapshot.data
    if results is None:
        results = check_dataset(data, today)
    state = AppState(snapshot=snapshot, stamp=stamp, today=today, results=results)
    state.by_student = {r.student_id: r for r in results}
    placements = data.placements
    if previous is not None and previous.data.placements is placements:
        state.placements_by_student = previous.placements_by_student
        state.teachers_by_student = previous.teachers_by_student
        state.ending_this_week = previous.ending_this_week if previous.today == today else _ending(placements, today)
    else:
        grouped: dict[str, list[Placement]] = defaultdict(list)
        for p in placements:
            grouped[p.student_id].append(p)
        old = previous.placements_by_student if previous is not None else {}
        old_teachers = previous.teachers_by_student if previous is not None else {}
        by_student: dict[str, list[Placement]] = {}
        teachers: dict[str, frozenset[str]] = {}
        for sid, items in grouped.items():
            before = old.get(sid)
            if before is not None and len(before) == len(items) and all(any(p is q for q in before) for p in items):
                by_student[sid] = before  # the same placements: the same sorted list
                teachers[sid] = old_teachers.get(sid, frozenset())
                continue
            items.sort(key=lambda p: (p.start, p.end, p.id))
            by_student[sid] = items
            teachers[sid] = frozenset(p.teacher for p in items if p.teacher)
        state.placements_by_student = by_student
        state.teachers_by_student = teachers
        state.ending_this_week = _ending(placements, today)
    before = previous.by_student if previous is not None else {}
    old_overdue = previous.overdue if previous is not None else {}
    for r in results:
        if before.get(r.student_id) is r:  # the same result (its bucket unchanged): the same count
            n = old_overdue.get(r.student_id, 0)
        else:
            n = sum(1 for f in r.flags if f.code in OVERDUE_CODES)
        if n:
            state.overdue[r.student_id] = n
    state._search_sources = _search_sources(data.students, previous)
    state.search_keys = {sid: key for sid, (_, key) in state._search_sources.items()}
    return state


def _ending(placements: list[Placement], today: date) -> dict[str, int]:
    monday, sunday = week_of(today)
    ending: dict[str, int] = {}
    for p in placements:
        if monday <= p.end <= sunday:
            ending[p.student_id] = ending.get(p.student_id, 0) + 1
    return ending


def _search_sources(students: list, previous: AppState | None) -> dict[str, tuple[Any, str]]:
    """student id -> (the student record, its folded search key); a record unchanged
    since `previous` (the same object) keeps its key."""
    old = previous._search_sources if previous is not None else {}
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
    commit wrote — this session's or another's — are checked again and merged into
    the ranking; the rest of the state is reused where its records did not change."""
    for _ in range(3):
        stamp = repo.store.stamp()  # before reading: a commit during the read shows up at the next poll
        since = previous.files if previous is not None and previous.today == today else None
        changes = repo.changes(since) if since is not None else None
        snapshot = repo.snapshot()
        if changes is not None and (changes.core or changes.gone):
            changes = None  # cohorts, organisations or a whole cohort changed: the school's ranking again
        if changes is None:
            ranked = _ranked(repo.statuses(today))
        else:
            ranked = _merge_ranked(previous._ranked, changes.cohorts,
                                   [r for c in sorted(changes.cohorts) for r in repo.statuses(today, c)])
        generation, files = repo.shard_files()
        if generation == snapshot.generation and (changes is None or changes.generation == generation):
            break  # the statuses are those of the snapshot (no commit in between)
    state = build_state(snapshot, today, stamp, results=[r for _, r in ranked], previous=previous)
    state._ranked = ranked
    state.files = files
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


def cohort_figures(state: AppState) -> list[CohortFigures]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUS_ORDER, 0))
    for r in state.results:
        counts[r.cohort_id][r.status] += 1
    return [
        CohortFigures(c, counts[c.id], sum(counts[c.id].values()))
        for c in state.cohorts()
    ]


def upcoming_deadlines(state: AppState, limit: int = 3) -> list[tuple[Cohort, int]]:
    """The nearest dossier deadlines still to come, with the number of candidates at risk."""
    at_risk: dict[str, int] = defaultdict(int)
    for r in state.results:
        if r.status == "a_risque":
            at_risk[r.cohort_id] += 1
    coming = sorted((c for c in state.data.cohorts if c.dossier_deadline >= state.today),
                    key=lambda c: (c.dossier_deadline, c.id))
    return [(c, at_risk[c.id]) for c in coming[:limit]]


def days_until(day: date, today: date) -> str:
    n = (day - today).days
    if n == 0:
        return "aujourd'hui"
    if n > 0:
        return f"dans {n} j"
    return f"il y a {-n} j"


def deadline_text(cohort: Cohort, today: date) -> str:
    return f"{format_date_fr(cohort.dossier_deadline)} ({days_until(cohort.dossier_deadline, today)})"
