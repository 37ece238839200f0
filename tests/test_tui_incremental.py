"""The TUI's state after a commit is patched per cohort (issue 13): it must be, field by
field, the state a full rebuild of the same store gives — same ranking, counts, lists,
search results — whether the change was in one cohort, moved a learner between two,
touched the core, or was made by another process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pfmp_tui.services import editing
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.state import AppState, CandidateFilter, cohort_figures, filter_results, load_state, upcoming_deadlines
from tests.tui_support import TODAY, demo_repo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    """The demo school with 400 learners (a dozen divisions, many buckets), built once."""
    path = tmp_path_factory.mktemp("school") / "pfmp.json"
    demo_repo(path, students=400)
    return path


@pytest.fixture
def store(school, tmp_path):
    """A copy of the school each test may change."""
    folder = tmp_path / "store"
    shutil.copytree(school.parent, folder)
    return folder / "pfmp.json"


def fingerprint(state: AppState) -> dict:
    """Everything a screen reads from a state, in comparable form."""
    teachers = state.teachers()
    some = [s.last_name[:4] for s in state.data.students[::37]]
    filters = [CandidateFilter(), CandidateFilter(status="a_risque"), CandidateFilter(special="attestation_overdue"),
               CandidateFilter(special="ending_this_week"), CandidateFilter(special="abroad"),
               CandidateFilter(cohort_id=state.cohorts()[0].id), CandidateFilter(voie="bac_pro_3ans"),
               *(CandidateFilter(teacher=t) for t in teachers[:3]), *(CandidateFilter(text=t) for t in some)]
    return {
        "ranking": [(r.student_id, r.status, r.flags, r.attested_days, r.planned_days) for r in state.results],
        "by_student": {sid: (r.status, r.flags) for sid, r in state.by_student.items()},
        "placements": {sid: [p.id for p in ps] for sid, ps in state.placements_by_student.items() if ps},
        "teachers_by_student": {sid: ts for sid, ts in state.teachers_by_student.items() if ts},
        "ending": state.ending_this_week, "overdue": state.overdue, "abroad": state.abroad,
        "counts": {c: n for c, n in state.counts.items() if any(n.values())},
        "students_of": {c: sorted(ids) for c, ids in state.students_of.items() if ids},
        "figures": [(f.cohort.id, f.counts, f.total) for f in cohort_figures(state)],
        "deadlines": [(c.id, n) for c, n in upcoming_deadlines(state)],
        "cohorts": [c.id for c in state.cohorts()],
        "teachers": teachers,
        "search_keys": state.search_keys,
        "filters": [[r.student_id for r in filter_results(state, f)] for f in filters],
    }


def full_state(path: Path) -> AppState:
    """The state a new session (nothing kept) reads from the store."""
    return load_state(Repository(Store(path)), TODAY)


def assert_patched_like_full(before: AppState, after: AppState, path: Path, cohorts: set[str]) -> None:
    full = full_state(path)
    assert after.generation == full.generation > before.generation
    assert fingerprint(after) == fingerprint(full)
    # The patch reused what it did not recompute: the other cohorts' results are the same objects.
    others = [r for r in after.results if r.cohort_id not in cohorts]
    assert others and all(before.by_student[r.student_id] is r for r in others)


@pytest.mark.parametrize("keys_built", [True, False], ids=["searched-before", "never-searched"])
def test_an_attestation_saved_in_one_cohort(store, keys_built):
    repo = Repository(Store(store))
    before = load_state(repo, TODAY)
    if keys_built:
        before.search_keys  # a search was made: the keys are patched, not rebuilt
    placement = next(p for p in before.data.placements if p.attestation is None and p.end < TODAY)
    base, rev = repo.get("placements", placement.id)
    editing.save(repo, "attestation", editing.attestation_defaults(base, TODAY), base=base, rev=rev)
    after = load_state(repo, TODAY, before)
    cohort = before.get("students", placement.student_id).cohort_id
    assert after.by_student[placement.student_id] is not before.by_student[placement.student_id]
    assert (after._search_keys is not None) == keys_built  # never built at all if no search was made
    assert_patched_like_full(before, after, store, {cohort})


def test_a_learner_renamed_and_one_moved_to_another_cohort(store):
    repo = Repository(Store(store))
    before = load_state(repo, TODAY)
    before.search_keys
    student = before.data.students[3]
    record, rev = repo.get("students", student.id)
    repo.update("students", replace(record, last_name="Zzyzx", first_name="Éloïse"), rev)
    after_rename = load_state(repo, TODAY, before)
    assert [r.student_id for r in filter_results(after_rename, CandidateFilter(text="eloise zzyz"))] == [student.id]
    assert_patched_like_full(before, after_rename, store, {student.cohort_id})

    target = next(c for c in after_rename.data.cohorts if c.id != student.cohort_id)
    mover = next(s for s in after_rename.data.students if s.cohort_id == target.id)
    record, rev = repo.get("students", student.id)
    # the learner moves to the division of another learner (same voie, so the record stays valid)
    repo.update("students", replace(record, cohort_id=target.id, voie=mover.voie), rev)
    after_move = load_state(repo, TODAY, after_rename)
    assert student.id in after_move.students_of[target.id]
    assert student.id not in after_move.students_of.get(student.cohort_id, ())
    assert_patched_like_full(after_rename, after_move, store, {student.cohort_id, target.id})


def test_a_placement_deleted_and_a_learner_created(store):
    repo = Repository(Store(store))
    before = load_state(repo, TODAY)
    placement = next(p for p in before.data.placements if p.teacher)
    repo.delete("placements", placement.id)
    after = load_state(repo, TODAY, before)
    assert placement.id not in [p.id for p in after.placements_by_student.get(placement.student_id, [])]
    cohort = before.get("students", placement.student_id).cohort_id
    assert_patched_like_full(before, after, store, {cohort})

    model = after.data.students[0]
    repo.create("students", replace(model, id="nouvel-eleve", last_name="Nouveau", first_name="Né",
                                    ine=None))
    created = load_state(repo, TODAY, after)
    assert "nouvel-eleve" in created.by_student
    assert_patched_like_full(after, created, store, {model.cohort_id})


def test_a_core_change_rebuilds_everything_the_same(store):
    repo = Repository(Store(store))
    before = load_state(repo, TODAY)
    used = {p.organisation_id for p in before.data.placements}
    org = next(o for o in before.data.organisations if o.id in used and o.country == "FR")
    record, rev = repo.get("organisations", org.id)
    repo.update("organisations", replace(record, country="DE"), rev)  # its placements are now abroad (R15)
    after = load_state(repo, TODAY, before)
    assert any(p.organisation_id == org.id for ps in after.placements_by_student.values() for p in ps
               if p.student_id in after.abroad)
    assert fingerprint(after) == fingerprint(full_state(store))


OTHER_SESSION = r"""
import sys
from dataclasses import replace
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
repo = Repository(Store(sys.argv[1]))
record, rev = repo.get("students", sys.argv[2])
repo.update("students", replace(record, first_name="Autreprocessus"), rev)
"""


def test_a_change_made_by_another_process(store):
    repo = Repository(Store(store))
    before = load_state(repo, TODAY)
    before.search_keys
    student = before.data.students[11]
    subprocess.run([sys.executable, "-c", OTHER_SESSION, str(store), student.id], check=True, cwd=ROOT)
    after = load_state(repo, TODAY, before)
    assert after.get("students", student.id).first_name == "Autreprocessus"
    assert [r.student_id for r in filter_results(after, CandidateFilter(text="autreprocessus"))] == [student.id]
    assert_patched_like_full(before, after, store, {student.cohort_id})


async def test_a_fiche_reads_its_own_levels_not_the_schools(store, tmp_path):
    """The fiche's « Évaluation : » line (R12) comes from that placement's sheet: the
    school's levels are never all built, and a grid saved shows in the next state."""
    from pfmp_tui.tui.screens.candidate import CandidateScreen
    from tests.tui_support import make_app, settle

    repo = Repository(Store(store))
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        placement = next(p for p in app.state.data.placements if repo.sheet(p.id)[0])
        levels, rev = repo.sheet(placement.id)
        app.open_candidate(placement.student_id)
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        assert not app.state.data.assessments.materialised  # no whole-school build of 37 levels × PFMP
        assert app.state.sheet(placement.id) == levels
        kept = [a for a in levels if a.level is None] + [replace(a, level=None) for a in levels if a.level is not None]
        repo.set_assessments(placement.id, kept, rev)  # every level cleared (as the grid does)
        before = app.state
        app.reload()
        await settle(pilot, lambda: app.state is not before)
        assert all(a.level is None for a in app.state.sheet(placement.id))
        assert not app.state.data.assessments.materialised


