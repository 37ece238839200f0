"""Use cases around teachers' visits: plan, record as done, remove (a visit lives in its
placement: saved with the placement's revision, so two sessions never lose one)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..domain.errors import FieldError, ValidationFailed
from ..domain.interchange import SPECS
from ..domain.model import VISIT_KIND_LABELS, VISIT_KINDS, Placement, Visit
from ..domain.validation import format_date_fr
from ..store.repository import Repository


def _placement(repo: Repository, placement_id: str) -> tuple[Placement, int]:
    snap = repo.snapshot()
    p = snap.get("placements", placement_id)
    if p is None:
        raise ValidationFailed(FieldError("STAGE", f"stage « {placement_id} » introuvable"))
    return p, snap.rev("placements", placement_id)


def _check(p: Placement, visits: tuple[Visit, ...]) -> tuple[Visit, ...]:
    """Validated as a load would (`interchange` parser of `placements[].visits`)."""
    from ..domain.interchange import _json_value

    parse = SPECS["placements"][1]["visits"][0]
    return parse([_json_value(v) for v in visits], "visits")


def _save(repo: Repository, p: Placement, rev: int, visits: tuple[Visit, ...]) -> Placement:
    saved = replace(p, visits=_check(p, visits))
    repo.update("placements", saved, rev)
    return saved


def _kind(kind: str | None) -> str:
    if kind is None:
        return "sur_place"
    key = kind.replace(" ", "_").replace("é", "e")
    if key not in VISIT_KINDS:
        raise ValidationFailed(FieldError("--kind", f"« {kind} » : attendu sur_place, telephone ou visio"))
    return key


def plan_visit(repo: Repository, placement_id: str, planned_on: date | None, *, teacher: str | None = None,
               kind: str | None = None, done_on: date | None = None, report: str | None = None) -> Visit:
    p, rev = _placement(repo, placement_id)
    taken = {v.id for v in p.visits}
    n = len(p.visits) + 1
    while f"v{n}" in taken:
        n += 1
    visit = Visit(f"v{n}", planned_on=planned_on, done_on=done_on, teacher=teacher or p.teacher, kind=_kind(kind),
                  report=report)
    if planned_on is not None and not (p.start <= planned_on <= p.end):
        raise ValidationFailed(FieldError("--on", f"le {format_date_fr(planned_on)} est hors du stage "
                                                  f"(du {format_date_fr(p.start)} au {format_date_fr(p.end)})"))
    _save(repo, p, rev, p.visits + (visit,))
    return visit


def _find(p: Placement, visit_id: str) -> Visit:
    for v in p.visits:
        if v.id == visit_id:
            return v
    raise ValidationFailed(FieldError("VISITE", f"visite « {visit_id} » introuvable pour le stage « {p.id} »"))


def visit_done(repo: Repository, placement_id: str, visit_id: str, done_on: date, *, report: str | None = None,
               kind: str | None = None) -> Visit:
    p, rev = _placement(repo, placement_id)
    v = _find(p, visit_id)
    new = replace(v, done_on=done_on, report=report if report is not None else v.report,
                  kind=_kind(kind) if kind is not None else v.kind)
    _save(repo, p, rev, tuple(new if x.id == visit_id else x for x in p.visits))
    return new


def remove_visit(repo: Repository, placement_id: str, visit_id: str) -> None:
    p, rev = _placement(repo, placement_id)
    _find(p, visit_id)
    _save(repo, p, rev, tuple(x for x in p.visits if x.id != visit_id))


def describe(v: Visit) -> str:
    when = (f"faite le {format_date_fr(v.done_on)}" if v.done_on else f"prévue le {format_date_fr(v.planned_on)}")
    who = f" par {v.teacher}" if v.teacher else ""
    text = f"{v.id} : {VISIT_KIND_LABELS[v.kind]}, {when}{who}"
    return text + (f" — {v.report}" if v.report else "")
