"""The palette's planning entries: imports, and each cohort's periods and frise."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.app import App

from ...role_gates import gate
from ...state import cohort_name


def palette_commands(app: App) -> list[tuple[str, str, Callable[[], object]]]:
    """The palette's import entries, and each cohort's periods and frise."""
    commands: list[tuple[str, str, Callable[[], object]]] = [
        ("Importer des élèves (SIECLE)…", "XML (zippé ou non) ou CSV par division ; aperçu avant d'écrire",
         partial(app.action_import, "students")),
        ("Importer des organisations…", "CSV ou XLSX : nom, SIRET, adresse, tuteur ; aperçu avant d'écrire",
         partial(app.action_import, "organisations")),
        ("Représentants légaux (SIECLE)…", "Exports des élèves et des responsables : complète les élèves "
         "déjà enregistrés ; aperçu avant d'écrire", partial(app.action_import, "representatives")),
    ] if gate(app, "app", "import") else []  # issue 16: hidden from a role that may not import
    state = getattr(app, "state", None)
    for c in state.cohorts() if state is not None else []:
        name = cohort_name(c)
        commands.append((f"Périodes de la cohorte {name}",
                         "Dates, jours ouvrés, vacances ; planificateur (R1–R5) ; placer les élèves",
                         partial(app.action_periods, c.id)))
        commands.append((f"Frise de la cohorte {name}", "Élèves × semaines : chaque stage avec son état",
                         partial(app.action_timeline, c.id)))
    return commands
