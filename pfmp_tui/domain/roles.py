"""Who may change what (issue 16): four roles, one rule per kind of change.

- lecture: reads, changes nothing;
- professeur: the assessments, general appreciations, visits and attestations of the
  placements they follow (the placement's « professeur référent » is their login);
- administration: the payment fields (allocation PFMP), and exports;
- coordination: everything, including the list of users.

Pure: the caller describes each change (`Change`) and gets back, for the first one
refused, a French sentence naming the role it needs. Roles stop mistakes and give
every change an accountable author; the security boundary is the store's Unix file
permissions (README « Rôles »).
"""

from __future__ import annotations

from dataclasses import dataclass

COORDINATION, PROFESSEUR, ADMINISTRATION, LECTURE = "coordination", "professeur", "administration", "lecture"
ROLES: tuple[str, ...] = (COORDINATION, PROFESSEUR, ADMINISTRATION, LECTURE)
ROLE_LABELS = {
    COORDINATION: "coordination (tout)",
    PROFESSEUR: "professeur (évaluations, appréciations, visites, attestations de ses élèves)",
    ADMINISTRATION: "administration (exports, champs de paiement)",
    LECTURE: "lecture (consulter seulement)",
}

# Kinds a professeur référent may change on the placements they follow.
TEACHER_KINDS = frozenset({"assessments", "appreciations", "visits"})
TEACHER_PLACEMENT_FIELDS = ("attestation", "visits")  # visits: placements[].visits (issue 15)
# Fields of the allocation PFMP (payment), per kind, that the administration may change.
PAYMENT_FIELDS = {"students": ("payment",), "placements": ("payment", "allocation")}

# Actions that are not record changes (checked by services/access.py).
ACTIONS = {
    "export": ((COORDINATION, ADMINISTRATION), "exporter des données"),
    "backup": ((COORDINATION, ADMINISTRATION), "faire une sauvegarde"),
    "dump": ((COORDINATION, ADMINISTRATION), "écrire tout le magasin dans un fichier"),
    "restore": ((COORDINATION,), "restaurer une sauvegarde"),
    "purge": ((COORDINATION,), "purger les données anciennes"),
    "subject-access": ((COORDINATION,), "extraire les données d'un élève (droit d'accès)"),
    "users": ((COORDINATION,), "gérer les utilisateurs"),
    "revert": ((COORDINATION,), "annuler une entrée du journal"),
    "papers": ((COORDINATION, PROFESSEUR, ADMINISTRATION), "produire des documents PDF"),
    # Sending records each reminder in its placements (issue 15): only coordination may.
    "remind": ((COORDINATION,), "envoyer des rappels aux tuteurs"),
}


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    record_id: str
    op: str  # create | update | delete
    fields: tuple[str, ...] = ()  # dotted paths changed (update)
    teacher: str | None = None  # the professeur référent of the placement concerned


def _under(field: str, prefixes: tuple[str, ...]) -> bool:
    return any(field == p or field.startswith(p + ".") for p in prefixes)


def allowed(role: str | None, login: str, change: Change) -> bool:
    if role == COORDINATION:
        return True
    if role == PROFESSEUR:
        if change.teacher is None or change.teacher != login:
            return False
        if change.kind in TEACHER_KINDS:
            return True
        return (change.kind == "placements" and change.op == "update" and bool(change.fields)
                and all(_under(f, TEACHER_PLACEMENT_FIELDS) for f in change.fields))
    if role == ADMINISTRATION:
        prefixes = PAYMENT_FIELDS.get(change.kind)
        return (prefixes is not None and change.op == "update" and bool(change.fields)
                and all(_under(f, prefixes) for f in change.fields))
    return False


def needed(change: Change) -> str:
    """The role(s) that may make `change`, in words."""
    if change.kind in TEACHER_KINDS or (
        change.kind == "placements" and change.fields and all(_under(f, TEACHER_PLACEMENT_FIELDS) for f in change.fields)
    ):
        return "professeur (référent de ce stage) ou coordination"
    prefixes = PAYMENT_FIELDS.get(change.kind)
    if prefixes and change.fields and all(_under(f, prefixes) for f in change.fields):
        return "administration ou coordination"
    return "coordination"


def who(role: str | None, login: str) -> str:
    if role is None:
        return f"« {login} » n'est pas dans la liste des utilisateurs du magasin (pfmp users add)"
    return f"vous (« {login} ») avez le rôle {role}"


def refusal(role: str | None, login: str, changes: list[Change], describe) -> str | None:
    """None if `login` (with `role`) may make every change, else why not, in French
    (`describe(change)` says what the change is: « modifier un stage »)."""
    for change in changes:
        if not allowed(role, login, change):
            return (f"action refusée : {describe(change)} ({change.record_id}) demande le rôle {needed(change)} ; {who(role, login)}. "
                    "Rien n'a été modifié.")
    return None


def action_refusal(role: str | None, login: str, action: str) -> str | None:
    roles, what = ACTIONS[action]
    if role in roles:
        return None
    return f"action refusée : {what} demande le rôle {' ou '.join(roles)} ; {who(role, login)}. Rien n'a été modifié."
