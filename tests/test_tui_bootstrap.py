"""`pfmp tui` reads the store once before drawing anything (issue 13): every shard file
parsed once, a corrupt one refused in French before the screen is taken."""

from __future__ import annotations

from pathlib import Path

from pfmp_tui.store import shard_cache
from pfmp_tui.tui.app import PfmpApp
from pfmp_tui.tui.bootstrap import open_state
from pfmp_tui.tui.screens.dashboard import DashboardScreen
from pfmp_tui.tui.widgets.figure import Figure
from tests.conftest import run_pfmp, store_bytes
from tests.tui_support import TODAY, demo_repo, settle


def shard_files(db: Path) -> list[Path]:
    return sorted(p for p in db.parent.glob(f"{db.stem}.*.json"))


async def test_launch_parses_each_shard_file_once_and_shows_the_dashboard(tmp_path):
    db = tmp_path / "pfmp.json"
    demo_repo(db, students=120)
    shard_cache.CACHE.clear()
    parses = shard_cache.CACHE.parses
    repo, state = open_state(db, TODAY)
    assert state is not None and len(state.results) == 120
    files = shard_files(db)
    assert shard_cache.CACHE.parses - parses == len(files)  # core, index, every head and bucket: once each
    app = PfmpApp(repo, today=TODAY, user="mdurand", state=state, poll_interval=0,
                  exports_dir=tmp_path / "exports")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen) and bool(app.screen.query(Figure)))
        assert app.state is state  # the bootstrap's state, not a second read
        assert isinstance(app.focused, Figure)
    assert shard_cache.CACHE.parses - parses == len(files)


def test_tui_refuses_a_corrupt_shard_before_drawing(tmp_path):
    db = tmp_path / "pfmp.json"
    demo_repo(db, students=40)
    bucket = next(p for p in shard_files(db) if "-b" in p.name)
    bucket.write_text('{"students": {"x": ', encoding="utf-8")
    before = store_bytes(tmp_path)
    r = run_pfmp("--db", str(db), "tui")
    assert r.returncode == 1
    assert "corrompu" in r.stderr and "Traceback" not in r.stderr
    assert store_bytes(tmp_path) == before
