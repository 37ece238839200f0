"""The candidates list of a big school (issue 13): rows added as they come into view,
the right rows after scrolling and filtering, another session's save shown, and a
state rebuilt after a one-record change reading only the changed shard."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pfmp_tui.domain.rules import check_dataset
from pfmp_tui.store import shard_cache
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.screens.candidates import CandidatesScreen
from pfmp_tui.tui.state import CandidateFilter, filter_results, load_state
from pfmp_tui.tui.widgets.growing_table import GrowingTable
from tests.tui_support import TODAY, demo_repo, make_app, settle


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    """The demo school with 700 learners (several cohorts, many buckets), built once."""
    path = tmp_path_factory.mktemp("big") / "pfmp.json"
    demo_repo(path, students=700)
    return path


def keys_of(table: GrowingTable) -> list[str]:
    return [key.value for key in table.rows]


async def test_rows_come_into_view_as_the_list_scrolls_and_filters(big_store, tmp_path, monkeypatch):
    monkeypatch.setattr(CandidatesScreen, "ALL_ROWS_UP_TO", 0)  # every row as it comes into view
    repo = Repository(Store(big_store))
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, timeout=30)
        await pilot.press("l")
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen), timeout=30)
        screen = app.screen
        table = screen.query_one("#candidates", GrowingTable)
        expected = [r.student_id for r in app.state.results]  # worst first
        assert table.total == len(expected) == 700
        first = len(table.rows)
        assert 0 < first < 700
        assert keys_of(table) == expected[:first]  # the first rows, in the list's order

        for _ in range(12):  # page by page: rows are added before the cursor gets to the last one
            await pilot.press("pagedown")
        await pilot.pause()
        assert table.cursor_row < len(table.rows) - 1
        assert len(table.rows) > first
        assert keys_of(table) == expected[:len(table.rows)]
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == expected[table.cursor_row]

        await pilot.press("ctrl+end")  # the last row: the rest added, a chunk a frame
        await settle(pilot, lambda: table.complete, timeout=30)
        await pilot.pause()
        assert keys_of(table) == expected
        assert table.cursor_row == 699
        assert screen.current_student() == expected[-1]

        # A filter after scrolling: its rows from the top, the same as the state's filter gives.
        student = app.state.get("students", expected[-1])
        screen.query_one("#search").focus()
        await pilot.press(*student.last_name[:4])
        wanted = [r.student_id for r in filter_results(app.state, CandidateFilter(text=student.last_name[:4]))]
        await settle(pilot, lambda: table.total == len(wanted), timeout=30)
        assert keys_of(table) == wanted[:len(table.rows)] and student.id in wanted
        assert f"{len(wanted)} élève" in str(screen.query_one("#summary").render())


async def test_a_save_by_another_session_shows_up(big_store, tmp_path):
    repo = Repository(Store(big_store))
    app = make_app(repo, tmp_path, poll_interval=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, timeout=30)
        await pilot.press("l")
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen), timeout=30)
        student = app.state.data.students[0]
        other = Repository(Store(big_store))  # another session (its own repository)
        record, rev = other.get("students", student.id)
        other.update("students", replace(record, last_name="Zzyzx-Autre-Session"), rev)
        try:
            await settle(pilot, lambda: app.state.get("students", student.id).last_name == "Zzyzx-Autre-Session",
                         timeout=10)
            screen = app.screen
            screen.query_one("#search").focus()
            await pilot.press(*"zzyzx")
            table = screen.query_one("#candidates", GrowingTable)
            await settle(pilot, lambda: keys_of(table) == [student.id], timeout=10)
            assert table.get_row(student.id)[0].plain.startswith("ZZYZX-AUTRE")
        finally:
            record, rev = other.get("students", student.id)
            other.update("students", replace(record, last_name=student.last_name), rev)


def test_a_state_after_a_one_record_change_rereads_only_its_shard(big_store):
    repo = Repository(Store(big_store))
    before = load_state(repo, TODAY)
    student = before.data.students[5]
    other = Repository(Store(big_store))  # the change comes from another session
    record, rev = other.get("students", student.id)
    other_files = dict(before.files)
    other.update("students", replace(record, first_name="Changé"), rev)
    try:
        shard_cache.CACHE.clear()  # not the other session's parses (same process here): what we read, we parse
        parses = shard_cache.CACHE.parses
        after = load_state(repo, TODAY, before)
        changed = {s for s in set(after.files) | set(other_files) if after.files.get(s) != other_files.get(s)}
        # The learner's bucket and the index changed; only the bucket is parsed by the state.
        assert shard_cache.CACHE.parses - parses == len(changed - {"index"}) == 1
        assert after.get("students", student.id).first_name == "Changé"
        # Everything else reused: the same result objects for the other cohorts' learners.
        cohort = student.cohort_id
        others = [r for r in after.results if r.cohort_id != cohort]
        assert others and all(before.by_student[r.student_id] is r for r in others)
        # And the state is the one a full check gives, in the same order.
        full = check_dataset(after.data, TODAY)
        assert [(r.student_id, r.status) for r in after.results] == [(r.student_id, r.status) for r in full]
    finally:
        record, rev = other.get("students", student.id)
        other.update("students", replace(record, first_name=student.first_name), rev)
