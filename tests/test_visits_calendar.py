"""Issue 15 §3: teachers' visits (plan, done, « Mes élèves », coordination) and the
iCalendar file, parsed back with icalendar."""

from __future__ import annotations

import json
import stat
from datetime import date, datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.domain.visits import midpoint, no_visit_by_mid_period, teacher_visits
from pfmp_tui.services import visits
from pfmp_tui.services.ics import build_calendar
from tests.conftest import minimal_document, run_pfmp


def _doc() -> dict:
    doc = minimal_document()  # p1: 2026-01-05 → 2026-01-30, référent mdurand
    doc["organisations"][0]["phone"] = "04 72 10 30 30"
    doc["placements"].append({"id": "p2", "student_id": "s2", "period_id": "pe1", "organisation_id": "o1",
                              "tutor_id": None, "teacher": "ylebihan", "start": "2026-01-05", "end": "2026-01-30",
                              "convention": {"status": "none", "signed_on": None}, "attestation": None})
    return doc


def test_plan_do_and_remove_visits(repo):
    repo.add_all(parse_document(_doc()), replace=True)
    v = visits.plan_visit(repo, "p1", date(2026, 1, 14), kind="visio")
    assert (v.id, v.teacher, v.kind) == ("v1", "mdurand", "visio")
    with pytest.raises(ValidationFailed) as exc:
        visits.plan_visit(repo, "p1", date(2026, 3, 1))
    assert exc.value.errors[0].path == "--on"
    with pytest.raises(ValidationFailed):
        visits.plan_visit(repo, "p1", date(2026, 1, 20), kind="en avion")
    data = repo.dataset()
    todo = teacher_visits(data, "MDurand", date(2026, 1, 15))
    assert [(t.placement.id, t.what) for t in todo] == [("p1", "visite en retard")]
    assert [(t.placement.id, t.what) for t in teacher_visits(data, "ylebihan", date(2026, 1, 15))] == [
        ("p2", "visite à planifier")]
    assert teacher_visits(data, "ylebihan", date(2025, 11, 1)) == []  # more than a month ahead
    assert midpoint(data.placements[0]) == date(2026, 1, 17)
    assert [p.id for p in no_visit_by_mid_period(data, date(2026, 1, 20))] == ["p1", "p2"]
    visits.visit_done(repo, "p1", "v1", date(2026, 1, 15), report="Bonne intégration, autonome à l'accueil")
    data = repo.dataset()
    assert [p.id for p in no_visit_by_mid_period(data, date(2026, 1, 20))] == ["p2"]
    assert no_visit_by_mid_period(data, date(2026, 2, 20)) == []  # ended
    assert [p.id for p in no_visit_by_mid_period(data, date(2026, 2, 20), include_ended=True)] == ["p2"]
    assert teacher_visits(data, "mdurand", date(2026, 1, 20)) == []
    assert data.placements[0].visits[0].report == "Bonne intégration, autonome à l'accueil"
    visits.remove_visit(repo, "p1", "v1")
    assert repo.dataset().placements[0].visits == ()


