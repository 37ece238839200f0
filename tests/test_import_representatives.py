"""Issue 15 §1: legal representatives from SIECLE « ResponsablesAvecAdresses », through the
real entry point (`pfmp import students … --responsables …`), read back with `pfmp dump`.

Fixtures (tests/data/siecle, ISO-8859-15, invented people): ExportXML_ElevesAvecAdresses.xml
(4 learners of 2AGORA1 and one who left) and ExportXML_ResponsablesAvecAdresses.xml (mother
and father of Zoé, a tutor under a NOM_USAGE and a « personne à contacter » for Noël, a mother
living in Belgium, the father of Hugo who is an adult), and a copy with bad rows."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import minimal_document, run_pfmp, store_bytes, write_json
from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.rows.siecle_responsables import RELATIONS, parse_responsables_xml
from pfmp_tui.services import importing

DATA = Path(__file__).parent / "data" / "siecle"
ELEVES = str(DATA / "ExportXML_ElevesAvecAdresses.xml")
RESP = DATA / "ExportXML_ResponsablesAvecAdresses.xml"
RESP_BAD = str(DATA / "ExportXML_ResponsablesAvecAdresses_erreurs.xml")


def _store(tmp_path: Path) -> str:
    db = tmp_path / "db" / "pfmp.json"
    assert run_pfmp("--db", str(db), "load", str(write_json(tmp_path / "in.json", minimal_document()))).returncode == 0
    return str(db)


def _import(db: str, resp: str | Path, *extra: str, cwd: Path | None = None):
    return run_pfmp("--db", db, "import", "students", ELEVES, "--cohort", "c1", "--responsables", str(resp), *extra,
                    cwd=cwd)


def _reps(db: str) -> dict[str, list[dict]]:
    students = json.loads(run_pfmp("--db", db, "dump").stdout)["students"]
    return {f"{s['last_name'].upper()} {s['first_name']}": s.get("legal_representatives", []) for s in students}


def test_dry_run_then_import_then_reimport_without_duplicates(tmp_path: Path):
    db = _store(tmp_path)
    before = store_bytes(Path(db).parent)
    r = _import(db, RESP, "--dry-run")
    assert r.returncode == 0, r.stderr
    # Zoé is already stored (same INE): the preview shows her representatives arriving.
    assert "~ élève CŒURDACIER Zoé (représentants légaux : — → Hélène CŒURDACIER (mère); " \
           "Marc CŒURDACIER (père))" in r.stdout, r.stdout
    assert "rien n'a été écrit" in r.stdout and store_bytes(Path(db).parent) == before

    r = _import(db, RESP)
    assert r.returncode == 0, r.stderr
    assert "représentants légaux de 4 élèves" in r.stdout, r.stdout
    reps = _reps(db)
    assert reps["CŒURDACIER Zoé"] == [  # RESP_LEGAL 1 then 2; the mobile before the home phone
        {"last_name": "CŒURDACIER", "first_name": "Hélène", "relation": "mère",
         "email": "helene.coeurdacier@example.org", "phone": "06 12 34 56 78",
         "address": "12 RUE DES TANNEURS, 69003 LYON"},
        {"last_name": "CŒURDACIER", "first_name": "Marc", "relation": "père", "email": None,
         "phone": "04 78 00 00 01", "address": "12 RUE DES TANNEURS, 69003 LYON"},
    ]
    # NOM_USAGE wins; the address's four lines; the grandmother (RESP_LEGAL 0) is not a legal representative.
    assert reps["LEFÈVRE Noël"] == [
        {"last_name": "ROUSSEAU-LEFÈVRE", "first_name": "Sophie", "relation": "tuteur",
         "email": "s.rousseau@example.net", "phone": "04 72 00 00 03",
         "address": "RESIDENCE LES ACACIAS, BATIMENT C, 4 ALLEE DES PINS, 69100 VILLEURBANNE"}]
    assert reps["N'DIAYE Aïssata"][0]["address"] == "RUE DE LA LOI 16, 1000 BRUXELLES, BELGIQUE"
    assert reps["GARNIER Hugo"][0]["relation"] == "père"  # an adult keeps his (the convention needs them for minors)
    assert reps["MARTIN Léo"] == []  # the Léo who left is skipped, and so are his responsables

    after = store_bytes(Path(db).parent)
    r = _import(db, RESP)
    assert r.returncode == 0 and "0 créé, 0 mis à jour, 4 inchangés" in r.stdout, r.stdout
    assert store_bytes(Path(db).parent) == after  # nothing rewritten, nothing duplicated


def test_reimport_updates_fills_blanks_from_the_store_and_drops_who_siecle_no_longer_lists(tmp_path: Path):
    db = _store(tmp_path)
    assert _import(db, RESP).returncode == 0
    text = RESP.read_bytes().decode("iso-8859-15")
    text = text.replace("helene.coeurdacier@example.org", "h.coeurdacier@example.org")
    # Marc's link removed (he is no longer a legal representative); Paul's mobile blanked.
    marc = text.index("<PERSONNE_ID>700002</PERSONNE_ID>")
    start, end = text.rindex("<RESPONSABLE_ELEVE>", 0, marc), text.index("</RESPONSABLE_ELEVE>", marc)
    text = text[:start] + text[end + len("</RESPONSABLE_ELEVE>\n"):]
    text = text.replace("<TEL_PORTABLE>07 11 22 33 44</TEL_PORTABLE>", "<TEL_PORTABLE></TEL_PORTABLE>")
    changed = tmp_path / "ResponsablesAvecAdresses.xml"
    changed.write_bytes(text.encode("iso-8859-15"))
    r = _import(db, changed)
    assert r.returncode == 0 and "1 mis à jour" in r.stdout, r.stdout + r.stderr
    reps = _reps(db)
    assert [x["first_name"] for x in reps["CŒURDACIER Zoé"]] == ["Hélène"]
    assert reps["CŒURDACIER Zoé"][0]["email"] == "h.coeurdacier@example.org"
    assert reps["GARNIER Hugo"][0]["phone"] == "07 11 22 33 44"  # a blank cell keeps the stored value


def test_a_zipped_responsables_export_is_read(tmp_path: Path):
    db = _store(tmp_path)
    archive = tmp_path / "ExportXML_ResponsablesAvecAdresses.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(RESP, "ResponsablesAvecAdresses.xml")
    r = _import(db, archive)
    assert r.returncode == 0, r.stderr
    assert len(_reps(db)["CŒURDACIER Zoé"]) == 2


def test_bad_rows_refuse_everything_naming_file_line_and_tag_then_keep_good(tmp_path: Path):
    db = _store(tmp_path)
    assert _import(db, RESP).returncode == 0
    before = store_bytes(Path(db).parent)
    r = _import(db, RESP_BAD, cwd=tmp_path)
    assert r.returncode == 2
    for expected in (
        "ExportXML_ResponsablesAvecAdresses_erreurs.xml, ligne 18, MEL: adresse électronique invalide",
        "ligne 42, TEL_PORTABLE: numéro de téléphone invalide « 06 ab »",
        "ligne 78, CODE_PARENTE: lien de parenté inconnu « 99 »",
        "ligne 92, PERSONNE_ID: personne « 799999 » absente de PERSONNES",
        "ligne 104, RESP_LEGAL: valeur « 3 » inconnue",
        "ligne 117, CODE_POSTAL: code postal invalide « 6900 »",
        "rien n'a été modifié",
    ):
        assert expected in r.stderr, r.stderr
    assert store_bytes(Path(db).parent) == before

    stored = _reps(db)
    r = _import(db, RESP_BAD, "--keep-good", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "6 lignes rejetées" in r.stdout
    assert _reps(db) == stored  # every learner had a bad row: each keeps what the store had
    report = next((tmp_path / "exports").iterdir())
    assert report.stat().st_mode & 0o777 == 0o600
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith("18;") and "ExportXML_ResponsablesAvecAdresses_erreurs.xml : MEL" in lines[1]


def test_malformed_files_exit_2_and_change_nothing(tmp_path: Path):
    db = _store(tmp_path)
    before = store_bytes(Path(db).parent)
    truncated = tmp_path / "tronque.xml"
    truncated.write_bytes(RESP.read_bytes()[:3000])
    doctype = tmp_path / "doctype.xml"
    doctype.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><BEE_RESPONSABLES/>')
    cases = [
        (truncated, "tronque.xml, ligne"),
        (doctype, "DOCTYPE"),
        (Path(ELEVES), "ce n'est pas un export SIECLE des responsables"),
        (tmp_path / "absent.xml", "fichier introuvable"),
    ]
    for path, expected in cases:
        r = _import(db, path)
        assert r.returncode == 2 and expected in r.stderr, (path, r.stderr)
    r = run_pfmp("--db", db, "import", "students", str(DATA / "liste_eleves_2AGORA1.csv"), "--cohort", "c1",
                 "--responsables", str(RESP))
    assert r.returncode == 2 and "ELEVE_ID" in r.stderr
    assert store_bytes(Path(db).parent) == before


def test_nested_too_deep_is_refused_at_once(tmp_path: Path):
    deep = tmp_path / "deep.xml"
    deep.write_bytes(b"<?xml version='1.0'?><BEE_RESPONSABLES>" + b"<a>" * 100_000 + b"</a>" * 100_000
                     + b"</BEE_RESPONSABLES>")
    start = time.monotonic()
    with pytest.raises(ValidationFailed) as caught:
        importing.read_responsables(deep)
    assert time.monotonic() - start < 1.0
    assert "imbriqués" in str(caught.value.errors[0]) and "deep.xml" in caught.value.errors[0].path


def test_two_legal_representatives_of_the_same_rank_is_a_bad_row():
    data = RESP.read_bytes().replace(b"<RESP_LEGAL>2</RESP_LEGAL>", b"<RESP_LEGAL>1</RESP_LEGAL>")
    parsed = parse_responsables_xml(data, "R.xml")
    assert "4200001" in parsed.bad_students and "4200001" not in parsed.by_student
    assert any("deux représentants légaux n° 1" in e.reason for e in parsed.errors)


def test_the_relation_codes_are_the_national_nomenclature():
    assert RELATIONS["10"] == "mère" and RELATIONS["20"] == "père" and RELATIONS["50"] == "tuteur"
    assert RELATIONS["51"] == "aide sociale à l'enfance" and RELATIONS["90"] == "autre lien"


def test_import_representatives_only_touches_stored_learners_and_never_moves_them(tmp_path: Path):
    db = _store(tmp_path)  # Zoé (INE 1234567890A) is stored in cohort c1; the other learners are not
    doc = json.loads(run_pfmp("--db", db, "dump").stdout)
    doc["cohorts"].append({"id": "c2", "label": "1re AGOrA", "exam_session": 2028, "dossier_deadline": "2028-05-15",
                           "holiday_zone": "A"})
    doc["students"][0]["cohort_id"] = "c2"
    doc["placements"], doc["assessments"] = [], []
    assert run_pfmp("--db", db, "load", str(write_json(tmp_path / "c2.json", doc)), "--replace").returncode == 0
    r = run_pfmp("--db", db, "import", "representatives", str(RESP), "--students", ELEVES, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "~ élève CŒURDACIER Zoé (représentants légaux" in r.stdout and "0 créé, 1 mis à jour" in r.stdout
    r = run_pfmp("--db", db, "import", "representatives", str(RESP), "--students", ELEVES)
    assert r.returncode == 0, r.stderr
    students = json.loads(run_pfmp("--db", db, "dump").stdout)["students"]
    assert len(students) == 2  # nobody created: Noël, Aïssata, Hugo are not in the store
    zoe = students[0]
    assert zoe["cohort_id"] == "c2" and [x["first_name"] for x in zoe["legal_representatives"]] == ["Hélène", "Marc"]
    r = run_pfmp("--db", db, "import", "representatives", RESP_BAD, "--students", ELEVES)
    assert r.returncode == 2 and "ligne 18, MEL" in r.stderr
    r = run_pfmp("--db", db, "import", "representatives", str(RESP))
    assert r.returncode == 2 and "--students" in r.stderr  # the learners' export is required to link ELEVE_ID


def test_with_two_files_each_bad_row_names_its_own_file(tmp_path: Path):
    db = _store(tmp_path)
    eleves = tmp_path / "ElevesAvecAdresses.xml"
    eleves.write_bytes(Path(ELEVES).read_bytes().replace(b"17/11/2008", b"31/02/2008"))
    r = run_pfmp("--db", db, "import", "students", str(eleves), "--cohort", "c1", "--responsables", RESP_BAD)
    assert r.returncode == 2
    assert f"{eleves}, ligne " in r.stderr and "DATE_NAISS: date invalide « 31/02/2008 »" in r.stderr, r.stderr
    assert "ExportXML_ResponsablesAvecAdresses_erreurs.xml, ligne 18, MEL" in r.stderr


def test_element_and_row_bounds_refuse_the_file(monkeypatch: pytest.MonkeyPatch):
    from pfmp_tui.domain.rows import siecle_responsables, siecle_xml

    monkeypatch.setattr(siecle_xml, "MAX_ELEMENTS", 100)
    with pytest.raises(ValidationFailed) as caught:
        parse_responsables_xml(RESP.read_bytes(), "R.xml")
    assert "plus de 100 éléments" in caught.value.errors[0].message and caught.value.errors[0].path.startswith("R.xml")
    monkeypatch.undo()
    monkeypatch.setattr(siecle_responsables, "MAX_LINKS", 3)
    with pytest.raises(ValidationFailed) as caught:
        parse_responsables_xml(RESP.read_bytes(), "R.xml")
    assert "plus de 3 responsables" in caught.value.errors[0].message


def test_older_and_variant_layouts_are_read():
    """Exports before 2016 name the person NOM; some give PERSONNE_ID / ADRESSE_ID as child elements."""
    data = RESP.read_bytes().replace(b"NOM_DE_FAMILLE>", b"NOM>")
    data = data.replace(b'<PERSONNE PERSONNE_ID="700006">', b"<PERSONNE><PERSONNE_ID>700006</PERSONNE_ID>")
    data = data.replace(b'<ADRESSE ADRESSE_ID="900005">', b"<ADRESSE><ADRESSE_ID>900005</ADRESSE_ID>")
    parsed = parse_responsables_xml(data, "R.xml")
    assert not parsed.errors
    paul = parsed.by_student["4200004"][0]
    assert (paul.last_name, paul.address) == ("GARNIER", "3 CHEMIN DU MOULIN, 69340 FRANCHEVILLE")
    assert parsed.contacts_skipped == 1
