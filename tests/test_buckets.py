"""Bounded shards (issue 13): a cohort's learners in buckets, an index, and the
previous layout read as it is then rearranged by its first write, crash-safe."""

from __future__ import annotations

import dataclasses
import os
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import orjson
import pytest

from pfmp_tui.domain.interchange import to_document
from pfmp_tui.domain.model import Cohort, Convention, Dataset, Placement, Student
from pfmp_tui.store import buckets, journal_file
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import CORE, Store, StoreError, shard_for_cohort

from test_repository import folder_hashes, school

ROOT = Path(__file__).resolve().parents[1]


def to_previous_layout(store: Store) -> None:
    """Rewrite a store as the previous layout wrote it: one shard per cohort holding
    all of its records, no index (what a store made before issue 13 looks like)."""
    manifest = orjson.loads(store.path.read_bytes())
    merged: dict[str, dict] = {}
    for shard, file_name in manifest["shards"].items():
        tables = orjson.loads(store.path.with_name(file_name).read_bytes())
        os.unlink(store.path.with_name(file_name))
        if shard == buckets.INDEX:
            continue
        target = buckets.head_of(shard) or shard
        for table, docs in tables.items():
            merged.setdefault(target, {}).setdefault(table, {}).update(docs)
    gen = manifest["generation"]
    manifest["shards"] = {}
    for shard, tables in merged.items():
        name = f"{store.path.stem}.{shard}.{gen}.json"
        store.path.with_name(name).write_bytes(orjson.dumps(tables))
        os.chmod(store.path.with_name(name), 0o600)
        manifest["shards"][shard] = name
    store.path.write_bytes(orjson.dumps(manifest))


def layout(store: Store) -> dict[str, dict]:
    with store.read() as tx:
        return {shard: tx.tables(shard) for shard in tx.shard_names()}


def check_invariants(store: Store) -> None:
    """Buckets never overlap, each learner is in the bucket covering their hash, no
    bucket is over capacity, heads hold periods only, and the index says the truth."""
    shards = layout(store)
    index = shards.get(buckets.INDEX, {}).get("shards", {})
    for shard, tables in shards.items():
        if shard in (CORE, buckets.INDEX):
            continue
        parsed = buckets.parse_bucket(shard)
        if parsed is None:
            assert set(tables) <= {"periods"}, shard
        else:
            head, depth, i = parsed
            students = tables.get("students", {})
            assert len(students) <= buckets.CAPACITY
            for sid, doc in students.items():
                assert buckets.student_hash(sid) % (1 << depth) == i
                assert shard_for_cohort(doc["cohort_id"]) == head
            others = [v for k, v in buckets.buckets_of(head, shards).items() if k != shard]
            assert not any(buckets._overlaps((depth, i), o) for o in others)
        assert index.get(shard, {}) == buckets.index_entry(tables), shard


@pytest.fixture
def loaded(repo: Repository) -> Repository:
    repo.add_all(school())
    return repo


def test_a_store_of_the_previous_layout_is_read_as_it_is(loaded: Repository):
    store = loaded.store
    to_previous_layout(store)
    before = folder_hashes(store.path.parent)
    fresh = Repository(Store(store.path))
    assert to_document(fresh.dataset()) == to_document(school())
    assert fresh.get("placements", "p3")[0].student_id == "s2"
    assert fresh.sheet("p1")[1] == 1
    Store(store.path).check()
    assert folder_hashes(store.path.parent) == before  # reading changed nothing


def test_its_first_write_rearranges_it_in_one_commit(loaded: Repository):
    store = loaded.store
    to_previous_layout(store)
    generation = Store(store.path).generation()
    repo = Repository(Store(store.path))
    repo.dataset()  # a long-lived Repository that read the old layout first
    p2, rev = repo.get("placements", "p2")
    repo.update("placements", dataclasses.replace(p2, teacher="mroux"), rev)
    assert Store(store.path).generation() == generation + 1
    check_invariants(store)
    expected = to_document(school())
    expected["placements"] = [dict(p, teacher="mroux") if p["id"] == "p2" else p for p in expected["placements"]]
    for r in (repo, Repository(Store(store.path))):
        assert to_document(r.dataset()) == expected
        assert r.get("placements", "p2")[1] == rev + 1 and r.get("students", "s1")[1] == 1
    # Data files are named after the whole main-file name: pfmp.json.<shard>.<gen>.json.
    assert buckets.INDEX in {p.name[len(store.path.name) + 1:].split(".")[0] for p in Store(store.path).files()[1:]}


