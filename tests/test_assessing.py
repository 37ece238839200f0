"""The assessment grid of a placement (R12, R13): services/assessing.py on a real store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pfmp_tui.domain.competences import COMPETENCES
from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.model import Cohort, Dataset, Organisation, Period, Placement, Student, Tutor
from pfmp_tui.domain.progress import progress
from pfmp_tui.services.assessing import GENERAL_COMMENT_SUPPORTED, load_grid, save_grid, session_label
from pfmp_tui.store.repository import ConflictError, Repository
from pfmp_tui.store.storage import Store

from tests.conftest import store_bytes

D = date
END1 = D(2025, 11, 28)
END2 = D(2026, 3, 27)


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    repo = Repository(Store(tmp_path / "db" / "pfmp.json"))
    repo.add_all(Dataset(
        cohorts=[Cohort("c1", "Tle AGOrA", 2027, D(2027, 5, 15))],
        students=[Student("s1", "Bœuf", "Chloé", "c1")],
        organisations=[Organisation("o1", "Société d'Études Œnologiques")],
        tutors=[Tutor("t1", "o1", "Petit", "Anne")],
        periods=[Period("pe1", "c1", "PFMP 1", D(2025, 11, 3), END1)],
        placements=[
            Placement("p1", "s1", "o1", D(2025, 11, 3), END1, "pe1", "t1", "mdurand"),
            Placement("p2", "s1", "o1", D(2026, 3, 2), END2, None, "t1", "mdurand"),
        ],
    ))
    return repo


def sheet(repo: Repository, placement_id: str = "p1") -> dict[tuple[str, str, date], tuple]:
    items, _ = repo.sheet(placement_id)
    return {(a.competence, a.assessor, a.date): (a.id, a.level, a.comment) for a in items}


def test_new_grid_is_empty_tutor_dated_at_the_end(repo):
    state, rev = load_grid(repo, "p1")
    assert rev == 0 and state.is_new
    assert list(state.levels) == [c.code for c in COMPETENCES]  # all 37, référentiel order
    assert set(state.levels.values()) == {None} and set(state.comments.values()) == {None}
    assert (state.assessor, state.on) == ("tutor", END1)
    assert state.student.last_name == "Bœuf" and state.tutor.id == "t1" and state.period.label == "PFMP 1"
    assert state.organisation.name == "Société d'Études Œnologiques"
    assert state.sessions == () and state.general_comment is None


def test_save_then_load_round_trip(repo):
    rev = save_grid(repo, "p1", {"1.1.1": 3, "1.1.2": 4, "2.1.1": None, "3.3.4": 1},
                    {"2.1.1": "  À revoir  ", "1.1.1": "Très bien", "1.1.2": "   "}, None, "tutor", END1, 0)
    assert rev == 1
    stored = sheet(repo)
    assert set(stored) == {("1.1.1", "tutor", END1), ("1.1.2", "tutor", END1), ("2.1.1", "tutor", END1),
                           ("3.3.4", "tutor", END1)}
    assert all(v[0].startswith("asm-") for v in stored.values())
    assert stored[("2.1.1", "tutor", END1)][1:] == (None, "À revoir")  # a comment alone is kept, trimmed
    assert stored[("1.1.2", "tutor", END1)][2] is None  # blank comment: none

    state, loaded_rev = load_grid(repo, "p1")
    assert loaded_rev == 1 and not state.is_new
    assert {k: v for k, v in state.levels.items() if v is not None} == {"1.1.1": 3, "1.1.2": 4, "3.3.4": 1}
    assert state.comments["1.1.1"] == "Très bien" and state.comments["2.1.1"] == "À revoir"
    assert state.assessed_count == 3
    assert state.sessions == (("tutor", END1),)
    # The grid shows in the learner's progress (document de liaison).
    grid = progress(repo.dataset(), "s1")
    assert grid.level("1.1.2", "p1") == 4 and grid.level("3.3.4", "p1") == 1


def test_resaving_keeps_ids_and_clearing_removes(repo):
    rev = save_grid(repo, "p1", {"1.1.1": 2, "1.2.1": 3}, {}, None, "tutor", END1, 0)
    first = sheet(repo)
    rev2 = save_grid(repo, "p1", {"1.1.1": 3, "1.2.1": 3}, {}, "", "tutor", END1, rev)
    assert rev2 == rev + 1
    second = sheet(repo)
    assert {k: v[0] for k, v in second.items()} == {k: v[0] for k, v in first.items()}  # same ids
    assert second[("1.1.1", "tutor", END1)][1] == 3
    save_grid(repo, "p1", {"1.1.1": 3, "1.2.1": None}, {}, None, "tutor", END1, rev2)
    third = sheet(repo)
    assert set(third) == {("1.1.1", "tutor", END1)}
    assert third[("1.1.1", "tutor", END1)][0] == first[("1.1.1", "tutor", END1)][0]


def test_stale_revision_is_a_conflict_and_writes_nothing(repo, tmp_path):
    state, rev = load_grid(repo, "p1")
    other = save_grid(repo, "p1", {"1.1.1": 4}, {}, None, "tutor", END1, rev)  # another session saves first
    before = store_bytes(tmp_path / "db")
    with pytest.raises(ConflictError) as exc:
        save_grid(repo, "p1", {"1.1.1": 1, "1.1.2": 1}, {}, None, "tutor", END1, rev)
    assert "autre session" in str(exc.value)
    assert exc.value.current_rev == other
    assert store_bytes(tmp_path / "db") == before
    assert {k: v[1] for k, v in sheet(repo).items()} == {("1.1.1", "tutor", END1): 4}


def test_sessions_are_kept_apart_and_can_be_replaced(repo):
    rev = save_grid(repo, "p1", {"1.1.1": 2, "2.2.1": 3}, {}, None, "tutor", END1, 0)
    visit = D(2025, 12, 5)
    rev = save_grid(repo, "p1", {"1.1.1": 3}, {"1.1.1": "Vu en visite"}, None, "teacher", visit, rev)
    assert len(sheet(repo)) == 3  # the teacher's session did not replace the tutor's

    latest, _ = load_grid(repo, "p1")
    assert (latest.assessor, latest.on) == ("teacher", visit)
    assert latest.sessions == (("teacher", visit), ("tutor", END1))
    assert {k: v for k, v in latest.levels.items() if v} == {"1.1.1": 3}
    tutor, _ = load_grid(repo, "p1", assessor="tutor")
    assert {k: v for k, v in tutor.levels.items() if v} == {"1.1.1": 2, "2.2.1": 3}
    fresh, _ = load_grid(repo, "p1", assessor="tutor", on=D(2025, 12, 1))
    assert fresh.is_new and set(fresh.levels.values()) == {None}

    # The tutor's date was mistyped: saving with `replaces` moves the session, ids kept.
    ids = {k[0]: v[0] for k, v in sheet(repo).items() if k[1] == "tutor"}
    fixed = D(2025, 11, 27)
    save_grid(repo, "p1", tutor.levels, tutor.comments, None, "tutor", fixed, rev, replaces=("tutor", END1))
    after = sheet(repo)
    assert {k[2] for k in after if k[1] == "tutor"} == {fixed}
    assert {k[0]: v[0] for k, v in after.items() if k[1] == "tutor"} == ids
    assert ("1.1.1", "teacher", visit) in after
    assert session_label(("tutor", fixed)) == "tuteur, 27/11/2025"


def test_bad_values_are_refused_with_their_place_and_nothing_is_written(repo, tmp_path):
    save_grid(repo, "p1", {"1.1.1": 2}, {}, None, "tutor", END1, 0)
    before = store_bytes(tmp_path / "db")
    with pytest.raises(ValidationFailed) as exc:
        save_grid(repo, "p1", {"1.1.1": 5, "1.2.1": True, "9.9.9": 1}, {"1.3.1": "x" * 6000}, None, "tutor", END1, 1)
    paths = {e.path for e in exc.value.errors}
    assert paths == {"9.9.9"}  # unknown codes are reported first, alone
    with pytest.raises(ValidationFailed) as exc:
        save_grid(repo, "p1", {"1.1.1": 5, "1.2.1": True}, {"1.3.1": "x" * 6000}, None, "tutor", END1, 1)
    assert {e.path for e in exc.value.errors} == {"1.1.1.level", "1.2.1.level", "1.3.1.comment"}
    with pytest.raises(ValidationFailed) as exc:
        save_grid(repo, "p1", {"1.1.1": 3}, {}, None, "parent", END1, 1)
    assert exc.value.errors[0].path == "assessor"
    with pytest.raises(ValidationFailed):
        save_grid(repo, "nowhere", {"1.1.1": 3}, {}, None, "tutor", END1, 0)
    with pytest.raises(ValidationFailed):
        load_grid(repo, "nowhere")
    assert store_bytes(tmp_path / "db") == before


def test_general_appreciation_is_stored_with_its_session(repo, tmp_path):
    """R12: the tutor's general appreciation closes the session's grid, and travels in dump/load."""
    assert GENERAL_COMMENT_SUPPORTED is True
    rev = save_grid(repo, "p1", {"1.1.1": 3}, {}, "Stagiaire sérieuse, Œil vif", "tutor", END1, 0)
    state, _ = load_grid(repo, "p1")
    assert state.general_comment == "Stagiaire sérieuse, Œil vif"
    # A teacher's session on the same placement has its own appreciation.
    rev = save_grid(repo, "p1", {"1.1.1": 2}, {}, "Visite du 12", "teacher", END1, rev)
    assert load_grid(repo, "p1", assessor="tutor")[0].general_comment == "Stagiaire sérieuse, Œil vif"
    assert load_grid(repo, "p1", assessor="teacher")[0].general_comment == "Visite du 12"
    # Re-saving keeps the appreciation's id; saving it empty removes it.
    first_ids = {n.id for n in repo.dataset().appreciations}
    rev = save_grid(repo, "p1", {"1.1.1": 3}, {}, "Stagiaire sérieuse", "tutor", END1, rev)
    assert {n.id for n in repo.dataset().appreciations} == first_ids
    save_grid(repo, "p1", {"1.1.1": 2}, {}, "  ", "teacher", END1, rev)
    assert [n.comment for n in repo.dataset().appreciations] == ["Stagiaire sérieuse"]


def test_appreciations_round_trip_and_follow_their_placement(repo):
    from pfmp_tui.domain.interchange import parse_document, to_document

    save_grid(repo, "p1", {"1.1.1": 3}, {}, "Très bien", "tutor", END1, 0)
    doc = to_document(repo.dataset())
    assert [a["comment"] for a in doc["appreciations"]] == ["Très bien"]
    assert to_document(parse_document(doc)) == doc
    # A store without appreciations dumps exactly the contract's v1 document.
    repo.delete("appreciations", doc["appreciations"][0]["id"])
    assert "appreciations" not in to_document(repo.dataset())
    save_grid(repo, "p1", {}, {}, "Seule une appréciation", "tutor", END2, repo.sheet("p1")[1])
    assert repo.dependents("placements", "p1") == {"assessments": 1, "appreciations": 1}
    repo.delete("placements", "p1")
    assert repo.dataset().appreciations == []


def test_progress_reflects_grids_saved_on_several_periods(repo):
    save_grid(repo, "p1", {"1.1.1": 1, "3.1.1": 2}, {}, None, "tutor", END1, 0)
    save_grid(repo, "p2", {"1.1.1": 3, "2.3.2": 4}, {}, None, "tutor", END2, 0)
    grid = progress(repo.dataset(), "s1")
    assert [grid.level("1.1.1", p) for p in ("p1", "p2")] == [1, 3]
    assert grid.level("2.3.2", "p1") is None and grid.level("2.3.2", "p2") == 4
    cov = {c.number: (c.assessed, c.acquired) for c in grid.coverage}
    assert cov == {1: (1, 1), 2: (1, 1), 3: (1, 0)}


def test_liaison_pdf_shows_the_general_appreciation(repo, tmp_path):
    from pypdf import PdfReader

    from pfmp_tui.services.papers import make_paper

    save_grid(repo, "p1", {"1.1.1": 3}, {}, "Élève investie, œuvre soignée", "tutor", END1, 0)
    path = make_paper(repo.dataset(), "liaison", "s1", "Lycée", exports_dir=tmp_path / "exports")
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Appréciations générales (R12)" in text and "œuvre soignée" in text
