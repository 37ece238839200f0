"""Conventions de PFMP filled from a DOCX template (docxtpl): the school's own model, or
the default one (`convention_template`).

`generate` fills one document per placement (one placement, or every placement of a
period: one per learner), renders them all in memory first and reports every unknown
field of the template before anything is written; the files are private (0600,
`files.write_private`) and never overwrite an existing one. Each convention generated
gets its ``generated_on`` date, and a convention « aucune » becomes « brouillon ».
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from ..domain.convention import minor_hours_errors
from ..domain.convention_fields import FIELDS, FIELD_NAMES, Fields, SchoolInfo, TeacherInfo, convention_context
from ..domain.errors import Collector, FieldError, ValidationFailed
from ..domain.model import Dataset, Placement
from ..domain.text import slug
from ..store.repository import Repository
from .files import unique_path, write_private
from .settings import Settings


@dataclass(frozen=True, slots=True)
class Generated:
    placement_id: str
    path: Path
    warnings: tuple[str, ...]


def school_info(settings: Settings) -> SchoolInfo:
    return settings.school  # the settings hold the domain's SchoolInfo


def teacher_info(settings: Settings, login: str | None) -> TeacherInfo | None:
    t = settings.teacher(login)
    return None if t is None else TeacherInfo(t.login, t.name, t.email)


def fields_help() -> str:
    """What `--fields` prints: every field, one a line, with what it holds."""
    width = max(len(name) for name, _ in FIELDS)
    lines = ["Champs utilisables dans un modèle de convention (syntaxe {{ eleve.nom }}, "
             "boucles {% for r in eleve.representants %}…{% endfor %}) :"]
    lines += [f"  {name:<{width}}  {what}" for name, what in FIELDS]
    return "\n".join(lines)


def template_bytes(template: Path | None, field: str = "--template") -> tuple[bytes, str]:
    if template is None:
        from .convention_template import build_default_template

        return build_default_template(), "modèle par défaut"
    try:
        return Path(template).read_bytes(), str(template)
    except OSError as exc:
        raise ValidationFailed(FieldError(field, f"modèle illisible « {template} » : {exc.strerror}")) from None


def _environment(unknown: set[str]):
    """A jinja environment whose unknown fields are added to `unknown` (see `Renderer`)."""
    return Renderer(unknown).env


class Renderer:
    """One jinja environment for every document of a run: docxtpl hands it the same XML for
    each placement, compiled once here (compiling was half the time of a document), while
    the fields unknown to each document are recorded in the set given for it."""

    def __init__(self, unknown: set[str] | None = None) -> None:
        from jinja2 import Environment, Undefined

        holder = self
        self.unknown: set[str] = unknown if unknown is not None else set()

        class Recording(Undefined):
            """An unknown field: remembered by its full name, rendered empty."""

            __slots__ = ()

            def __init__(self, hint=None, obj=None, name=None, exc=None):  # noqa: ANN001
                super().__init__(hint, obj, name, exc)
                if name is not None:
                    base = getattr(obj, "path", None)
                    holder.unknown.add(f"{base}.{name}" if base else str(name))

        compiled: dict[str, Any] = {}

        class Compiling(Environment):
            def from_string(self, source, globals=None, template_class=None):  # noqa: ANN001, A002
                if globals is not None or template_class is not None or not isinstance(source, str):
                    return super().from_string(source, globals, template_class)
                found = compiled.get(source)
                if found is None:
                    found = compiled[source] = super().from_string(source)
                return found

        self.env = Compiling(undefined=Recording, autoescape=True)


def _open_template(blob: bytes, source: str):
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(io.BytesIO(blob))
        tpl.init_docx()
    except Exception as exc:  # noqa: BLE001 - not a DOCX: a bad input, named
        raise ValidationFailed(FieldError("--template", f"« {source} » n'est pas un document Word (.docx) lisible : {exc}")) from None
    return tpl


def check_template(blob: bytes, source: str, sample: Fields | None = None) -> None:
    """Refuse a template naming a field pfmp does not have (before anything is written)."""
    from jinja2 import TemplateSyntaxError

    tpl = _open_template(blob, source)
    unknown: set[str] = set()
    env = _environment(unknown)
    try:
        top = tpl.get_undeclared_template_variables(env)
    except TemplateSyntaxError as exc:
        raise ValidationFailed(FieldError(source, f"modèle invalide : {exc.message} (ligne {exc.lineno} du XML)")) from None
    known_top = {name.split(".")[0].split("[")[0] for name in FIELD_NAMES}
    bad = sorted(top - known_top)
    if bad:
        raise ValidationFailed([FieldError(source, f"champ inconnu « {name} » (pfmp paper convention --fields "
                                                   "donne la liste)") for name in bad])


def _render(blob: bytes, source: str, context: Fields, renderer: Renderer | None = None) -> tuple[bytes, set[str]]:
    from jinja2 import TemplateError

    tpl = _open_template(blob, source)
    unknown: set[str] = set()
    renderer = renderer or Renderer()
    renderer.unknown = unknown
    try:
        tpl.render(context, jinja_env=renderer.env, autoescape=True)
    except TemplateError as exc:
        raise ValidationFailed(FieldError(source, f"modèle invalide : {exc}")) from None
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue(), unknown


def placements_to_fill(data: Dataset, placement_id: str | None, period_id: str | None) -> list[Placement]:
    if (placement_id is None) == (period_id is None):
        raise ValidationFailed(FieldError("PLACEMENT", "donnez un stage ou --period, pas les deux"))
    if placement_id is not None:
        found = [p for p in data.placements if p.id == placement_id]
        if not found:
            raise ValidationFailed(FieldError("PLACEMENT", f"stage « {placement_id} » introuvable"))
        return found
    if not any(p.id == period_id for p in data.periods):
        raise ValidationFailed(FieldError("--period", f"période « {period_id} » introuvable"))
    students = {s.id: s for s in data.students}
    found = [p for p in data.placements if p.period_id == period_id]
    if not found:
        raise ValidationFailed(FieldError("--period", f"aucun stage dans la période « {period_id} »"))
    return sorted(found, key=lambda p: (students[p.student_id].last_name.casefold(),
                                        students[p.student_id].first_name.casefold(), p.id))


def _file_stem(data: Dataset, p: Placement) -> str:
    student = next(s for s in data.students if s.id == p.student_id)
    name = slug(f"{student.last_name.upper()} {student.first_name}", lower=False, max_len=40) or "eleve"
    return f"convention_{name}_{slug(p.id, lower=False, max_len=40, fallback='stage')}"


def generate(repo: Repository, settings: Settings, *, placement_id: str | None = None, period_id: str | None = None,
             template: Path | None = None, out_dir: Path = Path("exports"), today: date | None = None,
             on_progress: Callable[[int, int], None] | None = None) -> list[Generated]:
    """Fill the template for one placement or a whole period; returns what was written.

    `on_progress(done, total)` is called after each document is filled (a worker shows it)."""
    today = today or date.today()
    snap = repo.snapshot()
    data = snap.data
    targets = placements_to_fill(data, placement_id, period_id)
    # The model named (--template), else the school's (settings « [conventions] template »,
    # what the TUI uses), else pfmp's default one.
    if template is not None:
        blob, source = template_bytes(template)
    else:
        blob, source = template_bytes(settings.convention_template, f"{settings.path or 'pfmp.toml'} : conventions.template")
    check_template(blob, source)
    school = school_info(settings)
    students = {s.id: s for s in data.students}

    rendered: list[tuple[Placement, bytes, tuple[str, ...]]] = []
    unknown: set[str] = set()
    renderer = Renderer()
    for p in targets:
        context = convention_context(data, p, school, teacher_info(settings, p.teacher), today)
        docx, missing = _render(blob, source, context, renderer)
        unknown |= missing
        warnings = tuple(e.message for e in minor_hours_errors(students[p.student_id], p, p.terms))
        rendered.append((p, docx, warnings))
        if on_progress is not None:
            on_progress(len(rendered), len(targets))
    if unknown:
        raise ValidationFailed([FieldError(source, f"champ inconnu « {name} » (pfmp paper convention --fields "
                                                   "donne la liste)") for name in sorted(unknown)])

    out_dir = Path(out_dir)
    written: list[Generated] = []
    for p, docx, warnings in rendered:
        path = unique_path(out_dir, _file_stem(data, p), ".docx")
        write_private(path, docx)
        written.append(Generated(p.id, path, warnings))
    _mark_generated(repo, snap, [p for p, _, _ in rendered], today)
    return written


def _mark_generated(repo: Repository, snap: Any, placements: list[Placement], today: date) -> None:
    changed = Dataset()
    revs: dict[tuple[str, str], int] = {}
    for p in placements:
        conv = p.convention
        new = replace(conv, generated_on=today, status="draft" if conv.status == "none" else conv.status)
        if new != conv:
            changed.placements.append(replace(p, convention=new))
            revs[("placements", p.id)] = snap.rev("placements", p.id)
    if changed.placements:
        repo.upsert_all(changed, revs)
