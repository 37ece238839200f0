"""The terms a convention fixes for one placement (hours, annexe pédagogique,
gratification, travel, meals, insurance), entered from the CLI or the TUI.

Validated as a load validates them (`interchange.parse_record`), and refused for a
minor beyond 8 h a day, 35 h a week or with night work (`domain.convention`)."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from ..domain.competences import competence
from ..domain.convention import minor_hours_errors
from ..domain.errors import FieldError, ValidationFailed
from ..domain.interchange import SPECS, TERMS_KEYS
from ..domain.model import Placement, PlacementTerms
from ..store.repository import Repository


def set_terms(repo: Repository, placement_id: str, changes: dict[str, Any]) -> Placement:
    """Change some terms of a placement (a value None clears it); returns the placement saved."""
    unknown = set(changes) - set(TERMS_KEYS)
    if unknown:
        raise ValueError(f"unknown terms {sorted(unknown)}")
    snap = repo.snapshot()
    placement = snap.get("placements", placement_id)
    if placement is None:
        raise ValidationFailed(FieldError("STAGE", f"stage « {placement_id} » introuvable"))
    current = asdict(placement.terms or PlacementTerms())
    current["competences"] = list(current["competences"])
    current.update(changes)
    parse_terms = SPECS["placements"][1]["terms"][0]
    terms = parse_terms({k: v for k, v in current.items() if v is not None}, "terms")
    student = snap.get("students", placement.student_id)
    errors = minor_hours_errors(student, placement, terms)
    if errors:
        raise ValidationFailed(errors)
    saved = replace(placement, terms=terms)
    repo.update("placements", saved, snap.rev("placements", placement_id))
    return saved


def describe_terms(p: Placement) -> str:
    t = p.terms or PlacementTerms()

    def h(x: float | None) -> str:
        return "—" if x is None else f"{x:g} h".replace(".", ",")

    lines = [
        f"Stage {p.id} — conditions fixées par la convention",
        f"  heures par jour      : {h(t.daily_hours)}",
        f"  heures par semaine   : {h(t.weekly_hours)}",
        f"  horaires             : {t.schedule or '—'}",
        f"  travail de nuit      : {'oui' if t.night_work else 'non'}",
        f"  activités prévues    : {t.activities or '—'}",
        f"  gratification        : {t.gratification or '—'}",
        f"  transport            : {t.travel or '—'}",
        f"  restauration         : {t.meals or '—'}",
        f"  assurance (accueil)  : {t.insurance or '—'}",
        f"  compétences visées   : {len(t.competences) or 'aucune'}",
    ]
    lines += [f"    {code} {competence(code).label}" for code in t.competences]
    return "\n".join(lines)