CRASH_IN_REARRANGING = r"""
import os, sys
from pathlib import Path
from pfmp_tui.domain.model import Student
from pfmp_tui.store import storage
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
manifest = Path(sys.argv[1])
when = sys.argv[2]
real_replace = os.replace
count = [0]
def replace(src, dst):
    count[0] += 1
    if (when == "manifest" and Path(dst) == manifest) or (when == "second file" and count[0] == 2):
        os._exit(3)  # the power goes off in the middle of the first write's commit
    return real_replace(src, dst)
storage.os.replace = replace
Repository(Store(manifest)).create("students", Student("s9", "Roux", "Léo", "c1"))
"""


@pytest.mark.parametrize("when", ["second file", "manifest"])
def test_a_crash_while_rearranging_leaves_the_previous_store(loaded: Repository, when: str):
    store = loaded.store
    to_previous_layout(store)
    folder = store.path.parent
    journals = {p.name: p.read_bytes() for p in folder.iterdir() if journal_file.is_journal_file(store.path, p.name)}
    before = {name: digest for name, digest in folder_hashes(folder).items() if name not in journals}
    done = subprocess.run([sys.executable, "-c", CRASH_IN_REARRANGING, str(store.path), when], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 3, done.stderr
    after = folder_hashes(folder)
    changed = [name for name, digest in before.items() if after.get(name) != digest]
    assert not changed  # old files untouched
    # The journal is append-only: the crashed commit may have appended past the committed length
    # the manifest records (ignored on read, cut by the next write), never changed what was there.
    for name, content in journals.items():
        assert (folder / name).read_bytes().startswith(content)
    assert to_document(Repository(Store(store.path)).dataset()) == to_document(school())
    # The next write does it all, and cleans up what the crashed one left.
    Repository(Store(store.path)).create("students", Student("s9", "Roux", "Léo", "c1"))
    check_invariants(store)
    assert {s.id for s in Repository(Store(store.path)).dataset().students} == {"s1", "s2", "s3", "s4", "s9"}
    left = set(os.listdir(store.path.parent))
    assert left == {p.name for p in Store(store.path).files()} | {"pfmp.json.lock"}


def big_cohort(n: int) -> Dataset:
    d = Dataset()
    d.cohorts = [Cohort("big", "Tle AGOrA (toute la promotion)", 2027, date(2027, 5, 14), "B")]
    d.organisations = school().organisations[:1]
    d.students = [Student(f"s{i:04d}", f"Nom{i}", "Prénom", "big") for i in range(n)]
    d.placements = [Placement(f"p{i:04d}", f"s{i:04d}", "o1", date(2027, 1, 4), date(2027, 1, 29)) for i in range(n)]
    return d


def test_a_large_cohort_is_many_small_shards_and_an_edit_rewrites_one(repo: Repository):
    repo.add_all(big_cohort(500))
    check_invariants(repo.store)
    files = repo.store.files()
    cohort_files = [p for p in files if "c-big-" in p.name]
    assert len(cohort_files) >= 500 // buckets.CAPACITY
    assert max(p.stat().st_size for p in cohort_files) < 3 * sum(p.stat().st_size for p in cohort_files) / len(cohort_files)
    p, rev = repo.get("placements", "p0123")
    repo.update("placements", dataclasses.replace(p, convention=Convention("signed", date(2026, 12, 1))), rev)
    changed = set(repo.store.files()) - set(files)
    assert len(changed) == 1 and "-b" in changed.pop().name  # one bucket; not the index, not the school
    # A teacher's load is in the index (pfmp assign warns without reading the school).
    files = repo.store.files()
    repo.update("placements", dataclasses.replace(p, teacher="mroux"), rev + 1)
    changed = sorted(p.name for p in set(repo.store.files()) - set(files))
    assert len(changed) == 2 and ".index." in changed[1] and "-b" in changed[0]
    assert ("mroux", p.start, p.end) in repo.teacher_loads()


def test_random_arrivals_departures_and_moves_keep_every_invariant(repo: Repository):
    rng = random.Random(13)
    d = big_cohort(60)
    d.cohorts.append(Cohort("small", "2nde AGOrA 1", 2028, date(2028, 5, 12), "B"))
    repo.add_all(d)
    alive = {s.id: s for s in d.students}
    model = to_document(repo.dataset())
    for step in range(120):
        op = rng.random()
        if op < 0.45:
            s = Student(f"n{step:03d}", f"Nouveau{step}", "Élève", rng.choice(["big", "small"]))
            repo.create("students", s)
            alive[s.id] = s
        elif op < 0.8 and alive:
            sid = rng.choice(sorted(alive))
            repo.delete("students", sid)
            del alive[sid]
        elif alive:
            sid = rng.choice(sorted(alive))
            current, rev = repo.get("students", sid)
            moved = dataclasses.replace(current, cohort_id="small" if current.cohort_id == "big" else "big")
            repo.update("students", moved, rev)
            alive[sid] = moved
        if step % 20 == 19:
            check_invariants(repo.store)
    check_invariants(repo.store)
    for r in (repo, Repository(Store(repo.store.path))):
        assert {s.id: s.cohort_id for s in r.dataset().students} == {s.id: s.cohort_id for s in alive.values()}
    assert model  # the first picture was taken


def test_a_broken_index_is_refused(loaded: Repository):
    index = next(p for p in loaded.store.files() if ".index." in p.name)
    index.write_bytes(b'{"shards": {"c-x": {"students": 3}}}')
    with pytest.raises(StoreError) as exc:
        Repository(Store(loaded.store.path)).get("students", "s1")
    assert "magasin corrompu" in str(exc.value)


def test_a_split_and_a_rearranging_keep_every_absence(repo: Repository):
    """Absences follow their placement (R18): a bucket split or the first write of the
    previous layout moves them with it, none is lost."""
    from pfmp_tui.domain.model import ABSENCE_REASONS, Absence

    d = big_cohort(40)
    reason = sorted(ABSENCE_REASONS)[0]
    d.absences = [Absence(f"ab{i:04d}", f"p{i:04d}", date(2027, 1, 5), date(2027, 1, 5), 1, reason) for i in range(40)]
    repo.add_all(d)
    for i in range(40, 60):  # past 48 learners: the bucket splits
        repo.create("students", Student(f"s{i:04d}", f"Nom{i}", "Prénom", "big"))
    check_invariants(repo.store)
    assert len([s for s in repo.store.files() if "c-big-" in s.name and "-b" in s.name]) >= 2
    assert {a.id for a in Repository(Store(repo.store.path)).dataset().absences} == {a.id for a in d.absences}
    to_previous_layout(repo.store)
    Repository(Store(repo.store.path)).create("students", Student("s9999", "Dernier", "Élève", "big"))
    check_invariants(repo.store)
    assert {a.id for a in Repository(Store(repo.store.path)).dataset().absences} == {a.id for a in d.absences}


def test_a_schema_1_store_is_read_as_it_is_and_its_first_write_makes_it_schema_2(loaded: Repository):
    """A store written before issues 10, 13 and 16 (schema 1, one shard per cohort) is read
    unchanged; its first write rearranges it and marks it schema 2, which a pfmp of schema 1
    refuses instead of dropping the index, checksums, journal and users on its next write."""
    store = loaded.store
    to_previous_layout(store)
    manifest = orjson.loads(store.path.read_bytes())
    manifest["schema_version"] = 1
    for key in ("checksums", "journal", "users"):
        manifest.pop(key, None)
    store.path.write_bytes(orjson.dumps(manifest))
    assert to_document(Repository(Store(store.path)).dataset()) == to_document(school())
    Repository(Store(store.path)).create("students", Student("s9", "Roux", "Léo", "c1"))
    assert orjson.loads(store.path.read_bytes())["schema_version"] == 2
    assert {s.id for s in Repository(Store(store.path)).dataset().students} == {"s1", "s2", "s3", "s4", "s9"}