def test_calendar_parsed_back(repo):
    repo.add_all(parse_document(_doc()), replace=True)
    visits.plan_visit(repo, "p1", date(2026, 1, 14))
    visits.plan_visit(repo, "p2", date(2026, 1, 15), teacher="mdurand", kind="telephone")
    visits.plan_visit(repo, "p2", date(2026, 1, 16))  # ylebihan's
    stamp = datetime(2026, 1, 2, 8, 0, tzinfo=timezone.utc)
    cal = Calendar.from_ical(build_calendar(repo.dataset(), "mdurand", now=stamp))
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"period-pe1@pfmp", "placement-p1@pfmp", "placement-p2@pfmp", "visit-p1-v1@pfmp",
                           "visit-p2-v1@pfmp"}
    visit = events["visit-p1-v1@pfmp"]
    assert visit.decoded("DTSTART") == date(2026, 1, 14) and visit.decoded("DTEND") == date(2026, 1, 15)
    assert str(visit["SUMMARY"]) == "Visite de stage (sur place) — Zoé CŒURDACIER"
    assert str(visit["LOCATION"]) == "Mairie de Lyon, 1 place de la Comédie, 69001 Lyon"
    assert str(visit["TRANSP"]) == "OPAQUE"
    assert "Tuteur : Anne Petit (Secrétaire générale, 04 72 10 30 30, a.petit@lyon.fr)" in str(visit["DESCRIPTION"])
    assert "LOCATION" not in events["visit-p2-v1@pfmp"]  # by phone
    placement = events["placement-p1@pfmp"]
    assert placement.decoded("DTSTART") == date(2026, 1, 5) and placement.decoded("DTEND") == date(2026, 1, 31)
    assert placement.decoded("DTSTAMP") == stamp
    everything = Calendar.from_ical(build_calendar(repo.dataset()))
    assert len([e for e in everything.walk("VEVENT") if str(e["UID"]).startswith("visit-")]) == 3


def test_cli_visits_calendar_and_todo(tmp_path):
    (tmp_path / "doc.json").write_text(json.dumps(_doc()), encoding="utf-8")
    assert run_pfmp("load", "doc.json", cwd=tmp_path).returncode == 0
    r = run_pfmp("visit", "add", "p1", "--on", "2026-01-14", cwd=tmp_path)
    assert r.returncode == 0 and "v1 : sur place, prévue le 14/01/2026 par mdurand" in r.stdout
    r = run_pfmp("visit", "add", "p1", cwd=tmp_path)
    assert r.returncode == 2 and "--on" in r.stderr
    r = run_pfmp("todo", "--teacher", "mdurand", "--as-of", "2026-01-10", cwd=tmp_path)
    assert "Visites de stage : 0 à planifier, 1 à faire." in r.stdout and "visite à faire (v1)" in r.stdout
    r = run_pfmp("visits", "--as-of", "2026-01-20", cwd=tmp_path)
    assert r.stdout.startswith("2 stage(s) en cours sans visite à mi-parcours au 20/01/2026")
    r = run_pfmp("visit", "done", "p1", "v1", "--on", "2026-01-14", "--report", "RAS", cwd=tmp_path)
    assert r.returncode == 0 and "faite le 14/01/2026" in r.stdout
    r = run_pfmp("visit", "done", "p1", "v9", cwd=tmp_path)
    assert r.returncode == 2 and "v9" in r.stderr
    r = run_pfmp("calendar", "--teacher", "mdurand", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    path = tmp_path / r.stdout.split("Calendrier écrit : ")[1].strip()
    assert path.parent.name == "exports" and path.suffix == ".ics"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    cal = Calendar.from_ical(path.read_bytes())
    assert {str(e["UID"]) for e in cal.walk("VEVENT")} == {"period-pe1@pfmp", "placement-p1@pfmp"}  # v1 done


def test_roles_a_professeur_plans_visits_of_their_placements_only(tmp_path):
    import os
    import pwd

    me = pwd.getpwuid(os.getuid()).pw_name
    doc = _doc()
    doc["placements"][0]["teacher"] = me
    (tmp_path / "doc.json").write_text(json.dumps(doc), encoding="utf-8")
    assert run_pfmp("load", "doc.json", cwd=tmp_path).returncode == 0
    assert run_pfmp("users", "add", "chef", "coordination", cwd=tmp_path).returncode == 0
    r = run_pfmp("users", "set", me, "professeur", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run_pfmp("visit", "add", "p1", "--on", "2026-01-14", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run_pfmp("visit", "add", "p2", "--on", "2026-01-14", cwd=tmp_path)  # ylebihan's learner
    assert r.returncode != 0 and "refusée" in r.stderr
    r = run_pfmp("remind", "--send", cwd=tmp_path)
    assert r.returncode != 0 and "refusée" in r.stderr
    r = run_pfmp("calendar", "-o", "c.ics", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
