"""The dashboard of a school with more cohorts than cards (issue 13): when a save changes
which cohorts are the most urgent, the card that leaves is removed and the one that
joins is mounted, in its place; the other cards are the same widgets, updated."""

from __future__ import annotations

import shutil

from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.screens import dashboard
from pfmp_tui.tui.screens.dashboard import DashboardScreen
from pfmp_tui.tui.state import cohort_figures, cohort_name
from pfmp_tui.tui.widgets.figure import Figure
from tests.tui_support import demo_repo, make_app, settle


def urgent(state, n):
    figures = sorted(cohort_figures(state), key=lambda f: (-(f.counts["non_valide"] + f.counts["a_risque"]),
                                                           f.cohort.dossier_deadline, f.cohort.id))
    return [f.cohort.id for f in figures[:n]]


def shown(screen):
    return [w.id for w in screen.query(".cohort-card")]


async def test_a_card_leaves_and_another_joins_without_rebuilding_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(dashboard, "CARDS_SHOWN", 3)
    path = tmp_path / "pfmp.json"
    demo_repo(path, students=300)
    repo = Repository(Store(path))
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen) and bool(app.screen.query(Figure)))
        state = app.state
        top = urgent(state, 4)
        third, fourth = top[2], top[3]
        before = {w.id: w for w in app.screen.query(".cohort-card")}
        assert len(before) == 4  # 3 cohorts and « et N autres cohortes »
        # Learners of the third most urgent cohort who count in its urgency leave the school
        # until the fourth overtakes it.
        counts = state.counts[third]
        need = counts["non_valide"] + counts["a_risque"] - (state.counts[fourth]["non_valide"]
                                                          + state.counts[fourth]["a_risque"]) + 1
        leaving = [r.student_id for r in state.results
                   if r.cohort_id == third and r.status in ("non_valide", "a_risque")][:need]
        for sid in leaving:
            repo.delete("students", sid)
        app.reload()
        await settle(pilot, lambda: app.state.generation > state.generation and not app.loading_state)
        await settle(pilot, lambda: len(app.screen.query(".cohort-card")) == 4
                     and all(w.is_mounted for w in app.screen.query(".cohort-card")))
        now = urgent(app.state, 3)
        assert third not in now and fourth in now
        cards = {w.id: w for w in app.screen.query(".cohort-card")}
        heads = [str(w.render()) for w in app.screen.query(".cohort-head")]
        # the cards shown are the most urgent, in their usual order, with their figures
        order = [c.id for c in app.state.cohorts() if c.id in now]
        assert heads == [next(h for h in heads if f"{cohort_name(app.state.get('cohorts', cid))} ·" in h)
                         for cid in order]
        for fig in cohort_figures(app.state):
            if fig.cohort.id in now:
                for status, n in fig.counts.items():
                    text = str(app.screen.query_one(f"#{dashboard.dom_id(f'fig-{status}', fig.cohort.id)}",
                                                    Figure).render())
                    assert f"{n:>4}" in text
        # the cards of the cohorts still shown are the same widgets (no rebuild of the dashboard)
        kept = set(before) & set(cards)
        assert len(kept) == 3 and all(cards[k] is before[k] for k in kept)
        # the figure that joined opens its cohort's list
        joined = app.screen.query_one(f"#{dashboard.dom_id('fig-a_risque', fourth)}", Figure)
        assert joined.filter.cohort_id == fourth


async def test_the_focus_stays_on_the_dashboard_when_its_card_leaves(tmp_path, monkeypatch):
    monkeypatch.setattr(dashboard, "CARDS_SHOWN", 2)
    path = tmp_path / "pfmp.json"
    demo_repo(path, students=200)
    repo = Repository(Store(path))
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen) and bool(app.screen.query(Figure)))
        state = app.state
        top = urgent(state, 3)
        second, third = top[1], top[2]
        app.screen.query_one(f"#{dashboard.dom_id('fig-non_valide', second)}", Figure).focus()
        counts, other = state.counts[second], state.counts[third]
        need = counts["non_valide"] + counts["a_risque"] - other["non_valide"] - other["a_risque"] + 1
        for sid in [r.student_id for r in state.results
                    if r.cohort_id == second and r.status in ("non_valide", "a_risque")][:need]:
            repo.delete("students", sid)
        app.reload()
        await settle(pilot, lambda: app.state.generation > state.generation and not app.loading_state)
        await settle(pilot, lambda: f"card-{dashboard.dom_id('head', second)}" not in shown(app.screen))
        assert isinstance(app.focused, Figure)  # a neighbour took it: the keys still work
        await pilot.press("down")
        assert isinstance(app.focused, Figure)
    shutil.rmtree(tmp_path / "exports", ignore_errors=True)
