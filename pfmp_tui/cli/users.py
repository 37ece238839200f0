"""`pfmp users list|add|set|remove`: who may do what in this store (issue 16)."""

from __future__ import annotations

import argparse

from ..domain.roles import ROLE_LABELS, ROLES
from ..services import access, data_io


def register(sub) -> dict:
    p = sub.add_parser("users", help="utilisateurs du magasin et leur rôle (coordination seulement pour changer)")
    act = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=sub._parser_class)
    act.add_parser("list", help="la liste et le rôle de chacun")
    for name, what in (("add", "ajoute un utilisateur"), ("set", "change le rôle d'un utilisateur")):
        a = act.add_parser(name, help=what)
        a.add_argument("login", metavar="LOGIN", help="identifiant Unix")
        a.add_argument("role", metavar="RÔLE", choices=ROLES, help=" | ".join(ROLES))
    a = act.add_parser("remove", help="retire un utilisateur de la liste")
    a.add_argument("login", metavar="LOGIN")
    return {"users": _cmd_users}


def _cmd_users(args: argparse.Namespace) -> int:
    repo = data_io.open_repository(args.db)
    if args.action == "list":
        users = access.users(repo)
        if users is None:
            print("Pas de liste d'utilisateurs : tout le monde a le rôle coordination "
                  "(« pfmp users add LOGIN RÔLE » en crée une).")
            return 0
        me = access.current_login()
        for login, role in sorted(users.items()):
            print(f"{login:<20} {ROLE_LABELS[role] if role in ROLE_LABELS else role}{'  ← vous' if login == me else ''}")
        return 0
    if args.action == "remove":
        access.remove_user(repo, args.login)
        print(f"« {args.login} » retiré de la liste des utilisateurs.")
        return 0
    access.set_role(repo, args.login, args.role, must_exist=args.action == "set")
    print(f"« {args.login} » a le rôle {args.role}.")
    return 0
