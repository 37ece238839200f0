"""Bulk writes validate like every other way in (issue 13 §3, issue 14): `upsert_all` of
many placements in one transaction — the path of « pfmp paper convention --period »,
reminders, imports — accepts exactly what `load` would read back. Property test: after
any accepted bulk call, dump → load → dump holds; a refused one changes nothing.
(Without the validation in `upsert_all`, placements with an attestation of more days
than the period holds, or ending before they start, are accepted: this test fails.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfmp_tui.domain.model import Attestation, Convention, Dataset, Placement
from tests.test_services_roundtrip import round_trips_after

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
    def bulk_write(repo, batch) -> None:  # noqa: ANN001
        repo.upsert_all(*placements(repo, batch))

    round_trips_after(calls, bulk_write)
