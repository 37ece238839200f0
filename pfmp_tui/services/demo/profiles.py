"""Who the demo's learners are: the periods each profile is placed in, the defects planted on purpose."""

from __future__ import annotations

# Periods each profile is placed in (cohort periods by number).
PROFILE_PERIODS = {
    "regular": (1, 2, 3, 4, 5, 6),
    "cycle2": (3, 4, 5, 6),  # joined in 1re (from a 2nde générale or a CAP): 16 weeks, R2
    "positioned": (3, 4, 5, 6),  # positionné by the Recteur, joined in 1re: 10 weeks required, R3
    "derogation": (1, 2, 3, 5, 6),  # missed period 4: 18 weeks by dérogation
    "fpc_positioned": (5, 6),  # 8 weeks, R4
}

# Special profiles per cohort, most important first (a small cohort keeps the first ones).
# (kind, issue): issue is a defect planted on purpose, None for a clean record.
SPECIALS = {
    "tle": (
        ("regular", "missing_old"),  # R11: an attestation of 1re never came back → à risque
        ("apprentice", None),  # R7 with contract → valide
        ("perf_part_time", None),  # R6 → valide
        ("fpc", None),  # R5
        ("experience", None),  # R8, 3 years and more → valide
        ("apprentice_no_contract", None),  # R7 → à risque
        ("experience_short", None),  # R8 short → à risque
        ("derogation", None),
        ("positioned", None),  # R3
        ("fpc_positioned", None),  # R4
        ("perf_full_time", None),  # R6
        ("cycle2", None),  # R2
        ("regular", "short_old"),  # absences: the plan falls short → à risque
        ("regular", "unsigned_old"),  # R11 unsigned → à risque
        ("regular", "abroad"),  # R15, period 4 in Spain
        ("regular", "no_convention"),  # R10 warning
        ("cycle2", None),
    ),
    "1re": (
        ("regular", "unsigned_old"),
        ("cycle2", None),
        ("apprentice", None),
        ("regular", "late_convention"),
        ("cycle2", None),
        ("regular", "abroad"),  # planned: period 4 in Spain
        ("regular", "missing_old"),
    ),
    "2nde": (
        ("apprentice", None),
    ),
    # Session passed: the first ones are « non valide » (R14), the others valide.
    "prev": (
        ("regular", "missing_old"),  # R11
        ("regular", "short_all"),  # R1 WEEKS_SHORT
        ("perf_short", None),  # R6
    ),
}
ADULT_KINDS = frozenset({"fpc", "fpc_positioned", "perf_part_time", "perf_full_time", "perf_short",
                         "experience", "experience_short"})
