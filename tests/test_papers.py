"""PDF papers (R11 attestation de PFMP, R12 document de liaison): their text, read back with pypdf."""

from __future__ import annotations

import re
import stat
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from pfmp_tui.domain.competences import BLOCS, COMPETENCES, LEVELS
from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.model import (
    Assessment,
    Attestation,
    Cohort,
    Convention,
    Dataset,
    Organisation,
    Period,
    Placement,
    Student,
    Tutor,
)
from pfmp_tui.services.papers import FONT_DIR, attestation_pdf, default_paper_path, liaison_pdf, make_paper
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store

D = date
SCHOOL = "Lycée Jean-Baptiste Say — Paris"
ORG = "Société d'Études Œnologiques"


@pytest.fixture
def data(tmp_path: Path) -> Dataset:
    repo = Repository(Store(tmp_path / "db" / "pfmp.json"))
    repo.add_all(Dataset(
        cohorts=[Cohort("c1", "Tle AGOrA B", 2027, D(2027, 5, 15))],
        students=[Student("s1", "Bœuf", "Chloé", "c1", ine="1234567890A", birth_date=D(2009, 3, 2))],
        organisations=[Organisation("o1", ORG, "21690123100011", "3 rue de l'Œuvre", "69001", "Lyon")],
        tutors=[Tutor("t1", "o1", "Lefèvre", "Anaïs", "a.lefevre@oeno.fr", "04 72 10 30 30", "Chargée de clientèle")],
        periods=[Period("pe1", "c1", "PFMP 1", D(2025, 11, 3), D(2025, 11, 28))],
        placements=[
            Placement("p1", "s1", "o1", D(2025, 11, 3), D(2025, 11, 28), "pe1", "t1", "mdurand",
                      Convention("signed", D(2025, 10, 1)), Attestation(D(2025, 12, 1), True, 19, "Accueil, courriers")),
            Placement("p2", "s1", "o1", D(2026, 3, 2), D(2026, 3, 27), None, "t1", "mdurand"),
        ],
        assessments=[
            Assessment("a1", "p1", "1.1.1", 2, "tutor", D(2025, 11, 28), "Bon début, à consolider"),
            Assessment("a2", "p2", "1.1.1", 4, "tutor", D(2026, 3, 27)),
            Assessment("a3", "p2", "3.3.4", 3, "tutor", D(2026, 3, 27)),
        ],
    ))
    return repo.dataset()


@pytest.fixture(autouse=True)
def private_mode(monkeypatch):
    monkeypatch.delenv("PFMP_SHARED_GROUP", raising=False)


def text_of(path: Path) -> str:
    """The PDF's text, whitespace collapsed (table cells and long lines wrap)."""
    reader = PdfReader(path)
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_attestation_is_prefilled_for_the_tutor(data, tmp_path):
    student = data.students[0]
    out = default_paper_path(tmp_path / "exports", "attestation", student, data.placements[0])
    assert out.name == "attestation_BOEUF-Chloe_p1.pdf"
    assert attestation_pdf(data, "p1", SCHOOL, out) == out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # personal data
    text = text_of(out)
    for expected in (
        "Attestation de PFMP", SCHOOL, "BŒUF", "Chloé", "02/03/2009", "1234567890A", "Tle AGOrA B",
        ORG, "21690123100011", "3 rue de l'Œuvre, 69001 Lyon",
        "Anaïs Lefèvre", "Chargée de clientèle", "a.lefevre@oeno.fr",
        "du 03/11/2025 au 28/11/2025", "20 jours ouvrés (4 sem.)", "19 jours (3 sem. 4 j)",
        "Accueil, courriers", "mdurand",
        "Le tuteur ou la tutrice", "Cachet de l'organisation d'accueil", "Le chef d'établissement",
        "annexe III, II.1 (R11)",
    ):
        assert expected in text, expected
    # The fonts are embedded (core fonts have no « œ »).
    fonts = PdfReader(out).pages[0]["/Resources"]["/Font"]
    assert any("DejaVu" in str(f.get_object()["/BaseFont"]) for f in fonts.values())


def test_attestation_of_a_placement_without_attestation_leaves_blanks(data, tmp_path):
    out = attestation_pdf(data, "p2", "", tmp_path / "exports" / "a.pdf")
    text = text_of(out)
    assert "du 02/03/2026 au 27/03/2026" in text
    assert "jours, soit" in text  # the weeks done are left for the tutor
    assert "Établissement : …" in text  # no school name given: a blank to fill
    assert "Accueil, courriers" not in text


