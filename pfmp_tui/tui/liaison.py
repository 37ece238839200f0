"""The document de liaison in the TUI: papers, palette entries, one line for the candidate file.

- `write_paper`: the attestation de PFMP of a placement or the learner's document de
  liaison, as PDF under `app.exports_dir` (`services.papers.make_paper`), written in
  a worker thread; a notification gives the path written.
- `palette_commands`: the palette entries of issue 6 (per cohort, and for the
  candidate file under the palette).
- `assessment_line`: the candidate file's line about a placement's assessment (R12).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from ..domain.errors import ValidationFailed
from ..domain.model import Placement
from ..services.assessing import CODES, session_label, sessions_of
from ..services.errors import StoreError
from .state import AppState, cohort_name

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

Command = tuple[str, str, Callable[[], object]]
PAPER_TITLES = {"attestation": "Attestation de PFMP", "liaison": "Document de liaison"}
PAPER_DONE = {"attestation": "Attestation de PFMP écrite", "liaison": "Document de liaison écrit"}


def school_name() -> str:
    """The school's name printed on the papers: $PFMP_SCHOOL, as for `pfmp paper`."""
    return os.environ.get("PFMP_SCHOOL", "")


def write_paper(app: App, kind: str, record_id: str) -> None:
    """Write the paper in a worker thread, then say where (or why not) in a notification."""
    from ..services.papers import make_paper  # fpdf2 is loaded on the first paper only

    exports_dir = app.exports_dir
    title = PAPER_TITLES[kind]

    def job() -> None:
        try:
            path = make_paper(app.repo.dataset(), kind, record_id, school_name(), exports_dir=exports_dir)
        except ValidationFailed as exc:
            message = "\n".join(e.message for e in exc.errors)
        except (StoreError, OSError, ValueError) as exc:
            message = str(exc)
        else:
            app.call_from_thread(app.notify, f"{path.resolve()}", title=PAPER_DONE[kind], timeout=15)
            return
        app.call_from_thread(app.notify, message, title=f"{title} : impossible", severity="error", timeout=15)

    app.notify("Écriture du PDF…", title=title, timeout=2)
    app.run_worker(job, thread=True, group="paper", exit_on_error=False, name=f"paper-{kind}")


def assessment_line(state: AppState, p: Placement) -> str:
    """« Évaluation : ✓ 30/37 compétences, tuteur, 30/01/2026 · g : grille » (markup)."""
    sheet = state.sheet(p.id)  # this placement's levels only (issue 13: not the school's)
    if not sheet:
        if p.end < state.today:
            return "Évaluation : [$text-warning]! non saisie (R12)[/] · g : grille d'évaluation"
        return "Évaluation : à saisir après le stage (R12) · g : grille"
    sessions = sessions_of(sheet)
    latest = sessions[0]
    assessed = sum(1 for a in sheet if (a.assessor, a.date) == latest and a.level is not None)
    more = f" (+{len(sessions) - 1} autre{'s' if len(sessions) > 2 else ''})" if len(sessions) > 1 else ""
    return (f"Évaluation : [$text-success]✓[/] {assessed}/{len(CODES)} compétences, "
            f"{session_label(latest)}{more} · g : grille · p : progression")


def palette_commands(app, screen: Screen) -> list[Command]:
    """Per cohort « Compétences jamais évaluées », after the screen's own entries (the candidate
    file's papers and grids, the progress's document de liaison: its `palette_entries()`)."""
    entries = getattr(screen, "palette_entries", None)
    commands: list[Command] = list(entries()) if callable(entries) else []
    state = app.state
    if state is not None:
        for c in state.cohorts():
            commands.append((f"Compétences jamais évaluées · {cohort_name(c)}",
                             "Celles qu'aucun élève de la cohorte n'a vu évaluer (R12, R16)",
                             partial(app.action_cohort_competences, c.id)))
    return commands

