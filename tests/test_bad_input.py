"""Issue 10, « bad input that still escapes as an unexpected error »: each of these is
bad input (exit 2) naming the field, or for a damaged store file a clear refusal; the
store is unchanged either way. Through the real `pfmp` entry point.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from conftest import run_pfmp, store_bytes


def base_document() -> dict:
    return {
        "format": "pfmp-interchange", "version": 1,
        "cohorts": [{"id": "c1", "label": "Tle AGOrA", "exam_session": 2027, "dossier_deadline": "2027-05-15",
                     "holiday_zone": "A"}],
        "students": [{"id": "s1", "ine": None, "last_name": "Martin", "first_name": "Léa", "birth_date": None,
                      "email": None, "cohort_id": "c1", "voie": "scolaire", "cycle_years": 3, "positioned": False,
                      "derogation": None}],
        "organisations": [{"id": "o1", "name": "Mairie", "siret": None, "address": None, "postcode": None,
                           "city": None, "country": "FR"}],
        "tutors": [], "periods": [],
        "placements": [{"id": "p1", "student_id": "s1", "period_id": None, "organisation_id": "o1", "tutor_id": None,
                        "teacher": None, "start": "2026-01-05", "end": "2026-01-30",
                        "convention": {"status": "none", "signed_on": None}, "attestation": None}],
        "work_certificates": [], "contracts": [],
        "assessments": [{"id": "a1", "placement_id": "p1", "competence": "1.1.1", "level": 2, "assessor": "tutor",
                         "date": "2026-01-30", "comment": None}],
    }


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "db" / "pfmp.json"
    (tmp_path / "base.json").write_text(json.dumps(base_document()), encoding="utf-8")
    assert run_pfmp("--db", str(db), "load", str(tmp_path / "base.json")).returncode == 0
    return db


def load_text(store: Path, text: str, tmp_path: Path):
    doc = tmp_path / "bad.json"
    doc.write_text(text, encoding="utf-8")
    before = store_bytes(store.parent)
    done = run_pfmp("--db", str(store), "load", "--replace", str(doc))
    assert store_bytes(store.parent) == before, "the store changed"
    assert "Traceback" not in done.stderr and "erreur inattendue" not in done.stderr, done.stderr
    assert len(done.stderr) < 4000, len(done.stderr)  # a short excerpt, never the whole input
    return done


def edited(change) -> str:
    doc = base_document()
    change(doc)
    return json.dumps(doc)


CASES = {
    "integer of 5,000 digits": (
        lambda: edited(lambda d: None).replace('"exam_session": 2027', '"exam_session": ' + "9" * 5000),
        "cohorts[0].exam_session", "nombre trop long"),
    "lone surrogate": (
        lambda: edited(lambda d: None).replace('"Martin"', '"Mar\\ud800tin"'),
        "students[0].last_name", "substitution"),
    "lone surrogate in a key": (
        lambda: edited(lambda d: None).replace('"Martin"', '"Martin", "x\\udc00": 1'),
        "students[0]", "substitution"),
    "competence given as a list": (
        lambda: edited(lambda d: d["assessments"][0].update(competence=["1.1.1"])),
        "assessments[0].competence", "compétence inconnue"),
    "SIRET in Arabic-Indic digits": (
        lambda: edited(lambda d: d["organisations"][0].update(siret="٧٣٢٨٢٩٣٢٠٠٠٠٧٤")),
        "organisations[0].siret", "SIRET"),
    "duplicate key": (
        lambda: edited(lambda d: None).replace('"last_name": "Martin"', '"last_name": "Martin", "last_name": "Autre"'),
        "students[0].last_name", "en double"),
    "unknown key of 10 MB": (
        lambda: edited(lambda d: d["students"][0].update({"k" * 10_000_000: 1})),
        "students[0].kkkk", "clé inconnue"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_documents_are_bad_input_naming_the_field(store: Path, tmp_path: Path, name: str):
    make, field, words = CASES[name]
    done = load_text(store, make(), tmp_path)
    assert done.returncode == 2, done.stderr
    assert field in done.stderr and words in done.stderr, done.stderr


def test_nesting_of_10000_levels_is_bad_input(store: Path, tmp_path: Path):
    deep = "[" * 10_000 + "]" * 10_000
    done = load_text(store, edited(lambda d: None).replace('"tutors": []', f'"tutors": {deep}'), tmp_path)
    assert done.returncode == 2, done.stderr
    assert "imbri" in done.stderr


def test_nesting_a_little_too_deep_names_where(store: Path, tmp_path: Path):
    deep = "[" * 40 + "]" * 40
    done = load_text(store, edited(lambda d: None).replace('"tutors": []', f'"tutors": {deep}'), tmp_path)
    assert done.returncode == 2 and "tutors" in done.stderr and "imbrication trop profonde" in done.stderr


def test_a_siecle_file_declaring_an_unknown_encoding_is_bad_input(store: Path, tmp_path: Path):
    xml = tmp_path / "eleves.xml"
    xml.write_bytes(b'<?xml version="1.0" encoding="EBCDIC-XYZ"?>\n<BEE_ELEVES><DONNEES/></BEE_ELEVES>\n')
    before = store_bytes(store.parent)
    done = run_pfmp("--db", str(store), "import", "students", str(xml), "--cohort", "c1")
    assert done.returncode == 2, done.stderr
    assert "encodage" in done.stderr and "EBCDIC-XYZ" in done.stderr and "Traceback" not in done.stderr
    assert store_bytes(store.parent) == before


def shard_with(store: Path, kind: str) -> Path:
    manifest = orjson.loads(store.read_bytes())
    for name in manifest["shards"].values():
        if kind in orjson.loads((store.parent / name).read_bytes()):
            return store.parent / name
    raise AssertionError(kind)


def test_a_data_file_with_one_letter_changed_is_refused(store: Path):
    shard = shard_with(store, "students")
    shard.write_bytes(shard.read_bytes().replace(b"Martin", b"Mertin"))  # still valid JSON
    before = store_bytes(store.parent)
    for args in (["dump"], ["check", "--as-of", "2026-02-01"], ["assign", "p1", "--organisation", "o1"]):
        done = run_pfmp("--db", str(store), *args)
        assert done.returncode == 1, done.stderr
        assert "magasin corrompu" in done.stderr and "somme de contrôle" in done.stderr, done.stderr
        assert store_bytes(store.parent) == before


def test_dangling_references_inside_a_stored_file_are_a_clear_refusal(store: Path):
    """A store written before checksums (none in its manifest), edited by hand."""
    manifest = orjson.loads(store.read_bytes())
    manifest.pop("checksums", None)
    store.write_bytes(orjson.dumps(manifest))
    shard = shard_with(store, "placements")
    shard.write_bytes(shard.read_bytes().replace(b'"student_id":"s1"', b'"student_id":"ghost"'))
    assert b"ghost" in shard.read_bytes()
    before = store_bytes(store.parent)
    other = store.parent.parent / "other.json"
    other.write_text(json.dumps({"format": "pfmp-interchange", "version": 1, "cohorts": [
        {"id": "c9", "label": "2de", "exam_session": 2029, "dossier_deadline": "2029-05-15", "holiday_zone": "A"}]}))
    for args in (["dump"], ["check", "--as-of", "2026-02-01"], ["assign", "p1", "--organisation", "o1"],
                 ["load", str(other)]):  # load last: it may change the store
        done = run_pfmp("--db", str(store), *args)
        if args[0] == "check":  # statuses per bucket: each bucket's outside references checked first
            assert done.returncode == 1, done.stderr
            assert "magasin corrompu" in done.stderr and "« ghost »" in done.stderr, done.stderr
        elif args[0] == "load":  # issue 13: adding a cohort reads the core and the index, not the
            # damaged bucket: refused as corrupt, or done and said so
            if done.returncode == 0:
                assert "Magasin chargé" in done.stderr + done.stdout
                continue
            assert done.returncode == 1 and "magasin corrompu" in done.stderr, done.stderr
        elif args[0] == "assign":  # the damaged placement itself: re-validated, refused, named
            assert done.returncode in (1, 2), (args, done.stderr)
            assert "« ghost »" in done.stderr and ("magasin corrompu" in done.stderr or "référence inconnue" in done.stderr)
        else:
            assert done.returncode == 1, (args, done.stderr)
            assert "magasin corrompu" in done.stderr and "« ghost »" in done.stderr, done.stderr
        assert "erreur inattendue" not in done.stderr
        assert store_bytes(store.parent) == before


def test_many_errors_are_reported_in_bounded_text(store: Path, tmp_path: Path):
    doc = base_document()
    doc["students"] = [dict(doc["students"][0], id=f"s{i}", birth_date="2026-13-01") for i in range(5000)]
    done = load_text(store, json.dumps(doc), tmp_path)
    assert done.returncode == 2 and "students[0].birth_date" in done.stderr
    assert "autre" in done.stderr  # « … et N autres erreurs »


def test_random_binary_gets_a_short_message(store: Path, tmp_path: Path):
    blob = tmp_path / "blob.json"
    blob.write_bytes(bytes(range(256)) * 400)
    done = run_pfmp("--db", str(store), "load", str(blob))
    assert done.returncode == 2 and len(done.stderr) < 1000, done.stderr
