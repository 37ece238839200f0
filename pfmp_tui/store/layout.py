"""Where each kind of record lives in the store.

``core`` holds cohorts, organisations and tutors; the shards of a cohort hold its
students, periods, placements, assessment sheets (all the levels of one placement
in one document), work certificates and contracts.
"""

from __future__ import annotations

from ..domain.kinds import LABELS, PLURALS

CORE_KINDS = ("cohorts", "organisations", "tutors")
COHORT_KINDS = ("students", "periods", "placements", "work_certificates", "contracts")
STUDENT_KINDS = ("placements", "work_certificates", "contracts")  # records that follow their student
SHEETS = "assessment_sheets"
SHEET_KINDS = ("assessments", "appreciations")  # kept in their placement's sheet

# French words of each kind (domain/kinds.py), under the names services already use.
KIND_LABELS = LABELS
KIND_PLURALS = PLURALS
