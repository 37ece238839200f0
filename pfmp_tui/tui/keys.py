"""Every key of the interface, as data: one table, each binding with a stable id.

Screens take their BINDINGS from here, the help screen (`?`) lists this same table,
and an id (``candidate.new_placement``) lets a keymap move a key without touching
the screens (`App.set_keymap`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

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
        _b("m", "app.my_students", "Mes élèves", "dashboard.my_students",
           tooltip="Mes élèves : ceux dont je suis le professeur référent, ce qui les attend d'abord (R11, R12)"),
        _b("n", "app.new_student", "Nouvel élève", "dashboard.new_student", show=False),
        _b("c", "app.records('cohorts')", "Cohortes", "dashboard.cohorts"),
        _b("p", "app.periods", "Périodes", "dashboard.periods", show=False,
           tooltip="Périodes de PFMP de la cohorte choisie : dates, vacances, planificateur, placer les élèves"),
        _b("f", "app.timeline", "Frise", "dashboard.timeline", show=False,
           tooltip="Frise de la cohorte choisie : élèves × semaines, chaque stage avec son état"),
        _b("o", "app.records('organisations')", "Organisations", "dashboard.organisations", show=False),
        _b("J", "app.journal", "Journal", "dashboard.journal", show=False,
           tooltip="Journal des modifications : qui a changé quoi, quand, avec filtres"),
        _b("a", "app.allocation", "Allocation", "dashboard.allocation", show=False,
           tooltip="Allocation PFMP de la cohorte choisie : montants et ce qui bloque chaque paiement (R17)"),
        _b("r", "app.reminders", "Rappels", "dashboard.reminders", show=False,
           tooltip="Rappels aux tuteurs par courriel : conventions, attestations, évaluations (R10–R12)"),
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
        _b("f", "app.timeline", "Frise", "candidates.timeline",
           tooltip="Frise de la cohorte filtrée : élèves × semaines, chaque stage avec son état"),
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
        _b("g", "assess", "Évaluer", "candidate.assess", show=False,
           tooltip="Grille d'évaluation des compétences du stage choisi (R12) : 1 à 4, 0 non évalué"),
        _b("p", "progress", "Progression", "candidate.progress", show=False,
           tooltip="Progression sur le cycle : compétences × stages, couverture des trois blocs (R16)"),
        _b("t", "paper('attestation')", "Attestation PDF", "candidate.paper_attestation", show=False,
           tooltip="Attestation de PFMP du stage choisi, pré-remplie pour le tuteur, en PDF dans exports/ (R11)"),
        _b("l", "paper('liaison')", "Document de liaison PDF", "candidate.paper_liaison", show=False,
           tooltip="Document de liaison de l'élève (stages et évaluations), en PDF dans exports/ (R12)"),
        _b("delete", "delete_item", "Supprimer", "candidate.delete_item", key_display="suppr",
           tooltip="Supprimer le stage (ou le justificatif) choisi, après confirmation"),
        _b("ctrl+delete", "delete_student", "Supprimer l'élève", "candidate.delete_student", show=False,
           key_display="^suppr", tooltip="Supprimer l'élève et tout son dossier, après confirmation"),
        _b("c", "terms", "Conditions", "candidate.terms", show=False,
           tooltip="Conditions de la convention du stage choisi : horaires, travail de nuit, compétences visées "
                   "(annexe pédagogique), gratification, transport, restauration, assurance"),
        _b("h", "history", "Historique", "candidate.history", show=False,
           tooltip="Historique de l'élève : qui a changé quoi dans son dossier, et quand (journal)"),
        _b("v", "visits", "Visites", "candidate.visits", show=False,
           tooltip="Visites de stage du stage choisi : planifier, noter faite (compte rendu), supprimer"),
    )),
    "visits": Scope("Visites de stage", (
        _b("n", "plan", "Planifier", "visits.plan", tooltip="Planifier une visite : date, professeur, modalité"),
        _b("enter", "done", "Visite faite", "visits.done", key_display="entrée",
           tooltip="Noter la visite choisie comme faite : date, modalité, compte rendu"),
        _b("delete", "delete", "Supprimer", "visits.delete", key_display="suppr",
           tooltip="Supprimer la visite choisie, après confirmation"),
        _b("escape", "close", "Fermer", "visits.close"),
    )),
    "placement_list": Scope("Stages à suivre", (
        _b("escape", "back", "Retour", "placement_list.back"),
        _b("enter", "open", "Fiche", "placement_list.open", key_display="entrée",
           tooltip="Ouvrir la fiche de l'élève sur ce stage"),
        _b("v", "visits", "Visites", "placement_list.visits",
           tooltip="Visites du stage choisi : planifier, noter faite, supprimer"),
    )),
    "reminders": Scope("Rappels aux tuteurs", (
        _b("escape", "back", "Retour", "reminders.back"),
        _b("ctrl+s", "send", "Envoyer", "reminders.send", key_display="^s", priority=True,
           tooltip="Envoyer les messages de l'aperçu, après confirmation ; chacun est consigné dans ses stages"),
        _b("ctrl+r", "preview", "Aperçu", "reminders.preview", key_display="^r", priority=True,
           tooltip="Relire le magasin et recalculer ce qui est dû (efface les résultats d'un envoi)"),
        _b("f", "open_file", "Fiche", "reminders.file",
           tooltip="Ouvrir la fiche de l'élève de la ligne choisie (aussi : entrée)"),
    )),
    "journal": Scope("Journal des modifications", (
        _b("escape", "back", "Retour", "journal.back"),
        _b("slash", "filter", "Filtrer", "journal.filter", key_display="/",
           tooltip="Filtre : un identifiant (enregistrement ou élève), @login, une date JJ/MM/AAAA (depuis)"),
        _b("u", "revert", "Annuler l'entrée", "journal.revert",
           tooltip="Annuler l'entrée choisie si rien de ce qu'elle a touché n'a changé depuis (journalisé)"),
    )),
    "users": Scope("Utilisateurs et rôles", (
        _b("escape", "back", "Retour", "users.back"),
        _b("n", "add", "Ajouter", "users.add", tooltip="Ajouter un utilisateur (login Unix) avec son rôle"),
        _b("r", "next_role", "Changer de rôle", "users.role",
           tooltip="Rôle suivant : coordination, professeur, administration, lecture"),
        _b("delete", "remove", "Retirer", "users.remove", key_display="suppr"),
    )),
    "records": Scope("Cohortes, organisations, tuteurs", (
        _b("escape", "back", "Retour", "records.back"),
        _b("n", "new", "Nouveau", "records.new"),
        _b("e", "edit", "Modifier", "records.edit"),
        _b("delete", "delete", "Supprimer", "records.delete", key_display="suppr"),
        _b("slash", "search", "Rechercher", "records.search", key_display="/"),
        _b("t", "tutors", "Tuteurs", "records.tutors"),
        _b("p", "app.periods", "Périodes", "records.periods", show=False,
           tooltip="Cohortes : périodes de PFMP de la cohorte choisie, planificateur, placer les élèves"),
        _b("f", "app.timeline", "Frise", "records.timeline", show=False,
           tooltip="Cohortes : frise de la cohorte choisie (élèves × semaines)"),
        _b("v", "app.cohort_competences", "Compétences", "records.competences", show=False,
           tooltip="Cohortes : les compétences qu'aucun élève de la cohorte choisie n'a vu évaluer (R12, R16)"),
    )),
    "assessment": Scope("Grille d'évaluation", (
        _b("1", "level(1)", "Non acquis", "assessment.level_1", show=False,
           tooltip="Niveau 1 : non acquis, puis compétence suivante"),
        _b("2", "level(2)", "En cours d'acquisition", "assessment.level_2", show=False,
           tooltip="Niveau 2 : en cours d'acquisition, puis compétence suivante"),
        _b("3", "level(3)", "Acquis", "assessment.level_3", show=False,
           tooltip="Niveau 3 : acquis, puis compétence suivante"),
        _b("4", "level(4)", "Maîtrisé", "assessment.level_4", show=False,
           tooltip="Niveau 4 : maîtrisé, puis compétence suivante"),
        _b("0,delete", "level(0)", "Non évalué", "assessment.level_0", show=False, key_display="0 / suppr",
           tooltip="Non évalué (efface le niveau), puis compétence suivante"),
        _b("c", "comment", "Commentaire", "assessment.comment",
           tooltip="Commentaire du tuteur sur la compétence choisie (aussi : entrée)"),
        _b("t", "toggle_assessor", "Évaluateur", "assessment.assessor",
           tooltip="Évaluée par le tuteur ou par l'enseignant"),
        _b("d", "edit_date", "Date", "assessment.date", tooltip="Date de l'évaluation (JJ/MM/AAAA)"),
        _b("v", "next_session", "Autre évaluation", "assessment.next_session", show=False,
           tooltip="Ouvrir l'évaluation enregistrée suivante de ce stage (tuteur, visite de l'enseignant…)"),
        _b("n", "new_session", "Nouvelle évaluation", "assessment.new_session", show=False,
           tooltip="Grille vide datée d'aujourd'hui, gardée à côté des évaluations enregistrées"),
        _b("ctrl+s", "save", "Enregistrer", "assessment.save", key_display="^s", priority=True),
        _b("escape", "back", "Retour", "assessment.back",
           tooltip="Retour (demande confirmation si la saisie n'est pas enregistrée)"),
    )),
    "progress": Scope("Progression sur le cycle", (
        _b("escape", "back", "Retour", "progress.back"),
        _b("g", "assess", "Évaluer ce stage", "progress.assess",
           tooltip="Grille d'évaluation du stage de la colonne choisie (aussi : entrée)"),
        _b("l", "liaison_pdf", "Liaison PDF", "progress.liaison_pdf",
           tooltip="Document de liaison de l'élève, en PDF dans exports/ (R12)"),
    )),
    "cohort_competences": Scope("Compétences d'une cohorte", (
        _b("escape", "back", "Retour", "cohort_competences.back"),
        _b("j", "toggle_never", "Jamais évaluées / toutes", "cohort_competences.toggle"),
    )),
    "my_students": Scope("Mes élèves", (
        _b("escape", "back", "Retour", "my_students.back"),
        _b("f", "open_file", "Fiche", "my_students.file",
           tooltip="Ouvrir la fiche de l'élève (entrée : la grille à remplir, ou la fiche)"),
        _b("r", "choose_teacher", "Référent", "my_students.teacher",
           tooltip="Voir les élèves d'un autre professeur référent"),
        _b("v", "visits", "Visites", "my_students.visits",
           tooltip="Visites du stage de la ligne choisie : planifier, noter faite, supprimer"),
    )),
    # -- planning (issue 5) and import (issue 7) ------------------------------------------------------
    "allocation": Scope("Allocation PFMP d'une cohorte", (
        _b("escape", "back", "Retour", "allocation.back"),
        _b("enter", "open", "Fiche", "allocation.open", key_display="entrée", tooltip="Ouvrir la fiche de l'élève"),
    )),
    "periods": Scope("Périodes d'une cohorte", (
        _b("escape", "back", "Retour", "periods.back"),
        _b("n", "new", "Nouvelle", "periods.new",
           tooltip="Nouvelle période : libellé, début, fin ; jours ouvrés, vacances et jours fériés vérifiés"),
        _b("e", "edit", "Modifier", "periods.edit", show=False, tooltip="Modifier la période choisie (aussi : entrée)"),
        _b("delete", "delete", "Supprimer", "periods.delete", key_display="suppr", show=False,
           tooltip="Supprimer la période choisie, après confirmation (refusé si des stages s'y rattachent)"),
        _b("p", "planner", "Planifier", "periods.planner",
           tooltip="Planificateur : des périodes hors vacances qui atteignent la durée requise (R1–R5)"),
        _b("a", "place", "Placer", "periods.place",
           tooltip="Placer les élèves dans la période choisie, puis leur organisation d'accueil et leur tuteur"),
        _b("f", "timeline", "Frise", "periods.timeline", tooltip="Frise de la cohorte : élèves × semaines"),
    )),
    "planner": Scope("Planificateur de périodes", (
        _b("escape", "back", "Rejeter", "planner.back", tooltip="Rejeter la proposition : rien n'est créé"),
        _b("space", "toggle", "Garder / écarter", "planner.toggle", key_display="espace",
           tooltip="Garder ou écarter la période proposée choisie"),
        _b("a", "toggle_all", "Tout", "planner.all", show=False, tooltip="Tout garder, ou tout écarter"),
        _b("ctrl+s", "accept", "Créer", "planner.accept", key_display="^s", priority=True,
           tooltip="Créer les périodes gardées, en une fois"),
    )),
    "placing": Scope("Placer les élèves d'une période", (
        _b("escape", "back", "Retour", "placing.back"),
        _b("space", "toggle", "Choisir", "placing.toggle", key_display="espace",
           tooltip="Choisir l'élève, ou ne plus le choisir (sans choix : toute la cohorte)"),
        _b("t", "toggle_all", "Tous / aucun", "placing.all", show=False, tooltip="Choisir tous les élèves, ou aucun"),
        _b("p", "place", "Placer", "placing.place",
           tooltip="Créer les stages de la période : élèves choisis, sinon toute la cohorte (en une fois)"),
        _b("o", "assign", "Organisation", "placing.assign",
           tooltip="Organisation d'accueil, tuteur et professeur référent de l'élève (aussi : entrée)"),
        _b("f", "timeline", "Frise", "placing.timeline", show=False, tooltip="Frise de la cohorte"),
        _b("c", "terms", "Conditions", "placing.terms", show=False,
           tooltip="Conditions de la convention du stage de l'élève choisi : horaires, travail de nuit, "
                   "compétences visées, gratification, transport, restauration, assurance"),
    )),
    "assign": Scope("Organisation d'accueil et tuteur", (
        _b("ctrl+s", "save", "Enregistrer", "assign.save", key_display="^s", priority=True),
        _b("escape", "cancel", "Annuler", "assign.cancel"),
        _b("down", "to_list", "Vers la liste", "assign.to_list", show=False, key_display="↓",
           tooltip="Depuis une recherche : aller dans la liste de ses résultats"),
        _b("ctrl+n", "new_organisation", "Créer ce qui manque", "assign.new_organisation", key_display="^n",
           tooltip="Créer l'organisation (depuis sa recherche) ou le tuteur (depuis la sienne) qui manque ; "
                   "ce qui était tapé est repris, il est ensuite choisi"),
    )),
    "timeline": Scope("Frise d'une cohorte", (
        _b("escape", "back", "Retour", "timeline.back"),
        _b("left,h", "move(0,-1)", "Semaine précédente", "timeline.left", show=False, key_display="← / h"),
        _b("right,l", "move(0,1)", "Semaine suivante", "timeline.right", show=False, key_display="→ / l"),
        _b("up,k", "move(-1,0)", "Élève précédent", "timeline.up", show=False, key_display="↑ / k"),
        _b("down,j", "move(1,0)", "Élève suivant", "timeline.down", show=False, key_display="↓ / j"),
        _b("shift+left", "move(0,-4)", "4 semaines avant", "timeline.month_back", show=False, key_display="⇧←"),
        _b("shift+right", "move(0,4)", "4 semaines après", "timeline.month_on", show=False, key_display="⇧→"),
        _b("pageup", "page(-1)", "Page d'élèves précédente", "timeline.page_up", show=False, key_display="pg↑"),
        _b("pagedown", "page(1)", "Page d'élèves suivante", "timeline.page_down", show=False, key_display="pg↓"),
        _b("home", "edge(-1)", "Début du cycle", "timeline.home", show=False, key_display="début"),
        _b("end", "edge(1)", "Fin du cycle", "timeline.end", show=False, key_display="fin"),
        _b("t", "today", "Aujourd'hui", "timeline.today"),
        _b("enter", "open", "Fiche", "timeline.open", key_display="entrée", tooltip="Ouvrir la fiche de l'élève"),
        _b("o", "assign", "Organisation", "timeline.assign",
           tooltip="Organisation d'accueil et tuteur du stage sous le curseur"),
        _b("p", "periods", "Périodes", "timeline.periods", show=False, tooltip="Périodes de la cohorte"),
        _b("c", "terms", "Conditions", "timeline.terms", show=False,
           tooltip="Conditions de la convention du stage sous le curseur : horaires, compétences visées…"),
    )),
    "import": Scope("Importer", (
        _b("escape", "back", "Annuler", "import.back", tooltip="Fermer sans rien importer"),
        _b("ctrl+r", "preview", "Aperçu", "import.preview", key_display="^r", priority=True,
           tooltip="Lire le fichier et montrer ce qui serait créé, mis à jour, ignoré, rejeté (aussi : entrée)"),
        _b("ctrl+s", "apply", "Importer", "import.apply", key_display="^s", priority=True,
           tooltip="Écrire ce que montre l'aperçu, en une fois"),
        _b("f2", "mapping", "Colonnes", "import.mapping", key_display="F2",
           tooltip="Organisations : choisir la colonne du fichier de chaque champ"),
    )),
    "mapping": Scope("Correspondance des colonnes", (
        _b("ctrl+s", "save", "Appliquer", "mapping.save", key_display="^s", priority=True),
        _b("escape", "cancel", "Annuler", "mapping.cancel"),
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


def binding_ids() -> set[str]:
    return {b.id for scope in SCOPES.values() for b in scope.bindings if b.id}


def keymap_path() -> Path:
    """$PFMP_KEYMAP, else ~/.config/pfmp/keymap.toml (or under $XDG_CONFIG_HOME)."""
    if os.environ.get("PFMP_KEYMAP"):
        return Path(os.environ["PFMP_KEYMAP"])
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "pfmp" / "keymap.toml"


def load_keymap(path: Path) -> tuple[dict[str, str], list[str]]:
    """A user's keymap: binding id → key(s), e.g. ``"candidate.new_placement" = "ctrl+n"``
    (under a ``[keymap]`` table or at the top level). Returns it with French warnings
    about what was left aside; a missing file is an empty keymap, never an error."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return {}, []
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"raccourcis personnels ignorés ({path}) : {exc}"]
    table = data.get("keymap", data)
    known = binding_ids()
    keymap: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, key in table.items():
        if binding_id not in known:
            warnings.append(f"raccourci inconnu « {binding_id} » dans {path} (voir l'aide, touche ?)")
        elif not isinstance(key, str) or not key.strip():
            warnings.append(f"touche invalide pour « {binding_id} » dans {path}")
        else:
            keymap[binding_id] = key.strip()
    return keymap, warnings


def key_label(binding: Binding, keymap: dict[str, str] | None = None) -> str:
    """How a person reads the key(s): « ? », « ^s », « suppr », « ↓ / j » — the user's
    own key when their keymap moved it."""
    if keymap and binding.id in keymap:
        binding = Binding(keymap[binding.id], binding.action)
    if binding.key_display:
        return binding.key_display
    names = {"escape": "échap", "enter": "entrée", "delete": "suppr", "down": "↓", "up": "↑",
             "slash": "/", "question_mark": "?"}
    return " / ".join(names.get(k, k) for k in binding.key.split(","))
