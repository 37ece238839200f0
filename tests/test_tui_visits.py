"""Issue 15 §3 in the TUI: teachers' visits planned, recorded as done and deleted from the
candidate file and from « Mes élèves », each flow read back from the store; the forms'
rules (keys in bursts, bad input, unsaved input, another session's change); the
coordinator's list of placements past their middle with no visit; the teacher's ICS.

Demo school of seed 1 as of 28/11/2026 (`tui_support`): mdurand follows stu-0037
(plc-0037-3, 16/11 → 11/12/2026, no visit: « à planifier ») and stu-0028 (plc-0028-3,
visit v1 planned 25/11, not done: « en retard »)."""

from __future__ import annotations

import stat
from datetime import date

from icalendar import Calendar
from textual.widgets import DataTable, Input, Select, Static

from pfmp_tui.domain.visits import no_visit_by_mid_period
from pfmp_tui.services import access, visits
from pfmp_tui.store import audit
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.app import PfmpApp
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.dialogs import ConfirmScreen
from pfmp_tui.tui.screens.my_students import MyStudentsScreen
from pfmp_tui.tui.screens.placement_list import PlacementListScreen
from pfmp_tui.tui.screens.visits import VisitFormScreen, VisitsScreen
from tests.conftest import store_bytes
from tests.test_tui_key_burst import burst, drained
from tests.tui_support import TODAY, make_app, settle

TO_PLAN = ("stu-0037", "plc-0037-3")
LATE = ("stu-0028", "plc-0028-3")


def stored(repo: Repository, placement_id: str):
    return Repository(Store(repo.store.path)).get("placements", placement_id)[0].visits


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_file_on(pilot, student_id: str, placement_id: str) -> CandidateScreen:
    app = pilot.app
    app.open_candidate(student_id)
    await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
    table = app.screen.query_one("#placements", DataTable)
    table.move_cursor(row=table.get_row_index(placement_id))
    table.focus()
    await pilot.pause()
    return app.screen


async def open_form(pilot, target: tuple[str, str], key: str) -> VisitFormScreen:
    """The file on `target`'s placement, « v » (its visits), then `key`: « n » plans a visit,
    « enter » records the first one as done."""
    app = pilot.app
    await settle(pilot)
    await open_file_on(pilot, *target)
    await pilot.press("v")
    await settle(pilot, lambda: isinstance(app.screen, VisitsScreen))
    await pilot.press(key)
    await settle(pilot, lambda: isinstance(app.screen, VisitFormScreen))
    return app.screen


async def type_in(pilot, selector: str, value: str) -> None:
    """Clear the field, then type `value` as one burst (no pause between the keys)."""
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    await pilot.pause()
    burst(pilot.app, "end", "ctrl+u", *value)
    await drained(pilot)


async def test_plan_record_and_delete_a_visit_from_the_file(demo, tmp_path):
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_file_on(pilot, *TO_PLAN)
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen))
        assert "Aucune visite" in text(app.screen, "#visits-detail")
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, VisitFormScreen))
        form = app.screen
        assert form.query_one("#visit-teacher", Input).value == "mdurand"  # the référent by default
        await type_in(pilot, "#visit-date", "03/12/2026")
        form.query_one("#visit-kind", Select).value = "telephone"
        burst(app, "ctrl+s")
        await drained(pilot)
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen) and app.screen.placement.visits)
        [v] = stored(demo, TO_PLAN[1])
        assert (v.planned_on, v.kind, v.teacher, v.done_on) == (date(2026, 12, 3), "telephone", "mdurand", None)
        # Recorded as done (entrée on it), with a compte rendu typed in a burst.
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, VisitFormScreen))
        assert app.screen.query_one("#visit-date", Input).value == "28/11/2026"  # today, the placement begun
        await type_in(pilot, "#visit-report", "Bonne intégration, autonome à l'accueil")
        burst(app, "ctrl+s")
        await drained(pilot)
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen))
        [v] = stored(demo, TO_PLAN[1])
        assert (v.done_on, v.report) == (TODAY, "Bonne intégration, autonome à l'accueil")
        # Deleted after a confirmation; « n » first keeps it.
        await pilot.press("delete")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen))
        assert len(stored(demo, TO_PLAN[1])) == 1
        await pilot.press("delete")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen) and not app.screen.placement.visits)
        assert stored(demo, TO_PLAN[1]) == ()
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        assert "Visites : aucune" in text(app.screen, "#placement-detail")


