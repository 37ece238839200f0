"""One validation for every way in (issue 14, CONTRACT « dump then load … gives the same document »):
after any service call the store accepts, dump → load → dump holds; a call it refuses
(ValidationFailed) changes nothing. Property test (hypothesis) over the services and the Python API."""

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
from pfmp_tui.domain.model import Attestation, Convention, Derogation, Placement
from pfmp_tui.services import data_io, days
from tests.conftest import minimal_document

BASE = date(2026, 1, 5)
dates = st.integers(min_value=-20, max_value=60).map(lambda n: BASE + timedelta(days=n))
placement_ids = st.sampled_from(["p1", "p2", "p3", "nope"])
students = st.sampled_from(["s1", "s2", "nope"])

ops = st.one_of(
    st.tuples(st.just("placement"), st.sampled_from(["p2", "p3"]), students, dates, dates,
              st.none() | st.integers(-2, 40)),
    st.tuples(st.just("absence"), placement_ids, dates, dates, st.none() | st.integers(-1, 30),
              st.sampled_from(["maladie", "autre", "injustifiee", "vacances"]), st.none() | st.text(max_size=8)),
    st.tuples(st.just("makes_up"), placement_ids, st.none() | placement_ids),
    st.tuples(st.just("class_year"), placement_ids, st.sampled_from([None, "seconde", "premiere", "terminale", "cm2"])),
    st.tuples(st.just("payment"), students, st.none() | st.booleans(), st.none() | st.booleans()),
    st.tuples(st.just("derogation"), students, st.integers(-10, 200)),
    st.tuples(st.just("move_p1"), dates, dates),
)


def apply(repo, op) -> None:
    kind = op[0]
    if kind == "placement":
        _, pid, sid, start, end, done = op
        att = None if done is None else Attestation(end, True, done, "accueil")
        record = Placement(pid, sid, "o1", start, end, convention=Convention("signed", start), attestation=att)
        if repo.get("placements", pid) is None:
            repo.create("placements", record)
        else:
            repo.update("placements", record, repo.get("placements", pid)[1])
    elif kind == "absence":
        _, pid, start, end, n, reason, note = op
        days.add_absence(repo, pid, start, end, reason, days=n, note=note)
    elif kind == "makes_up":
        days.set_makes_up(repo, op[1], op[2])
    elif kind == "class_year":
        days.set_class_year(repo, op[1], op[2])
    elif kind == "payment":
        days.set_payment(repo, op[1], bank_details=op[2], authorisation=op[3])
    elif kind == "derogation":
        found = repo.get("students", op[1])
        if found is None:
            raise ValidationFailed([])
        student, rev = found
        repo.update("students", replace(student, derogation=Derogation(op[2], "décision")), rev)
    elif kind == "move_p1":
        p1, rev = repo.get("placements", "p1")
        repo.update("placements", replace(p1, start=op[1], end=op[2], attestation=None), rev)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ops, min_size=1, max_size=8))
def test_dump_load_dump_holds_after_any_accepted_call(calls):
    round_trips_after(calls, apply)


def round_trips_after(calls, apply_one) -> None:  # noqa: ANN001
    """On the minimal school, each call `apply_one(repo, call)` either is refused and changes
    nothing, or leaves a store whose dump `pfmp load` reads back to the same dump."""
    with tempfile.TemporaryDirectory() as tmp:
        repo = data_io.open_repository(Path(tmp) / "a" / "pfmp.json")
        repo.add_all(parse_document(minimal_document()))
        for call in calls:
            before = data_io.dump_bytes(repo)
            try:
                apply_one(repo, call)
            except ValidationFailed:
                assert data_io.dump_bytes(repo) == before, call  # refused: nothing changed
                continue
            dumped = data_io.dump_bytes(repo)
            again = data_io.open_repository(Path(tmp) / f"b{len(dumped)}" / "pfmp.json")
            again.add_all(parse_document(json.loads(dumped)), replace=True)  # what `pfmp load` reads
            assert data_io.dump_bytes(again) == dumped, call
