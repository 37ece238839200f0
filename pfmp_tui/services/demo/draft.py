"""The demo school while it is being built: one random generator, one day, the records so far.

Every builder module takes this draft and draws from `draft.rng` in a fixed order, so the same
seed and the same day give the same school.
"""

from __future__ import annotations

import random
from datetime import date

from ...domain.model import Dataset, Organisation, Tutor
from .names import TEACHERS, login


class SchoolDraft:
    """The state the builder modules share; `rng` is the only source of chance."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.data = Dataset()
        self.ines: set[str] = set()
        self.emails: set[str] = set()
        self.domestic: list[Organisation] = []
        self.abroad: Organisation | None = None
        self.tutors_of: dict[str, list[Tutor]] = {}
        self.teachers = [login(f, l) for f, l in TEACHERS]
