"""A cohort's PFMP as a frise: learners as rows, weeks as columns (issue 5).

`build_timeline` (pure) turns a cohort's learners, placements, periods and the
school calendar into a `TimelineModel`: one cell per learner and week, holding the
placement that week shows. `Timeline` draws it with the Line API: a fixed name
column and three fixed header rows (years, months, the cohort's periods and
today), one character per week so that 80 columns show about 15 months, and a
cell cursor moved with the arrows. Every state has its own character AND its own
colour (never colour alone); school holidays of the cohort's zone are shaded and
dotted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...domain.calendar import SchoolCalendar
from ...domain.model import Cohort, Period, Placement, Student
from ...domain.planner import overlapping_placements
from ..state import fold

# state -> (character, French label); also the order of the legend.
STATES: dict[str, tuple[str, str]] = {
    "todo": ("?", "organisation à trouver"),
    "planned": ("░", "prévu"),
    "signed": ("▓", "convention signée (R10)"),
    "received": ("█", "attestation reçue (R11)"),
    "unsigned": ("!", "attestation non signée"),
    "missing": ("✗", "attestation manquante (R11)"),
}
# A week with two placements shows the one that needs attention first.
SEVERITY = ("missing", "unsigned", "todo", "planned", "signed", "received")
HOLIDAY_CHAR = "·"
TODAY_CHAR = "┊"
TODAY_MARK = "▼"
PERIOD_CHAR = "═"
MONTHS = ("jan", "fév", "mar", "avr", "mai", "jun", "jul", "aoû", "sep", "oct", "nov", "déc")


def placement_state(p: Placement, today: date, placeholder_org: str) -> str:
    """The state a placement is drawn with, at `today`."""
    if p.attestation is not None:
        return "received" if p.attestation.signed_by_tutor else "unsigned"
    if p.end < today:
        return "missing"  # ended, and the attestation never came (R11)
    if p.organisation_id == placeholder_org:
        return "todo"
    if p.convention.status == "signed":
        return "signed"
    return "planned"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Cell:
    state: str
    placement: Placement


@dataclass
class TimelineRow:
    student_id: str
    name: str
    overlap: bool  # two placements of the learner overlap
    cells: dict[int, Cell] = field(default_factory=dict)  # week index -> cell


@dataclass
class TimelineModel:
    cohort: Cohort
    weeks: list[date]  # the Monday of each column
    rows: list[TimelineRow]
    holidays: list[str | None]  # per week: the school holiday of the zone, if a weekday is off
    periods: list[Period | None]  # per week: the cohort's period covering it
    today_index: int | None
    years: list[tuple[int, str]] = field(default_factory=list)  # (week index, label) where a year starts
    months: list[tuple[int, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # state -> placements

    def week_index(self, day: date) -> int | None:
        if not self.weeks:
            return None
        i = (monday(day) - self.weeks[0]).days // 7
        return i if 0 <= i < len(self.weeks) else None

    def row_index(self, student_id: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.student_id == student_id), None)


def _weeks_between(start: date, end: date) -> list[date]:
    """The weeks from the one holding `start`'s first working day to the one holding `end`."""
    first, last = monday(start + timedelta(days=2)), monday(end)
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def label_window(labels: Sequence[tuple[int, str]], first: int, width: int) -> str:
    """The header labels seen from week `first` on, `width` columns: each label where its
    year or month starts, and the one already begun at the left edge when there is room."""
    line = [" "] * width
    shown = [(i - first, text) for i, text in labels if first <= i < first + width]
    begun = [text for i, text in labels if i < first]
    if begun and (not shown or shown[0][0] > len(begun[-1])):
        shown.insert(0, (0, begun[-1]))
    for at, text in shown:
        for j, ch in enumerate(text):
            if at + j < width:
                line[at + j] = ch
    return "".join(line)