def test_marks_tell_which_cohorts_a_state_changed(store):
    repo = Repository(Store(store))
    before = load_state(repo, TODAY)
    student = before.data.students[0]
    other = next(c.id for c in before.data.cohorts if c.id != student.cohort_id)
    record, rev = repo.get("students", student.id)
    repo.update("students", replace(record, first_name="Marquée"), rev)
    after = load_state(repo, TODAY, before)
    assert after.mark(other) == before.mark(other)
    assert after.mark(student.cohort_id) != before.mark(student.cohort_id)
    org = before.data.organisations[0]
    record, rev = repo.get("organisations", org.id)
    repo.update("organisations", replace(record, name=org.name + " (siège)"), rev)  # the core
    core = load_state(repo, TODAY, after)
    assert core.mark(other) != after.mark(other)


async def test_a_fiche_is_redrawn_for_its_own_cohort_only(store, tmp_path):
    from textual.widgets import Static

    from pfmp_tui.tui.screens.candidate import CandidateScreen
    from tests.tui_support import make_app, settle

    repo = Repository(Store(store))
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        student = app.state.data.students[0]
        app.open_candidate(student.id)
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        identity = app.screen.query_one("#identity", Static)
        shown = identity.content
        elsewhere = next(s for s in app.state.data.students if s.cohort_id != student.cohort_id)
        record, rev = repo.get("students", elsewhere.id)
        repo.update("students", replace(record, first_name="Ailleurs"), rev)
        before = app.state
        app.reload()
        await settle(pilot, lambda: app.state is not before)
        assert identity.content is shown  # not redrawn: nothing of this learner changed
        mate = next(s for s in app.state.data.students if s.cohort_id == student.cohort_id and s.id != student.id)
        record, rev = repo.get("students", mate.id)
        repo.update("students", replace(record, first_name="Voisine"), rev)
        record, rev = repo.get("students", student.id)
        repo.update("students", replace(record, email="nouvelle@example.org"), rev)
        before = app.state
        app.reload()
        await settle(pilot, lambda: app.state is not before)
        assert "nouvelle@example.org" in identity.content.plain


async def test_the_list_under_a_fiche_is_brought_up_to_date_when_shown_again(store, tmp_path):
    from pfmp_tui.tui.screens.candidate import CandidateScreen
    from pfmp_tui.tui.screens.candidates import CandidatesScreen
    from pfmp_tui.tui.widgets.growing_table import GrowingTable
    from tests.tui_support import make_app, settle

    repo = Repository(Store(store))
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen))
        listed = app.screen
        table = listed.query_one(GrowingTable)
        first = table.get_row_at(0)
        student = app.state.get("students", table.coordinate_to_cell_key((0, 0)).row_key.value)
        app.open_candidate(student.id)
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        record, rev = repo.get("students", student.id)
        repo.update("students", replace(record, last_name="Aaaa-Renommée"), rev)
        before = app.state
        app.reload()
        await settle(pilot, lambda: app.state is not before)
        assert listed._stale and table.get_row_at(0) == first  # not re-filtered nor rebuilt underneath
        app.pop_screen()
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen) and listed.loaded)
        assert not listed._stale
        row = [str(c) for c in table.get_row_at(table.get_row_index(student.id))]
        assert "aaaa-renomm" in row[0].casefold()  # the new name shown (last names in capitals)
