"""Issue 10: a stale save in the period form shows both versions (as the learner form
does, as the README promises), keeps what was typed, and saves it only when asked again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pfmp_tui.domain.model import Period
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.screens.forms import widget_id
from pfmp_tui.tui.screens.planning import PeriodFormScreen, PeriodsScreen
from tests.conftest import store_bytes
from tests.test_tui_planning import NEW, periods_of, repo, text_of, type_into  # noqa: F401 - repo is the fixture
from tests.tui_support import make_app, settle


async def test_a_stale_period_save_shows_both_versions(repo, tmp_path: Path, db_path: Path):
    repo.create("periods", Period("per-x", NEW, "PFMP 1", date(2027, 3, 8), date(2027, 3, 26)))
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_periods(NEW)
        await settle(pilot, lambda: isinstance(app.screen, PeriodsScreen))
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, PeriodFormScreen))
        form = app.screen
        await type_into(pilot, f"#{widget_id('label')}", "PFMP mienne")
        # Meanwhile another session saves the same period.
        other = Repository(Store(db_path))
        current, rev = other.get("periods", "per-x")
        other.update("periods", Period("per-x", NEW, "PFMP autre", date(2027, 3, 15), date(2027, 4, 2)), rev)
        before = store_bytes(db_path.parent)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        shown = text_of(form, "#form-error")
        assert "« PFMP autre », du 15/03/2027 au 02/04/2027" in shown
        assert "« PFMP mienne », du 08/03/2027 au 26/03/2027" in shown
        assert store_bytes(db_path.parent) == before  # nothing saved over the other's
        await pilot.press("ctrl+s")  # knowingly: mine over theirs
        await settle(pilot, lambda: isinstance(app.screen, PeriodsScreen))
        assert [p.label for p in periods_of(repo, NEW)] == ["PFMP mienne"]
