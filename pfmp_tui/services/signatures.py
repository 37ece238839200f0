"""Where the conventions stand (R10): sent out, signed by each party, and the progress
of a whole period (`domain.convention.signature_progress`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..domain.convention import SOON_DAYS, SignatureProgress, is_signed, progress_of, required_signatories
from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import SIGNATORIES, Dataset, Period, Placement, Signatures, Student
from ..store.repository import Repository


def _targets(data: Dataset, placement_id: str | None, period_id: str | None) -> list[Placement]:
    from .conventions import placements_to_fill

    return placements_to_fill(data, placement_id, period_id)


def _save_all(repo: Repository, snap, placements: list[Placement]) -> None:  # noqa: ANN001
    changed = Dataset(placements=placements)
    repo.upsert_all(changed, {("placements", p.id): snap.rev("placements", p.id) for p in placements})


def mark_sent(repo: Repository, on: date, *, placement_id: str | None = None, period_id: str | None = None) -> int:
    """The conventions were sent out for signature on `on`; returns how many changed."""
    snap = repo.snapshot()
    changed = []
    for p in _targets(snap.data, placement_id, period_id):
        if p.convention.status == "signed":
            continue
        conv = replace(p.convention, sent_on=on, status="sent")
        if conv != p.convention:
            changed.append(replace(p, convention=conv))
    if changed:
        _save_all(repo, snap, changed)
    return len(changed)


def sign(repo: Repository, placement_id: str, parties: list[str], on: date) -> Placement:
    """`parties` signed on `on`. Once every required party has signed, the convention is
    « signée », dated by the last signature (R10 compares that date with the start)."""
    bad = [x for x in parties if x not in SIGNATORIES]
    if bad or not parties:
        raise ValidationFailed(FieldError("--by", f"« {', '.join(bad) or '—'} » : attendu parmi {', '.join(SIGNATORIES)}"))
    snap = repo.snapshot()
    p = snap.get("placements", placement_id)
    if p is None:
        raise ValidationFailed(FieldError("STAGE", f"stage « {placement_id} » introuvable"))
    student = snap.get("students", p.student_id)
    sig = p.convention.signatures or Signatures()
    sig = replace(sig, **{party: on for party in parties})
    conv = replace(p.convention, signatures=sig)
    required = required_signatories(student, p)
    if all(getattr(sig, party) is not None for party in required):
        conv = replace(conv, status="signed", signed_on=max(getattr(sig, party) for party in required))
    elif conv.status == "none":
        conv = replace(conv, status="draft")
    saved = replace(p, convention=conv)
    repo.update("placements", saved, snap.rev("placements", placement_id))
    return saved


def missing_signatures(data: Dataset, p: Placement) -> list[str]:
    student = next(s for s in data.students if s.id == p.student_id)
    if p.convention.status == "signed":
        return []
    sig = p.convention.signatures or Signatures()
    return [party for party in required_signatories(student, p) if getattr(sig, party) is None]


# -- the dashboard's overview (issue 15 §1) ---------------------------------------------------------
AHEAD_DAYS = 60  # a period whose start is this close has its conventions on the way


@dataclass(frozen=True, slots=True)
class PeriodSignatures:
    period: Period
    progress: SignatureProgress

    @property
    def urgent(self) -> int:
        return len(self.progress.unsigned_soon) + len(self.progress.unsigned_started)


@dataclass(frozen=True, slots=True)
class SignatureOverview:
    """Where the conventions stand across the school, for the dashboard (R10).

    `periods`: the periods in progress or starting within AHEAD_DAYS days, most urgent
    first (placements unsigned and starting within 15 days or started, then periods with
    conventions still to sign, by start), at most `limit`;
    `more`: how many such periods are not shown; `unsigned_soon` / `unsigned_started`:
    every placement of the school (with a period or not) starting within 15 days, or
    started and not ended, without a signed convention."""

    periods: tuple[PeriodSignatures, ...]
    more: int
    unsigned_soon: tuple[Placement, ...]
    unsigned_started: tuple[Placement, ...]


def overview(periods: list[Period], placements: list[Placement], student_of: Callable[[str], Student | None],
             as_of: date, *, limit: int = 3, ahead_days: int = AHEAD_DAYS,
             soon_days: int = SOON_DAYS) -> SignatureOverview:
    """One pass over the placements (set lookups and date comparisons), then the signature
    counts of the `limit` periods shown only."""
    return OverviewCache().compute(periods, {"": placements}, student_of, as_of, limit=limit, ahead_days=ahead_days,
                                   soon_days=soon_days, visits=False)[0]


class OverviewCache:
    """`overview` (and the placements past their middle with no visit) over the placements
    given per learner, kept up to date learner by learner: the TUI's state keeps an
    unchanged learner's list as the same object (issue 13), so after one edit the cost is
    an identity check a learner, the changed learners' placements taken out and put back
    in running totals, and the counts of the few periods shown — not a reading of every
    placement of the school."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._reset()

    def _reset(self) -> None:
        self._parts: dict[str, tuple[list[Placement], tuple, tuple, tuple]] = {}
        # Keyed by (learner, placement id).
        self._grouped: dict[str, dict[tuple[str, str], Placement]] = defaultdict(dict)  # period -> its placements
        self._unsigned: dict[str, int] = defaultdict(int)  # period -> placements not signed
        self._urgent: dict[str, int] = defaultdict(int)  # period -> not signed, starting soon or started
        self._due: dict[tuple[str, str], Placement] = {}  # not signed, starting within `soon_days` or started
        self._late: dict[tuple[str, str], Placement] = {}  # past their middle, no visit done

    def _apply(self, sid: str, part: tuple, sign: int) -> None:
        """Add (`sign` 1) or take out (-1) one learner's reading. Keys hold the learner too: a
        placement moved to another learner is taken out of one and put in the other whatever
        the order the two are seen in."""
        _, mine, due, no_visit = part
        for p in mine:
            if sign > 0:
                self._grouped[p.period_id][(sid, p.id)] = p
            else:
                self._grouped[p.period_id].pop((sid, p.id), None)
            if not is_signed(p):
                self._unsigned[p.period_id] += sign
        for p in due:
            if sign > 0:
                self._due[(sid, p.id)] = p
            else:
                self._due.pop((sid, p.id), None)
            if p.period_id in self._current:
                self._urgent[p.period_id] += sign
        for p in no_visit:
            if sign > 0:
                self._late[(sid, p.id)] = p
            else:
                self._late.pop((sid, p.id), None)

    def compute(self, periods: list[Period], by_student: dict[str, list[Placement]],
                student_of: Callable[[str], Student | None], as_of: date, *, limit: int = 3,
                ahead_days: int = AHEAD_DAYS, soon_days: int = SOON_DAYS,
                visits: bool = True) -> tuple[SignatureOverview, list[Placement]]:
        """The overview, and (with `visits`) the placements in progress past their middle
        with no visit done (`domain.visits.no_visit_by_mid_period`)."""
        from ..domain.visits import no_visit_by_mid_period_in

        key = (periods, as_of, ahead_days, soon_days, visits)
        horizon = as_of + timedelta(days=ahead_days)
        soon_end = as_of + timedelta(days=soon_days)
        if self._key is None or self._key[0] is not periods or self._key[1:] != key[1:]:
            self._key = key
            self._reset()
            self._current = {p.id: p for p in periods if p.end >= as_of and p.start <= horizon}
        current = self._current
        parts = self._parts
        for sid in [sid for sid in parts if sid not in by_student]:  # learners gone
            self._apply(sid, parts.pop(sid), -1)
        for sid, items in by_student.items():
            old = parts.get(sid)
            if old is not None and old[0] is items:
                continue
            part = (items,
                    tuple(p for p in items if p.period_id in current),
                    tuple(p for p in items if not is_signed(p) and p.end >= as_of and p.start <= soon_end),
                    tuple(no_visit_by_mid_period_in(items, as_of)) if visits else ())
            if old is not None:
                self._apply(sid, old, -1)
            self._apply(sid, part, 1)
            parts[sid] = part
        grouped = self._grouped
        ranked = sorted((pid for pid, mine in grouped.items() if mine),
                        key=lambda pid: (-self._urgent[pid], not self._unsigned[pid], current[pid].start, pid))
        rows = tuple(PeriodSignatures(current[pid], progress_of(pid, list(grouped[pid].values()), student_of, as_of,
                                                                soon_days))
                     for pid in ranked[:limit])
        order = lambda p: (p.start, p.student_id, p.id)  # noqa: E731
        due = sorted(self._due.values(), key=order)
        ov = SignatureOverview(rows, max(0, len(ranked) - limit), tuple(p for p in due if p.start >= as_of),
                               tuple(p for p in due if p.start < as_of))
        return ov, sorted(self._late.values(), key=order)
