"""Statuses kept on disk beside each bucket file (store/status_files.py, issue 13).

A kept entry saves a new process from reading the bucket; it must never be used when
what it was computed from changed (the day, the bucket file, the core records it
names, the code), and a damaged or planted file is ignored, never believed. Each test
that shows an entry is *not* used first shows that the same forged entry *is* used
when its key matches (so the test can fail)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import stat
from datetime import date, timedelta
from pathlib import Path

import orjson
import pytest

from pfmp_tui.domain.rules import check_dataset
from pfmp_tui.store import shard_cache, status_files
from pfmp_tui.store.buckets import parse_bucket
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store, StoreError
from tests.demo_store import TODAY, path, school_path  # noqa: F401 (fixtures)

LATER = date(2027, 6, 1)


def fresh(path: Path) -> Repository:
    """A Repository as a new process has it: nothing parsed, nothing kept in memory."""
    shard_cache.CACHE.clear()
    return Repository(Store(path))


def expected(path: Path, day: date, cohort: str | None = None):
    return check_dataset(fresh(path).dataset(), day, cohort)


def parses_during(action) -> int:
    before = shard_cache.CACHE.parses
    action()
    return shard_cache.CACHE.parses - before


def status_paths(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.endswith(status_files.SUFFIX))


def bucket_status_paths(path: Path) -> list[Path]:
    manifest = orjson.loads(path.read_bytes())
    buckets = {f for s, f in manifest["shards"].items() if parse_bucket(s) is not None}
    return [p for p in status_paths(path) if p.name[: -len(status_files.SUFFIX)] in buckets]


def forge(p: Path, change) -> None:
    """Rewrite the entry at `p` as a writer that knows the format would: `change(doc)`,
    then a digest that matches."""
    raw = p.read_bytes()
    doc = orjson.loads(raw.partition(b"\n")[2])
    change(doc)
    payload = orjson.dumps(doc)
    p.write_bytes(hashlib.blake2b(payload, digest_size=32).hexdigest().encode() + b"\n" + payload)


def everyone_valid(doc: dict) -> None:
    for row in doc["statuses"]:
        row[7] = "valide"
        row[8] = []


def test_a_new_process_reads_no_bucket_and_gets_the_same_statuses(path: Path):
    want = expected(path, TODAY)
    assert fresh(path).statuses(TODAY) == want  # computes, keeps
    assert bucket_status_paths(path)
    repo = fresh(path)
    assert parses_during(lambda: repo.statuses(TODAY)) == 1  # the core only
    assert repo.statuses(TODAY) == want
    cohort = want[0].cohort_id
    assert fresh(path).statuses(TODAY, cohort) == expected(path, TODAY, cohort)


@pytest.mark.parametrize("shared, mode", [(None, 0o600), ("1", 0o660)])
def test_kept_statuses_have_the_store_s_file_mode(path: Path, monkeypatch, shared, mode):
    if shared:
        monkeypatch.setenv("PFMP_SHARED_GROUP", shared)
    else:
        monkeypatch.delenv("PFMP_SHARED_GROUP", raising=False)
    for p in status_paths(path):
        p.unlink()
    os.umask(0o022)
    fresh(path).statuses(TODAY)
    assert status_paths(path)
    for p in status_paths(path):
        assert stat.S_IMODE(p.stat().st_mode) == mode, p.name


def test_a_forged_entry_is_used_only_under_its_own_key(path: Path):
    """The positive control: an entry whose key matches is what a new process reads
    (so the tests below, where it must not be, can fail)."""
    fresh(path).statuses(TODAY)
    for p in bucket_status_paths(path):
        forge(p, everyone_valid)
    assert {r.status for r in fresh(path).statuses(TODAY)} == {"valide"}


def ranges(path: Path) -> dict[str, tuple[date, date]]:
    """Bucket file -> (computed, through) of its kept entry."""
    out = {}
    for p in bucket_status_paths(path):
        doc = orjson.loads(p.read_bytes().partition(b"\n")[2])
        out[p.name[: -len(status_files.SUFFIX)]] = (date.fromisoformat(doc["computed"]),
                                                    date.fromisoformat(doc["through"]))
    return out


def through(day: date):
    return lambda doc: doc.__setitem__("through", day.isoformat())


def test_an_entry_serves_every_day_of_its_range_and_no_other(path: Path):
    """A forged entry (everyone « valide ») kept from TODAY through TODAY + 3 is what a
    new process reads on each of those days, and not the day after its range nor the
    day before the day it was computed for."""
    fresh(path).statuses(TODAY)
    for p in bucket_status_paths(path):
        forge(p, lambda doc: (everyone_valid(doc), through(TODAY + timedelta(days=3))(doc)))
    for day in (TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=3)):
        assert {r.status for r in fresh(path).statuses(day)} == {"valide"}, day
    for day in (TODAY + timedelta(days=4), TODAY - timedelta(days=1), LATER):
        assert fresh(path).statuses(day) == expected(path, day), day


def test_an_entry_of_another_day_is_not_used(path: Path):
    """Computed for TODAY, asked for LATER: every bucket whose range ends before LATER
    is computed again (and its entry rewritten for LATER); one still in range is read."""
    fresh(path).statuses(TODAY)
    kept = ranges(path)
    bucket_of = {}
    for p in bucket_status_paths(path):
        forge(p, everyone_valid)
        for row in orjson.loads(p.read_bytes().partition(b"\n")[2])["statuses"]:
            bucket_of[row[0]] = p.name[: -len(status_files.SUFFIX)]
    got = {r.student_id: r for r in fresh(path).statuses(LATER)}
    want = {r.student_id: r for r in expected(path, LATER)}
    ended = {sid for sid, f in bucket_of.items() if kept[f][1] < LATER}
    assert ended and any(want[sid].status != "valide" for sid in ended)
    assert all(got[sid] == want[sid] for sid in ended)
    assert all(got[sid].status == "valide" for sid in bucket_of if sid not in ended)  # still in range: read
    assert all(ranges(path)[bucket_of[sid]][0] == LATER for sid in ended)


def test_the_next_day_reads_only_the_buckets_whose_range_ended(path: Path):
    """The first process of the next morning: a bucket whose statuses stay the same is
    not read; one whose range ended (a PFMP ended, a deadline came) is."""
    fresh(path).statuses(TODAY)
    kept = ranges(path)
    day = TODAY
    for _ in range(20):  # up to the first day some bucket's range has ended
        day += timedelta(days=1)
        if any(last < day for _, last in kept.values()):
            break
    ended = {f for f, (_, last) in kept.items() if last < day}
    assert ended and len(ended) < len(kept)
    repo = fresh(path)
    # the core, the ended buckets and (for the periods their placements name) their cohorts' heads
    assert 1 + len(ended) <= parses_during(lambda: repo.statuses(day)) <= 1 + 2 * len(ended)
    assert repo.statuses(day) == expected(path, day)
    now = ranges(path)
    assert {f for f in now if now[f][0] == day} == ended  # rewritten for `day`, the others left as they were
    assert all(now[f] == kept[f] for f in kept if f not in ended)


def test_a_long_lived_repository_reuses_its_statuses_within_their_range_only(path: Path):
    """In memory (the TUI across midnight): the same rule as on disk."""
    repo = fresh(path)
    repo.statuses(TODAY)
    valid = [dataclasses.replace(r, status="valide", flags=()) for r in expected(path, TODAY)]
    by_student = {r.student_id: r for r in valid}
    for k, kept in list(repo._statuses.items()):
        repo._statuses[k] = kept._replace(statuses=[by_student[r.student_id] for r in kept.statuses],
                                          through=TODAY + timedelta(days=3))
    repo._ranked = None
    assert {r.status for r in repo.statuses(TODAY + timedelta(days=2))} == {"valide"}  # the positive control
    assert repo.statuses(TODAY + timedelta(days=4)) == expected(path, TODAY + timedelta(days=4))
    repo = fresh(path)
    repo.statuses(TODAY)
    for k, kept in list(repo._statuses.items()):
        repo._statuses[k] = kept._replace(statuses=[by_student[r.student_id] for r in kept.statuses],
                                          through=TODAY + timedelta(days=3))
    repo._ranked = None
    assert repo.statuses(TODAY - timedelta(days=1)) == expected(path, TODAY - timedelta(days=1))


def test_an_entry_of_another_code_or_profile_is_not_used(path: Path, monkeypatch):
    fresh(path).statuses(TODAY)
    for p in bucket_status_paths(path):
        forge(p, everyone_valid)
    want = expected(path, TODAY)
    assert want != fresh(path).statuses(TODAY)  # the forged entries are believed under their key
    for p in bucket_status_paths(path):
        forge(p, lambda doc: (everyone_valid(doc), doc["key"].__setitem__("code", "an older pfmp")))
    assert fresh(path).statuses(TODAY) == want
    for p in bucket_status_paths(path):
        forge(p, lambda doc: (everyone_valid(doc), doc["key"].__setitem__("profile", "another")))
    assert fresh(path).statuses(TODAY) == want


def test_the_code_version_covers_the_rules(monkeypatch):
    before = status_files.code_version()
    rules = Path(status_files.__file__).resolve().parent.parent / "domain" / "rules.py"
    original = rules.read_bytes()
    monkeypatch.setattr(status_files, "_code", None)
    real_read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: original + b"#" if self == rules else real_read(self))
    assert status_files.code_version() != before


def test_an_entry_is_not_used_for_a_bucket_file_changed_in_place(path: Path):
    """Same name, same checksum in the manifest, other bytes: the file's identity
    changed, so it is read again, verified, and refused."""
    fresh(path).statuses(TODAY)
    target = bucket_status_paths(path)[0]
    forge(target, everyone_valid)
    bucket = path.with_name(target.name[: -len(status_files.SUFFIX)])
    data = bucket.read_bytes()
    bucket.write_bytes(data.replace(b'"student_id"', b'"student_iD"', 1))
    with pytest.raises(StoreError, match="somme de contrôle"):
        fresh(path).statuses(TODAY)
    bucket.write_bytes(data)  # the same bytes again, but written since: read again, and right
    assert fresh(path).statuses(TODAY) == expected(path, TODAY)


def test_an_entry_copied_onto_another_bucket_is_not_used(path: Path):
    fresh(path).statuses(TODAY)
    a, b = bucket_status_paths(path)[:2]
    shutil.copyfile(a, b)
    forge(b, everyone_valid)
    assert fresh(path).statuses(TODAY) == expected(path, TODAY)


def test_a_changed_core_record_recomputes_the_buckets_naming_it_only(path: Path):
    repo = fresh(path)
    repo.statuses(TODAY)
    data = repo.dataset()
    student_of = {s.id: s for s in data.students}
    bucket_of = {}
    for p in bucket_status_paths(path):
        forge(p, everyone_valid)
        for row in orjson.loads(p.read_bytes().partition(b"\n")[2])["statuses"]:
            bucket_of[row[0]] = p.name
    buckets_naming = {o.id: {bucket_of[p.student_id] for p in data.placements if p.organisation_id == o.id}
                      for o in data.organisations}
    org = min((o for o in data.organisations if buckets_naming[o.id]), key=lambda o: len(buckets_naming[o.id]))
    naming_buckets = buckets_naming[org.id]
    renamed = dataclasses.replace(org, name=org.name + " (nouveau nom)")
    repo.update("organisations", renamed, repo.get("organisations", org.id)[1])
    naming = {sid for sid, b in bucket_of.items() if b in naming_buckets}
    got = {r.student_id: r for r in fresh(path).statuses(TODAY)}
    want = {r.student_id: r for r in expected(path, TODAY)}
    for sid in naming:
        assert got[sid] == want[sid]  # recomputed with the organisation as it is now
    untouched = [sid for sid in student_of if sid not in naming and want[sid].status != "valide"]
    assert untouched and all(got[sid].status == "valide" for sid in untouched)  # still the kept (forged) entry
    # The long-lived Repository (the TUI's) recomputes those buckets too, not the others.
    assert {r.student_id: r for r in repo.statuses(TODAY)}[next(iter(naming))] == want[next(iter(naming))]


def test_a_removed_organisation_makes_its_buckets_computed_again(path: Path):
    """A core record named by an entry and gone since: the entry is not used."""
    repo = fresh(path)
    repo.statuses(TODAY)
    org = repo.dataset().organisations[0]
    for p in bucket_status_paths(path):
        forge(p, lambda doc: (everyone_valid(doc), doc["deps"].append(["organisations", "org-that-left"])))
    assert fresh(path).statuses(TODAY) == expected(path, TODAY)
    assert org  # the store itself is untouched


@pytest.mark.parametrize("damage", [
    lambda raw: raw[: len(raw) // 2],
    lambda raw: b"",
    lambda raw: b"not a digest\n" + raw.partition(b"\n")[2],
    lambda raw: raw.replace(b"valide", b"VALIDE"),
    lambda raw: b"\xff\xfe" * 50,
])
def test_a_damaged_entry_is_ignored_and_written_again(path: Path, damage):
    fresh(path).statuses(TODAY)
    for p in bucket_status_paths(path):
        p.write_bytes(damage(p.read_bytes()))
    want = expected(path, TODAY)
    assert fresh(path).statuses(TODAY) == want
    repo = fresh(path)
    assert parses_during(lambda: repo.statuses(TODAY)) == 1  # whole again: read, not computed
    assert repo.statuses(TODAY) == want


def test_a_well_formed_entry_with_wrong_types_is_ignored(path: Path):
    fresh(path).statuses(TODAY)
    for p in bucket_status_paths(path):
        forge(p, lambda doc: [row.__setitem__(5, "12") for row in doc["statuses"]])
    assert fresh(path).statuses(TODAY) == expected(path, TODAY)


@pytest.mark.parametrize("change", [
    lambda doc: doc.__setitem__("through", 99991231),
    lambda doc: doc.__setitem__("through", "jamais"),
    lambda doc: doc.pop("through"),
    lambda doc: doc.pop("computed"),
    lambda doc: doc.__setitem__("computed", (TODAY + timedelta(days=1)).isoformat()),  # computed after today
    lambda doc: doc.__setitem__("through", (TODAY - timedelta(days=1)).isoformat()),  # ended before it began
])
def test_an_entry_with_a_bad_range_of_days_is_ignored(path: Path, change):
    fresh(path).statuses(TODAY)
    for p in bucket_status_paths(path):
        forge(p, lambda doc: (everyone_valid(doc), change(doc)))
    assert fresh(path).statuses(TODAY) == expected(path, TODAY)


def test_a_symlink_in_place_of_an_entry_is_not_followed(path: Path, tmp_path: Path):
    fresh(path).statuses(TODAY)
    victim = bucket_status_paths(path)[0]
    planted = tmp_path / "planted"
    shutil.copyfile(victim, planted)
    forge(planted, everyone_valid)
    victim.unlink()
    victim.symlink_to(planted)
    assert fresh(path).statuses(TODAY) == expected(path, TODAY)
    assert not victim.is_symlink()  # replaced by a real entry
    assert planted.read_bytes().count(b"valide")  # the link's target untouched


def test_an_edit_deletes_the_entry_of_the_file_it_replaces(path: Path):
    """An entry lives as long as its bucket file: a learner renamed (or purged, RGPD)
    is in no kept entry once the commit is done."""
    repo = fresh(path)
    repo.statuses(TODAY)
    student = repo.dataset().students[0]
    before = [p for p in bucket_status_paths(path) if student.id.encode() in p.read_bytes()]
    assert len(before) == 1
    renamed = dataclasses.replace(student, last_name="Renommé")
    repo.update("students", renamed, repo.get("students", student.id)[1])
    assert not before[0].exists()
    assert all(p.with_name(p.name[: -len(status_files.SUFFIX)]).exists() for p in status_paths(path))
    assert fresh(path).statuses(TODAY) == expected(path, TODAY)


def test_a_store_that_cannot_be_written_is_read_as_before(path: Path, monkeypatch):
    for p in status_paths(path):
        p.unlink()
    real_open = os.open

    def refusing_open(file, flags, *args, **kwargs):
        if str(file).endswith(".tmp") and flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied")
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    assert fresh(path).statuses(TODAY) == expected(path, TODAY)
    assert not status_paths(path)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_temp_entry_left_by_a_killed_reader_is_cleaned_by_the_next_full_clean_up(path: Path, monkeypatch):
    """A commit deletes what it replaced without listing the folder; the periodic full
    clean-up (storage.FULL_CLEANUP_EVERY commits) finds what a killed reader left."""
    from pfmp_tui.store import storage

    fresh(path).statuses(TODAY)
    victim = bucket_status_paths(path)[0]
    orphan = victim.with_name(f".{victim.name}.4242-0a0b0c0d0e0f.tmp")
    orphan.write_bytes(b"half")
    repo = fresh(path)
    student = repo.dataset().students[0]
    monkeypatch.setattr(storage, "FULL_CLEANUP_EVERY", 10**9)
    repo.update("students", dataclasses.replace(student, first_name="Zoé"), repo.get("students", student.id)[1])
    assert orphan.exists()  # an ordinary commit: only what it replaced
    monkeypatch.setattr(storage, "FULL_CLEANUP_EVERY", 1)
    repo.update("students", dataclasses.replace(student, first_name="Zoë"), repo.get("students", student.id)[1])
    assert not orphan.exists()


def test_a_long_lived_repository_walking_the_days_ranks_as_a_fresh_check(path: Path):
    """The TUI open across days: each day's ranking (the previous one with the buckets
    whose range ended taken out and put back) is what a full check gives."""
    repo = fresh(path)
    repo.statuses(TODAY)
    ends = sorted({last for _, last in ranges(path).values() if last < date.max})[:3]
    days = sorted({d for last in ends for d in (last, last + timedelta(days=1))} | {TODAY + timedelta(days=1)})
    assert len(days) >= 3
    for day in days:
        assert repo.statuses(day) == expected(path, day), day
    assert repo.statuses(TODAY) == expected(path, TODAY)  # and back: before those days' entries, computed again
