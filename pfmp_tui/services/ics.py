"""`pfmp calendar`: an iCalendar file (icalendar) that teachers import into their own
calendar: the PFMP periods, their learners' placements and the visits planned, with
the host's address and the tutor's contact details.

Events are whole days (DTSTART a date, DTEND the day after the last one, RFC 5545).
UIDs are stable (``placement-<id>@pfmp``…): importing a newer file updates the events
instead of doubling them. The file holds personal data: written 0600 (`write_private`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from ..domain.model import VISIT_KIND_LABELS, Dataset, Organisation
from ..domain.visits import follows, visit_teacher
from .files import unique_path, write_private

PRODID = "-//pfmp//Suivi des PFMP//FR"


def _address(org: Organisation) -> str:
    town = " ".join(x for x in (org.postcode, org.city) if x)
    return ", ".join(x for x in (org.name, org.address, town, None if org.country == "FR" else org.country) if x)


def build_calendar(data: Dataset, teacher: str | None = None, now: datetime | None = None) -> bytes:
    from icalendar import Calendar, Event

    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"PFMP — {teacher}" if teacher else "PFMP")
    students = {s.id: s for s in data.students}
    orgs = {o.id: o for o in data.organisations}
    tutors = {t.id: t for t in data.tutors}
    cohorts = {c.id: c for c in data.cohorts}

    def placement_mine(p) -> bool:  # noqa: ANN001
        return teacher is None or follows(p, teacher) or any(
            (visit_teacher(p, v) or "").casefold() == teacher.casefold() for v in p.visits)

    placements = sorted((p for p in data.placements if placement_mine(p)), key=lambda p: (p.start, p.id))
    cohort_ids = {students[p.student_id].cohort_id for p in placements} if teacher else set(cohorts)

    def event(uid: str, summary: str, start: date, end: date, location: str | None = None,
              description: str | None = None, busy: bool = False) -> Event:
        e = Event()
        e.add("uid", f"{uid}@pfmp")
        e.add("dtstamp", stamp)
        e.add("summary", summary)
        e.add("dtstart", start)
        e.add("dtend", end + timedelta(days=1))
        e.add("transp", "OPAQUE" if busy else "TRANSPARENT")  # a visit takes the teacher's time
        if location:
            e.add("location", location)
        if description:
            e.add("description", description)
        return e

    for period in sorted(data.periods, key=lambda x: (x.start, x.id)):
        if period.cohort_id in cohort_ids:
            label = cohorts[period.cohort_id].label if period.cohort_id in cohorts else period.cohort_id
            cal.add_component(event(f"period-{period.id}", f"{period.label} ({label})", period.start, period.end))
    for p in placements:
        s = students[p.student_id]
        org = orgs[p.organisation_id]
        tutor = tutors.get(p.tutor_id) if p.tutor_id else None
        lines = [f"Élève : {s.first_name} {s.last_name.upper()}"]
        if tutor:
            contact = ", ".join(x for x in (tutor.job_title, tutor.phone, tutor.email) if x)
            lines.append(f"Tuteur : {tutor.full_name}" + (f" ({contact})" if contact else ""))
        if org.phone:
            lines.append(f"Organisation : {org.phone}")
        if p.teacher:
            lines.append(f"Référent : {p.teacher}")
        cal.add_component(event(f"placement-{p.id}", f"PFMP {s.first_name} {s.last_name.upper()} — {org.name}",
                                p.start, p.end, _address(org), "\n".join(lines)))
        for v in p.visits:
            if v.planned_on is None or v.done_on is not None:
                continue
            if teacher is not None and (visit_teacher(p, v) or "").casefold() != teacher.casefold():
                continue
            e = event(f"visit-{p.id}-{v.id}", f"Visite de stage ({VISIT_KIND_LABELS[v.kind]}) — "
                                              f"{s.first_name} {s.last_name.upper()}", v.planned_on, v.planned_on,
                      _address(org) if v.kind == "sur_place" else None, "\n".join(lines), busy=True)
            cal.add_component(e)
    return cal.to_ical()


def write_calendar(data: Dataset, out: Path, teacher: str | None = None, now: datetime | None = None) -> Path:
    return write_private(Path(out), build_calendar(data, teacher, now))


def calendar_path(exports_dir: Path, teacher: str | None) -> Path:
    """``exports/calendrier_<login>.ics`` (``calendrier_pfmp.ics`` for everyone), never an existing file."""
    from ..domain.text import slug

    stem = "calendrier_" + (slug(teacher, fallback="enseignant") if teacher else "pfmp")
    return unique_path(Path(exports_dir), stem, ".ics")
