"""Rules across records of the interchange extensions (CONTRACT.md « Extensions », R18):
an absence lies inside its placement and its days fit its dates; a make-up placement
(`makes_up`) names another placement of the same learner, not itself, with no cycle.

Shared by `load` (the whole document) and the store (one record at a time), so that
every way in refuses the same records with the same French message. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

from .absences import absence_errors, makes_up_errors
from .errors import Collector
from .model import Dataset, Placement


def cross_record_errors(data: Dataset, placements: Mapping[str, Placement], paths: Mapping[str, str],
                        errs: Collector) -> None:
    """Report in `errs` the extension rules broken by `data`'s absences and placements;
    `placements` holds every placement they may refer to (the document's and the store's),
    `paths[id]` where a placement of `data` sits in the document."""
    for i, absence in enumerate(data.absences):
        absence_errors(absence, placements.get(absence.placement_id), f"absences[{i}]", errs)
    if any(p.makes_up is not None for p in placements.values()):
        makes_up_errors(placements, paths, errs)
