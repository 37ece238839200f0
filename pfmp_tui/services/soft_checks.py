"""Soft checks at entry: values that are legal but probably a slip (issue 12).

They never block and are never silent: the form lists them and asks « Enregistrer quand
même ? ». Hard rules (a date that does not exist, an end before its start) stay errors,
in `editing` and the domain.
- an attestation received before its PFMP ended (R11: it attests days done), or in the future;
- a convention signed in the future (R10);
- a name that looks like a date (a pasted or shifted column: « 12/03/2008 » as a last name).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping

from ..domain.errors import ValidationFailed
from ..domain.validation import format_date_fr, parse_french_date

_DATE_LIKE = re.compile(r"\s*(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{5,8})\s*")
_NAME_FIELDS = {
    "students": (("last_name", "Nom"), ("first_name", "Prénom")),
    "tutors": (("last_name", "Nom"), ("first_name", "Prénom")),
    "organisations": (("name", "Nom"),),
    "work_certificates": (("employer", "Employeur"),),
    "contracts": (("employer", "Employeur"),),
}


def _date(value: Any) -> date | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        return parse_french_date(text, "")
    except ValidationFailed:
        return None  # a bad date is a hard error, reported by the form's validation


def looks_like_a_date(text: str | None) -> bool:
    return bool(text) and _DATE_LIKE.fullmatch(text) is not None


def soft_warnings(form: str, values: Mapping[str, Any], *, base: Any | None, today: date) -> list[str]:
    """What to confirm before saving `values` in `form` (French, one sentence each)."""
    out: list[str] = []
    if form == "attestation" and base is not None:
        received = _date(values.get("attestation.received_on"))
        if received is not None and received < base.end:
            out.append(f"Attestation reçue le {format_date_fr(received)}, avant la fin de la PFMP "
                       f"({format_date_fr(base.end)}) : est-ce bien la date de réception ? (R11)")
        if received is not None and received > today:
            out.append(f"Attestation reçue le {format_date_fr(received)} : c'est dans le futur "
                       f"(aujourd'hui {format_date_fr(today)}).")
    if form == "placements":
        signed = _date(values.get("convention.signed_on"))
        if signed is not None and signed > today:
            out.append(f"Convention signée le {format_date_fr(signed)} : c'est dans le futur "
                       f"(aujourd'hui {format_date_fr(today)}) (R10).")
    for key, label in _NAME_FIELDS.get(form if form != "derogation" else "", ()):
        text = values.get(key)
        if isinstance(text, str) and looks_like_a_date(text):
            out.append(f"{label} « {text.strip()} » : ressemble à une date ou à un nombre (colonne décalée ?).")
    return out
