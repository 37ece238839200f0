"""The TUI's pure helpers: search, filters, widget ids, cohort names."""

from __future__ import annotations

from datetime import date

from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.domain.model import Cohort
from pfmp_tui.tui.state import (
    CandidateFilter,
    build_state,
    cohort_name,
    cohort_short,
    dom_id,
    filter_results,
    fold,
    progress_text,
    week_of,
)
from tests.test_tui import TODAY, school


class _Snap:
    """The two attributes of a Snapshot that `build_state` reads."""

    def __init__(self, data):
        self.data = data
        self.generation = 1
        self.by_id = {kind: {r.id: r for r in getattr(data, kind)} for kind in data.KINDS}

    def get(self, kind, record_id):
        return self.by_id[kind].get(record_id)


def state():
    return build_state(_Snap(parse_document(school())), TODAY)


def test_fold_ignores_case_and_accents():
    assert fold("Zoé CŒUR") == "zoe coeur"


def test_search_by_words_in_any_order_and_by_ine():
    s = state()
    assert [r.student_id for r in filter_results(s, CandidateFilter(text="zoe martin"))] == ["s1"]
    assert [r.student_id for r in filter_results(s, CandidateFilter(text="MARTIN Zoé"))] == ["s1"]
    assert [r.student_id for r in filter_results(s, CandidateFilter(text="2234567890b"))] == ["s2"]
    assert filter_results(s, CandidateFilter(text="zoe durand")) == []


def test_filters_combine():
    s = state()
    f = CandidateFilter(cohort_id="c1", status="a_risque")
    assert sorted(r.student_id for r in filter_results(s, f)) == ["s1", "s2"]
    assert [r.student_id for r in filter_results(s, f.with_(teacher="mdurand"))] == ["s1"]
    assert [r.student_id for r in filter_results(s, CandidateFilter(special="attestation_overdue"))] == ["s1"]
    assert s.overdue == {"s1": 1}


def test_progress_text_in_weeks_or_the_justificatif():
    s = state()
    assert progress_text(s.by_student["s1"]) == "16 sem. / 22 sem."
    assert progress_text(s.by_student["s3"]) == "contrat (R7)"


def test_widget_ids_from_free_text_ids():
    assert dom_id("fig", "tle-agora-2027") == "fig-tle-agora-2027"
    a, b = dom_id("fig", "Tle AGOrA/A"), dom_id("fig", "Tle AGOrA_A")
    assert a != b and all(c.isalnum() or c in "-_" for c in a)


def test_cohort_names():
    c = Cohort("c", "Tle AGOrA", 2027, date(2027, 5, 14))
    assert cohort_name(c) == "Tle AGOrA 2027" and cohort_short(c) == "Tle 2027"
    assert cohort_name(Cohort("d", "BAC 2027 A", 2027, date(2027, 5, 14))) == "BAC 2027 A"


def test_week_of_a_saturday():
    assert week_of(date(2026, 11, 28)) == (date(2026, 11, 23), date(2026, 11, 29))
