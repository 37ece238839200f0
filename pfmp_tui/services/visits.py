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


class VisitChanged(Exception):
    """The visit was changed (or removed: `theirs` None) by another session since it was
    shown: nothing was written. The TUI shows both versions and saves again only if asked."""

    def __init__(self, theirs: Visit | None) -> None:
        super().__init__("visite modifiée par une autre session" if theirs else "visite supprimée par une autre session")
        self.theirs = theirs


def _placement(repo: Repository, placement_id: str) -> tuple[Placement, int]:
    found = repo.get("placements", placement_id)  # one record, not the school (issue 13)
    if found is None:
        raise ValidationFailed(FieldError("STAGE", f"stage « {placement_id} » introuvable"))
    return found


def _check(p: Placement, visits: tuple[Visit, ...]) -> tuple[Visit, ...]:
    """Validated as a load would (`interchange` parser of `placements[].visits`)."""
    from ..domain.interchange import _json_value

    parse = SPECS["placements"][1]["visits"][0]
    return parse([_json_value(v) for v in visits], "visits")


def _save(repo: Repository, p: Placement, rev: int, visits: tuple[Visit, ...]) -> Placement:
    saved = replace(p, visits=_check(p, visits))
    repo.update("placements", saved, rev)
    return saved


def _expect(p: Placement, visit_id: str, expected: Visit | None) -> None:
    """`expected`: the visit as the person saw it; another version in the store is refused."""
    if expected is None:
        return
    current = next((v for v in p.visits if v.id == visit_id), None)
    if current != expected:
        raise VisitChanged(current)


def _kind(kind: str | None) -> str:
    if kind is None:
        return "sur_place"
    key = kind.replace(" ", "_").replace("é", "e")
    if key not in VISIT_KINDS:
        raise ValidationFailed(FieldError("--kind", f"« {kind} » : attendu sur_place, telephone ou visio"))
    return key


def plan_visit(repo: Repository, placement_id: str, planned_on: date | None, *, teacher: str | None = None,
               kind: str | None = None, done_on: date | None = None, report: str | None = None) -> Visit:
    """A new visit, added to what the store holds at the instant of the write (under its lock:
    a visit another session planned meanwhile is kept)."""
    kind_key = _kind(kind)

    def write(r: Repository) -> Visit:
        p, rev = _placement(r, placement_id)
        taken = {v.id for v in p.visits}
        n = len(p.visits) + 1
        while f"v{n}" in taken:
            n += 1
        visit = Visit(f"v{n}", planned_on=planned_on, done_on=done_on, teacher=teacher or p.teacher, kind=kind_key,
                      report=report)
        if planned_on is not None and not (p.start <= planned_on <= p.end):
            raise ValidationFailed(FieldError("--on", f"le {format_date_fr(planned_on)} est hors du stage "
                                                      f"(du {format_date_fr(p.start)} au {format_date_fr(p.end)})"))
        _save(r, p, rev, p.visits + (visit,))
        return visit

    return repo.atomically(write)


def _find(p: Placement, visit_id: str) -> Visit:
    for v in p.visits:
        if v.id == visit_id:
            return v
    raise ValidationFailed(FieldError("VISITE", f"visite « {visit_id} » introuvable pour le stage « {p.id} »"))


def visit_done(repo: Repository, placement_id: str, visit_id: str, done_on: date, *, report: str | None = None,
               kind: str | None = None, expected: Visit | None = None) -> Visit:
    """Record the visit as done (`report` None keeps the compte rendu, "" removes it); with
    `expected`, refused (`VisitChanged`) if the stored visit is no longer the one the person saw."""
    kind_key = _kind(kind) if kind is not None else None

    def write(r: Repository) -> Visit:
        p, rev = _placement(r, placement_id)
        _expect(p, visit_id, expected)
        v = _find(p, visit_id)
        new = replace(v, done_on=done_on, report=(report.strip() or None) if report is not None else v.report,
                      kind=kind_key if kind_key is not None else v.kind)
        _save(r, p, rev, tuple(new if x.id == visit_id else x for x in p.visits))
        return new

    return repo.atomically(write)


def remove_visit(repo: Repository, placement_id: str, visit_id: str, *, expected: Visit | None = None) -> None:
    def write(r: Repository) -> None:
        p, rev = _placement(r, placement_id)
        _expect(p, visit_id, expected)
        _find(p, visit_id)
        _save(r, p, rev, tuple(x for x in p.visits if x.id != visit_id))

    repo.atomically(write)


def describe(v: Visit) -> str:
    when = (f"faite le {format_date_fr(v.done_on)}" if v.done_on else f"prévue le {format_date_fr(v.planned_on)}")
    who = f" par {v.teacher}" if v.teacher else ""
    text = f"{v.id} : {VISIT_KIND_LABELS[v.kind]}, {when}{who}"
    return text + (f" — {v.report}" if v.report else "")
