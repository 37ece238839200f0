"""Snapshot of the allocation PFMP screen (R17) at 80×24: the demo's 1re cohort, seed 1, 28/11/2026.
Regenerate with ``--snapshot-update`` and look at the SVG before committing it."""

from __future__ import annotations

from pfmp_tui.tui.screens.allocation import AllocationScreen
from tests.tui_support import make_app, settle


def test_allocation_screen(snap_compare, demo, tmp_path):
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.action_allocation("1re-agora-2028")
        await settle(pilot, lambda: isinstance(pilot.app.screen, AllocationScreen))

    assert snap_compare(make_app(demo, tmp_path), terminal_size=(80, 24), run_before=run_before)
