"""Repository: typed records over the sharded store (issue 2, « The store »).

Round trips of every kind, optimistic concurrency (ConflictError, nothing
overwritten), cascades, moves between cohorts (records change shard file),
assessment sheets, and bulk loads that are all or nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from pathlib import Path

import pytest

from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import to_document
from pfmp_tui.domain.model import (
    Assessment,
    Attestation,
    Cohort,
    Contract,
    Convention,
    Dataset,
    Organisation,
    Period,
    Placement,
    Student,
    Tutor,
    WorkCertificate,
)
from pfmp_tui.store.repository import KIND_LABELS, ConflictError, Repository, describe_removed
from pfmp_tui.store.storage import CORE, Store, StoreError, shard_for_cohort


def folder_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file in the store's folder: proves nothing changed. The lock file is
    listed but not hashed: it only says who holds the lock (pid, login, since)."""
    return {p.name: "lock" if p.name.endswith(".lock") else hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def school() -> Dataset:
    """Two cohorts, two organisations with a tutor each, two students per cohort;
    s1 has two placements (one with a sheet of 3 levels), a certificate and a contract."""
    d = Dataset()
    d.cohorts = [
        Cohort("c1", "1re AGOrA A", 2027, date(2027, 5, 14), "A"),
        Cohort("c2", "Tle AGOrA B", 2026, date(2026, 5, 15), "A"),
    ]
    d.organisations = [
        Organisation("o1", "Mairie de Lyon", "21690123100011", "1 place de la Comédie", "69001", "Lyon", "FR"),
        Organisation("o2", "Cabinet Roux", None, None, None, "Bron", "FR"),
    ]
    d.tutors = [Tutor("t1", "o1", "Petit", "Anne"), Tutor("t2", "o2", "Roux", "Paul")]
    d.periods = [
        Period("pe1", "c1", "PFMP 1", date(2026, 1, 5), date(2026, 1, 30)),
        Period("pe2", "c2", "PFMP 1", date(2026, 1, 5), date(2026, 1, 30)),
    ]
    d.students = [
        Student("s1", "Martin", "Léa", "c1"),
        Student("s2", "Durand", "Hugo", "c1"),
        Student("s3", "Moreau", "Inès", "c2"),
        Student("s4", "Simon", "Noah", "c2", voie="apprentissage"),
    ]
    att = Attestation(date(2026, 2, 2), True, 20, "Accueil, courrier")
    d.placements = [
        Placement("p1", "s1", "o1", date(2026, 1, 5), date(2026, 1, 30), "pe1", "t1", "mdurand",
                  Convention("signed", date(2025, 12, 1)), att),
        Placement("p2", "s1", "o2", date(2026, 3, 2), date(2026, 3, 27), None, "t2"),
        Placement("p3", "s2", "o1", date(2026, 1, 5), date(2026, 1, 30), "pe1", "t1"),
        Placement("p4", "s3", "o2", date(2026, 1, 5), date(2026, 1, 30), "pe2", None),
    ]
    d.assessments = [
        Assessment("a1", "p1", "1.1.1", 3, "tutor", date(2026, 1, 30), "Très bien"),
        Assessment("a2", "p1", "1.1.2", None, "tutor", date(2026, 1, 30)),
        Assessment("a3", "p1", "3.3.4", 1, "teacher", date(2026, 1, 30)),
        Assessment("a4", "p3", "2.1.1", 2, "tutor", date(2026, 1, 30)),
    ]
    d.work_certificates = [WorkCertificate("w1", "s1", "SARL Dupuis", date(2025, 1, 1), date(2025, 6, 30), True)]
    d.contracts = [Contract("k1", "s1", "SARL Dupuis", date(2025, 9, 1), date(2027, 8, 31)),
                   Contract("k2", "s4", "Mairie de Bron", date(2025, 9, 1), date(2027, 8, 31))]
    return d


@pytest.fixture
def loaded(repo: Repository) -> Repository:
    repo.add_all(school())
    return repo


def fresh(repo: Repository) -> Repository:
    """Another Repository on the same store, with empty caches (another process)."""
    return Repository(Store(repo.store.path))


def shard_ids(repo: Repository, shard: str, table: str) -> set[str]:
    """Ids in `table` of a shard; for a cohort, of its head and all its buckets."""
    with repo.store.read() as tx:
        names = [n for n in tx.shard_names() if n == shard or n.startswith(f"{shard}-b")]
        return set().union(*(tx.tables(n).get(table, {}) for n in names))


# -- round trips ----------------------------------------------------------------------------
def test_add_all_then_dataset_is_the_same_document(loaded: Repository):
    assert to_document(loaded.dataset()) == to_document(school())
    assert to_document(fresh(loaded).dataset()) == to_document(school())


def test_layout_core_index_and_per_cohort_a_head_and_buckets(loaded: Repository):
    with loaded.store.read() as tx:
        c1, c2 = shard_for_cohort("c1"), shard_for_cohort("c2")
        assert tx.shard_names() == sorted([CORE, "index", c1, f"{c1}-b0-0", c2, f"{c2}-b0-0"])
        assert set(tx.tables(c1)) == {"periods"}  # the head: the cohort's periods
    assert shard_ids(loaded, CORE, "organisations") == {"o1", "o2"}
    assert shard_ids(loaded, shard_for_cohort("c1"), "students") == {"s1", "s2"}
    assert shard_ids(loaded, shard_for_cohort("c1"), "assessment_sheets") == {"p1", "p3"}
    assert shard_ids(loaded, shard_for_cohort("c2"), "contracts") == {"k2"}


NEW_RECORDS = {
    "cohorts": Cohort("c3", "2nde AGOrA", 2028, date(2028, 5, 12)),
    "students": Student("s9", "Garcia", "Zoé", "c2", ine="1234567890A", birth_date=date(2010, 4, 2)),
    "organisations": Organisation("o9", "Hôpital Édouard-Herriot", None, None, "69003", "Lyon", "FR"),
    "tutors": Tutor("t9", "o2", "Bernard", "Luc", "l.bernard@exemple.fr"),
    "periods": Period("pe9", "c2", "PFMP 2", date(2026, 5, 4), date(2026, 5, 29)),
    "placements": Placement("p9", "s3", "o1", date(2026, 5, 4), date(2026, 5, 29), "pe2", "t1"),
    "work_certificates": WorkCertificate("w9", "s3", "SAS Lumière", date(2024, 1, 1), date(2024, 12, 31), False),
    "contracts": Contract("k9", "s2", "SCOP Vaisse", date(2025, 9, 1), date(2027, 8, 31)),
}
CHANGES = {
    "cohorts": {"label": "2nde AGOrA C"},
    "students": {"email": "zoe.garcia@exemple.fr"},
    "organisations": {"name": "HCL Édouard-Herriot"},
    "tutors": {"job_title": "Cadre de santé"},
    "periods": {"label": "PFMP 2 (mai)"},
    "placements": {"attestation": Attestation(date(2026, 6, 1), True, 19, "Saisie")},
    "work_certificates": {"full_time": True},
    "contracts": {"employer": "SCOP Vaisse & fils"},
}


@pytest.mark.parametrize("kind", list(NEW_RECORDS))
def test_create_update_delete_round_trip(loaded: Repository, kind: str):
    record = NEW_RECORDS[kind]
    assert loaded.get(kind, record.id) is None
    assert loaded.create(kind, record) == 1
    assert fresh(loaded).get(kind, record.id) == (record, 1)
    changed = dataclasses.replace(record, **CHANGES[kind])
    assert loaded.update(kind, changed, 1) == 2
    assert fresh(loaded).get(kind, record.id) == (changed, 2)
    snap = fresh(loaded).snapshot()
    assert snap.get(kind, record.id) == changed and snap.rev(kind, record.id) == 2
    assert loaded.delete(kind, record.id, 2) == {}
    assert fresh(loaded).get(kind, record.id) is None
    assert to_document(fresh(loaded).dataset()) == to_document(school())


def test_create_refuses_an_existing_id_and_unknown_references(loaded: Repository):
    before = folder_hashes(loaded.store.path.parent)
    with pytest.raises(ValidationFailed) as exc:
        loaded.create("students", Student("s1", "Autre", "Élève", "c2"))
    assert "existe déjà" in str(exc.value)
    with pytest.raises(ValidationFailed) as exc:
        loaded.create("placements", Placement("p9", "s1", "o1", date(2026, 1, 5), date(2026, 1, 30), None, "t2"))
    assert exc.value.for_field("tutor_id")  # t2 works at o2, not o1
    with pytest.raises(ValidationFailed) as exc:
        loaded.create("placements", Placement("p9", "nobody", "o404", date(2026, 1, 5), date(2026, 1, 30)))
    assert {e.path for e in exc.value.errors} == {"student_id", "organisation_id"}
    assert folder_hashes(loaded.store.path.parent) == before


# -- conflicts ------------------------------------------------------------------------------
def test_stale_update_raises_conflict_and_overwrites_nothing(loaded: Repository):
    other = fresh(loaded)  # another session that opened s1 at rev 1
    s1, rev = other.get("students", "s1")
    assert loaded.update("students", dataclasses.replace(s1, email="lea@exemple.fr"), rev) == 2
    before = folder_hashes(loaded.store.path.parent)
    with pytest.raises(ConflictError) as exc:
        other.update("students", dataclasses.replace(s1, first_name="Écrasé"), rev)
    assert exc.value.current_rev == 2 and exc.value.current.email == "lea@exemple.fr"
    assert "modifié par une autre session" in str(exc.value)  # « Élève … modifié », never « (e) »
    assert folder_hashes(loaded.store.path.parent) == before
    assert fresh(loaded).get("students", "s1")[0].first_name == "Léa"


def test_update_or_delete_of_a_deleted_record_is_a_conflict(loaded: Repository):
    p2, rev = loaded.get("placements", "p2")
    assert loaded.delete("placements", "p2", rev) == {}
    with pytest.raises(ConflictError) as exc:
        loaded.update("placements", p2, rev)
    assert exc.value.current is None and "supprimé" in str(exc.value)
    with pytest.raises(ConflictError):
        loaded.delete("placements", "p2", rev)


def test_stale_delete_raises_conflict_and_keeps_the_record(loaded: Repository):
    c1, rev = loaded.get("cohorts", "c1")
    loaded.update("cohorts", dataclasses.replace(c1, label="1re A"), rev)
    before = folder_hashes(loaded.store.path.parent)
    with pytest.raises(ConflictError):
        loaded.delete("cohorts", "c1", rev)
    assert folder_hashes(loaded.store.path.parent) == before


# -- cascades -------------------------------------------------------------------------------
def test_delete_student_cascades_to_placements_sheets_certificates_contracts(loaded: Repository):
    assert loaded.dependents("students", "s1") == {
        "placements": 2, "assessments": 3, "work_certificates": 1, "contracts": 1,
    }
    removed = loaded.delete("students", "s1", 1)
    assert removed == {"placements": 2, "assessments": 3, "work_certificates": 1, "contracts": 1}
    data = fresh(loaded).dataset()
    assert {s.id for s in data.students} == {"s2", "s3", "s4"}
    assert {p.id for p in data.placements} == {"p3", "p4"}
    assert {a.id for a in data.assessments} == {"a4"}
    assert data.work_certificates == [] and [k.id for k in data.contracts] == ["k2"]
    assert shard_ids(loaded, shard_for_cohort("c1"), "assessment_sheets") == {"p3"}
    assert describe_removed(removed) == "2 stages (PFMP), 3 évaluations, 1 certificat de travail, 1 contrat d'apprentissage"


def test_delete_cohort_removes_its_shard_file(loaded: Repository):
    c1_file = next(p for p in loaded.store.files() if shard_for_cohort("c1") in p.name)
    removed = loaded.delete("cohorts", "c1")
    assert removed == {"students": 2, "periods": 1, "placements": 3, "assessments": 4,
                       "work_certificates": 1, "contracts": 1}
    assert not c1_file.exists()
    data = fresh(loaded).dataset()
    assert [c.id for c in data.cohorts] == ["c2"] and {s.id for s in data.students} == {"s3", "s4"}


def test_delete_blocked_while_records_point_to_it(loaded: Repository):
    before = folder_hashes(loaded.store.path.parent)
    for kind, rid in (("organisations", "o1"), ("tutors", "t1"), ("periods", "pe1")):
        with pytest.raises(ValidationFailed) as exc:
            loaded.delete(kind, rid)
        assert " stage : changez" in str(exc.value) or " stages : changez" in str(exc.value)
    assert folder_hashes(loaded.store.path.parent) == before
    loaded.delete("placements", "p4")  # o2 keeps p2: still blocked
    loaded.delete("placements", "p2")
    assert loaded.delete("organisations", "o2") == {"tutors": 1}
    assert {t.id for t in fresh(loaded).dataset().tutors} == {"t1"}


def test_delete_one_assessment_bumps_its_sheet(loaded: Repository):
    items, rev = loaded.sheet("p1")
    assert loaded.delete("assessments", "a2", rev) == {}
    items2, rev2 = fresh(loaded).sheet("p1")
    assert [a.id for a in items2] == ["a1", "a3"] and rev2 == rev + 1


# -- moves between shards --------------------------------------------------------------------
def test_student_changing_cohort_takes_all_their_records(loaded: Repository):
    s1, rev = loaded.get("students", "s1")
    items_before, sheet_rev = loaded.sheet("p1")
    assert loaded.update("students", dataclasses.replace(s1, cohort_id="c2"), rev) == 2
    new, old = shard_for_cohort("c2"), shard_for_cohort("c1")
    assert shard_ids(loaded, new, "students") == {"s1", "s3", "s4"}
    assert shard_ids(loaded, new, "placements") == {"p1", "p2", "p4"}
    assert shard_ids(loaded, new, "assessment_sheets") == {"p1"}
    assert shard_ids(loaded, new, "work_certificates") == {"w1"}
    assert shard_ids(loaded, new, "contracts") == {"k1", "k2"}
    assert shard_ids(loaded, old, "students") == {"s2"}
    assert shard_ids(loaded, old, "placements") == {"p3"}
    assert shard_ids(loaded, old, "assessment_sheets") == {"p3"}
    for repo in (loaded, fresh(loaded)):
        snap = repo.snapshot()
        assert snap.get("students", "s1").cohort_id == "c2"
        assert len(snap.data.placements) == 4 and len(snap.data.assessments) == 4
        assert {p.id for p in snap.data.placements if p.student_id == "s1"} == {"p1", "p2"}
        assert snap.sheet_revs["p1"] == sheet_rev + 1
        assert repo.sheet("p1") == (items_before, sheet_rev + 1)
    # The moved records stay editable at their new revision.
    p1, prev = loaded.get("placements", "p1")
    assert prev == 2
    loaded.update("placements", dataclasses.replace(p1, teacher="mroux"), prev)
    assert fresh(loaded).get("placements", "p1")[0].teacher == "mroux"


def test_period_changing_cohort_is_moved_not_copied(loaded: Repository):
    pe1, rev = loaded.get("periods", "pe1")
    loaded.update("periods", dataclasses.replace(pe1, cohort_id="c2"), rev)
    assert "pe1" not in shard_ids(loaded, shard_for_cohort("c1"), "periods")
    assert "pe1" in shard_ids(loaded, shard_for_cohort("c2"), "periods")
    snap = fresh(loaded).snapshot()
    assert [p.cohort_id for p in snap.data.periods if p.id == "pe1"] == ["c2"]
    pe1, rev = loaded.get("periods", "pe1")
    assert rev == 2
    loaded.update("periods", dataclasses.replace(pe1, label="PFMP 1 bis"), rev)
    assert [p.label for p in fresh(loaded).dataset().periods if p.id == "pe1"] == ["PFMP 1 bis"]


def test_placement_given_to_a_student_of_another_cohort_moves_with_its_sheet(loaded: Repository):
    p1, rev = loaded.get("placements", "p1")
    items, sheet_rev = loaded.sheet("p1")
    loaded.update("placements", dataclasses.replace(p1, student_id="s3", period_id="pe2"), rev)
    assert "p1" not in shard_ids(loaded, shard_for_cohort("c1"), "placements")
    assert "p1" not in shard_ids(loaded, shard_for_cohort("c1"), "assessment_sheets")
    assert "p1" in shard_ids(loaded, shard_for_cohort("c2"), "assessment_sheets")
    data = fresh(loaded).dataset()
    assert [p.student_id for p in data.placements if p.id == "p1"] == ["s3"]
    assert sorted(a.id for a in data.assessments if a.placement_id == "p1") == ["a1", "a2", "a3"]
    assert fresh(loaded).sheet("p1") == (items, sheet_rev + 1)


# -- assessment sheets -----------------------------------------------------------------------
def test_sheet_round_trip_and_revisions(loaded: Repository):
    items, rev = loaded.sheet("p2")
    assert (items, rev) == ([], 0)
    grid = [Assessment(f"p2-{code}", "p2", code, 2, "tutor", date(2026, 3, 27), "RAS" if code == "2.2.6" else None)
            for code in ("1.1.1", "2.2.6", "3.1.3")]
    assert loaded.set_assessments("p2", grid, 0) == 1
    assert fresh(loaded).sheet("p2") == (grid, 1)
    regraded = [dataclasses.replace(a, level=4) for a in grid[:2]]
    assert loaded.set_assessments("p2", regraded, 1) == 2
    got, rev = fresh(loaded).sheet("p2")
    assert got == regraded and rev == 2
    assert {a.id for a in fresh(loaded).dataset().assessments if a.placement_id == "p2"} == {"p2-1.1.1", "p2-2.2.6"}
    before = folder_hashes(loaded.store.path.parent)
    with pytest.raises(ConflictError):
        loaded.set_assessments("p2", grid, 1)  # stale
    assert folder_hashes(loaded.store.path.parent) == before
    assert loaded.set_assessments("p2", [], 2) == 3
    assert fresh(loaded).sheet("p2") == ([], 0)


def test_set_assessments_refuses_bad_items_and_changes_nothing(loaded: Repository):
    before = folder_hashes(loaded.store.path.parent)
    cases = [
        [Assessment("x1", "p1", "1.1.1", 2, "tutor", date(2026, 1, 30))],  # another placement's id
        [Assessment("a4", "p2", "1.1.1", 2, "tutor", date(2026, 1, 30))],  # a4 belongs to p3
        [Assessment("x1", "p2", "1.1.1", 2, "tutor", date(2026, 1, 30)),
         Assessment("x1", "p2", "1.1.2", 2, "tutor", date(2026, 1, 30))],  # same id twice
    ]
    for items in cases:
        with pytest.raises(ValidationFailed):
            loaded.set_assessments("p2", items, 0)
    assert folder_hashes(loaded.store.path.parent) == before
    with pytest.raises(ConflictError):
        loaded.set_assessments("nope", [], 0)


# -- bulk -----------------------------------------------------------------------------------
def test_add_all_refuses_an_id_already_in_the_store_and_changes_nothing(loaded: Repository):
    before = folder_hashes(loaded.store.path.parent)
    extra = Dataset(
        students=[Student("s7", "Roux", "Léo", "c2"), Student("s2", "Doublon", "Eve", "c2")],
        placements=[Placement("p7", "s7", "o1", date(2026, 1, 5), date(2026, 1, 30))],
    )
    with pytest.raises(ValidationFailed) as exc:
        loaded.add_all(extra)
    assert [e.path for e in exc.value.errors] == ["students[1].id"]
    assert "existe déjà" in exc.value.errors[0].message
    assert folder_hashes(loaded.store.path.parent) == before


def test_add_all_refuses_duplicates_and_dangling_references_even_with_replace(loaded: Repository):
    before = folder_hashes(loaded.store.path.parent)
    twice = Dataset(cohorts=[Cohort("c9", "A", 2027, date(2027, 5, 1)), Cohort("c9", "B", 2027, date(2027, 5, 1))])
    dangling = Dataset(students=[Student("s9", "Roux", "Léo", "c404")])
    for incoming in (twice, dangling):
        for replace in (False, True):
            with pytest.raises(ValidationFailed):
                loaded.add_all(incoming, replace=replace)
    assert folder_hashes(loaded.store.path.parent) == before


def test_add_all_merges_into_existing_records_and_sheets(loaded: Repository):
    items, rev = loaded.sheet("p1")
    extra = Dataset(
        students=[Student("s7", "Roux", "Léo", "c2")],
        placements=[Placement("p7", "s7", "o2", date(2026, 1, 5), date(2026, 1, 30), "pe2", "t2")],
        assessments=[Assessment("a9", "p1", "2.3.2", 4, "teacher", date(2026, 2, 1)),
                     Assessment("a10", "p7", "1.2.1", 1, "tutor", date(2026, 1, 30))],
    )
    loaded.add_all(extra)
    got, rev2 = fresh(loaded).sheet("p1")
    assert [a.id for a in got] == ["a1", "a2", "a3", "a9"] and rev2 == rev + 1
    assert fresh(loaded).sheet("p7")[0] == [extra.assessments[1]]
    counts = fresh(loaded).dataset().counts()
    assert counts["students"] == 5 and counts["assessments"] == 6


def test_add_all_replace_makes_the_store_exactly_the_document(loaded: Repository):
    old_files = loaded.store.files()
    new = Dataset(cohorts=[Cohort("z1", "CAP", 2026, date(2026, 6, 1))],
                  students=[Student("z-s1", "Nouveau", "Élève", "z1")])
    loaded.add_all(new, replace=True)
    assert to_document(fresh(loaded).dataset()) == to_document(new)
    assert all(not p.exists() for p in old_files if p != loaded.store.path and ".journal." not in p.name)  # the journal stays
    assert sorted(p.name for p in loaded.store.path.parent.iterdir()) == sorted(
        [p.name for p in loaded.store.files()] + ["pfmp.json.lock"]
    )


# -- caches ---------------------------------------------------------------------------------
def test_a_long_lived_repository_sees_every_change_of_another_process(loaded: Repository):
    tui = Repository(Store(loaded.store.path))
    assert len(tui.snapshot().data.students) == 4
    cli = fresh(loaded)
    cli.create("students", Student("s8", "Vincent", "Jade", "c1"))
    s3, rev = cli.get("students", "s3")
    cli.update("students", dataclasses.replace(s3, last_name="Moreau-Lefebvre"), rev)
    snap = tui.snapshot()
    assert len(snap.data.students) == 5
    assert snap.get("students", "s3").last_name == "Moreau-Lefebvre" and snap.rev("students", "s3") == 2
    assert tui.get("students", "s8") == (Student("s8", "Vincent", "Jade", "c1"), 1)


def test_cache_is_not_fooled_by_a_new_store_at_the_same_path(tmp_path: Path):
    path = tmp_path / "db" / "pfmp.json"
    tui = Repository(Store(path))
    tui.add_all(school())
    assert len(tui.snapshot().data.students) == 4
    for p in path.parent.iterdir():
        p.unlink()
    other = Repository(Store(path))  # same file names, generation 1 again, other content
    other.add_all(Dataset(cohorts=[Cohort("c1", "Autre", 2026, date(2026, 6, 1))]))
    assert to_document(tui.dataset()) == to_document(Dataset(cohorts=[Cohort("c1", "Autre", 2026, date(2026, 6, 1))]))


def test_snapshot_by_id_is_a_full_mapping(loaded: Repository):
    snap = loaded.snapshot()
    assert set(snap.by_id) == set(Dataset.KINDS) and len(snap.by_id) == len(Dataset.KINDS)
    assert set(snap.by_id["assessments"]) == {"a1", "a2", "a3", "a4"}
    assert snap.get("placements", "p3").student_id == "s2" and snap.get("placements", "nope") is None
    assert snap.sheet_revs == {"p1": 1, "p3": 1}
    with pytest.raises(KeyError):
        snap.by_id["nope"]


def test_malformed_record_in_a_shard_is_a_store_error(loaded: Repository):
    shard_file = next(p for p in loaded.store.files() if f"{shard_for_cohort('c2')}-b" in p.name)
    tables = shard_file.read_text(encoding="utf-8").replace('"last_name"', '"nom"')
    shard_file.write_text(tables, encoding="utf-8")
    before = folder_hashes(loaded.store.path.parent)
    with pytest.raises(StoreError) as exc:
        fresh(loaded).snapshot()
    assert "magasin corrompu" in str(exc.value) and shard_file.name in str(exc.value)
    with pytest.raises(StoreError):
        fresh(loaded).create("students", Student("s9", "Roux", "Léo", "c2"))
    assert folder_hashes(loaded.store.path.parent) == before


def test_labels_are_french_for_every_kind():
    assert set(KIND_LABELS) == set(Dataset.KINDS)
    assert describe_removed({}) == "rien d'autre"


def _state(repo: Repository) -> tuple:
    snap = repo.snapshot()
    return (to_document(snap.data), {k: dict(v) for k, v in snap.revs.items()}, dict(snap.sheet_revs),
            {kind: dict(snap.by_id[kind]) for kind in Dataset.KINDS})


def test_a_long_lived_repository_always_equals_a_fresh_read(loaded: Repository):
    """Views are rebuilt incrementally and merged lists reused between snapshots: after
    any sequence of edits (by this Repository or another), a long-lived Repository's
    snapshot is exactly what a Repository with empty caches reads."""
    import random

    rng = random.Random(42)
    tui, other = loaded, fresh(loaded)
    tui.snapshot()
    n = 0

    def edit(repo: Repository) -> None:
        nonlocal n
        n += 1
        snap = repo.snapshot()
        data = snap.data
        action = rng.choice(["attestation", "sheet", "student", "move", "create", "delete", "bulk", "org"])
        if action == "attestation" and data.placements:
            p = rng.choice(data.placements)
            att = Attestation(date(2026, 2, 2), rng.random() < 0.5, rng.randrange(0, 15), f"edit {n}")
            repo.update("placements", dataclasses.replace(p, attestation=att), snap.rev("placements", p.id))
        elif action == "sheet" and data.placements:
            p = rng.choice(data.placements)
            items, rev = repo.sheet(p.id)
            grid = [Assessment(f"{p.id}-{code}-{n}", p.id, code, rng.choice([1, 2, 3, 4, None]), "tutor", date(2026, 1, 30))
                    for code in rng.sample(["1.1.1", "1.2.3", "2.2.6", "3.3.4"], rng.randrange(0, 4))]
            repo.set_assessments(p.id, grid, rev)
        elif action == "student" and data.students:
            s = rng.choice(data.students)
            repo.update("students", dataclasses.replace(s, email=f"e{n}@exemple.fr"), snap.rev("students", s.id))
        elif action == "move" and data.students:
            s = rng.choice(data.students)
            target = rng.choice([c.id for c in data.cohorts])
            repo.update("students", dataclasses.replace(s, cohort_id=target), snap.rev("students", s.id))
        elif action == "create" and data.cohorts:
            sid = f"n{n}"
            repo.create("students", Student(sid, "Neuve", f"Élève {n}", rng.choice(data.cohorts).id))
            repo.create("placements", Placement(f"np{n}", sid, "o1", date(2026, 1, 5), date(2026, 1, 30), None, "t1"))
        elif action == "delete" and len(data.students) > 2:
            s = rng.choice(data.students)
            repo.delete("students", s.id, snap.rev("students", s.id))
        elif action == "bulk":
            repo.add_all(Dataset(organisations=[Organisation(f"bo{n}", f"Orga {n}")],
                                 tutors=[Tutor(f"bt{n}", f"bo{n}", "Nom", "Prénom")]))
        elif action == "org" and data.organisations:
            o = rng.choice(data.organisations)
            repo.update("organisations", dataclasses.replace(o, city=f"Ville {n}"), snap.rev("organisations", o.id))

    for _ in range(60):
        edit(tui if rng.random() < 0.7 else other)
        assert _state(tui) == _state(fresh(loaded))
    assert n == 60


def test_changing_a_snapshot_list_does_not_corrupt_the_next_snapshot(loaded: Repository):
    snap = loaded.snapshot()
    snap.data.students.append(Student("ghost", "Fantôme", "Casper", "c1"))
    snap.data.assessments.pop()
    again = loaded.snapshot()
    assert {s.id for s in again.data.students} == {"s1", "s2", "s3", "s4"}
    assert len(again.data.assessments) == 4
