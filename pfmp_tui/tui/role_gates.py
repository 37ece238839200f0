"""Which keys a role may use in the TUI (issue 16): the rest is hidden.

The rule itself is the services' (checked again at every commit); here it only hides
the keys that would be refused, so that a teacher does not see « Supprimer ». No
screen is imported here: screens may ask `gate` without knowing each other.
"""

from __future__ import annotations

from typing import Any

from ..domain import roles
from ..services import access
from ..services.errors import StoreError

C, P, A = roles.COORDINATION, roles.PROFESSEUR, roles.ADMINISTRATION
# (scope, action) -> roles that may; an action not listed is open to everyone (reading).
GATES: dict[tuple[str, str], tuple[str, ...]] = {
    **{("candidate", a): (C,) for a in ("new_placement", "edit_item", "edit_student", "derogation",
                                        "new_justificatif", "delete_item", "delete_student", "terms")},
    ("candidate", "attestation"): (C, P),
    ("candidate", "assess"): (C, P),
    ("candidate", "visits"): (C, P),  # issue 15: a professeur, on the placements they follow (store's check)
    ("my_students", "visits"): (C, P),
    ("placement_list", "visits"): (C, P),
    ("candidate", "paper"): (C, P, A),
    **{("records", a): (C,) for a in ("new", "edit", "delete")},
    ("candidates", "export"): (C, A),
    ("app", "export"): (C, A),
    ("app", "new_student"): (C,),
    ("app", "new_placement"): (C,),
    ("app", "import"): (C,),
    ("app", "users"): (C,),
    ("app", "reminders"): (C,),  # issue 15: sending records in the placements
}


def current_role(app: Any) -> str | None:
    """The user's role, re-read when the store changed (a stat of the manifest)."""
    stamp = app.repo.store.stamp()
    cached_stamp, role = getattr(app, "_role_cache", (None, None))
    if cached_stamp != stamp or stamp is None:
        try:
            role = access.role(app.repo)
        except StoreError:
            role = None
        app._role_cache = (stamp, role)
    return role


def gate(app: Any, scope: str, action: str) -> bool:
    allowed = GATES.get((scope, action))
    if allowed is None:
        return True
    return current_role(app) in allowed