async def test_bad_input_names_the_field_and_changes_nothing(demo, tmp_path, db_path):
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, TO_PLAN, "n")
        before = store_bytes(db_path.parent)
        for typed, expected in (("31/02/2026", "Date : date invalide « 31/02/2026 »"),
                                ("", "Date : obligatoire (JJ/MM/AAAA)"),
                                ("05/01/2027", "Date : le 05/01/2027 est hors du stage (du 16/11/2026 au 11/12/2026)")):
            await type_in(pilot, "#visit-date", typed)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is form
            assert expected in text(form, "#err-date")
        await type_in(pilot, "#visit-date", "03/12/2026")
        await type_in(pilot, "#visit-teacher", "m durand")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Professeur : « m durand » : un identifiant, sans espace" in text(form, "#err-teacher")
        assert store_bytes(db_path.parent) == before


async def test_a_future_done_date_is_refused(demo, tmp_path, db_path):
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, LATE, "enter")
        before = store_bytes(db_path.parent)
        await type_in(pilot, "#visit-date", "01/12/2026")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Date : le 01/12/2026 est à venir" in text(app.screen, "#err-date")
        assert store_bytes(db_path.parent) == before


async def test_leaving_a_changed_visit_form_asks_first(demo, tmp_path, db_path):
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, TO_PLAN, "n")
        await type_in(pilot, "#visit-date", "03/12/2026")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Date" in str(app.screen.query_one("#confirm-message", Static).render())
        await pilot.press("n")  # continue typing
        await settle(pilot, lambda: app.screen is form)
        assert form.query_one("#visit-date", Input).value == "03/12/2026"
        # The palette's way out (back to the dashboard) asks too.
        app.action_dashboard()
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("o")
        await settle(pilot, lambda: not isinstance(app.screen, (ConfirmScreen, VisitFormScreen)))
        assert stored(demo, TO_PLAN[1]) == ()


async def test_a_visit_changed_by_another_session_shows_both_and_saves_only_when_asked(demo, tmp_path, db_path):
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, LATE, "enter")
        await type_in(pilot, "#visit-report", "le mien")
        other = Repository(Store(db_path))
        theirs = visits.visit_done(other, LATE[1], "v1", date(2026, 11, 26), report="celui de l'autre")
        before = store_bytes(db_path.parent)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        shown = text(form, "#form-error")
        assert "Une autre session a modifié cette visite" in shown
        assert "celui de l'autre" in shown and "le mien" in shown
        assert store_bytes(db_path.parent) == before  # nothing written over theirs
        assert form.query_one("#visit-report", Input).value == "le mien"  # the input stays
        await pilot.press("ctrl+s")  # knowingly: mine over theirs
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen))
        [v] = stored(demo, LATE[1])
        assert (v.report, v.done_on) == ("le mien", TODAY) and v != theirs


async def test_a_visit_deleted_by_another_session_is_recreated_only_when_asked(demo, tmp_path, db_path):
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, LATE, "enter")
        await type_in(pilot, "#visit-report", "vu la tutrice")
        visits.remove_visit(Repository(Store(db_path)), LATE[1], "v1")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "supprimée par une autre session" in text(form, "#form-error")
        assert stored(demo, LATE[1]) == ()
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen))
        [v] = stored(demo, LATE[1])
        assert (v.planned_on, v.done_on, v.report) == (date(2026, 11, 25), TODAY, "vu la tutrice")


