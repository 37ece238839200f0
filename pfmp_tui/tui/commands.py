"""The command palette (^p): the main actions, each cohort, and every candidate's file."""

from __future__ import annotations

from functools import partial
from typing import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .liaison import palette_commands
from .screens.planning import palette_commands as planning_commands
from ..domain.wording import count
from .state import CandidateFilter, cohort_name, fold
from .targets import PlacementList

Command = tuple[str, str, Callable[[], object]]


class PfmpCommands(Provider):
    # Commands that leave nothing behind (a dialog over the screen, or nothing changes), and
    # those that ask by themselves (dashboard, quit).
    _STAY = ("action_check", "action_toggle_theme", "action_export", "action_help", "action_dashboard",
             "action_quit")

    def _guarded(self, commands: list[Command]) -> list[Command]:
        """A command run from a changed form or grid asks first (`App.after_leaving`)."""
        app = self.app
        out = []
        for title, help_text, callback in commands:
            name = getattr(callback, "__name__", "")
            if name in self._STAY:
                out.append((title, help_text, callback))
            else:
                out.append((title, help_text, partial(app.after_leaving, callback)))
        return out

    def _main(self) -> list[Command]:
        return self._guarded(self._commands())

    def _commands(self) -> list[Command]:
        app = self.app
        commands: list[Command] = [
            ("Nouvel élève", "Créer la fiche d'un élève", app.action_new_student),
            ("Nouveau stage (PFMP)", "Ajouter un stage à l'élève ouvert", app.action_new_placement),
            ("Exporter les attestations manquantes",
             "CSV, XLSX ou JSON dans exports/ (R11 et autres motifs bloquants)", app.action_export),
            ("Vérifier maintenant", "Relire le magasin et recalculer chaque statut", app.action_check),
            ("Tableau de bord", "Les chiffres par cohorte et ce qui est à surveiller", app.action_dashboard),
            ("Liste des élèves", "Tous les élèves, avec filtres et recherche", app.action_candidates),
            ("Mes élèves", f"Élèves dont « {app.user} » est le référent, ce qui les attend d'abord (R11, R12)",
             app.action_my_students),
            ("Cohortes", "Créer, modifier, supprimer une cohorte", partial(app.action_records, "cohorts")),
            ("Organisations d'accueil", "Créer, modifier, supprimer (SIRET vérifié)",
             partial(app.action_records, "organisations")),
            ("Tuteurs", "Créer, modifier, supprimer un tuteur", partial(app.action_records, "tutors")),
            ("Nouvelle cohorte", "Libellé, session, date limite du dossier", partial(app.open_form, "cohorts")),
            ("Nouvelle organisation", "Nom, SIRET, adresse", partial(app.open_form, "organisations")),
            ("Nouveau tuteur", "Tuteur d'une organisation d'accueil", partial(app.open_form, "tutors")),
            ("Thème clair / sombre", "Basculer les couleurs", app.action_toggle_theme),
            ("Journal des modifications", "Qui a changé quoi, quand ; filtres, annuler une entrée", app.action_journal),
            ("Utilisateurs et rôles", "La liste des utilisateurs du magasin et leur rôle", app.action_users),
            ("Allocation PFMP", "Montants par élève et PFMP, et ce qui bloque chaque paiement (R17)",
             app.action_allocation),
            ("Stages sans visite à mi-parcours", "Stages en cours passé leur milieu sans visite faite (visites)",
             partial(app.open_target, PlacementList("no_visit"))),
            ("Conventions non signées (R10)", "PFMP qui commencent dans 15 jours, ou commencées, sans convention signée",
             partial(app.open_target, PlacementList("r10"))),
            ("Rappels aux tuteurs", "Conventions, attestations, évaluations : aperçu, puis envoi par courriel "
             "(R10–R12)", app.action_reminders),
        ]
        state = app.state
        if state is not None:
            for c in state.cohorts():
                n = sum(1 for r in state.results if r.cohort_id == c.id)
                commands.append((f"Aller à la cohorte {cohort_name(c)}", count(n, "élève"),
                                 partial(app.open_candidates, CandidateFilter(cohort_id=c.id))))
        commands += palette_commands(app, self.screen)  # document de liaison (issue 6)
        commands += planning_commands(app)  # import, periods and frise (issues 5, 7)
        return commands

    def _students(self) -> list[Command]:
        state = self.app.state
        if state is None:
            return []
        out = []
        for s in state.data.students:
            cohort = state.get("cohorts", s.cohort_id)
            ine = f" · INE {s.ine}" if s.ine else ""
            out.append((f"Fiche {s.full_name}", f"{cohort_name(cohort, s.cohort_id)}{ine}",
                        partial(self.app.open_candidate, s.id)))
        return self._guarded(out)

    async def discover(self) -> Hits:
        for title, help_text, callback in self._main():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy, and blind to accents: « nouvel eleve » finds « Nouvel élève »."""
        matcher = self.matcher(fold(query))
        for title, help_text, callback in self._main() + self._students():
            score = matcher.match(fold(title))
            if score > 0:
                shown = matcher.highlight(title) if matcher.match(title) > 0 else title
                yield Hit(score, shown, callback, text=title, help=help_text)
