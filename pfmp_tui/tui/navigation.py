"""How each screen is opened from a target: the one place that knows the screens.

Screens ask with ``targets.go(self.app, target)``; the app passes the target to
`open_target` here. Adding a screen: give it a target in `targets.py` (what it shows),
an opener below, and a line in `OPENERS`. Screens never import each other nor this
module (import-linter: see pyproject.toml), so there is no import cycle to break with
imports inside functions. The app itself opens only the dashboard (at start) and its
dialogs: help, record forms, confirmations, export.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import DataTable

from .screens.allocation import AllocationScreen
from .screens.assessment import AssessmentScreen
from .screens.candidate import CandidateScreen
from .screens.candidates import CandidatesScreen
from .screens.importing import ImportScreen
from .screens.my_students import MyStudentsScreen
from .screens.placement_list import PlacementListScreen
from .screens.placing import AssignScreen, PlacingScreen
from .screens.planning import CohortChoiceScreen, PeriodsScreen
from .screens.progress import CohortCompetencesScreen, ProgressScreen
from .screens.journal import JournalScreen
from .screens.records import RecordsScreen
from .screens.reminders import RemindersScreen
from .screens.timeline import TimelineScreen
from .screens.users import UsersScreen
from .screens.visits import VisitsScreen
from .role_gates import gate
from .state import CandidateFilter, cohort_name
from .targets import (
    Allocation,
    AssessmentGrid,
    Assignment,
    CandidateFile,
    CohortCompetences,
    Import,
    Journal,
    MyStudents,
    Periods,
    Placing,
    PlacementList,
    Progress,
    Records,
    Reminders,
    Target,
    Timeline,
    Users,
    Visits,
)

Then = Callable[[Any], object] | None


# -- which cohort ----------------------------------------------------------------------------------
def cohort_in_view(screen: Screen) -> str | None:
    """The cohort the person is looking at: the screen's own, its list filter's, or the
    focused dashboard figure's."""
    getter = getattr(screen, "current_cohort_id", None)
    if callable(getter):
        found = getter()
        if found:
            return found
    if getattr(screen, "kind", None) == "cohorts":  # the cohorts list: the one under the cursor
        return screen.current_id()
    cohort = getattr(getattr(screen, "filter", None), "cohort_id", None)
    if cohort:
        return cohort
    return getattr(getattr(screen.focused, "filter", None), "cohort_id", None)


def cohort_actions_available(screen: Screen) -> bool:
    """« p Périodes », « f Frise » and « v Compétences » of the records screen: on the cohorts
    list only (a records screen says which list it shows in `kind`)."""
    kind = getattr(screen, "kind", None)
    return kind is None or kind == "cohorts"


def with_cohort(app: App, cohort_id: str | None, title: str, then: Callable[[str], None]) -> None:
    """Run `then(cohort)` on `cohort_id`, else on the cohort in view, else on one the person chooses."""
    cohort_id = cohort_id or cohort_in_view(app.screen)
    if cohort_id:
        then(cohort_id)
        return
    state = getattr(app, "state", None)
    cohorts = [(cohort_name(c), c.id) for c in state.cohorts()] if state is not None else []
    if not cohorts:
        app.notify("Aucune cohorte : créez-en une d'abord (« c » puis « n »).", severity="warning")
        return
    app.push_screen(CohortChoiceScreen(title, cohorts), lambda chosen: then(chosen) if chosen else None)


# -- before the school is read ----------------------------------------------------------------------
def later(app: App, action: Callable[[], object]) -> bool:
    """True if the school's records are still being read (launch): `action` then runs once
    they are, and the keys typed after it wait for it (`PfmpApp.wait_for_school`). Every
    screen but the dashboard reads them: none is opened on half of the school."""
    wait = getattr(app, "wait_for_school", None)
    return wait is not None and bool(wait(action))


# -- the openers -----------------------------------------------------------------------------------
CANDIDATES = "candidates"  # the name of the kept candidates list


def open_candidates(app: App, filter: CandidateFilter | None = None) -> None:
    """The candidates list with `filter`; the list already shown takes the new filter."""
    filter = filter or CandidateFilter()
    if later(app, lambda: open_candidates(app, filter)):
        return
    if isinstance(app.screen, CandidatesScreen):
        app.screen.set_filter(filter)
        app.screen.refresh_filters()
        return
    # One list kept mounted (issue 13): building its widgets again took most of the time
    # it took to show it. A list already lower in the stack stays there: a new one on top.
    if not app.is_screen_installed(CANDIDATES):
        app.install_screen(CandidatesScreen(filter), CANDIDATES)
        app.push_screen(CANDIDATES)
        return
    kept = app.get_screen(CANDIDATES)
    if kept in app.screen_stack:
        app.push_screen(CandidatesScreen(filter))
        return
    app.push_screen(CANDIDATES)
    kept.reopen(filter)