async def test_my_students_shows_the_visits_to_plan_and_to_do_and_plans_one(demo, tmp_path):
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_my_students()
        await settle(pilot, lambda: isinstance(app.screen, MyStudentsScreen) and app.screen.loaded)
        screen = app.screen
        table = screen.query_one("#mine-list", DataTable)
        what = {screen.rows[k.value].placement_id: str(table.get_row(k)[2]) for k in table.rows
                if screen.rows[k.value].visit is not None}
        assert what[TO_PLAN[1]] == "! visite à planifier"
        assert what[LATE[1]] == "✗ visite en retard"  # late, in words
        assert what["plc-0029-3"] == "· visite le 29/11"
        assert "visites : 1 en retard, 1 à planifier" in text(screen, "#mine-summary")
        key = next(k for k, r in screen.rows.items() if r.visit is not None and r.placement_id == TO_PLAN[1])
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, VisitFormScreen))
        await type_in(pilot, "#visit-date", "04/12/2026")
        burst(app, "ctrl+s")
        await drained(pilot)
        await settle(pilot, lambda: isinstance(app.screen, MyStudentsScreen) and app.screen.loaded
                     and not any(r.visit is not None and r.visit.visit is None for r in app.screen.rows.values()))
        [v] = stored(demo, TO_PLAN[1])
        assert v.planned_on == date(2026, 12, 4)
        row = screen.current_row()
        assert row is not None and row.placement_id == TO_PLAN[1]  # the cursor stayed on that placement
        # The late one, recorded as done from its row.
        key = next(k for k, r in screen.rows.items() if r.visit is not None and r.placement_id == LATE[1])
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, VisitFormScreen))
        await type_in(pilot, "#visit-date", "27/11/2026")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, MyStudentsScreen) and app.screen.loaded)
        assert stored(demo, LATE[1])[0].done_on == date(2026, 11, 27)


async def test_a_teacher_only_changes_the_visits_of_the_learners_they_follow(demo, tmp_path, monkeypatch):
    me = audit.current_login()
    access.set_role(demo, me, "coordination")
    access.set_role(demo, "ylebihan", "professeur")
    monkeypatch.setattr(audit, "current_login", lambda: "ylebihan")
    app = make_app(demo, tmp_path, user="ylebihan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_file_on(pilot, *TO_PLAN)  # followed by mdurand
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen))
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, VisitFormScreen))
        await type_in(pilot, "#visit-date", "03/12/2026")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.__class__ is VisitFormScreen
        assert "action refusée" in text(app.screen, "#form-error")
        assert "rien n'a été enregistré" in text(app.screen, "#form-error")
        assert stored(demo, TO_PLAN[1]) == ()


async def test_the_coordinator_lists_placements_past_their_middle_with_no_visit(demo, tmp_path):
    day = date(2026, 12, 2)  # past the middle (28/11) of the November placements
    expected = [p.id for p in no_visit_by_mid_period(demo.dataset(), day)]
    assert expected
    app = PfmpApp(demo, today=day, user="mdurand", poll_interval=0, exports_dir=tmp_path / "exports")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = text(app.screen, "#sig-visits")
        assert f"{len(expected)} stages en cours sans visite" in shown
        app.screen.query_one("#sig-visits").focus()
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, PlacementListScreen))
        assert [k.value for k in app.screen.query_one(DataTable).rows] == expected
        await pilot.press("v")  # plan one from the list
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen))
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, VisitFormScreen))
        await type_in(pilot, "#visit-date", "04/12/2026")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen))
        await pilot.press("escape")
        # A planned visit is not a visit done: the placement stays listed until it is done.
        await settle(pilot, lambda: isinstance(app.screen, PlacementListScreen))
        assert expected[0] in [k.value for k in app.screen.query_one(DataTable).rows]
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))


async def test_the_teachers_calendar_is_written_from_my_students(demo, tmp_path):
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_my_students()
        await settle(pilot, lambda: isinstance(app.screen, MyStudentsScreen) and app.screen.loaded)
        [(title, _, run)] = [e for e in app.screen.palette_entries() if "calendrier" in e[0]]
        assert title == "Exporter mon calendrier (ICS)"
        run()
        path = tmp_path / "exports" / "calendrier_mdurand.ics"
        await settle(pilot, lambda: path.exists() and not app.screen.workers)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        cal = Calendar.from_ical(path.read_bytes())
        uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
        assert f"visit-{LATE[1]}-v1@pfmp" in uids  # the planned visits of the learners mdurand follows
        assert f"visit-{TO_PLAN[1]}-v1@pfmp" not in uids  # nothing planned there
        notes = [n.message for n in app._notifications]
        assert any(str(path.resolve()) in m for m in notes)


