"""Snapshots of the document de liaison screens at 80×24 (issue 6): the grid, the progress, « Mes élèves ».

Deterministic: the demo school of seed 1 built for 28/11/2026, `today` pinned, no
store polling. Regenerate with ``pytest tests/test_tui_snapshots_liaison.py --snapshot-update``
and look at the SVGs under ``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

from pfmp_tui.tui.app import PfmpApp
from pfmp_tui.tui.screens.assessment import AssessmentScreen
from pfmp_tui.tui.screens.my_students import MyStudentsScreen
from pfmp_tui.tui.screens.progress import ProgressScreen
from tests.test_tui_snapshots import ready
from tests.tui_support import make_app


def assessed_learner(app: PfmpApp) -> tuple[str, str]:
    """The first learner of the Tle cohort (by id) with an assessed placement, and that placement."""
    data = app.state.data
    assessed = {a.placement_id for a in data.assessments}
    students = sorted(s.id for s in data.students if s.cohort_id == "tle-agora-2027")
    for sid in students:
        placements = sorted((p for p in data.placements if p.student_id == sid and p.id in assessed),
                            key=lambda p: p.start)
        if len(placements) >= 2:
            return sid, placements[-1].id
    raise AssertionError("the demo has no assessed learner")


def test_assessment_grid(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        _, placement_id = assessed_learner(pilot.app)
        pilot.app.push_screen(AssessmentScreen(placement_id))
        await ready(pilot, lambda: isinstance(pilot.app.screen, AssessmentScreen))
        await pilot.press("down", "down", "down", "1")  # 1.1.4 keyed: the cursor on 1.2.1, « non enregistré »

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_progress(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        student_id, _ = assessed_learner(pilot.app)
        pilot.app.push_screen(ProgressScreen(student_id))
        await ready(pilot, lambda: isinstance(pilot.app.screen, ProgressScreen))
        await pilot.press("down", "down")

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_my_students(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("m")
        await ready(pilot, lambda: isinstance(pilot.app.screen, MyStudentsScreen) and pilot.app.screen.loaded)

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)
