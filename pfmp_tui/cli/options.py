"""Option values as people type them: dates JJ/MM/AAAA or AAAA-MM-JJ, records by id or by name."""

from __future__ import annotations

import re
from datetime import date

from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import Dataset
from ..services import lookup


def date_option(value: str, option: str) -> date:
    """`--as-of 28/11/2026` or `--as-of 2026-11-28` (what the TUI and the exports show, or ISO)."""
    text = (value or "").strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text) or re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m is not None:
        day, month, year = (m[1], m[2], m[3]) if "/" in text else (m[3], m[2], m[1])
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
        raise ValidationFailed(FieldError(option, f"date invalide « {text} » (ce jour n'existe pas)"))
    raise ValidationFailed(FieldError(option, f"date invalide « {text} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)"))


def iso_date_option(value: str | None, option: str) -> str | None:
    """The same, given on as ISO text (for services that take interchange values)."""
    return None if value is None else date_option(value, option).isoformat()


def organisation_option(data: Dataset, value: str | None, option: str = "--organisation") -> str | None:
    return None if value is None else lookup.organisation_id(data, value.strip(), option)


def tutor_option(data: Dataset, value: str | None, organisation: str | None, option: str = "--tutor") -> str | None:
    return None if value is None else lookup.tutor_id(data, value.strip(), organisation, option)


def period_option(data: Dataset, value: str | None, option: str = "--period") -> str | None:
    return None if value is None else lookup.period_id(data, value.strip(), None, option)
