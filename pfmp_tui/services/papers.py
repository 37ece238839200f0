"""Papers that go to tutors and follow the learner, as PDF (fpdf2).

- `attestation_pdf`: the attestation de PFMP of one placement, pre-filled for the
  tutor to complete and sign (R11, référentiel Annexe III II.1): learner, school,
  organisation, tutor, dates, duration, activities, signature boxes.
- `liaison_pdf`: the learner's document de liaison (R12): identity, every placement
  with its convention and attestation, and the assessment of the 37 competences per
  period, grouped by bloc and activity, with the blocs' coverage (R16) and comments.

Text is French, with accents and « œ »: fpdf2's core fonts are Latin-1 only, so the
DejaVu Sans fonts shipped in ``pfmp_tui/fonts`` (free licence beside them) are
embedded. The papers hold personal data: they are written with
`store.storage.atomic_write` (mode 0600, 0660 in a shared group), and
`default_paper_path` never names an existing file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain import wording
from ..domain.competences import BLOCS, COMPETENCES, LEVELS, competence
from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import ASSESSOR_LABELS, CONVENTION_LABELS, VOIE_LABELS, Dataset, Placement, Student
from ..domain.progress import LEVEL_SHORT, ProgressGrid, progress
from ..domain.text import slug
from ..domain.validation import format_date_fr
from ..domain.workdays import format_days, working_days
from .files import unique_path, write_private

if TYPE_CHECKING:  # fpdf2 is imported when a paper is made: the CLI starts faster
    from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FAMILY = "DejaVu"
KINDS = ("attestation", "liaison")
DIPLOMA = "Baccalauréat professionnel « Assistance à la gestion des organisations et de leurs activités » (AGOrA)"
BLANK = "…………………………………………"

MARGIN = 15  # mm
BODY = 10  # pt
SMALL = 8.5
LINE = 5.2  # mm per line of body text


# -- file names -------------------------------------------------------------------------------
def default_paper_path(exports_dir: Path, kind: str, student: Student, placement: Placement | None = None) -> Path:
    """``exports/attestation_BOEUF-Chloe_plc-1.pdf``; never an existing file (-2, -3…)."""
    if kind not in KINDS:
        raise ValueError(f"document inconnu « {kind} » (attestation ou liaison)")
    name = slug(f"{student.last_name.upper()} {student.first_name}", lower=False, max_len=40) or slug(
        student.id, lower=False, fallback="eleve")
    stem = f"{kind}_{name}"
    if placement is not None:
        stem += f"_{slug(placement.id, lower=False, max_len=40, fallback='stage')}"
    return unique_path(Path(exports_dir), stem, ".pdf")


def make_paper(
    data: Dataset, kind: str, record_id: str, school_name: str = "", out: Path | None = None,
    exports_dir: Path = Path("exports"),
) -> Path:
    """What `pfmp paper` and the TUI call: `kind` « attestation » (`record_id` a placement)
    or « liaison » (`record_id` a learner), written to `out` or else to a new file under
    `exports_dir` (`default_paper_path`). Returns the path written."""
    if kind == "attestation":
        placement = _placement(data, record_id)
        student = _find(data.students, placement.student_id)
        writer, target = attestation_pdf, placement
    elif kind == "liaison":
        student = _find(data.students, record_id)
        if student is None:
            raise ValidationFailed(FieldError("student_id", f"élève « {record_id} » introuvable"))
        writer, target = liaison_pdf, None
    else:
        raise ValidationFailed(FieldError("kind", f"document inconnu « {kind} » (attestation ou liaison)"))
    if out is None:
        out = default_paper_path(exports_dir, kind, student, target)
    return writer(data, record_id, school_name, out)


# -- layout helpers -----------------------------------------------------------------------------
def _new_pdf(title: str, school_name: str, orientation: str = "P") -> "FPDF":
    from fpdf import FPDF

    class Paper(FPDF):
        def footer(self) -> None:
            self.set_y(-11)
            self.set_font(FAMILY, "", 7.5)
            self.set_text_color(90)
            left = " · ".join(part for part in (title, school_name) if part)
            self.cell(0, 4, f"{left} · page {self.page_no()}/{{nb}}", align="C")
            self.set_text_color(0)

    pdf = Paper(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(title)
    pdf.set_creator("pfmp")
    pdf.set_lang("fr")
    pdf.add_page()
    return pdf


def _title(pdf: "FPDF", title: str, subtitle: str, school_name: str) -> None:
    pdf.set_font(FAMILY, "B", BODY)
    pdf.cell(0, LINE, school_name or f"Établissement : {BLANK}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 17)
    pdf.cell(0, 9, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", BODY)
    pdf.multi_cell(0, LINE, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _section(pdf: "FPDF", text: str) -> None:
    pdf.ln(1.5)
    pdf.set_font(FAMILY, "B", 11)
    pdf.set_fill_color(230, 236, 245)
    pdf.cell(0, 6.5, text, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", BODY)
    pdf.ln(1)


def _fields(pdf: "FPDF", pairs: Sequence[tuple[str, str | None]], columns: int = 2) -> None:
    """« Label : value » pairs, `columns` per line; an empty value leaves a line to fill."""
    width = (pdf.w - 2 * MARGIN) / columns
    for i in range(0, len(pairs), columns):
        y = pdf.get_y()
        bottom = y
        for j, (label, value) in enumerate(pairs[i:i + columns]):
            x = MARGIN + j * width
            pdf.set_xy(x, y)
            pdf.set_font(FAMILY, "B", BODY)
            label_w = pdf.get_string_width(f"{label} : ") + 1
            pdf.cell(label_w, LINE, f"{label} :")
            pdf.set_font(FAMILY, "", BODY)
            pdf.multi_cell(width - label_w - 2, LINE, value if value else BLANK, align="L",
                           new_x="LMARGIN", new_y="NEXT")
            bottom = max(bottom, pdf.get_y())
        pdf.set_y(bottom)


def _rule_lines(pdf: "FPDF", count: int, height: float = 7) -> None:
    pdf.set_draw_color(150)
    for _ in range(count):
        pdf.ln(height)
        pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
    pdf.set_draw_color(0)
    pdf.ln(2)


def _note(pdf: "FPDF", text: str) -> None:
    pdf.set_font(FAMILY, "", SMALL)
    pdf.multi_cell(0, 4.2, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", BODY)


def _write(pdf: "FPDF", out: Path) -> Path:
    return write_private(Path(out), bytes(pdf.output()))


# -- records ----------------------------------------------------------------------------------------
def _find(records: Sequence, record_id: str | None):
    if record_id is None:
        return None
    return next((r for r in records if r.id == record_id), None)


def _placement(data: Dataset, placement_id: str) -> Placement:
    placement = _find(data.placements, placement_id)
    if placement is None:
        raise ValidationFailed(FieldError("placement_id", f"stage « {placement_id} » introuvable"))
    return placement


def _address(org) -> str:
    town = " ".join(part for part in (org.postcode, org.city) if part)
    parts = [part for part in (org.address, town) if part]
    if org.country != "FR":
        parts.append(org.country)
    return ", ".join(parts)


def _learner_fields(data: Dataset, student: Student) -> list[tuple[str, str | None]]:
    cohort = _find(data.cohorts, student.cohort_id)
    return [
        ("Nom", student.last_name.upper()),
        ("Prénom", student.first_name),
        ("Date de naissance", format_date_fr(student.birth_date)),
        ("INE", student.ine),
        ("Classe", cohort.label if cohort else student.cohort_id),
        ("Voie", VOIE_LABELS.get(student.voie, student.voie)),
    ]


# -- attestation de PFMP (R11) ----------------------------------------------------------------------
def attestation_pdf(data: Dataset, placement_id: str, school_name: str, out: Path) -> Path:
    """The attestation de PFMP of `placement_id`, pre-filled for the tutor to sign; returns `out`."""
    placement = _placement(data, placement_id)
    student = _find(data.students, placement.student_id)
    organisation = _find(data.organisations, placement.organisation_id)
    tutor = _find(data.tutors, placement.tutor_id)
    period = _find(data.periods, placement.period_id)
    attestation = placement.attestation
    planned = working_days(placement.start, placement.end)

    title = "Attestation de PFMP"
    pdf = _new_pdf(title, school_name)
    _title(pdf, title, f"Période de formation en milieu professionnel\n{DIPLOMA}", school_name)

    _section(pdf, "Élève")
    _fields(pdf, _learner_fields(data, student))

    _section(pdf, "Établissement de formation")
    _fields(pdf, [("Établissement", school_name), ("Professeur référent", placement.teacher)])

    _section(pdf, "Organisation d'accueil")
    _fields(pdf, [("Raison sociale", organisation.name), ("SIRET", organisation.siret)])
    _fields(pdf, [("Adresse", _address(organisation))], columns=1)

    _section(pdf, "Tuteur ou tutrice")
    _fields(pdf, [
        ("Nom", tutor.full_name if tutor else None),
        ("Fonction", tutor.job_title if tutor else None),
        ("Courriel", tutor.email if tutor else None),
        ("Téléphone", tutor.phone if tutor else None),
    ])

    _section(pdf, "Période")
    done = None
    if attestation is not None:
        done = f"{attestation.days_completed} jours ({format_days(attestation.days_completed)})"
    _fields(pdf, [
        ("PFMP", period.label if period else None),
        ("Dates", f"du {format_date_fr(placement.start)} au {format_date_fr(placement.end)}"),
        ("Durée prévue", f"{planned} jours ouvrés ({format_days(planned)})"),
        ("Durée effectuée", done or "………… jours, soit ………… semaines"),
    ])
    _fields(pdf, [("Absences éventuelles", None)], columns=1)

    _section(pdf, "Activités réalisées")
    _note(pdf, "Relations avec les clients, usagers et adhérents ; organisation et suivi de l'activité de "
               "production ; administration du personnel (les trois pôles du référentiel, R16).")
    if attestation is not None and attestation.activities:
        pdf.multi_cell(0, LINE, attestation.activities, align="L", new_x="LMARGIN", new_y="NEXT")
        _rule_lines(pdf, 2)
    else:
        _rule_lines(pdf, 5)

    _signatures(pdf)
    pdf.ln(3)
    _note(pdf, "Attestation prévue par le référentiel du baccalauréat professionnel AGOrA, annexe III, II.1 "
               "(R11) : à l'issue de chaque PFMP, le tuteur ou la tutrice remplit et signe une attestation "
               "précisant la période, la structure d'accueil, les activités réalisées et le nombre de semaines "
               "effectuées. Elle est versée au dossier du candidat (R13) ; sans elle, la mention « non valide » "
               "peut être prononcée (R14).")
    return _write(pdf, out)


def _signatures(pdf: "FPDF") -> None:
    captions = (
        ("Le tuteur ou la tutrice", "Nom, date et signature"),
        ("Cachet de l'organisation d'accueil", ""),
        ("Le chef d'établissement", "Date, signature et cachet"),
    )
    height = 34
    if pdf.get_y() + height + 22 > pdf.h - 16:
        pdf.add_page()
    pdf.ln(3)
    gap = 4
    width = (pdf.w - 2 * MARGIN - 2 * gap) / 3
    y = pdf.get_y()
    for i, (caption, hint) in enumerate(captions):
        x = MARGIN + i * (width + gap)
        pdf.rect(x, y, width, height)
        pdf.set_xy(x + 1.5, y + 1.5)
        pdf.set_font(FAMILY, "B", 9)
        pdf.multi_cell(width - 3, 4.5, caption, align="L", new_x="LEFT", new_y="NEXT")
        pdf.set_font(FAMILY, "", 7.5)
        pdf.multi_cell(width - 3, 4, hint, align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "", BODY)
    pdf.set_xy(MARGIN, y + height)


# -- document de liaison (R12) --------------------------------------------------------------------
def liaison_pdf(data: Dataset, student_id: str, school_name: str, out: Path) -> Path:
    """The learner's document de liaison: placements and competence assessments; returns `out`."""
    grid = progress(data, student_id)  # ValidationFailed if the learner is unknown
    student = grid.student
    title = "Document de liaison"
    orientation = "L" if len(grid.placements) > 7 else "P"
    pdf = _new_pdf(title, school_name, orientation)
    _title(pdf, title, f"Suivi des périodes de formation en milieu professionnel et évaluation des "
                       f"compétences (annexe III, II.1, R12)\n{DIPLOMA}", school_name)

    _section(pdf, "Élève")
    _fields(pdf, _learner_fields(data, student))

    _section(pdf, "Périodes de formation en milieu professionnel")
    if grid.placements:
        _placements_table(pdf, data, grid)
    else:
        pdf.cell(0, LINE, "Aucune PFMP enregistrée.", new_x="LMARGIN", new_y="NEXT")

    _section(pdf, "Évaluation des compétences")
    _note(pdf, "Niveau le plus récent de chaque période : "
          + " · ".join(f"{LEVEL_SHORT[level]} {LEVELS[level]}" for level in (1, 2, 3, 4, None))
          + ". Case vide : aucune évaluation enregistrée. P1, P2… : les PFMP du tableau ci-dessus.")
    pdf.ln(1)
    _competence_table(pdf, grid)

    _section(pdf, "Couverture des blocs de compétences (R16)")
    for c in grid.coverage:
        pdf.multi_cell(0, LINE, f"Bloc {c.number} — {c.label} : {wording.count(c.assessed, 'compétence')} "
                                f"{wording.plural(c.assessed, 'évaluée', 'évaluées')} sur {c.total}, dont "
                                f"{c.acquired} {wording.plural(c.acquired, 'acquise ou maîtrisée', 'acquises ou maîtrisées')}",
                       align="L", new_x="LMARGIN", new_y="NEXT")

    rank = {p.id: i for i, p in enumerate(grid.placements, start=1)}
    notes = sorted((n for n in data.appreciations if n.placement_id in rank),
                   key=lambda n: (rank[n.placement_id], n.date, n.id))
    if notes:
        _section(pdf, "Appréciations générales (R12)")
        for n in notes:
            pdf.multi_cell(0, LINE, f"P{rank[n.placement_id]} · {n.comment} "
                                    f"({ASSESSOR_LABELS.get(n.assessor, n.assessor)}, {format_date_fr(n.date)})",
                           align="L", new_x="LMARGIN", new_y="NEXT")

    comments = _comments(data, grid)
    if comments:
        _section(pdf, "Commentaires")
        for line in comments:
            pdf.multi_cell(0, LINE, line, align="L", new_x="LMARGIN", new_y="NEXT")
    return _write(pdf, out)


