"""Where the conventions stand (R10): sent out, signed by each party, and the progress
of a whole period (`domain.convention.signature_progress`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..domain.convention import required_signatories
from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import SIGNATORIES, Dataset, Placement, Signatures
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
