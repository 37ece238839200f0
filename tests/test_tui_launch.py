"""Launch (issue 13): the dashboard is drawn from the statuses and the cohorts while the
school's records are read in a worker; nothing asked for meanwhile is lost, nothing is
shown on half of the school, a save made elsewhere meanwhile is not missed, and a file
found damaged by that read is refused (the app stops with the reason, nothing written).

The school read is held open by a Repository whose `snapshot()` waits for the test
(`HeldSchool`: the store's own Repository, the wait added in front of its real read).
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input, Static

from pfmp_tui.store import shard_cache
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store, StoreError
from pfmp_tui.tui import bootstrap
from pfmp_tui.tui.app import PfmpApp
from pfmp_tui.tui.screens.candidates import CandidatesScreen
from pfmp_tui.tui.screens.dashboard import DashboardScreen
from pfmp_tui.tui.screens.dialogs import ExportScreen
from pfmp_tui.tui.screens.forms import FormScreen
from pfmp_tui.tui.screens.my_students import MyStudentsScreen
from pfmp_tui.tui.screens.records import RecordsScreen
from pfmp_tui.tui.state import CandidateFilter, preview_state
from pfmp_tui.tui.widgets.figure import Figure
from tests.conftest import store_bytes
from tests.tui_support import TODAY, demo_repo, make_app, settle


class HeldSchool(Repository):
    """The store's Repository; its whole-school read waits until `release` is set (tests
    only), before the read (`hold="before"`) or after it, its result held back."""

    def __init__(self, store: Store, hold: str = "before") -> None:
        super().__init__(store)
        self.release = threading.Event()
        self.hold = hold
        self.reading = threading.Event()  # the app's worker is in `snapshot()`
        self.read = threading.Event()  # … and its real read is done

    def snapshot(self):
        self.reading.set()
        if self.hold == "before":
            assert self.release.wait(20), "the test never released the school read"
        snap = super().snapshot()
        self.read.set()
        if self.hold == "after":
            assert self.release.wait(20), "the test never released the school read"
        return snap


def held_app(db: Path, tmp_path: Path, hold: str = "before", students: int = 200, **kwargs):
    demo_repo(db, students=students)
    repo = HeldSchool(Store(db), hold)
    preview = preview_state(repo, TODAY)
    return repo, make_app(repo, tmp_path, preview=preview, **kwargs)


async def until(pilot, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out (screen {pilot.app.screen!r})"
        await pilot.pause(0.02)


def key_event(key: str) -> events.Key:
    if len(key) == 1:
        return events.Key(_character_to_key(key) if not key.isalnum() else key, key)
    return events.Key(key, None)


def burst(app: PfmpApp, *keys: str) -> None:
    """Every key posted at once, as one read from a slow terminal delivers them."""
    for key in keys:
        app.post_message(key_event(key))


def notes(app: PfmpApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_the_dashboard_is_drawn_from_the_statuses_before_the_school_is_read(tmp_path):
    repo, app = held_app(tmp_path / "pfmp.json", tmp_path)
    full = Repository(Store(repo.store.path)).statuses(TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and bool(app.screen.query(Figure)))
        await until(pilot, repo.reading.is_set)
        screen = app.screen
        assert app.state is None and app.preview is not None and app.preview.partial
        assert "lecture de l'école" in screen.sub_title
        ending = str(screen.query_one("#fig-ending", Figure).render())
        assert "calcul en cours" in ending  # needs the placements: said, not guessed
        assert "calcul en cours" in str(screen.query_one("#sig-r10").render())
        # The cohorts' figures are the statuses' (the same as the whole read will give).
        cohort = next(r.cohort_id for r in full if r.status == "a_risque")
        at_risk = sum(1 for r in full if r.cohort_id == cohort and r.status == "a_risque")
        figure = screen.query_one(f"#fig-a_risque-{cohort}", Figure)
        assert f"{at_risk:>4}" in str(figure.render())
        assert isinstance(app.focused, Figure)  # ↑ ↓ move between figures meanwhile
        repo.release.set()
        await settle(pilot, lambda: app.state is not None)
        assert app.preview is None and not app.state.partial
        assert app.screen is screen  # the same dashboard, filled in
        ending = str(screen.query_one("#fig-ending", Figure).render())
        assert "calcul en cours" not in ending and "cette semaine" in ending
        assert "calcul en cours" not in str(screen.query_one("#sig-r10").render())
        assert "lecture de l'école" not in screen.sub_title


async def test_a_burst_typed_while_the_school_is_read_reaches_the_list_in_order(tmp_path):
    """« l », then « / » and a name, in one read: the list opens once the school is read,
    and the name is typed in its search box (dashboard keys among its letters — « c »,
    « m », « a », « r », « n »… — open nothing on the dashboard)."""
    repo, app = held_app(tmp_path / "pfmp.json", tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and bool(app.screen.query(Figure)))
        await until(pilot, repo.reading.is_set)
        name = next(s.last_name for s in Repository(Store(repo.store.path)).dataset().students
                    if set(s.last_name[:5].lower()) & set("cmarnfopx"))
        text = name[:5].lower()
        burst(app, "l", "slash", *text)
        await pilot.pause(0.3)
        assert isinstance(app.screen, DashboardScreen) and len(app.screen_stack) == 2  # nothing opened yet
        assert any("Lecture de l'école" in n for n in notes(app))
        assert app.keys_pending > 0  # held, not dropped
        repo.release.set()
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen) and app.keys_pending == 0
                     and app.screen.filter.text == text)
        screen = app.screen
        assert [type(s) for s in app.screen_stack[1:]] == [DashboardScreen, CandidatesScreen]
        assert screen.query_one("#search", Input).value == text
        assert screen.filter == CandidateFilter(text=text)
        assert not any("Lecture de l'école" in n for n in notes(app))


@pytest.mark.parametrize("key, screen_type", [
    ("n", FormScreen), ("c", RecordsScreen), ("m", MyStudentsScreen), ("x", ExportScreen),
])
async def test_a_screen_asked_for_while_the_school_is_read_opens_once_it_is(tmp_path, key, screen_type):
    repo, app = held_app(tmp_path / "pfmp.json", tmp_path, students=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and bool(app.screen.query(Figure)))
        await until(pilot, repo.reading.is_set)
        await pilot.press(key)
        await pilot.pause(0.2)
        assert isinstance(app.screen, DashboardScreen)
        repo.release.set()
        await settle(pilot, lambda: isinstance(app.screen, screen_type))
        assert app.state is not None and len(app.screen_stack) == 3


async def test_a_figure_chosen_while_the_school_is_read_opens_exactly_its_candidates(tmp_path):
    repo, app = held_app(tmp_path / "pfmp.json", tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and bool(app.screen.query(Figure)))
        await until(pilot, repo.reading.is_set)
        figure = next(f for f in app.screen.query(Figure) if f.filter.status == "non_valide")
        figure.focus()
        await pilot.press("enter", "down")  # « down » is for the list that opens, not the dashboard
        repo.release.set()
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen) and app.keys_pending == 0)
        assert app.screen.filter == figure.filter
        shown = app.screen.query_one("#candidates")
        assert shown.row_count == sum(1 for r in app.state.results
                                      if r.cohort_id == figure.filter.cohort_id and r.status == "non_valide")
        assert shown.cursor_row == min(1, shown.row_count - 1)


async def test_another_sessions_save_during_the_school_read_is_shown(tmp_path):
    """The read finished, its result not yet shown, when another process commits: the
    app's next look at the store's stamp reads it again (the stamp was taken before)."""
    repo, app = held_app(tmp_path / "pfmp.json", tmp_path, hold="after", students=60, poll_interval=0.05)
    other = Repository(Store(repo.store.path))
    student = other.dataset().students[3]
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, repo.read.is_set)  # the worker's read is done, its result held back
        record, rev = other.get("students", student.id)
        other.update("students", replace(record, first_name="Renommée"), rev)
        repo.release.set()
        await settle(pilot, lambda: app.state is not None
                     and app.state.get("students", student.id).first_name == "Renommée", timeout=20)


async def test_a_bucket_damaged_under_the_launch_is_refused_and_left_untouched(tmp_path):
    """The statuses kept for the day were used (no bucket parsed before drawing), then a
    bucket file is damaged before the worker reads it: the app stops with the store's
    own French reason, nothing is written over."""
    db = tmp_path / "pfmp.json"
    demo_repo(db, students=80)
    bootstrap.open_preview(db, TODAY)  # a first session of the day keeps the statuses
    shard_cache.CACHE.clear()
    repo, preview = bootstrap.open_preview(db, TODAY)
    assert preview is not None and preview.partial
    bucket = next(p for p in sorted(tmp_path.glob("pfmp.json.*.json")) if "-b" in p.name)
    bucket.write_text('{"students": {"x": ', encoding="utf-8")
    before = store_bytes(tmp_path)
    app = make_app(repo, tmp_path, preview=preview)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app._exit, timeout=20)
    assert app.return_code == 1
    assert "corrompu" in app.launch_error and bucket.name in app.launch_error
    assert store_bytes(tmp_path) == before


def test_pfmp_tui_says_why_a_store_damaged_under_the_launch_is_refused(tmp_path, monkeypatch):
    """`run_tui` turns the app's launch error into the CLI's refusal (StoreError: « pfmp :
    … », exit code 1, no traceback), like a store refused before drawing."""
    db = tmp_path / "pfmp.json"
    demo_repo(db, students=40)
    bootstrap.open_preview(db, TODAY)
    shard_cache.CACHE.clear()
    opened = bootstrap.open_preview

    def open_then_damage(path, today=None):
        found = opened(path, TODAY)
        bucket = next(p for p in sorted(tmp_path.glob("pfmp.json.*.json")) if "-b" in p.name)
        bucket.write_text("{", encoding="utf-8")
        return found

    monkeypatch.setattr(bootstrap, "open_preview", open_then_damage)
    run = PfmpApp.run
    monkeypatch.setattr(PfmpApp, "run", lambda self: run(self, headless=True, size=(80, 24)))
    monkeypatch.setattr(PfmpApp, "today", property(lambda self: TODAY))
    with pytest.raises(StoreError, match="corrompu"):
        bootstrap.run_tui(db, user="mdurand")


def test_with_the_statuses_kept_no_bucket_is_parsed_before_the_dashboard(tmp_path):
    db = tmp_path / "pfmp.json"
    demo_repo(db, students=120)
    bootstrap.open_preview(db, TODAY)
    shard_cache.CACHE.clear()
    parses = shard_cache.CACHE.parses
    repo, preview = bootstrap.open_preview(db, TODAY)
    assert preview is not None and len(preview.results) == 120
    assert shard_cache.CACHE.parses - parses == 2  # the core and the index
    files = sorted(tmp_path.glob("pfmp.json.*.json"))
    repo.snapshot()
    assert shard_cache.CACHE.parses - parses == len(files)  # then every file, once


async def test_a_preview_of_another_day_is_not_drawn(tmp_path):
    """A preview read for another day (the app started after midnight) is dropped: the
    dashboard waits for the school's state of the app's day."""
    from datetime import timedelta

    db = tmp_path / "pfmp.json"
    repo = demo_repo(db, students=30)
    preview = preview_state(repo, TODAY - timedelta(days=1))
    app = make_app(repo, tmp_path, preview=preview)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen) and bool(app.screen.query(Figure)))
        assert app.state.today == TODAY and not app.state.partial
        assert "calcul en cours" not in str(app.screen.query_one("#fig-ending", Static).render())


async def test_the_cards_past_the_first_are_mounted_a_few_a_frame_and_end_as_the_state_says(tmp_path, monkeypatch):
    """The first frame holds FIRST_CARDS cards (the launch's first frame stays short), the
    others are mounted a few at a time after it; the school's state arriving meanwhile ends
    with the cards it says, in order, each once, and ↓ walks through all their figures."""
    from pfmp_tui.tui.screens import dashboard

    grown: list[int] = []
    real_grow = DashboardScreen._grow

    def spy(screen):
        grown.append(len(screen.query(".cohort-card")))
        real_grow(screen)

    monkeypatch.setattr(DashboardScreen, "_grow", spy)
    repo, app = held_app(tmp_path / "pfmp.json", tmp_path, students=400)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and bool(app.screen.query(Figure)))
        repo.release.set()
        await settle(pilot, lambda: app.state is not None)
        screen = app.screen
        cards = dashboard.cohort_items(app.state)
        assert len(cards) > dashboard.FIRST_CARDS + dashboard.CARDS_PER_FRAME
        assert grown[0] == dashboard.FIRST_CARDS
        assert all(b - a <= dashboard.CARDS_PER_FRAME for a, b in zip(grown, grown[1:]))
        assert [w.id for w in screen.query(".cohort-card")] == [dashboard._card_id(c) for c in cards]
        figures = [w.id for w in screen.query(Figure)]
        assert len(set(figures)) == len(figures)
        chain = [w.id for w in screen.focus_chain]  # the figures and the panel's lines, in order
        assert [i for i in chain if i in set(figures)] == figures
        screen.query(Figure).first().focus()
        seen = []
        for _ in chain:
            seen.append(app.focused.id)
            await pilot.press("down")
        assert seen == chain


async def test_quitting_while_keys_wait_for_the_school_quits_at_once(tmp_path):
    repo, app = held_app(tmp_path / "pfmp.json", tmp_path, students=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and bool(app.screen.query(Figure)))
        await until(pilot, repo.reading.is_set)
        burst(app, "l", "d", "ctrl+q")
        await until(pilot, lambda: app._exit, timeout=5)
        assert app.state is None and isinstance(app.screen, DashboardScreen)  # nothing opened on half data
        repo.release.set()
