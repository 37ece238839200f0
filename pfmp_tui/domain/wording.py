"""French that agrees: « 1 élève », « 2 élèves », « 0 stage », « cohorte créée » (pure).

French puts 0 and 1 in the singular. Record kinds have a grammatical gender (« une
cohorte », « un stage »), so past participles agree with the kind they speak of, never
« créé(e) ».
"""

from __future__ import annotations

# Record kinds whose French word is feminine (the others are masculine).
FEMININE_KINDS = frozenset({"cohorts", "organisations", "periods", "assessments", "appreciations"})


def plural(n: int, one: str, many: str | None = None) -> str:
    """The word for `n` things: singular for 0 and 1, as French does."""
    return one if abs(n) < 2 else (many if many is not None else one + "s")


def count(n: int, one: str, many: str | None = None) -> str:
    """« 1 élève », « 0 stage », « 3 organisations », « 2 tuteurs »."""
    return f"{n} {plural(n, one, many)}"


def agree(participle: str, *, feminine: bool = False, n: int = 1) -> str:
    """« créé » → « créée », « créés », « créées »; « supprimé » likewise."""
    return participle + ("e" if feminine else "") + ("s" if abs(n) >= 2 else "")


def agree_kind(participle: str, kind: str, n: int = 1) -> str:
    """The participle agreeing with a record kind: agree_kind("créé", "cohorts") → « créée »."""
    return agree(participle, feminine=kind in FEMININE_KINDS, n=n)


def capitalised(text: str) -> str:
    """First letter up, the rest as written (« stage (PFMP) » → « Stage (PFMP) », not « (pfmp) »)."""
    return text[:1].upper() + text[1:]


def cohort_name(cohort, fallback: str = "") -> str:
    """« Tle AGOrA 2027 »: the label with its session, unless the label already says it (the
    same name on the screen, in the CLI and in every export)."""
    if cohort is None:
        return fallback
    session = str(cohort.exam_session)
    return cohort.label if session in cohort.label else f"{cohort.label} {session}"
