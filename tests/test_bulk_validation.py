"""Bulk writes validate like every other way in (issue 13 §3, issue 14): `upsert_all` of
many placements in one transaction — the path of « pfmp paper convention --period »,
reminders, imports — accepts exactly what `load` would read back. Property test: after
any accepted bulk call, dump → load → dump holds; a refused one changes nothing.
(Without the validation in `upsert_all`, placements with an attestation of more days
than the period holds, or ending before they start, are accepted: this test fails.)"""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.domain.model import Attestation, Convention, Dataset, Placement
from pfmp_tui.services import data_io
from tests.conftest import minimal_document

BASE = date(2026, 1, 5)
dates = st.integers(min_value=-20, max_value=60).map(lambda n: BASE + timedelta(days=n))
one = st.tuples(st.sampled_from(["p1", "p2", "p3", "p4"]), st.sampled_from(["s1", "s2", "nope"]), dates, dates,
                st.none() | st.integers(-2, 40), st.none() | dates)
batches = st.lists(one, min_size=1, max_size=6, unique_by=lambda t: t[0])


def placements(repo, batch) -> tuple[Dataset, dict]:
    out, revs = Dataset(), {}
    for pid, sid, start, end, done, generated in batch:
        found = repo.get("placements", pid)
        att = None if done is None else Attestation(end, True, done, "accueil")
        base = found[0] if found is not None else Placement(pid, sid, "o1", start, end)
        out.placements.append(replace(base, student_id=sid, start=start, end=end, attestation=att,
                                      convention=Convention("draft", generated)))
        revs[("placements", pid)] = found[1] if found is not None else 0
    return out, revs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(batches, min_size=1, max_size=4))
def test_dump_load_dump_holds_after_any_accepted_bulk_write(calls):
    with tempfile.TemporaryDirectory() as tmp:
        repo = data_io.open_repository(Path(tmp) / "a" / "pfmp.json")
        repo.add_all(parse_document(minimal_document()))
        for batch in calls:
            before = data_io.dump_bytes(repo)
            data, revs = placements(repo, batch)
            try:
                repo.upsert_all(data, revs)
            except ValidationFailed:
                assert data_io.dump_bytes(repo) == before, batch  # refused: nothing changed
                continue
            dumped = data_io.dump_bytes(repo)
            again = data_io.open_repository(Path(tmp) / f"b{len(dumped)}" / "pfmp.json")
            again.add_all(parse_document(json.loads(dumped)), replace=True)  # what `pfmp load` reads
            assert data_io.dump_bytes(again) == dumped, batch
