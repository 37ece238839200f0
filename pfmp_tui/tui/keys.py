"""Every key of the interface, as data: one table, each binding with a stable id.

Screens take their BINDINGS from here, the help screen (`?`) lists this same table,
and an id (``candidate.new_placement``) lets a keymap move a key without touching
the screens (`App.set_keymap`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


def _b(key: str, action: str, description: str, id: str, *, show: bool = True,
       key_display: str | None = None, priority: bool = False, tooltip: str = "") -> Binding:
    """`description` is short (the footer); `tooltip`, if any, is what the help screen says."""
    return Binding(key, action, description, show=show, key_display=key_display, priority=priority, id=id,
                   tooltip=tooltip)


@dataclass(frozen=True)
class Scope:
    title: str
    bindings: tuple[Binding, ...]


SCOPES: dict[str, Scope] = {
    "app": Scope("Partout", (
        _b("question_mark,f1", "help", "Aide", "app.help", key_display="?"),
        _b("ctrl+p", "command_palette", "Menu", "app.palette", key_display="^p", priority=True, show=False,
           tooltip="Menu des commandes : nouvel élève, exporter, aller à une cohorte, ouvrir une fiche…"),
        _b("f5", "check", "Vérifier / recharger", "app.check", show=False),
        _b("ctrl+t", "toggle_theme", "Thème clair / sombre", "app.theme", show=False, key_display="^t"),
        _b("ctrl+q", "quit", "Quitter", "app.quit", key_display="^q", priority=True, show=False),
    )),
    "dashboard": Scope("Tableau de bord", (
        _b("l", "app.candidates", "Élèves", "dashboard.candidates"),
        _b("x", "app.export", "Exporter", "dashboard.export"),
        _b("n", "app.new_student", "Nouvel élève", "dashboard.new_student", show=False),
        _b("c", "app.records('cohorts')", "Cohortes", "dashboard.cohorts"),
        _b("o", "app.records('organisations')", "Organisations", "dashboard.organisations", show=False),
    )),
    "figure": Scope("Chiffre du tableau de bord", (
        _b("enter", "open", "Ouvrir la liste", "figure.open",
           tooltip="Ouvrir la liste des élèves que ce chiffre compte"),
        # On the figure itself: its scrolling container would take ↑ ↓ first.
        _b("down,j", "app.focus_next", "Chiffre suivant", "figure.next", show=False),
        _b("up,k", "app.focus_previous", "Chiffre précédent", "figure.previous", show=False),
    )),
    "candidates": Scope("Liste des élèves", (
        _b("escape", "back", "Retour", "candidates.back"),
        _b("slash", "search", "Rechercher", "candidates.search", key_display="/"),
        _b("n", "app.new_student", "Nouvel élève", "candidates.new_student", show=False),
        _b("x", "export", "Exporter", "candidates.export"),
        _b("ctrl+r", "reset", "Sans filtre", "candidates.reset", key_display="^r"),
    )),
    "candidate": Scope("Fiche élève", (
        _b("escape", "back", "Retour", "candidate.back", show=False),
        _b("s", "new_placement", "Nouveau stage", "candidate.new_placement",
           tooltip="Nouveau stage (PFMP) : organisation, tuteur, dates, convention"),
        _b("a", "attestation", "Attestation", "candidate.attestation",
           tooltip="Attestation du stage choisi (R11) : reçue le, signée, jours effectués, activités"),
        _b("m", "edit_item", "Modifier", "candidate.edit_item",
           tooltip="Modifier le stage (ou le justificatif) choisi, convention comprise (R10)"),
        _b("e", "edit_student", "Modifier l'élève", "candidate.edit_student", show=False),
        _b("d", "derogation", "Dérogation (avec son motif)", "candidate.derogation", show=False),
        _b("j", "new_justificatif", "Nouveau certificat / contrat", "candidate.new_justificatif", show=False),
        _b("delete", "delete_item", "Supprimer", "candidate.delete_item", key_display="suppr",
           tooltip="Supprimer le stage (ou le justificatif) choisi, après confirmation"),
        _b("ctrl+delete", "delete_student", "Supprimer l'élève", "candidate.delete_student", show=False,
           key_display="^suppr", tooltip="Supprimer l'élève et tout son dossier, après confirmation"),
    )),
    "records": Scope("Cohortes, organisations, tuteurs", (
        _b("escape", "back", "Retour", "records.back"),
        _b("n", "new", "Nouveau", "records.new"),
        _b("e", "edit", "Modifier", "records.edit"),
        _b("delete", "delete", "Supprimer", "records.delete", key_display="suppr"),
        _b("slash", "search", "Rechercher", "records.search", key_display="/"),
        _b("t", "tutors", "Tuteurs", "records.tutors"),
    )),
    "form": Scope("Formulaires", (
        _b("ctrl+s", "save", "Enregistrer", "form.save", key_display="^s", priority=True),
        _b("escape", "cancel", "Annuler", "form.cancel"),
    )),
    "confirm": Scope("Confirmation", (
        _b("o,y", "answer(True)", "Oui", "confirm.yes"),
        _b("n,escape", "answer(False)", "Non", "confirm.no"),
    )),
    "dialog": Scope("Fenêtres", (
        _b("escape", "close", "Fermer", "dialog.close"),
    )),
}


def bindings(scope: str) -> list[Binding]:
    return list(SCOPES[scope].bindings)


def key_label(binding: Binding) -> str:
    """How a person reads the key(s): « ? », « ^s », « suppr », « ↓ / j »."""
    if binding.key_display:
        return binding.key_display
    names = {"escape": "échap", "enter": "entrée", "delete": "suppr", "down": "↓", "up": "↑",
             "slash": "/", "question_mark": "?"}
    return " / ".join(names.get(k, k) for k in binding.key.split(","))
