"""A cohort's PFMP periods (issue 5): the list, the period form, the planner.

`PeriodsScreen` lists the periods of one cohort with their working days, the
learners placed and still without a host, and the calendar warnings (school
holidays of the cohort's zone, public holidays, the range the holiday data
covers), from `services.planning.list_periods`, read in a worker thread.
`PeriodFormScreen` creates or edits a period (dates JJ/MM/AAAA, checked when a
field is left, working days and warnings shown as the dates are typed).
`PlannerScreen` asks for the weeks wanted per school year, shows the planner's
proposals and their totals against R1–R5, and creates the ones kept in one commit.

The package, one idea a module: `periods` (the list), `period_form`, `planner`,
`summary` (the totals and warnings lines they share), `cohort_choice` (the dialog
asking which cohort) and `commands` (the palette's planning entries).
"""

from __future__ import annotations

from .cohort_choice import CohortChoiceScreen
from .commands import palette_commands
from .period_form import PERIOD_FIELDS, PeriodFormScreen
from .periods import PERIOD_COLUMNS, PeriodsLoaded, PeriodsScreen
from .planner import DEFAULT_WEEKS, PROPOSAL_COLUMNS, PlannerScreen, PlanReady, parse_weeks
from .summary import totals_line, warning_lines

__all__ = [
    "CohortChoiceScreen", "DEFAULT_WEEKS", "PERIOD_COLUMNS", "PERIOD_FIELDS", "PROPOSAL_COLUMNS",
    "PeriodFormScreen", "PeriodsLoaded", "PeriodsScreen", "PlanReady", "PlannerScreen",
    "palette_commands", "parse_weeks", "totals_line", "warning_lines",
]