def _attestation_text(p: Placement) -> str:
    a = p.attestation
    if a is None:
        return "non reçue"
    signed = "signée" if a.signed_by_tutor else "non signée"
    return f"reçue le {format_date_fr(a.received_on)}, {signed}, {format_days(a.days_completed)}"


def _convention_text(p: Placement) -> str:
    text = CONVENTION_LABELS.get(p.convention.status, p.convention.status)
    if p.convention.signed_on:
        text += f" le {format_date_fr(p.convention.signed_on)}"
    return text


def _placements_table(pdf: "FPDF", data: Dataset, grid: ProgressGrid) -> None:
    from fpdf.fonts import FontFace

    pdf.set_fill_color(255)
    pdf.set_font(FAMILY, "", SMALL)
    head = FontFace(emphasis="BOLD", fill_color=(230, 236, 245))
    with pdf.table(col_widths=(7, 20, 22, 36, 27, 14, 22, 32), text_align="LEFT", line_height=4.2,
                   headings_style=head, padding=1, cell_fill_mode="NONE") as table:
        table.row(("", "Période", "Dates", "Organisation d'accueil", "Tuteur", "Durée", "Convention", "Attestation"))
        for i, p in enumerate(grid.placements, start=1):
            period = _find(data.periods, p.period_id)
            org = _find(data.organisations, p.organisation_id)
            tutor = _find(data.tutors, p.tutor_id)
            table.row((
                f"P{i}",
                period.label if period else "",
                f"{format_date_fr(p.start)}\nau {format_date_fr(p.end)}",
                org.name if org else p.organisation_id,
                tutor.full_name if tutor else "",
                format_days(working_days(p.start, p.end)),
                _convention_text(p),
                _attestation_text(p),
            ))
    pdf.set_font(FAMILY, "", BODY)


