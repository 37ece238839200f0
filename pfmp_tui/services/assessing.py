"""The assessment grid of a placement (document de liaison, R12, R13): load it, save it.

A grid is one « session » of a placement's assessment sheet: the levels and comments
given by one assessor (``tutor`` or ``teacher``) on one date, typically the paper form
the tutor filled at the end of the period. The sheet of a placement may hold several
sessions (the tutor's, a teacher's follow-up visit…); saving a grid replaces only its
own session and keeps the others as they are.

`load_grid` returns every one of the 37 competences (level None = non évalué) and the
sheet's revision; `save_grid` writes one Assessment per competence that has a level or
a comment, keeping the stored id of the same competence in the same session so that
saving twice gives the same records, and is refused (`ConflictError`, nothing written)
if someone saved the sheet since it was loaded.

The general appreciation of a session is an `Appreciation` kept in the same sheet
(an extension of the interchange document: `appreciations`, written only when some
exist); saving an empty one removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping

from ..domain.competences import COMPETENCE_CODES, COMPETENCES
from ..domain.errors import Collector, FieldError, ValidationFailed
from ..domain.interchange import parse_record
from ..domain.model import ASSESSOR_LABELS, ASSESSORS, Appreciation, Assessment, Organisation, Period, Placement, Student, Tutor
from ..domain.validation import format_date_fr
from ..store.repository import ConflictError, Repository

GENERAL_COMMENT_SUPPORTED = True  # stored as an Appreciation of the session
ID_PREFIX = "asm"
NOTE_PREFIX = "apr"
CODES = tuple(c.code for c in COMPETENCES)  # référentiel order (COMPETENCE_CODES is a set)

Session = tuple[str, date]  # (assessor, date)


@dataclass(frozen=True, slots=True)
class GridState:
    """What the grid screen shows for one placement and one session."""

    placement: Placement
    student: Student
    organisation: Organisation | None
    tutor: Tutor | None
    period: Period | None
    assessor: str  # "tutor" | "teacher"
    on: date  # the session's date (the placement's end for a new grid)
    levels: dict[str, int | None]  # every competence code, in référentiel order
    comments: dict[str, str | None]  # every competence code
    general_comment: str | None  # the session's general appreciation
    sessions: tuple[Session, ...]  # every session stored for the placement, latest first
    is_new: bool  # nothing stored yet for this session

    @property
    def session(self) -> Session:
        return (self.assessor, self.on)

    @property
    def assessed_count(self) -> int:
        return sum(1 for level in self.levels.values() if level is not None)


def _session_key(session: Session) -> tuple:
    # Latest first; on one date the tutor's session first (domain.progress: R12 names the tutor).
    assessor, on = session
    return (on, assessor == "tutor")


def sessions_of(assessments: list[Assessment], notes: list[Appreciation] = ()) -> tuple[Session, ...]:
    """The distinct (assessor, date) of a sheet, latest first."""
    found = {(a.assessor, a.date) for a in assessments} | {(n.assessor, n.date) for n in notes}
    return tuple(sorted(found, key=_session_key, reverse=True))


def load_grid(
    repo: Repository, placement_id: str, *, assessor: str | None = None, on: date | None = None
) -> tuple[GridState, int]:
    """The grid of `placement_id` and the sheet's revision (0 if nothing stored yet).

    Without `assessor`/`on`, the latest stored session (or a new tutor's grid dated
    the placement's end); with them, the latest stored session matching them, or a new one.
    """
    snap = repo.snapshot()
    placement: Placement | None = snap.get("placements", placement_id)
    if placement is None:
        raise ValidationFailed(FieldError("placement_id", f"stage « {placement_id} » introuvable"))
    if assessor is not None and assessor not in ASSESSORS:
        raise ValidationFailed(FieldError("assessor", f"évaluateur inconnu « {assessor} » (tutor ou teacher)"))
    # The placement's own sheet (not a scan of every assessment of the school).
    sheet, notes, rev = repo.sheet_full(placement_id)
    sessions = sessions_of(sheet, notes)
    matching = [s for s in sessions if (assessor is None or s[0] == assessor) and (on is None or s[1] == on)]
    chosen = matching[0] if matching else (assessor or "tutor", on or placement.end)

    levels: dict[str, int | None] = dict.fromkeys(CODES)
    comments: dict[str, str | None] = dict.fromkeys(CODES)
    # Should a session hold one competence twice (a loaded document may), the greatest id wins.
    for a in sorted(sheet, key=lambda a: a.id):
        if (a.assessor, a.date) == chosen and a.competence in levels:
            levels[a.competence] = a.level
            comments[a.competence] = a.comment
    state = GridState(
        placement=placement,
        student=snap.get("students", placement.student_id),
        organisation=snap.get("organisations", placement.organisation_id),
        tutor=snap.get("tutors", placement.tutor_id) if placement.tutor_id else None,
        period=snap.get("periods", placement.period_id) if placement.period_id else None,
        assessor=chosen[0],
        on=chosen[1],
        levels=levels,
        comments=comments,
        general_comment=next((n.comment for n in sorted(notes, key=lambda n: n.id)
                              if (n.assessor, n.date) == chosen), None),
        sessions=sessions,
        is_new=not matching,
    )
    return state, rev


def _items(
    placement_id: str,
    levels: Mapping[str, int | None],
    comments: Mapping[str, str | None],
    assessor: str,
    on: date,
) -> list[Assessment]:
    """Validated assessments of one session, without ids yet (id ""), in référentiel order."""
    errs = Collector()
    for code in [*levels, *comments]:
        if code not in COMPETENCE_CODES:
            errs.add(str(code), f"compétence inconnue « {code} » (attendu 1.1.1 … 3.3.4)")
    if assessor not in ASSESSORS:
        errs.add("assessor", f"évaluateur inconnu « {assessor} » (tutor ou teacher)")
    if not isinstance(on, date):
        errs.add("date", "date d'évaluation manquante")
    errs.raise_if_any()
    items = []
    for code in CODES:
        level, comment = levels.get(code), comments.get(code)
        if level is None and (comment is None or not str(comment).strip()):
            continue
        raw = {"id": "new", "placement_id": placement_id, "competence": code, "level": level,
               "comment": comment, "assessor": assessor, "date": on}
        try:
            items.append(parse_record("assessments", raw, code))  # the checks `pfmp load` makes
        except ValidationFailed as exc:
            errs.errors.extend(exc.errors)
    errs.raise_if_any()
    return items


def save_grid(
    repo: Repository,
    placement_id: str,
    levels: Mapping[str, int | None],
    comments: Mapping[str, str | None],
    general_comment: str | None,
    assessor: str,
    on: date,
    expected_rev: int,
    *,
    replaces: Session | None = None,
) -> int:
    """Store one session of the grid; returns the sheet's new revision.

    `replaces` is the session the grid was loaded as, when its assessor or date was
    changed on screen: that session is replaced by the new one instead of kept beside it.
    Raises ValidationFailed (bad level, unknown code, a general comment: see the module
    doc) or ConflictError (the sheet changed since `expected_rev`); nothing is written then.
    """
    new_items = _items(placement_id, levels, comments, assessor, on)
    general = (general_comment or "").strip()
    if len(general) > 5000:
        raise ValidationFailed(FieldError("general_comment", f"trop long ({len(general)} caractères, 5000 au plus)"))
    current, notes, rev = repo.sheet_full(placement_id)
    if rev != expected_rev:
        raise ConflictError("assessments", placement_id, current, rev)

    session: Session = (assessor, on)
    replaced = {session, replaces} if replaces is not None else {session}
    kept = [a for a in current if (a.assessor, a.date) not in replaced]
    # Stable ids: the same competence of this session (else of the replaced one) keeps its id.
    ids: dict[str, str] = {}
    for wanted in (session, replaces):
        for a in sorted(current, key=lambda a: a.id):
            if (a.assessor, a.date) == wanted:
                ids.setdefault(a.competence, a.id)
    used = {a.id for a in current}
    stored = []
    for item in new_items:
        item_id = ids.get(item.competence)
        if item_id is None:
            item_id = repo.mint_id(ID_PREFIX)  # new: no other record has it (no look at other buckets)
            while item_id in used:
                item_id = repo.mint_id(ID_PREFIX)
            used.add(item_id)
        stored.append(Assessment(item_id, placement_id, item.competence, item.level, item.assessor, item.date, item.comment))
    kept_notes = [n for n in notes if (n.assessor, n.date) not in replaced]
    if general:
        old = [n.id for n in sorted(notes, key=lambda n: n.id) if (n.assessor, n.date) in (session, replaces)]
        note_id = old[0] if old else repo.mint_id(NOTE_PREFIX)
        kept_notes.append(Appreciation(note_id, placement_id, assessor, on, general))
    return repo.set_assessments(placement_id, kept + stored, expected_rev, kept_notes)


def session_label(session: Session) -> str:
    """« tuteur, 30/01/2026 »."""
    assessor, on = session
    return f"{ASSESSOR_LABELS.get(assessor, assessor)}, {format_date_fr(on)}"
