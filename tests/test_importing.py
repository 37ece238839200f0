"""Issue 7: learners from SIECLE, organisations from a spreadsheet, all or nothing.

The files under tests/data/siecle/ look like the real exports: the SIECLE XML in
ISO-8859-15 with CRLF (zipped here, as schools receive it), with a learner who left
(DATE_SORTIE) and one of another division; the « liste des élèves par division » CSV
in cp1252 with no BOM and « Œ » in names (not in Latin-1, in cp1252); an organisation
CSV in cp1252 with `,`. The XLSX of organisations is built here with openpyxl.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import store_bytes
from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.model import Cohort, Dataset, Organisation, Student, Tutor
from pfmp_tui.domain.siecle import map_organisation_headers, parse_students_xml, split_person
from pfmp_tui.services import importing
from pfmp_tui.services.importing import (
    apply_import,
    decode_text,
    import_organisations,
    import_students,
    preview_organisations,
    preview_students,
)
from pfmp_tui.store.repository import ConflictError, Repository

DATA = Path(__file__).parent / "data" / "siecle"
XML_FILE = DATA / "ExportXML_ElevesSansAdresses.xml"
CSV_FILE = DATA / "liste_eleves_2AGORA1.csv"
BAD_CSV = DATA / "liste_eleves_erreurs.csv"
ORG_CSV = DATA / "organisations_latin1.csv"

SIRET_LYON = "21690123100011"
SIRET_A = "44201900000011"
SIRET_B = "35628900000016"


@pytest.fixture
def school(repo: Repository) -> Repository:
    repo.add_all(Dataset(cohorts=[
        Cohort("c2026", "2nde AGOrA 2026", 2028, date(2028, 5, 15), "A"),
        Cohort("c2025", "1re AGOrA 2025", 2027, date(2027, 5, 15), "A"),
    ]))
    return repo


@pytest.fixture
def zipped_xml(tmp_path: Path) -> Path:
    """The XML inside its zip, as SIECLE delivers it."""
    path = tmp_path / "ExportXML_ElevesSansAdresses.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(XML_FILE, "ExportXML_ElevesSansAdresses.xml")
    return path


def students_of(repo: Repository, cohort_id: str | None = None) -> list[Student]:
    return sorted((s for s in repo.dataset().students if cohort_id is None or s.cohort_id == cohort_id),
                  key=lambda s: s.last_name)


def read_report(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8")), delimiter=";"))


# -- the files look like the real ones --------------------------------------------------------
def test_fixtures_are_in_the_real_encodings():
    raw = CSV_FILE.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    with pytest.raises(UnicodeEncodeError):
        "Œ".encode("latin-1")  # why cp1252 is needed for Latin-1-looking files
    assert "CŒURDACIER" in raw.decode("cp1252")
    xml = XML_FILE.read_bytes()
    assert xml.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>')
    assert "CŒURDACIER".encode("iso-8859-15") in xml


@pytest.mark.parametrize("encoding, bom", [("cp1252", b""), ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                           ("utf-16-le", b"\xff\xfe")])
def test_decode_text_in_every_encoding_schools_have(encoding, bom):
    text = "NOM;PRENOM\r\nCŒURDACIER;Zoé\r\n"
    assert decode_text(bom + text.encode(encoding), "f.csv") == text


# -- SIECLE CSV -----------------------------------------------------------------------------------
def test_latin1_csv_imports_a_division(school: Repository, tmp_path: Path):
    report = import_students(school, CSV_FILE, "c2026", division="2agora1", exports_dir=tmp_path / "exports")
    assert report.written
    assert report.counts() == {"created": 4, "updated": 0, "unchanged": 0, "skipped": 1, "rejected": 0}
    assert [(s.line, s.label) for s in report.skipped] == [(6, "BERNARD Chloé")]
    assert "autre division « 2AGORA2 »" in report.skipped[0].reason
    stored = students_of(school)
    assert [(s.last_name, s.first_name, s.birth_date, s.ine) for s in stored] == [
        ("CŒURDACIER", "Zoé", date(2009, 3, 2), "1234567890A"),
        ("DUPRÉ-LŒW", "Anaïs", date(2009, 8, 21), "5678901234E"),
        ("LEFÈVRE", "Noël", date(2008, 11, 17), "2345678901B"),
        ("N'DIAYE", "Aïssata", date(2009, 1, 5), None),
    ]
    for s in stored:
        assert s.id.startswith("stu-") and len(s.id) > 4
        assert (s.cohort_id, s.voie, s.cycle_years, s.positioned) == ("c2026", "scolaire", 3, False)
    assert not (tmp_path / "exports").exists()  # no rejected row: no report


def test_without_division_every_learner_is_imported(school: Repository):
    report = import_students(school, CSV_FILE, "c2026")
    assert report.counts()["created"] == 5 and not report.skipped


def test_reimporting_the_same_csv_changes_nothing(school: Repository):
    import_students(school, CSV_FILE, "c2026", division="2AGORA1")
    before = {s.id: s for s in students_of(school)}
    report = import_students(school, CSV_FILE, "c2026", division="2AGORA1")
    assert report.counts() == {"created": 0, "updated": 0, "unchanged": 4, "skipped": 1, "rejected": 0}
    assert {s.id: s for s in students_of(school)} == before


def test_reimport_updates_what_changed_and_matches_without_ine(school: Repository, tmp_path: Path):
    import_students(school, CSV_FILE, "c2026", division="2AGORA1")
    ids = {s.last_name: s.id for s in students_of(school)}
    # Next export: LEFÈVRE's birth date corrected (same INE), N'DIAYE got an INE (matched on
    # name + birth date, written in other case and without accents), ZOÉ's name re-cased only.
    text = CSV_FILE.read_bytes().decode("cp1252")
    text = text.replace("17/11/2008", "18/11/2008")
    text = text.replace("N'DIAYE;Aïssata;F;05/01/2009;2NDPRO AGORA;2AGORA1;EXTERN;",
                        "n'diaye;AISSATA;F;05/01/2009;2NDPRO AGORA;2AGORA1;EXTERN;7890123456G")
    text = text.replace("CŒURDACIER;Zoé", "Cœurdacier;ZOÉ")
    changed = tmp_path / "liste.csv"
    changed.write_bytes(text.encode("cp1252"))
    report = import_students(school, changed, "c2026", division="2AGORA1")
    assert report.counts()["created"] == 0
    updated = {c.record.id: c for c in report.updated}
    assert set(updated) == {ids["LEFÈVRE"], ids["N'DIAYE"]}
    assert updated[ids["LEFÈVRE"]].fields == ("birth_date",)
    assert updated[ids["LEFÈVRE"]].differences() == [("date de naissance", "17/11/2008", "18/11/2008")]
    assert updated[ids["N'DIAYE"]].fields == ("ine",)
    stored = {s.id: s for s in students_of(school)}
    assert len(stored) == 4
    assert stored[ids["LEFÈVRE"]].birth_date == date(2008, 11, 18)
    assert stored[ids["N'DIAYE"]].ine == "7890123456G"
    assert stored[ids["N'DIAYE"]].last_name == "N'DIAYE"  # same name folded: the stored spelling stays
    assert stored[ids["CŒURDACIER"]].first_name == "Zoé"


def test_an_edited_learner_keeps_what_siecle_does_not_know(school: Repository):
    import_students(school, CSV_FILE, "c2026", division="2AGORA1")
    zoe = next(s for s in students_of(school) if s.ine == "1234567890A")
    _, rev = school.get("students", zoe.id)
    school.update("students", replace(zoe, voie="fpc", email="zoe@example.fr", cycle_years=2), rev)
    report = import_students(school, CSV_FILE, "c2026", division="2AGORA1")
    assert report.counts()["unchanged"] == 4
    zoe_after, _ = school.get("students", zoe.id)
    assert (zoe_after.voie, zoe_after.email, zoe_after.cycle_years) == ("fpc", "zoe@example.fr", 2)


def test_a_learner_of_another_cohort_moves_to_the_imported_one(school: Repository):
    school.add_all(Dataset(students=[Student("s-old", "LEFEVRE", "Noel", "c2025", ine="2345678901B",
                                             birth_date=date(2008, 11, 17))]))
    report = import_students(school, CSV_FILE, "c2026", division="2AGORA1")
    moved = [c for c in report.updated if c.record.id == "s-old"]
    assert moved and moved[0].fields == ("cohort_id",)
    assert school.get("students", "s-old")[0].cohort_id == "c2026"
    assert len(students_of(school)) == 4


def test_two_stored_learners_with_the_same_name_and_birth_date_are_not_guessed(school: Repository):
    twins = [Student(f"s{i}", "N'Diaye", "Aïssata", "c2026", birth_date=date(2009, 1, 5)) for i in (1, 2)]
    school.add_all(Dataset(students=twins))
    report = preview_students(school, CSV_FILE, "c2026", division="2AGORA1")
    assert [(e.line, e.column) for e in report.rejected] == [(4, "NOM")]
    assert "s1, s2" in report.rejected[0].reason


def test_unknown_cohort_is_refused(school: Repository):
    with pytest.raises(ValidationFailed) as exc:
        import_students(school, CSV_FILE, "nope")
    assert [e.path for e in exc.value.errors] == ["--cohort"]


# -- SIECLE XML ------------------------------------------------------------------------------------
def test_zipped_xml_skips_the_learner_who_left_and_other_divisions(school: Repository, zipped_xml: Path):
    report = import_students(school, zipped_xml, "c2026", division="2AGORA1")
    assert report.source.endswith(":ExportXML_ElevesSansAdresses.xml")
    assert report.counts() == {"created": 3, "updated": 0, "unchanged": 0, "skipped": 2, "rejected": 0}
    reasons = {s.label: s.reason for s in report.skipped}
    assert reasons == {
        "MARTIN Léo": "sortie de l'établissement le 15/10/2025",
        "BERNARD Chloé": "autre division « 2AGORA2 »",
    }
    assert [(s.last_name, s.first_name, s.ine) for s in students_of(school)] == [
        ("CŒURDACIER", "Zoé", "1234567890A"),
        ("LEFÈVRE", "Noël", "2345678901B"),
        ("N'DIAYE", "Aïssata", None),
    ]


def test_the_learner_who_left_is_skipped_even_without_a_division_filter(school: Repository, zipped_xml: Path):
    report = preview_students(school, zipped_xml, "c2026")
    assert [s.label for s in report.skipped] == ["MARTIN Léo"]
    assert report.counts()["created"] == 4


def test_xml_then_csv_match_instead_of_duplicating(school: Repository, zipped_xml: Path):
    import_students(school, zipped_xml, "c2026", division="2AGORA1")
    again = import_students(school, zipped_xml, "c2026", division="2AGORA1")
    assert again.counts()["unchanged"] == 3 and not again.created
    report = import_students(school, CSV_FILE, "c2026", division="2AGORA1")
    # Three known (by INE, and N'DIAYE by name + birth date), one new (DUPRÉ-LŒW).
    assert report.counts()["created"] == 1 and report.counts()["unchanged"] == 3
    assert len(students_of(school)) == 4


def _xml_line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_bad_xml_rows_name_the_line_of_their_element(school: Repository, tmp_path: Path):
    text = XML_FILE.read_bytes().decode("iso-8859-15")
    text = text.replace("<DATE_NAISS>17/11/2008</DATE_NAISS>", "<DATE_NAISS>31/02/2008</DATE_NAISS>")
    text = text.replace("<ID_NATIONAL>1234567890A</ID_NATIONAL>", "<ID_NATIONAL>ABC</ID_NATIONAL>")
    bad = tmp_path / "ExportXML_ElevesSansAdresses.xml"
    bad.write_bytes(text.encode("iso-8859-15"))
    before = store_bytes(school.store.path.parent)
    with pytest.raises(ValidationFailed) as exc:
        import_students(school, bad, "c2026", division="2AGORA1")
    assert [e.path for e in exc.value.errors] == [
        f"ligne {_xml_line(text, '<ID_NATIONAL>ABC')}, ID_NATIONAL",
        f"ligne {_xml_line(text, '31/02/2008')}, DATE_NAISS",
    ]
    assert "date invalide « 31/02/2008 »" in exc.value.errors[1].message
    assert store_bytes(school.store.path.parent) == before


def test_xml_with_a_doctype_is_refused_before_any_entity_expands():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE BEE_ELEVES [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><BEE_ELEVES>&b;</BEE_ELEVES>')
    with pytest.raises(ValidationFailed) as exc:
        parse_students_xml(bomb)
    assert "DOCTYPE" in exc.value.errors[0].message


def test_broken_xml_and_other_xml_are_refused_in_french(tmp_path: Path, school: Repository):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b'<?xml version="1.0"?>\n<BEE_ELEVES>\n<DONNEES>\n</BEE_ELEVES>\n')
    with pytest.raises(ValidationFailed) as exc:
        preview_students(school, broken, "c2026")
    assert (exc.value.errors[0].path, exc.value.errors[0].message) == (
        "ligne 4", "XML invalide : balise fermante qui ne correspond pas (colonne 3)")
    other = tmp_path / "other.xml"
    other.write_bytes(b'<?xml version="1.0"?><STS_EDT><DONNEES/></STS_EDT>')
    with pytest.raises(ValidationFailed) as exc:
        preview_students(school, other, "c2026")
    assert "pas un export SIECLE" in exc.value.errors[0].message


def test_zip_without_an_export_is_refused(tmp_path: Path, school: Repository):
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    with pytest.raises(ValidationFailed) as exc:
        preview_students(school, path, "c2026")
    assert "aucun fichier XML ou CSV" in exc.value.errors[0].message
    assert "photo.jpg" in exc.value.errors[0].message


# -- all or nothing -------------------------------------------------------------------------------
def test_a_bad_file_leaves_the_store_byte_identical(school: Repository, tmp_path: Path):
    import_students(school, CSV_FILE, "c2026", division="2AGORA1")
    before = store_bytes(school.store.path.parent)
    with pytest.raises(ValidationFailed) as exc:
        import_students(school, BAD_CSV, "c2026", exports_dir=tmp_path / "exports")
    assert [e.path for e in exc.value.errors] == ["ligne 3, NE(E) LE", "ligne 4, INE", "ligne 5, NOM"]
    messages = [e.message for e in exc.value.errors]
    assert messages[0] == "date invalide « 31/02/2008 »"
    assert messages[1].startswith("INE invalide « 12345 »")
    assert messages[2] == "nom manquant"
    assert store_bytes(school.store.path.parent) == before
    assert not (tmp_path / "exports").exists()


def test_keep_good_imports_the_good_rows_and_reports_the_others(school: Repository, tmp_path: Path):
    exports = tmp_path / "exports"
    report = import_students(school, BAD_CSV, "c2026", keep_good=True, exports_dir=exports)
    assert report.written
    assert [s.last_name for s in students_of(school)] == ["CŒURDACIER", "GARNIER"]
    assert report.rejected_lines == [3, 4, 5]
    assert report.report_path is not None and report.report_path.parent == exports
    assert report.report_path.name.startswith("import-eleves-rejets_")
    assert stat.S_IMODE(os.stat(report.report_path).st_mode) == 0o600
    rows = read_report(report.report_path)
    assert rows[0] == ["ligne", "colonne", "motif", "NOM", "PRENOM", "SEXE", "NE(E) LE", "MEF", "DIV.", "REGIME", "INE"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("3", "NE(E) LE"), ("4", "INE"), ("5", "NOM")]
    assert rows[1][3:5] == ["LEFÈVRE", "Noël"] and rows[1][6] == "31/02/2008"
    assert rows[3][3:5] == ["", "Anaïs"]
    assert "3 lignes rejetées" in report.summary() and str(report.report_path) in report.summary()
    # A second run never overwrites the first report.
    second = import_students(school, BAD_CSV, "c2026", keep_good=True, exports_dir=exports)
    assert second.report_path != report.report_path and report.report_path.exists()
    assert second.counts()["unchanged"] == 2


def test_the_report_neutralises_formulas(school: Repository, tmp_path: Path):
    path = tmp_path / "liste.csv"
    path.write_text("NOM;PRENOM;NE(E) LE\n=HYPERLINK(\"x\");Zoé;99/99/2009\n", encoding="utf-8")
    report = import_students(school, path, "c2026", keep_good=True, exports_dir=tmp_path / "exports")
    rows = read_report(report.report_path)
    assert rows[1][3] == "'=HYPERLINK(\"x\")"


def test_preview_writes_nothing_and_apply_writes_exactly_it(school: Repository, tmp_path: Path, zipped_xml: Path):
    before = store_bytes(school.store.path.parent)
    preview = preview_students(school, zipped_xml, "c2026", division="2AGORA1")
    assert store_bytes(school.store.path.parent) == before and not preview.written
    done = apply_import(school, preview)
    assert done.written
    assert {s.id for s in students_of(school)} == {c.record.id for c in preview.created}


def test_a_preview_applied_twice_or_after_a_concurrent_edit_is_refused(school: Repository, zipped_xml: Path):
    preview = preview_students(school, zipped_xml, "c2026", division="2AGORA1")
    apply_import(school, preview)
    after_first = store_bytes(school.store.path.parent)
    with pytest.raises(ConflictError):  # the same learners would be created twice
        apply_import(school, preview)
    assert store_bytes(school.store.path.parent) == after_first
    # A preview of an update, then someone edits that learner: the import is refused.
    text = XML_FILE.read_bytes().replace(b"17/11/2008", b"18/11/2008")
    changed = zipped_xml.with_name("export.xml")
    changed.write_bytes(text)
    update = preview_students(school, changed, "c2026", division="2AGORA1")
    target = update.updated[0].record
    record, rev = school.get("students", target.id)
    school.update("students", replace(record, email="x@y.fr"), rev)
    with pytest.raises(ConflictError):
        apply_import(school, update)
    assert school.get("students", target.id)[0].birth_date == date(2008, 11, 17)


def test_rejected_rows_raise_on_apply_unless_keep_good(school: Repository):
    preview = preview_students(school, BAD_CSV, "c2026")
    assert preview.counts()["rejected"] == 3 and preview.counts()["created"] == 2
    with pytest.raises(ValidationFailed):
        preview.raise_if_rejected()
    with pytest.raises(ValidationFailed):
        apply_import(school, preview)


def test_a_learner_twice_in_one_file_is_rejected(school: Repository, tmp_path: Path):
    path = tmp_path / "double.csv"
    path.write_text("NOM;PRENOM;NE(E) LE;INE\nMARTIN;Léo;30/06/2009;3456789012C\n"
                    "Martin;Leo;30/06/2009;\n", encoding="utf-8")
    report = preview_students(school, path, "c2026")
    assert [(e.line, e.column) for e in report.rejected] == [(3, "NOM")]
    assert "déjà ligne 2" in report.rejected[0].reason


def test_missing_columns_are_named(school: Repository, tmp_path: Path):
    path = tmp_path / "liste.csv"
    path.write_text("NOM;PRENOM;CLASSE\nMARTIN;Léo;2A\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        preview_students(school, path, "c2026")
    assert "date de naissance" in exc.value.errors[0].message and "« CLASSE »" in exc.value.errors[0].message
    path.write_text("Élève;Classe\nMARTIN Léo;2A\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        preview_students(school, path, "c2026")
    assert "NOM et PRENOM introuvables" in exc.value.errors[0].message


def test_students_from_a_spreadsheet_with_real_date_cells(school: Repository, tmp_path: Path):
    path = make_xlsx(tmp_path / "eleves.xlsx", [
        ["Liste des élèves de 2AGORA1"],
        ["Nom", "Prénom", "Date de naissance", "Classe", "N° INE"],
        ["CŒURDACIER", "Zoé", datetime(2009, 3, 2), "2AGORA1", "1234567890A"],
        ["GARNIER", "Théo", "09/09/2009", "2AGORA2", None],
    ])
    report = import_students(school, path, "c2026", division="2AGORA1")
    assert report.columns["birth_date"] == "Date de naissance" and report.columns["ine"] == "N° INE"
    assert [(s.last_name, s.birth_date, s.ine) for s in students_of(school)] == [
        ("CŒURDACIER", date(2009, 3, 2), "1234567890A")]
    assert [(s.line, s.label) for s in report.skipped] == [(4, "GARNIER Théo")]


def test_missing_file_is_a_french_error(school: Repository, tmp_path: Path):
    with pytest.raises(ValidationFailed) as exc:
        preview_students(school, tmp_path / "absent.csv", "c2026")
    assert exc.value.errors[0].message == "fichier introuvable"


# -- organisations ------------------------------------------------------------------------------------
def make_xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


ORG_HEADERS = ["Raison sociale", "N° SIRET", "Adresse", "CP", "Ville", "Nom du tuteur", "Prénom du tuteur",
               "Mail tuteur", "Tél. tuteur", "Fonction du tuteur", "Remarques"]


@pytest.fixture
def orgs_xlsx(tmp_path: Path) -> Path:
    return make_xlsx(tmp_path / "entreprises.xlsx", [
        ["Entreprises d'accueil 2025-2026"],  # a title row above the headers
        ORG_HEADERS,
        ["Mairie de Lyon", int(SIRET_LYON), "1 place de la Comédie", 69001, "Lyon", "PETIT", "Anne",
         "a.petit@lyon.fr", "04 72 10 30 30", "Secrétaire générale", ""],
        ["Mairie de Lyon", SIRET_LYON, None, None, None, "Durand", "Marc", "m.durand@lyon.fr", None, "DRH", "2 élèves"],
        ["MAIRIE DE LYON", SIRET_LYON, None, None, None, "Petit", "Anne", None, None, None, "déjà là"],
        ["Boulangerie Lœuvre", f"{SIRET_A[:3]} {SIRET_A[3:6]} {SIRET_A[6:9]} {SIRET_A[9:]}", "3 rue Neuve", 1000,
         "Bourg-en-Bresse", "Girard", "Élodie", None, 474000000, None, None],
        [None, None, None, None, None, None, None, None, None, None, None],
        ["Cabinet Œuvre", None, None, "75011", "Paris", None, None, None, None, None, None],
    ])


def test_xlsx_with_other_headers_and_duplicate_sirets(school: Repository, orgs_xlsx: Path):
    report = import_organisations(school, orgs_xlsx)
    assert report.columns == {
        "name": "Raison sociale", "siret": "N° SIRET", "address": "Adresse", "postcode": "CP", "city": "Ville",
        "tutor_last_name": "Nom du tuteur", "tutor_first_name": "Prénom du tuteur", "tutor_email": "Mail tuteur",
        "tutor_phone": "Tél. tuteur", "tutor_job_title": "Fonction du tuteur",
    }
    assert report.ignored_columns == ("Remarques",)
    n = report.counts()
    assert (n["created"], n["tutors_created"], n["rejected"]) == (3, 3, 0)
    data = school.dataset()
    orgs = {o.name: o for o in data.organisations}
    assert set(orgs) == {"Mairie de Lyon", "Boulangerie Lœuvre", "Cabinet Œuvre"}
    lyon = orgs["Mairie de Lyon"]
    assert (lyon.siret, lyon.address, lyon.postcode, lyon.city, lyon.country) == (
        SIRET_LYON, "1 place de la Comédie", "69001", "Lyon", "FR")
    bakery = orgs["Boulangerie Lœuvre"]
    assert (bakery.siret, bakery.postcode) == (SIRET_A, "01000")  # the zero Excel dropped is back
    tutors = sorted((t.organisation_id, t.last_name, t.first_name, t.email, t.phone, t.job_title) for t in data.tutors)
    assert tutors == sorted([
        (lyon.id, "PETIT", "Anne", "a.petit@lyon.fr", "04 72 10 30 30", "Secrétaire générale"),
        (lyon.id, "Durand", "Marc", "m.durand@lyon.fr", None, "DRH"),
        (bakery.id, "Girard", "Élodie", None, "0474000000", None),
    ])
    created_lyon = next(c for c in report.created if c.kind == "organisations" and c.record.name == "Mairie de Lyon")
    assert created_lyon.lines == (3, 4, 5)


def test_reimporting_organisations_updates_instead_of_duplicating(school: Repository, orgs_xlsx: Path,
                                                                  tmp_path: Path):
    import_organisations(school, orgs_xlsx)
    before = school.dataset()
    again = import_organisations(school, orgs_xlsx)
    n = again.counts()
    assert (n["created"], n["updated"], n["unchanged"], n["tutors_created"], n["tutors_updated"]) == (0, 0, 3, 0, 0)
    after = school.dataset()
    assert sorted(after.organisations, key=lambda o: o.id) == sorted(before.organisations, key=lambda o: o.id)
    assert sorted(after.tutors, key=lambda t: t.id) == sorted(before.tutors, key=lambda t: t.id)
    # The spreadsheet a year later: Lyon moved, Durand got a phone.
    moved = make_xlsx(tmp_path / "2027.xlsx", [
        ORG_HEADERS,
        ["Mairie de Lyon", SIRET_LYON, "2 rue du Lac", 69003, "Lyon", "Durand", "Marc", "m.durand@lyon.fr",
         "0472000000", None, None],
    ])
    report = import_organisations(school, moved)
    lyon = next(o for o in school.dataset().organisations if o.siret == SIRET_LYON)
    assert (lyon.address, lyon.postcode) == ("2 rue du Lac", "69003")
    assert [c.fields for c in report.updated] == [("address", "postcode"), ("phone",)]
    assert len(school.dataset().organisations) == 3 and len(school.dataset().tutors) == 3


def test_store_organisation_with_the_same_siret_gets_the_new_tutors(school: Repository, orgs_xlsx: Path):
    school.add_all(Dataset(
        organisations=[Organisation("o1", "Ville de Lyon", SIRET_LYON, None, "69001", "Lyon")],
        tutors=[Tutor("t1", "o1", "Petit", "Anne", "A.Petit@lyon.fr")],
    ))
    report = import_organisations(school, orgs_xlsx)
    data = school.dataset()
    assert [o.id for o in data.organisations if o.siret == SIRET_LYON] == ["o1"]
    o1 = school.get("organisations", "o1")[0]
    assert o1.name == "Mairie de Lyon" and o1.address == "1 place de la Comédie"
    lyon_tutors = sorted((t.id, t.last_name) for t in data.tutors if t.organisation_id == "o1")
    assert lyon_tutors[0] == ("t1", "Petit") and [t[1] for t in lyon_tutors[1:]] == ["Durand"]
    t1 = school.get("tutors", "t1")[0]
    assert (t1.phone, t1.job_title) == ("04 72 10 30 30", "Secrétaire générale")
    assert {c.record.id for c in report.updated} == {"o1", "t1"}


def test_latin1_organisation_csv_with_commas_and_a_full_name_tutor(school: Repository):
    report = import_organisations(school, ORG_CSV)
    assert report.columns["tutor_name"] == "Tuteur" and report.columns["tutor_email"] == "Courriel"
    data = school.dataset()
    assert sorted(o.name for o in data.organisations) == ["Boulangerie Lœuvre", "Mairie de Lyon"]
    assert sorted((t.last_name, t.first_name) for t in data.tutors) == [("Girard", "Élodie"), ("PETIT", "Anne")]
    # Without a SIRET, a second import matches on name + postcode.
    assert import_organisations(school, ORG_CSV).counts()["unchanged"] == 2
    assert len(school.dataset().organisations) == 2


@pytest.mark.parametrize("full, expected", [
    ("PETIT Anne", ("PETIT", "Anne")), ("Anne PETIT", ("PETIT", "Anne")), ("Anne Petit", ("Petit", "Anne")),
    ("Mme Anne-Marie DE LA TOUR", ("DE LA TOUR", "Anne-Marie")), ("Durand", ("Durand", "")),
])
def test_split_person(full, expected):
    assert split_person(full) == expected


def test_headers_are_recognised_through_accents_case_and_punctuation():
    headers = ["NOM DE L'ENTREPRISE", "Numéro SIRET", "Code Postal", "COMMUNE", "Pays", "Tutrice",
               "E-mail", "Téléphone"]
    found, problems = map_organisation_headers(headers)
    assert not problems
    assert {f: headers[i] for f, i in found.items()} == {
        "name": "NOM DE L'ENTREPRISE", "siret": "Numéro SIRET", "postcode": "Code Postal", "city": "COMMUNE",
        "country": "Pays", "tutor_name": "Tutrice", "tutor_email": "E-mail", "tutor_phone": "Téléphone",
    }


def test_unmappable_name_needs_an_explicit_mapping(school: Repository, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    path.write_text(f"Boîte;Identifiant;Code postal\nMairie de Lyon;{SIRET_LYON};69001\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        preview_organisations(school, path)
    message = exc.value.errors[0].message
    assert "« name »" in message and "« Boîte », « Identifiant », « Code postal »" in message
    report = import_organisations(school, path, mapping={"name": "boite", "siret": "Identifiant"})
    assert report.columns == {"name": "Boîte", "siret": "Identifiant", "postcode": "Code postal"}
    assert [(o.name, o.siret) for o in school.dataset().organisations] == [("Mairie de Lyon", SIRET_LYON)]


def test_mapping_errors_name_the_field_and_the_headers(school: Repository, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    path.write_text("Boîte;Identifiant\nMairie;1\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        preview_organisations(school, path, mapping={"nom": "Entreprise", "couleur": "Boîte"})
    paths = [e.path for e in exc.value.errors]
    assert paths == ["correspondance « nom »", "correspondance « couleur »"]
    assert "« Boîte », « Identifiant »" in exc.value.errors[0].message
    assert "champ inconnu" in exc.value.errors[1].message


def test_bad_siret_refuses_the_file_and_leaves_the_store_unchanged(school: Repository, tmp_path: Path):
    school.add_all(Dataset(organisations=[Organisation("o1", "Existante", SIRET_B)]))
    before = store_bytes(school.store.path.parent)
    path = make_xlsx(tmp_path / "orgs.xlsx", [
        ORG_HEADERS,
        ["Mairie de Lyon", SIRET_LYON, None, 69001, "Lyon", None, None, None, None, None, None],
        ["Garage Martin", "44201900000012", None, "38000", "Grenoble", None, None, None, None, None, None],
        ["Sans tuteur complet", None, None, "380", "Grenoble", "Martin", None, "pas-un-mail", None, None, None],
    ])
    with pytest.raises(ValidationFailed) as exc:
        import_organisations(school, path, exports_dir=tmp_path / "exports")
    got = [(e.path, e.message) for e in exc.value.errors]
    assert got[0] == ("ligne 3, N° SIRET", "SIRET invalide « 44201900000012 » (clé de contrôle de Luhn fausse)")
    assert [p for p, _ in got[1:]] == ["ligne 4, CP", "ligne 4, Prénom du tuteur", "ligne 4, Mail tuteur"]
    assert store_bytes(school.store.path.parent) == before
    report = import_organisations(school, path, keep_good=True, exports_dir=tmp_path / "exports")
    assert [o.name for o in school.dataset().organisations if o.id != "o1"] == ["Mairie de Lyon"]
    assert report.report_path.name.startswith("import-organisations-rejets_")
    assert [(r[0], r[1]) for r in read_report(report.report_path)[1:]] == [
        ("3", "N° SIRET"), ("4", "CP"), ("4", "Prénom du tuteur"), ("4", "Mail tuteur")]


def test_old_xls_and_xml_are_refused_for_organisations(school: Repository, tmp_path: Path):
    xls = tmp_path / "orgs.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(ValidationFailed) as exc:
        preview_organisations(school, xls)
    assert ".xls" in exc.value.errors[0].message
    with pytest.raises(ValidationFailed) as exc:
        preview_organisations(school, XML_FILE)
    assert "XML" in exc.value.errors[0].message


def test_summary_is_french(school: Repository, orgs_xlsx: Path, zipped_xml: Path):
    assert preview_students(school, zipped_xml, "c2026", division="2AGORA1").summary() == (
        "Élèves : 3 créés, 0 mis à jour, 0 inchangé, 2 ignorés.")
    assert preview_organisations(school, orgs_xlsx).summary() == (
        "Organisations : 3 créées, 0 mise à jour, 0 inchangée ; tuteurs : 3 ajoutés, 0 mis à jour.")


def test_module_has_no_hidden_writes(school: Repository, orgs_xlsx: Path):
    """preview_organisations reads only: the store files are the same bytes after it."""
    before = store_bytes(school.store.path.parent)
    importing.preview_organisations(school, orgs_xlsx)
    assert store_bytes(school.store.path.parent) == before