def _competence_table(pdf: "FPDF", grid: ProgressGrid) -> None:
    from fpdf.fonts import FontFace

    n = len(grid.placements)
    level_w = 11
    usable = pdf.w - 2 * MARGIN
    widths = (12, usable - 12 - level_w * n, *([level_w] * n))
    head = FontFace(emphasis="BOLD", fill_color=(230, 236, 245))
    pdf.set_fill_color(255)
    bloc_style = FontFace(emphasis="BOLD", fill_color=(215, 224, 238))
    activity_style = FontFace(emphasis="BOLD", fill_color=(243, 245, 250))
    pdf.set_font(FAMILY, "", SMALL)
    with pdf.table(col_widths=widths, width=usable, text_align="LEFT", line_height=4.2,
                   headings_style=head, padding=1, cell_fill_mode="NONE") as table:
        header = table.row()
        header.cell("Code")
        header.cell("Compétence")
        for i in range(1, n + 1):
            header.cell(f"P{i}", align="CENTER")
        for bloc in BLOCS:
            row = table.row()
            row.cell(f"Bloc {bloc.number} — {bloc.label} ({bloc.unit}, {bloc.exam})", colspan=2 + n, style=bloc_style)
            for act in bloc.activities:
                row = table.row()
                row.cell(f"{act.code} {act.label}", colspan=2 + n, style=activity_style)
                for comp in act.competences:
                    row = table.row()
                    row.cell(comp.code)
                    row.cell(comp.label)
                    for p in grid.placements:
                        a = grid.cell(comp.code, p.id)
                        row.cell("" if a is None else LEVEL_SHORT[a.level], align="CENTER")
    pdf.set_font(FAMILY, "", BODY)


def _label(code: str) -> str:
    try:
        return competence(code).label
    except KeyError:
        return ""


def _comments(data: Dataset, grid: ProgressGrid) -> list[str]:
    rank = {p.id: i for i, p in enumerate(grid.placements, start=1)}
    order = {c.code: i for i, c in enumerate(COMPETENCES)}
    found = [a for a in data.assessments if a.placement_id in rank and a.comment]
    found.sort(key=lambda a: (rank[a.placement_id], order.get(a.competence, len(order)), a.date, a.id))
    return [
        f"P{rank[a.placement_id]} · {a.competence} {_label(a.competence)} : {a.comment} "
        f"({ASSESSOR_LABELS.get(a.assessor, a.assessor)}, {format_date_fr(a.date)})"
        for a in found
    ]