def test_liaison_lists_placements_and_assessments_per_period(data, tmp_path):
    out = default_paper_path(tmp_path / "exports", "liaison", data.students[0])
    assert out.name == "liaison_BOEUF-Chloe.pdf"
    liaison_pdf(data, "s1", SCHOOL, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = text_of(out)
    for expected in (
        "Document de liaison", "BŒUF", "Chloé", "02/03/2009", ORG, "Anaïs Lefèvre",
        "03/11/2025 au 28/11/2025", "02/03/2026 au 27/03/2026",
        "signée le 01/10/2025", "reçue le 01/12/2025, signée, 3 sem. 4 j", "non reçue",
        "P1 · 1.1.1 Identifier les caractéristiques de la demande : Bon début, à consolider (tuteur, 28/11/2025)",
    ):
        assert expected in text, expected
    for level in (1, 2, 3, 4, None):  # the legend
        assert LEVELS[level] in text
    for bloc in BLOCS:
        assert f"Bloc {bloc.number} — {bloc.label}" in text
        for act in bloc.activities:
            assert f"{act.code} {act.label}" in text
    for comp in COMPETENCES:  # all 37, each with its label
        assert f"{comp.code} {comp.label}" in text, comp.code
    # One column per period, the latest level of each.
    assert "1.1.1 Identifier les caractéristiques de la demande ECA M" in text
    assert re.search(r"3\.3\.4 Rédiger des écrits professionnels en lien avec l'activité sociale de l'organisation A\b", text)
    assert "Bloc 1 — Gérer des relations avec les clients, les usagers et les adhérents : 1 compétence évaluée sur 12, dont 1 acquise ou maîtrisée" in text
    assert "Bloc 2 — Organiser et suivre l'activité de production : 0 compétence évaluée sur 13" in text


def test_default_paths_never_overwrite_and_unknown_records_write_nothing(data, tmp_path):
    exports = tmp_path / "exports"
    first = default_paper_path(exports, "attestation", data.students[0], data.placements[0])
    attestation_pdf(data, "p1", SCHOOL, first)
    second = default_paper_path(exports, "attestation", data.students[0], data.placements[0])
    assert second.name == "attestation_BOEUF-Chloe_p1-2.pdf"
    with pytest.raises(ValueError):
        default_paper_path(exports, "bulletin", data.students[0])
    with pytest.raises(ValidationFailed):
        attestation_pdf(data, "p9", SCHOOL, second)
    with pytest.raises(ValidationFailed):
        liaison_pdf(data, "s9", SCHOOL, second)
    assert sorted(p.name for p in exports.iterdir()) == [first.name]


def test_fonts_ship_with_the_package_and_their_licence():
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"):
        assert (FONT_DIR / name).is_file()
    assert FONT_DIR.parent.name == "pfmp_tui"
    assert "Bitstream" in (FONT_DIR / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")


def test_make_paper_picks_the_default_path_or_the_given_one(data, tmp_path):
    exports = tmp_path / "exports"
    first = make_paper(data, "attestation", "p2", SCHOOL, exports_dir=exports)
    assert first == exports / "attestation_BOEUF-Chloe_p2.pdf"
    liaison = make_paper(data, "liaison", "s1", SCHOOL, exports_dir=exports)
    assert liaison == exports / "liaison_BOEUF-Chloe.pdf"
    assert "Document de liaison" in text_of(liaison)
    chosen = tmp_path / "ailleurs" / "mon-attestation.pdf"
    chosen.parent.mkdir()
    chosen.write_bytes(b"old")
    assert make_paper(data, "attestation", "p1", SCHOOL, out=chosen, exports_dir=exports) == chosen
    assert "du 03/11/2025 au 28/11/2025" in text_of(chosen)  # -o replaces the file it names
    with pytest.raises(ValidationFailed):
        make_paper(data, "bulletin", "s1", SCHOOL, exports_dir=exports)
    with pytest.raises(ValidationFailed):
        make_paper(data, "liaison", "p1", SCHOOL, exports_dir=exports)
    assert sorted(p.name for p in exports.iterdir()) == [first.name, liaison.name]
