"""Users and roles (issue 16): who is who in this store, and what they may do.

The list (login → role) lives in the store's manifest and changes in a journalled
commit like any record. Every record change is checked at its commit
(store/audit.py: the CLI, the TUI, an import or a script obey the same rule); the
actions that change no record (exports, backups, purge…) call `require` first.
`can_*` answer the TUI, which greys what the user may not do.
"""

from __future__ import annotations

from ..domain import roles
from ..domain.errors import FieldError, ValidationFailed
from ..store import audit
from ..store.audit import PermissionDenied
from ..store.repository import Repository

__all__ = ["PermissionDenied", "current_login", "users", "role", "require", "set_role", "remove_user", "can_change"]

current_login = audit.current_login


def users(repo: Repository) -> dict[str, str] | None:
    """login -> role, or None when the store has no list (everyone coordinates)."""
    with repo.store.read() as tx:
        return None if tx.manifest.users is None else dict(tx.manifest.users)


def role(repo: Repository, login: str | None = None) -> str | None:
    return audit.role_of(users(repo), login or audit.current_login())


def require(repo: Repository, action: str) -> None:
    """Raise PermissionDenied (French, names the role needed) unless the user may `action`."""
    login = audit.current_login()
    refused = roles.action_refusal(role(repo, login), login, action)
    if refused:
        raise PermissionDenied(refused)


def can(repo: Repository, action: str) -> bool:
    login = audit.current_login()
    return roles.action_refusal(role(repo, login), login, action) is None


def can_change(role_name: str | None, login: str, kind: str, fields: tuple[str, ...] = (), teacher: str | None = None,
               op: str = "update") -> bool:
    """Whether a change would pass the commit's check (for the TUI to grey an action)."""
    return roles.allowed(role_name, login, roles.Change(kind, "", op, fields, teacher))


def _check_login(login: str) -> str:
    login = login.strip()
    if not login or any(c.isspace() for c in login) or len(login) > 64:
        raise ValidationFailed(FieldError("login", f"identifiant invalide « {login} » (un login Unix, sans espace)"))
    return login


def _check_role(name: str) -> str:
    if name not in roles.ROLES:
        raise ValidationFailed(FieldError("role", f"rôle inconnu « {name} » (possibles : {', '.join(roles.ROLES)})"))
    return name


def set_role(repo: Repository, login: str, role_name: str, *, must_exist: bool | None = None) -> None:
    """`users add` (must_exist=False), `users set` (True): one journalled commit."""
    login, role_name = _check_login(login), _check_role(role_name)
    with repo._writing() as tx:
        current = dict(tx.base.users or {})
        if must_exist is False and login in current:
            raise ValidationFailed(FieldError("login", f"« {login} » est déjà dans la liste (rôle {current[login]}) : "
                                              "utilisez « pfmp users set »"))
        if must_exist and login not in current:
            raise ValidationFailed(FieldError("login", f"« {login} » n'est pas dans la liste : utilisez « pfmp users add »"))
        if tx.base.users is None:
            # The first list: whoever creates it stays coordination, else nobody could manage it.
            me = audit.current_login()
            if login != me or role_name != roles.COORDINATION:
                current.setdefault(me, roles.COORDINATION)
        before = current.get(login)
        current[login] = role_name
        _no_orphan(current)
        tx.users = current
        tx.audit_changes = [{"kind": "users", "id": login, "op": "update", "fields": {login: [before, role_name]}}]


def remove_user(repo: Repository, login: str) -> None:
    login = _check_login(login)
    with repo._writing() as tx:
        current = dict(tx.base.users or {})
        if login not in current:
            raise ValidationFailed(FieldError("login", f"« {login} » n'est pas dans la liste des utilisateurs"))
        before = current.pop(login)
        _no_orphan(current)
        tx.users = current
        tx.audit_changes = [{"kind": "users", "id": login, "op": "update", "fields": {login: [before, None]}}]


def _no_orphan(users: dict[str, str]) -> None:
    if roles.COORDINATION not in users.values():
        raise ValidationFailed(FieldError("role", "il doit rester au moins un utilisateur « coordination » : "
                                          "rien n'a été modifié"))
