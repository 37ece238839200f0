"""The TUI side of issue 16: the journal's « which screen », and undoing an entry.

Roles hiding keys: tui/role_gates.py; the screens: screens/journal.py, screens/users.py
(opened through tui/navigation.py like every other).
"""

from __future__ import annotations

from typing import Any

from ..services import journal
from ..services.errors import StoreError
from .screens.dialogs import ConfirmScreen
from .role_gates import gate  # noqa: F401 - the app's check_action uses it from here

def install(app: Any) -> None:
    """The journal names the screen each TUI change was made from."""
    def source() -> str:
        if not getattr(app, "_running", False):  # this app has ended: back to the default
            return "api"
        return f"tui:{getattr(app.screen, 'JOURNAL_NAME', type(app.screen).__name__)}"

    journal.set_source(source)
    app._role_cache = (None, None)


def confirm_revert(app: Any, entry_id: int) -> None:
    entry = next((e for e in getattr(app.screen, "items", []) if e.get("id") == entry_id), None)
    what = "" if entry is None else "\n".join(line for c in entry.get("changes", [])[:6] for line in journal.describe(c))

    def done(yes: bool | None) -> None:
        if not yes:
            return
        try:
            new_id = journal.revert(app.repo, entry_id, via="tui:JournalScreen")
        except (journal.RevertRefused, StoreError) as exc:
            app.notify(str(exc), title="Annulation refusée", severity="error", timeout=10)
            return
        except Exception as exc:  # noqa: BLE001 - a refusal of the checks (ValidationFailed)
            errors = getattr(exc, "errors", None)
            if errors is None:
                raise
            app.notify("\n".join(e.message for e in errors), title="Annulation refusée", severity="error", timeout=10)
            return
        app.notify(f"Entrée {entry_id} annulée (entrée n° {new_id}).", title="Annulé")
        app.reload()

    app.push_screen(ConfirmScreen(f"Annuler l'entrée n° {entry_id} ?", what or "Rétablit les valeurs d'avant.",
                                  yes="Annuler l'entrée", no="Garder"), done)