def open_candidate_file(app: App, target: CandidateFile, then: Then = None) -> None:
    screen = CandidateScreen.for_student(app, target.student_id)
    app.push_screen(screen, then)
    if target.placement_id:
        placement_id = target.placement_id

        def select_placement() -> None:
            table = screen.query_one("#placements", DataTable)
            if placement_id in table.rows:  # unless it was deleted since
                table.move_cursor(row=table.get_row_index(placement_id))

        screen.call_after_refresh(select_placement)


def open_assessment_grid(app: App, target: AssessmentGrid, then: Then = None) -> None:
    app.push_screen(AssessmentScreen(target.placement_id, code=target.code), then)


def open_progress(app: App, target: Progress, then: Then = None) -> None:
    app.push_screen(ProgressScreen(target.student_id), then)


def open_cohort_competences(app: App, target: CohortCompetences, then: Then = None) -> None:
    """From the palette (a cohort given) or the cohorts list (the cohort under the cursor)."""
    cohort_id = target.cohort_id
    if cohort_id is None:
        screen = app.screen
        if isinstance(screen, RecordsScreen) and screen.kind == "cohorts":
            cohort_id = screen.current_id()
        if cohort_id is None:
            app.notify("Choisissez d'abord une cohorte dans la liste des cohortes.", severity="warning")
            return
    app.push_screen(CohortCompetencesScreen(cohort_id), then)


def open_periods(app: App, target: Periods, then: Then = None) -> None:
    with_cohort(app, target.cohort_id, "Périodes de quelle cohorte ?",
                lambda c: app.push_screen(PeriodsScreen(c), then))


def open_placing(app: App, target: Placing, then: Then = None) -> None:
    app.push_screen(PlacingScreen(target.period_id), then)


def open_assignment(app: App, target: Assignment, then: Then = None) -> None:
    if target.placement_id is not None:
        app.push_screen(AssignScreen(target.placement_id), then)
    else:
        app.push_screen(AssignScreen(period_id=target.period_id, student_id=target.student_id), then)


def open_timeline(app: App, target: Timeline, then: Then = None) -> None:
    with_cohort(app, target.cohort_id, "Frise de quelle cohorte ?",
                lambda c: app.push_screen(TimelineScreen(c), then))


def open_records(app: App, target: Records, then: Then = None) -> None:
    app.push_screen(RecordsScreen(target.kind, organisation_id=target.organisation_id), then)


def open_my_students(app: App, target: MyStudents, then: Then = None) -> None:
    if not isinstance(app.screen, MyStudentsScreen):
        app.push_screen(MyStudentsScreen(), then)


def open_import(app: App, target: Import, then: Then = None) -> None:
    if not gate(app, "app", "import"):  # issue 16: the palette hides it; anything else is told why
        app.notify("Importer demande le rôle coordination : rien n'est ouvert.", title="Import", severity="warning")
        return
    app.push_screen(ImportScreen(target.what, target.cohort_id), then)


def open_journal(app: App, target: Journal, then: Then = None) -> None:
    app.push_screen(JournalScreen(target.initial, target.title), then)


def open_users(app: App, target: Users, then: Then = None) -> None:
    app.push_screen(UsersScreen(), then)


def open_allocation(app: App, target: Allocation, then: Then = None) -> None:
    with_cohort(app, target.cohort_id, "Allocation PFMP de quelle cohorte ?",
                lambda c: app.push_screen(AllocationScreen(c), then))


def open_reminders(app: App, target: Reminders, then: Then = None) -> None:
    """Coordination only: sending records each reminder in its placements (domain/roles.py)."""
    from ..services import access
    from ..services.errors import StoreError

    try:
        access.require(app.repo, "remind")
    except StoreError as exc:  # PermissionDenied (French, names the role needed), an unreadable store
        app.notify(str(exc), title="Rappels aux tuteurs", severity="error", timeout=10)
        return
    if not isinstance(app.screen, RemindersScreen):
        app.push_screen(RemindersScreen(), then)


def open_placement_list(app: App, target: PlacementList, then: Then = None) -> None:
    if isinstance(app.screen, PlacementListScreen) and app.screen.what == target.what:
        return
    app.push_screen(PlacementListScreen(target.what), then)


def open_visits(app: App, target: Visits, then: Then = None) -> None:
    app.push_screen(VisitsScreen(target.placement_id), then)


OPENERS: dict[type, Callable[[App, Any, Then], None]] = {
    PlacementList: open_placement_list,
    Visits: open_visits,
    Allocation: open_allocation,
    CandidateFile: open_candidate_file,
    AssessmentGrid: open_assessment_grid,
    Progress: open_progress,
    CohortCompetences: open_cohort_competences,
    Periods: open_periods,
    Placing: open_placing,
    Assignment: open_assignment,
    Timeline: open_timeline,
    MyStudents: open_my_students,
    Import: open_import,
    Records: open_records,
    Journal: open_journal,
    Users: open_users,
    Reminders: open_reminders,
}


def open_target(app: App, target: Target, then: Then = None) -> None:
    """Open the screen that shows `target` (see `targets.go`)."""
    if later(app, lambda: open_target(app, target, then)):
        return
    OPENERS[type(target)](app, target, then)
