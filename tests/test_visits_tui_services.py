"""Issue 15: what the TUI's visits and dashboard panel ask of the services — a visit changed
elsewhere is never overwritten, one planned meanwhile is kept, and the school's
signature overview agrees with the per-period progress (`pfmp convention progress`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from pfmp_tui.domain.convention import signature_progress
from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.domain.visits import no_visit_by_mid_period, no_visit_by_mid_period_in
from pfmp_tui.services import signatures, visits
from pfmp_tui.services.ics import calendar_path
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from tests.conftest import minimal_document
from tests.tui_support import TODAY, demo_repo


def _doc() -> dict:
    doc = minimal_document()  # p1: 2026-01-05 → 2026-01-30, référent mdurand
    doc["placements"][0]["convention"] = {"status": "none", "signed_on": None}
    doc["placements"][0]["attestation"] = None
    doc["assessments"] = []
    return doc


def test_a_visit_changed_or_removed_elsewhere_is_refused_and_nothing_is_written(repo, db_path):
    repo.add_all(parse_document(_doc()), replace=True)
    seen = visits.plan_visit(repo, "p1", date(2026, 1, 14), kind="visio")
    other = Repository(Store(db_path))
    theirs = visits.visit_done(other, "p1", "v1", date(2026, 1, 14), report="fait par l'autre")
    with pytest.raises(visits.VisitChanged) as exc:
        visits.visit_done(repo, "p1", "v1", date(2026, 1, 15), report="le mien", expected=seen)
    assert exc.value.theirs == theirs
    assert repo.get("placements", "p1")[0].visits == (theirs,)  # nothing written
    # Knowingly over theirs: expected = their version.
    mine = visits.visit_done(repo, "p1", "v1", date(2026, 1, 15), report="le mien", expected=theirs)
    assert repo.get("placements", "p1")[0].visits == (mine,)
    with pytest.raises(visits.VisitChanged):
        visits.remove_visit(repo, "p1", "v1", expected=seen)
    assert repo.get("placements", "p1")[0].visits == (mine,)
    visits.remove_visit(other, "p1", "v1")
    with pytest.raises(visits.VisitChanged) as exc:
        visits.visit_done(repo, "p1", "v1", date(2026, 1, 16), expected=mine)
    assert exc.value.theirs is None


def test_visits_planned_by_two_sessions_are_both_kept(repo, db_path):
    repo.add_all(parse_document(_doc()), replace=True)
    other = Repository(Store(db_path))
    repo.snapshot(), other.snapshot()  # both sessions have read the store
    visits.plan_visit(repo, "p1", date(2026, 1, 14))
    visits.plan_visit(other, "p1", date(2026, 1, 21), kind="telephone")
    stored = repo.get("placements", "p1")[0].visits
    assert [(v.id, v.planned_on, v.kind) for v in stored] == [
        ("v1", date(2026, 1, 14), "sur_place"), ("v2", date(2026, 1, 21), "telephone")]


def test_an_emptied_report_is_removed_and_none_keeps_it(repo):
    repo.add_all(parse_document(_doc()), replace=True)
    visits.plan_visit(repo, "p1", date(2026, 1, 14))
    assert visits.visit_done(repo, "p1", "v1", date(2026, 1, 14), report="RAS").report == "RAS"
    assert visits.visit_done(repo, "p1", "v1", date(2026, 1, 14)).report == "RAS"
    assert visits.visit_done(repo, "p1", "v1", date(2026, 1, 14), report="  ").report is None


def test_the_overview_agrees_with_each_periods_progress(db_path):
    repo = demo_repo(db_path)
    data = repo.dataset()
    ov = signatures.overview(data.periods, data.placements, lambda sid: repo.snapshot().get("students", sid), TODAY,
                             limit=50)
    assert ov.periods
    for row in ov.periods:
        assert row.progress == signature_progress(data, row.period.id, TODAY)
        assert row.period.end >= TODAY and (row.period.start - TODAY).days <= signatures.AHEAD_DAYS
    urgent = [r.urgent for r in ov.periods]
    assert urgent == sorted(urgent, reverse=True)  # the most urgent first
    # Every placement of the school starting within 15 days (or started) unsigned, period or not.
    soon = {p.id for p in data.placements
            if p.convention.status != "signed" and TODAY <= p.start <= date.fromordinal(TODAY.toordinal() + 15)}
    assert {p.id for p in ov.unsigned_soon} == soon
    started = {p.id for p in data.placements if p.convention.status != "signed" and p.start < TODAY <= p.end}
    assert {p.id for p in ov.unsigned_started} == started
    limited = signatures.overview(data.periods, data.placements, lambda sid: None, TODAY, limit=1)
    assert len(limited.periods) == 1 and limited.more == len(ov.periods) - 1


def test_the_overview_counts_a_placement_starting_soon_unsigned(db_path):
    repo = demo_repo(db_path)
    data = repo.dataset()
    p = next(p for p in data.placements if p.start > TODAY and p.period_id)
    moved = replace(p, start=date(2026, 12, 7), end=date(2026, 12, 18),
                    convention=replace(p.convention, status="sent", signed_on=None))
    placements = [moved if x.id == p.id else x for x in data.placements]
    ov = signatures.overview(data.periods, placements, lambda sid: None, TODAY)
    assert moved in ov.unsigned_soon


def test_no_visit_by_mid_period_in_is_the_cohort_free_reading(db_path):
    data = demo_repo(db_path).dataset()
    assert no_visit_by_mid_period_in(data.placements, TODAY) == no_visit_by_mid_period(data, TODAY)


def test_the_calendar_path_is_new_each_time(tmp_path):
    first = calendar_path(tmp_path, "mdurand")
    assert first.name == "calendrier_mdurand.ics"
    first.write_text("x")
    assert calendar_path(tmp_path, "mdurand").name == "calendrier_mdurand-2.ics"
    assert calendar_path(tmp_path, None).name == "calendrier_pfmp.ics"


def test_the_cache_follows_edits_learner_by_learner_and_agrees_with_a_fresh_reading(db_path):
    """OverviewCache after edits (a convention signed, a visit done, a placement moved to another
    learner, a learner gone) gives what a cold reading of the same placements gives."""
    repo = demo_repo(db_path)
    data = repo.dataset()
    snap = repo.snapshot()
    day = date(2026, 12, 2)
    by_student: dict[str, list] = {}
    for p in data.placements:
        by_student.setdefault(p.student_id, []).append(p)

    def fresh(groups):
        return signatures.OverviewCache().compute(data.periods, groups, lambda sid: snap.get("students", sid), day,
                                                  limit=50)

    cache = signatures.OverviewCache()
    first = cache.compute(data.periods, by_student, lambda sid: snap.get("students", sid), day, limit=50)
    assert first == fresh(by_student) and first[1]  # some placements without visit that day
    late = first[1][0]
    soon = next(p for p in data.placements if p.start > day and p.convention.status != "signed" and p.period_id)
    edited = dict(by_student)
    # A visit done on the late one; the other moved to start within 15 days; one learner moved
    # to another's list; one learner gone.
    from pfmp_tui.domain.model import Visit

    edited[late.student_id] = [replace(p, visits=(Visit("v9", done_on=day),)) if p.id == late.id else p
                               for p in by_student[late.student_id]]
    edited[soon.student_id] = [replace(p, start=date(2026, 12, 7)) if p.id == soon.id else p
                               for p in edited[soon.student_id]]
    a, b = sorted(by_student)[:2]
    moved = by_student[a][0]
    edited[a] = by_student[a][1:]
    edited[b] = by_student[b] + [moved]
    gone = sorted(by_student)[-1]
    del edited[gone]
    after = cache.compute(data.periods, edited, lambda sid: snap.get("students", sid), day, limit=50)
    assert after[0].unsigned_soon == fresh(edited)[0].unsigned_soon
    assert [p.id for p in after[1]] == [p.id for p in fresh(edited)[1]]
    assert late.id not in {p.id for p in after[1]}
    assert any(p.id == soon.id for p in after[0].unsigned_soon)
    assert [(r.period.id, r.progress.placements, r.progress.signed) for r in after[0].periods] == [
        (r.period.id, r.progress.placements, r.progress.signed) for r in fresh(edited)[0].periods]


def test_the_r10_line_says_each_case_in_words():
    from pfmp_tui.services.signatures import SignatureOverview
    from pfmp_tui.tui.widgets.signature_progress import r10_line

    def line(soon: int, started: int) -> str:
        return r10_line(SignatureOverview((), 0, (None,) * soon, (None,) * started)).plain

    assert line(0, 0) == "✓ Aucune PFMP ne commence dans 15 jours sans convention signée (R10)"
    assert line(3, 0) == "! 3 PFMP commencent dans 15 jours sans convention signée (R10)"
    assert line(1, 2) == "! 1 PFMP commence dans 15 j sans convention signée (R10) · ✗ 2 commencées"
    assert line(0, 45) == "✗ 45 PFMP commencées sans convention signée (R10) · aucune dans 15 j"
