"""`pfmp check` over several days with statuses kept across days (issue 13): the output
(CONTRACT.md « pfmp check ») is byte for byte what it is with nothing kept.

The demo school (150 learners) is checked day after day, through the days where kept
entries end (a PFMP's last day, a deadline…) and the day after each, by the real entry
point: one store keeps its entries from one day to the next, the other has none."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import orjson

from pfmp_tui.store import status_files
from tests.conftest import run_pfmp
from tests.demo_store import TODAY, path, school_path  # noqa: F401 (fixtures)


def kept_ranges(path: Path) -> list[tuple[date, date]]:
    """(computed, through) of each kept entry that holds learners."""
    out = []
    for p in path.parent.iterdir():
        if p.name.endswith(status_files.SUFFIX):
            doc = orjson.loads(p.read_bytes().partition(b"\n")[2])
            if doc["statuses"]:
                out.append((date.fromisoformat(doc["computed"]), date.fromisoformat(doc["through"])))
    return out


def check(path: Path, day: date, fmt: str) -> str:
    r = run_pfmp("--db", str(path), "check", "--as-of", day.isoformat(), "--format", fmt)
    assert r.returncode == 0, r.stderr
    return r.stdout


def forget(path: Path) -> None:
    for p in path.parent.iterdir():
        if p.name.endswith(status_files.SUFFIX):
            p.unlink()


def test_check_output_is_the_same_with_and_without_kept_entries_over_several_days(path: Path, tmp_path: Path):
    bare = tmp_path / "bare" / "pfmp.json"
    shutil.copytree(path.parent, bare.parent)
    first = check(path, TODAY, "json")
    forget(bare)
    assert check(bare, TODAY, "json") == first
    # The days where a kept entry's range ends, and the day after each: where reusing
    # too long would show.
    ends = sorted({last for _, last in kept_ranges(path) if last < date.max})
    days = sorted({d for last in ends[:4] for d in (last, last + timedelta(days=1))} | {TODAY + timedelta(days=1)})
    assert len(days) >= 4
    reused = 0
    for day in days:
        before = kept_ranges(path)
        reused += sum(1 for computed, last in before if computed < day <= last)
        forget(bare)
        for fmt in ("json", "table"):
            kept = check(path, day, fmt)
            assert kept == check(bare, day, fmt), (day, fmt)
            forget(bare)
    assert reused  # entries of an earlier day were indeed served
