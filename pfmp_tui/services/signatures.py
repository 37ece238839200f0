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
    counts of the few periods concerned only: cheap at 15,000 learners."""
    horizon = as_of + timedelta(days=ahead_days)
    soon_end = as_of + timedelta(days=soon_days)
    current = {p.id: p for p in periods if p.end >= as_of and p.start <= horizon}
    grouped: dict[str, list[Placement]] = defaultdict(list)
    soon: list[Placement] = []
    started: list[Placement] = []
    for p in placements:
        if p.period_id in current:
            grouped[p.period_id].append(p)
        if p.end >= as_of and p.start <= soon_end and not is_signed(p):
            (soon if p.start >= as_of else started).append(p)
    rows = [PeriodSignatures(current[pid], progress_of(pid, mine, student_of, as_of, soon_days))
            for pid, mine in grouped.items()]
    rows.sort(key=lambda r: (-r.urgent, r.progress.signed == r.progress.placements, r.period.start, r.period.id))
    order = lambda p: (p.start, p.student_id, p.id)  # noqa: E731
    return SignatureOverview(tuple(rows[:limit]), max(0, len(rows) - limit), tuple(sorted(soon, key=order)),
                             tuple(sorted(started, key=order)))
