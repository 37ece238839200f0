"""« Utilisateurs et rôles » (issue 16): the store's user list, kept by coordinators.

Each change is a journalled commit checked like any other (services/access.py): a
user without the coordination role sees the list and is told why they cannot change it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from ...domain.errors import ValidationFailed
from ...domain.roles import ROLE_LABELS, ROLES
from ...services import access
from ...services.errors import StoreError
from .. import keys


class LoginScreen(ModalScreen[str | None]):
    """The login of the user to add (they get the role « lecture », changed with « r »)."""

    CSS_PATH = "users.tcss"
    BINDINGS = [("escape", "cancel", "Annuler")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm-dialog"):
            yield Static("Ajouter un utilisateur", classes="dialog-title")
            yield Static("Login Unix (il reçoit le rôle lecture ; « r » le change) :")
            yield Input(placeholder="ex. mdurand", id="login")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class UsersScreen(Screen):
    CSS_PATH = "users.tcss"
    KEY_SCOPE = "users"
    BINDINGS = keys.bindings("users")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="users-summary", markup=False)
        yield DataTable(id="users-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Login", key="login", width=20)
        table.add_column("Rôle", key="role")
        table.focus()
        self.refresh_list()

    def show_state(self, state) -> None:
        self.refresh_list()

    def refresh_list(self) -> None:
        try:
            users = access.users(self.app.repo)
        except StoreError as exc:
            self.app.notify(str(exc), title="Magasin illisible", severity="error")
            return
        me = access.current_login()
        table = self.query_one(DataTable)
        table.clear()
        summary = self.query_one("#users-summary", Static)
        if users is None:
            summary.update("Pas de liste : tout le monde a le rôle coordination. « n » en crée une "
                           f"(« {me} » y reste coordination).")
            return
        summary.update(f"{len(users)} utilisateur(s) · vous : {me} ({users.get(me, 'hors liste')})")
        for login, role in sorted(users.items()):
            table.add_row(login + (" (vous)" if login == me else ""), ROLE_LABELS.get(role, role), key=login)

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value

    def _apply(self, change) -> None:
        try:
            change()
        except ValidationFailed as exc:
            self.app.notify("\n".join(e.message for e in exc.errors), title="Refusé", severity="error", timeout=10)
        except StoreError as exc:  # the role check (PermissionDenied) included
            self.app.notify(str(exc), title="Refusé", severity="error", timeout=10)
        self.refresh_list()

    def action_add(self) -> None:
        def done(login: str | None) -> None:
            if login:
                self._apply(lambda: access.set_role(self.app.repo, login, "lecture", must_exist=False))

        self.app.push_screen(LoginScreen(), done)

    def action_next_role(self) -> None:
        login = self._selected()
        users = access.users(self.app.repo) or {}
        if login is None or login not in users:
            return
        role = ROLES[(ROLES.index(users[login]) + 1) % len(ROLES)] if users[login] in ROLES else ROLES[0]
        self._apply(lambda: access.set_role(self.app.repo, login, role, must_exist=True))

    def action_remove(self) -> None:
        login = self._selected()
        if login is not None:
            self._apply(lambda: access.remove_user(self.app.repo, login))

    def action_back(self) -> None:
        self.app.pop_screen()
