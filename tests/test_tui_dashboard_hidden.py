"""The dashboard under another screen (the list, a fiche) is not redrawn at each save, and
shows the latest state as soon as it is on top again (issue 13: a save's frame)."""

from __future__ import annotations

from pfmp_tui.services import editing
from pfmp_tui.tui.screens.candidates import CandidatesScreen
from pfmp_tui.tui.screens.dashboard import DashboardScreen
from pfmp_tui.tui.widgets.figure import Figure
from tests.tui_support import TODAY, demo_repo, make_app, settle


async def test_a_save_under_the_list_reaches_the_dashboard_when_it_is_back(tmp_path):
    repo = demo_repo(tmp_path / "pfmp.json")
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen) and bool(app.screen.query(Figure)))
        dashboard = app.screen
        overdue = lambda: str(dashboard.query_one("#fig-overdue", Figure).render())  # noqa: E731
        before_text = overdue()
        await pilot.press("l")
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen))
        late = [p for p in app.state.data.placements if p.attestation is None and p.end < TODAY]
        assert late, "the demo school has attestations overdue (R11)"
        base, rev = repo.get("placements", late[0].id)
        before = app.state.generation
        app._saved(editing.save(repo, "attestation", editing.attestation_defaults(base, TODAY), base=base, rev=rev))
        await settle(pilot, lambda: app.state.generation > before and not app.loading_state)
        assert overdue() == before_text  # hidden: not drawn at the save
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is dashboard)
        n = sum(app.state.overdue.values())
        assert overdue() != before_text and f"{n} attestation" in overdue()
