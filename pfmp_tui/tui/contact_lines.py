"""How to reach a host organisation or a tutor, in a few lines a person reads (issue 15).

The organisations and tutors lists show them under the table for the row under the
cursor; the placement dialog for the organisation chosen. Words, not colours or icons:
« Tél. », « Courriel », « Site », and « — » for what the school has not recorded.
"""

from __future__ import annotations

from typing import Any

from ..domain.model import Organisation, Tutor

NONE = "—"


def _or_none(value: str | None) -> str:
    return value if value else NONE


def organisation_lines(org: Organisation, tutors: list[Tutor], *, with_tutors: bool = True) -> list[str]:
    where = ", ".join(x for x in (org.address, " ".join(y for y in (org.postcode, org.city) if y)) if x)
    if org.country != "FR":
        where = f"{where} ({org.country})" if where else org.country
    lines = [f"{org.name} · {where or 'adresse : —'}" + (f" · SIRET {org.siret}" if org.siret else "")]
    lines.append(organisation_contact(org))
    rep = ", ".join(x for x in (org.representative, org.representative_title) if x)
    lines.append(f"Représentant : {_or_none(rep)}")
    if with_tutors:
        names = ", ".join(t.full_name for t in sorted(tutors, key=lambda t: (t.last_name.casefold(),
                                                                             t.first_name.casefold())))
        lines.append(f"Tuteurs : {names or 'aucun'}")
    if org.notes:
        first, *rest = org.notes.strip().splitlines() or [""]
        lines.append(f"Notes : {first}" + (" […]" if rest else ""))
    return lines


def organisation_contact(org: Organisation) -> str:
    return f"Tél. {_or_none(org.phone)} · Courriel {_or_none(org.email)} · Site {_or_none(org.website)}"


def tutor_contact(tutor: Tutor) -> str:
    """The reminders go to the tutor's e-mail: without one, say so."""
    return f"Courriel {tutor.email or '— (aucun rappel possible)'} · Tél. {_or_none(tutor.phone)}"


def tutor_lines(tutor: Tutor, org: Organisation | None, placements: int) -> list[str]:
    where = org.name if org is not None else tutor.organisation_id
    return [
        f"{tutor.full_name}" + (f", {tutor.job_title}" if tutor.job_title else "") + f" · {where}",
        f"{tutor_contact(tutor)} · "
        + (f"{placements} stage{'s' if placements > 1 else ''}" if placements else "aucun stage"),
    ]


def contact_lines(state: Any, kind: str, record_id: str) -> list[str]:
    """The lines for the organisation or tutor `record_id` of `state` ([] if it is gone)."""
    data = state.data
    if kind == "organisations":
        org = state.get("organisations", record_id)
        if org is None:
            return []
        return organisation_lines(org, [t for t in data.tutors if t.organisation_id == record_id])
    if kind == "tutors":
        tutor = state.get("tutors", record_id)
        if tutor is None:
            return []
        n = sum(1 for p in data.placements if p.tutor_id == record_id)
        return tutor_lines(tutor, state.get("organisations", tutor.organisation_id), n)
    return []
