"""R15: a PFMP in a country of the EU, the EEA or EFTA other than France can validate the
optional unité facultative de mobilité (MobilitéPro). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .model import Organisation, Placement
from .validation import MOBILITY_COUNTRIES
from .workdays import working_days

HOME_COUNTRY = "FR"


def counts_for_mobility(organisation: Organisation | None) -> bool:
    """The host is in the EU, the EEA or EFTA, and not in France (R15)."""
    return organisation is not None and organisation.country != HOME_COUNTRY and organisation.country in MOBILITY_COUNTRIES


def is_abroad(organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.country != HOME_COUNTRY


def mobility_days(placements: Iterable[Placement], organisations: Mapping[str, Organisation]) -> int:
    """Working days of the placements that count toward the mobility unit (R15)."""
    return sum(working_days(p.start, p.end) for p in placements
               if counts_for_mobility(organisations.get(p.organisation_id)))
