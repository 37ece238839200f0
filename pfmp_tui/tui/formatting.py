"""Short texts several screens write the same way: a placement's dates, a bloc's heading, a cut label."""

from __future__ import annotations

from ..domain.model import Placement
from ..domain.validation import format_date_fr

# Theme variable of each level of mastery (1 to 4) in the grids and the progress.
LEVEL_STYLES = {1: "text-error", 2: "text-warning", 3: "text-success", 4: "text-success"}


def placement_dates(p: Placement) -> str:
    """« du 05/01/2026 au 23/01/2026 »."""
    return f"du {format_date_fr(p.start)} au {format_date_fr(p.end)}"


def short_dates(p: Placement) -> str:
    """« 05/01/26→23/01/26 » (a placement, a period or a proposal: anything with start and end)."""
    return f"{p.start:%d/%m/%y}→{p.end:%d/%m/%y}"


def bloc_heading(bloc) -> str:
    """« Bloc 1 · … (U31, …) »: a bloc of competences of the référentiel."""
    return f"Bloc {bloc.number} · {bloc.label} ({bloc.unit}, {bloc.exam})"


def fit(text: str, width: int) -> str:
    """`text` cut to `width` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
