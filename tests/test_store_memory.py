"""What the typed records of a school hold once, not once a record (issue 13: memory).

Text repeated from record to record — the ids a placement names, a référent, the terms
copied from one convention model, competence codes — is interned when a shard is read
(store/documents.py): opening a school of 15,000 learners took 100 MB less.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store

from demo_store import path, school_path  # noqa: F401  (fixtures)


def test_repeated_text_of_the_records_read_is_held_once(path):
    data = Repository(Store(path)).dataset()  # read from the files, as a new process does
    objects: dict[str, set[int]] = defaultdict(set)
    uses: Counter[str] = Counter()
    for p in data.placements:
        values = [p.organisation_id, p.student_id, p.period_id, p.tutor_id, p.teacher, p.convention.status]
        if p.terms is not None:
            values += [*p.terms.competences, p.terms.insurance, p.terms.schedule, p.terms.activities]
        for value in values:
            if value is not None:
                objects[value].add(id(value))
                uses[value] += 1
    assert sum(n for n in uses.values() if n > 1) > len(data.placements)  # the demo repeats a lot
    assert {value: len(ids) for value, ids in objects.items() if len(ids) > 1} == {}  # each text once
    cohorts = {s.cohort_id: s.cohort_id for s in data.students}
    assert all(s.cohort_id is cohorts[s.cohort_id] for s in data.students)
