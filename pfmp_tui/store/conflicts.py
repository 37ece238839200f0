"""The refusal of an update based on a revision someone else has replaced."""

from __future__ import annotations

from typing import Any

from ..domain.wording import agree_kind, capitalised
from .layout import KIND_LABELS


class ConflictError(Exception):
    """Someone else saved this record since it was opened: nothing was overwritten."""

    def __init__(self, kind: str, record_id: str, current: Any | None, current_rev: int | None):
        self.kind = kind
        self.record_id = record_id
        self.current = current
        self.current_rev = current_rev
        what = capitalised(KIND_LABELS.get(kind, kind))
        if current is None:
            msg = (f"{what} « {record_id} » a été {agree_kind('supprimé', kind)} par une autre session : "
                   "rien n'a été enregistré")
        else:
            msg = (f"{what} « {record_id} » a été {agree_kind('modifié', kind)} par une autre session depuis son "
                   "ouverture : rien n'a été enregistré")
        super().__init__(msg)