async def test_the_dashboard_counts_the_pfmp_starting_soon_unsigned_and_lists_them(demo, tmp_path):
    """R10 on the dashboard: a placement moved to start in 9 days, its convention only sent."""
    from dataclasses import replace as _replace

    p, rev = demo.get("placements", "plc-0005-1")  # 11/01/2027, period PFMP 1 of the 2nde
    demo.update("placements", _replace(p, start=date(2026, 12, 7), end=date(2026, 12, 18),
                                       convention=_replace(p.convention, status="sent", signed_on=None),
                                       visits=()), rev)
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "1 PFMP commence dans 15 jours sans convention signée (R10)" in text(app.screen, "#sig-r10")
        periods = text(app.screen, "#sig-periods")
        assert "conventions : générées" in periods and "signée par établ." in periods
        app.screen.query_one("#sig-r10").focus()
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, PlacementListScreen))
        table = app.screen.query_one(DataTable)
        assert [k.value for k in table.rows] == ["plc-0005-1"]
        assert str(table.get_row("plc-0005-1")[4]) == "! dans 9 j"  # in words, not colour alone
        # Signed elsewhere: the row goes at the next state.
        from pfmp_tui.services import signatures

        signatures.sign(Repository(Store(demo.store.path)), "plc-0005-1",
                        ["school", "organisation", "student", "legal_representative"], date(2026, 11, 27))
        app.reload()
        await settle(pilot, lambda: not app.screen.query_one(DataTable).row_count)
        assert "Aucun stage" in text(app.screen, "#plist-summary")


async def test_a_whole_form_typed_in_one_burst_is_saved_as_typed(demo, tmp_path):
    """Date, Tab, teacher, Tab, the kind chosen in the select's list, ^s: one read of the terminal."""
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_file_on(pilot, *TO_PLAN)
        burst(app, "v")
        await drained(pilot)
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen))
        burst(app, "n", *"05/12/2026", "tab", "end", "ctrl+u", *"agueho", "tab", "enter", "down", "enter", "ctrl+s")
        await drained(pilot)
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen) and app.screen.placement
                     and app.screen.placement.visits)
        [v] = stored(demo, TO_PLAN[1])
        assert (v.planned_on, v.teacher, v.kind) == (date(2026, 12, 5), "agueho", "telephone")


async def test_the_reading_role_has_no_visit_key(demo, tmp_path, monkeypatch):
    access.set_role(demo, audit.current_login(), "coordination")
    access.set_role(demo, "lecteur", "lecture")
    monkeypatch.setattr(audit, "current_login", lambda: "lecteur")
    app = make_app(demo, tmp_path, user="lecteur")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        file = await open_file_on(pilot, *TO_PLAN)
        await pilot.press("v")
        await pilot.pause(0.2)
        assert app.screen is file  # nothing opened
        assert not file.check_action("visits", ())


async def test_an_untouched_form_closes_at_once(demo, tmp_path):
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, LATE, "enter")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, VisitsScreen))
        assert stored(demo, LATE[1])[0].done_on is None


async def test_a_visit_planned_for_me_on_a_colleagues_learner_is_in_my_list(demo, tmp_path):
    """As `pfmp todo`: the visits to do are the teacher's, whoever follows the placement."""
    p = next(p for p in demo.dataset().placements if p.teacher == "agueho" and p.start <= TODAY <= p.end)
    visits.plan_visit(demo, p.id, date(2026, 12, 3), teacher="mdurand")
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_my_students()
        await settle(pilot, lambda: isinstance(app.screen, MyStudentsScreen) and app.screen.loaded)
        rows = list(app.screen.rows.values())
        mine = [r for r in rows if r.placement_id == p.id]
        assert [r.visit.visit.planned_on for r in mine] == [date(2026, 12, 3)]
        busy = [r for r in rows if r.flag is not None or r.visit is not None]
        assert rows[:len(busy)] == busy  # with what waits, before the learners with nothing