def build_timeline(cohort: Cohort, students: Iterable[Student], placements: Iterable[Placement],
                   periods: Iterable[Period], calendar: SchoolCalendar, today: date,
                   placeholder_org: str) -> TimelineModel:
    """The frise of `cohort`: from the start of its cycle (or its first placement) to its
    dossier deadline (or its last placement)."""
    students = sorted(students, key=lambda s: (fold(s.last_name), fold(s.first_name), s.id))
    ids = {s.id for s in students}
    placements = [p for p in placements if p.student_id in ids]
    periods = sorted((p for p in periods if p.cohort_id == cohort.id), key=lambda p: (p.start, p.id))
    cycle_start = date(cohort.exam_session - 3, 9, 1)
    start = min([cycle_start] + [p.start for p in placements] + [p.start for p in periods])
    end = max([cohort.dossier_deadline] + [p.end for p in placements] + [p.end for p in periods])
    weeks = _weeks_between(start, end)
    first = weeks[0]

    def span(a: date, b: date) -> range:
        lo = max(0, (monday(a) - first).days // 7)
        hi = min(len(weeks) - 1, (monday(b) - first).days // 7)
        return range(lo, hi + 1)

    zone = cohort.holiday_zone
    holidays: list[str | None] = []
    for w in weeks:
        name = None
        if zone:
            for d in range(5):
                day = w + timedelta(days=d)
                hit = next((h for h in calendar.overlapping(zone, day, day)), None)
                if hit is not None:
                    name = hit.name
                    break
        holidays.append(name)
    period_of: list[Period | None] = [None] * len(weeks)
    for p in periods:
        for i in span(p.start, p.end):
            period_of[i] = period_of[i] or p

    overlapping = {x.student_id for pair in overlapping_placements(placements) for x in pair}
    by_student: dict[str, list[Placement]] = {}
    for p in placements:
        by_student.setdefault(p.student_id, []).append(p)
    counts = dict.fromkeys(STATES, 0)
    rows = []
    for s in students:
        row = TimelineRow(s.id, s.full_name, s.id in overlapping)
        for p in sorted(by_student.get(s.id, []), key=lambda p: (p.start, p.id)):
            state = placement_state(p, today, placeholder_org)
            counts[state] += 1
            for i in span(p.start, p.end):
                old = row.cells.get(i)
                if old is None or SEVERITY.index(state) < SEVERITY.index(old.state):
                    row.cells[i] = Cell(state, p)
        rows.append(row)

    years = [(0, str(weeks[0].year))] + [
        (i, str(w.year)) for i, w in enumerate(weeks) if i and w.year != weeks[i - 1].year
    ]
    months = [(0, MONTHS[weeks[0].month - 1])] + [
        (i, MONTHS[w.month - 1]) for i, w in enumerate(weeks) if i and w.month != weeks[i - 1].month
    ]
    model = TimelineModel(cohort, weeks, rows, holidays, period_of, None, years, months, counts)
    model.today_index = model.week_index(today)
    return model


class Timeline(ScrollView, can_focus=True, inherit_bindings=False):
    """The frise; its keys are the screen's (`keys.SCOPES["timeline"]`), so that « ? » lists them."""

    NAME_WIDTH = 16  # 15 for the name, 1 for the separator
    HEADER_ROWS = 3

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--header", "timeline--name", "timeline--separator", "timeline--holiday", "timeline--today",
        "timeline--period", "timeline--cursor-row", "timeline--cursor", "timeline--flag",
        *(f"timeline--{s}" for s in STATES),
    }

    DEFAULT_CSS = """
    Timeline {
        scrollbar-size-vertical: 1;
        background: $surface;
        color: $text;
    }
    Timeline > .timeline--header { color: $text-muted; }
    Timeline > .timeline--name { color: $text; }
    Timeline > .timeline--separator { color: $text-muted; }
    Timeline > .timeline--holiday { background: $panel; color: $text-muted; }
    Timeline > .timeline--today { color: $text-accent; text-style: bold; }
    Timeline > .timeline--period { color: $text-primary; }
    Timeline > .timeline--cursor-row { background: $boost; text-style: bold; }
    Timeline > .timeline--cursor { text-style: reverse bold; }
    Timeline > .timeline--flag { color: $text-error; text-style: bold; }
    Timeline > .timeline--todo { color: $text-accent; text-style: bold; }
    Timeline > .timeline--planned { color: $text-secondary; }
    Timeline > .timeline--signed { color: $text-primary; }
    Timeline > .timeline--received { color: $text-success; }
    Timeline > .timeline--unsigned { color: $text-warning; text-style: bold; }
    Timeline > .timeline--missing { color: $text-error; text-style: bold; }
    """

    class CursorMoved(Message):
        def __init__(self, timeline: Timeline, row: TimelineRow | None, week: int) -> None:
            super().__init__()
            self.timeline = timeline
            self.row = row
            self.week = week

    class Chosen(Message):
        def __init__(self, student_id: str) -> None:
            super().__init__()
            self.student_id = student_id

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.model: TimelineModel | None = None
        self.cursor_row = 0
        self.cursor_week = 0
        self._centred = False

    # -- data ------------------------------------------------------------------------------------
    def show(self, model: TimelineModel) -> None:
        """New data: keep the cursor on the same learner and week when they are still there."""
        old = self.model
        student = old.rows[self.cursor_row].student_id if old and old.rows and self.cursor_row < len(old.rows) else None
        week = old.weeks[self.cursor_week] if old and old.weeks and self.cursor_week < len(old.weeks) else None
        self.model = model
        self.virtual_size = Size(self.NAME_WIDTH + len(model.weeks), self.HEADER_ROWS + len(model.rows))
        row = model.row_index(student) if student else None
        self.cursor_row = row if row is not None else min(self.cursor_row, max(0, len(model.rows) - 1))
        index = model.week_index(week) if week else None
        if index is None:
            index = model.today_index if model.today_index is not None else 0
        self.cursor_week = index
        if not self._centred:
            self.call_after_refresh(self.centre_on_cursor)
        self.refresh()
        self._moved()

    @property
    def current_row(self) -> TimelineRow | None:
        m = self.model
        return m.rows[self.cursor_row] if m and 0 <= self.cursor_row < len(m.rows) else None

    @property
    def current_cell(self) -> Cell | None:
        row = self.current_row
        return row.cells.get(self.cursor_week) if row else None

    # -- moving ----------------------------------------------------------------------------------
    @property
    def visible_weeks(self) -> int:
        return max(1, self.size.width - self.NAME_WIDTH)

    @property
    def visible_rows(self) -> int:
        return max(1, self.size.height - self.HEADER_ROWS)

    def move(self, rows: int = 0, weeks: int = 0) -> None:
        self.move_to(self.cursor_row + rows, self.cursor_week + weeks)

    def move_to(self, row: int | None = None, week: int | None = None) -> None:
        m = self.model
        if m is None:
            return
        if row is not None:
            self.cursor_row = max(0, min(row, len(m.rows) - 1))
        if week is not None:
            self.cursor_week = max(0, min(week, len(m.weeks) - 1))
        self._scroll_to_cursor()
        self.refresh()
        self._moved()

    def centre_on_cursor(self) -> None:
        """The cursor's week a third from the left (the past is shorter than what comes)."""
        if self.model is None or not self.size.width:
            return
        self._centred = True
        self.set_scroll(max(0, self.cursor_week - self.visible_weeks // 3), None)
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        x, y = self.scroll_offset
        if self.cursor_week < x:
            x = self.cursor_week
        elif self.cursor_week >= x + self.visible_weeks:
            x = self.cursor_week - self.visible_weeks + 1
        if self.cursor_row < y:
            y = self.cursor_row
        elif self.cursor_row >= y + self.visible_rows:
            y = self.cursor_row - self.visible_rows + 1
        self.set_scroll(x, y)

    def _moved(self) -> None:
        self.post_message(self.CursorMoved(self, self.current_row, self.cursor_week))

    def choose(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Chosen(row.student_id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.model is None:
            return
        x, y = self.scroll_offset
        row = y + offset.y - self.HEADER_ROWS if offset.y >= self.HEADER_ROWS else self.cursor_row
        week = x + offset.x - self.NAME_WIDTH if offset.x >= self.NAME_WIDTH else self.cursor_week
        self.move_to(row, week)
        if event.chain == 2:
            self.choose()

    # -- drawing ---------------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"timeline--{name}")

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        m = self.model
        if m is None:
            return Strip.blank(width, base)
        scroll_x, scroll_y = self.scroll_offset
        weeks = range(scroll_x, min(len(m.weeks), scroll_x + max(0, width - self.NAME_WIDTH)))
        if y < self.HEADER_ROWS:
            segments = self._header_line(m, y, weeks, base)
        else:
            r = scroll_y + y - self.HEADER_ROWS
            if r >= len(m.rows):
                return Strip.blank(width, base)
            segments = self._row_line(m, r, weeks, base)
        return Strip(segments).adjust_cell_length(width, base).simplify()

    def _name_cell(self, text: str, style: Style, flag: Segment | None = None) -> list[Segment]:
        width = self.NAME_WIDTH - 1 - (flag.cell_length if flag else 0)
        text = text if len(text) <= width else text[: width - 1] + "…"
        return ([flag] if flag else []) + [Segment(text.ljust(width), style), Segment("│", self._style("separator"))]

    def _header_line(self, m: TimelineModel, y: int, weeks: range, base: Style) -> list[Segment]:
        header = base + self._style("header")
        holiday = self._style("holiday")
        titles = ("", "", "périodes")
        segments = self._name_cell(titles[y], header)
        labels = label_window(m.years if y == 0 else m.months, weeks.start, len(weeks)) if y < 2 else ""
        for i in weeks:
            style = header + (holiday if m.holidays[i] else Style())
            if y < 2:
                ch = labels[i - weeks.start]
            elif i == m.today_index:
                ch, style = TODAY_MARK, style + self._style("today")
            elif m.periods[i] is not None:
                ch, style = PERIOD_CHAR, style + self._style("period")
            else:
                ch = " "
            if i == self.cursor_week and y == 2 and ch == " ":
                ch = "┬"
            segments.append(Segment(ch, style))
        return segments

    def _row_line(self, m: TimelineModel, r: int, weeks: range, base: Style) -> list[Segment]:
        row = m.rows[r]
        on_row = r == self.cursor_row
        row_style = base + (self._style("cursor-row") if on_row else Style())
        name_style = row_style + self._style("name")
        # Two placements of the learner overlap: flagged beside the name, not by colour alone.
        flag = Segment("!", row_style + self._style("flag")) if row.overlap else None
        segments = self._name_cell(row.name, name_style, flag)
        holiday, cursor = self._style("holiday"), self._style("cursor")
        for i in weeks:
            style = base + (holiday if m.holidays[i] else Style())
            if on_row:
                style += self._style("cursor-row")
            cell = row.cells.get(i)
            if cell is not None:
                ch = STATES[cell.state][0]
                style += self._style(cell.state)
            elif i == m.today_index:
                ch, style = TODAY_CHAR, style + self._style("today")
            elif m.holidays[i]:
                ch = HOLIDAY_CHAR
            else:
                ch = " "
            if on_row and i == self.cursor_week:
                style += cursor
            segments.append(Segment(ch, style))
        return segments
