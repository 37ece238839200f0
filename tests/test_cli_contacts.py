"""Issue 15: `pfmp organisation show|set` and `pfmp representative list|add|set|delete`
through the real entry point, the store read back with `pfmp dump`; bad values exit 2
naming the option and change nothing; v1 documents still round-trip unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import minimal_document, run_pfmp, store_bytes, write_json


def _store(tmp_path: Path) -> str:
    db = tmp_path / "db" / "pfmp.json"
    assert run_pfmp("--db", str(db), "load", str(write_json(tmp_path / "in.json", minimal_document()))).returncode == 0
    return str(db)


def _dump(db: str) -> dict:
    r = run_pfmp("--db", db, "dump")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _pfmp(db: str, *args: str):
    return run_pfmp("--db", db, *args)


def test_organisation_set_by_name_then_siret_then_clear(tmp_path: Path):
    db = _store(tmp_path)
    r = _pfmp(db, "organisation", "set", "mairie de lyon", "--phone", "04 72 10 30 30", "--email", "accueil@lyon.fr",
              "--website", "www.lyon.fr", "--notes", "Entrée rue de la République", "--representative",
              "Grégory Doucet", "--representative-title", "maire")
    assert r.returncode == 0, r.stderr
    assert "téléphone : 04 72 10 30 30" in r.stdout and "qualité : maire" in r.stdout
    org = _dump(db)["organisations"][0]
    assert (org["phone"], org["email"], org["website"], org["notes"], org["representative"],
            org["representative_title"]) == ("04 72 10 30 30", "accueil@lyon.fr", "www.lyon.fr",
                                             "Entrée rue de la République", "Grégory Doucet", "maire")
    r = _pfmp(db, "organisation", "set", "216 901 231 00011", "--notes", "", "--website", "")
    assert r.returncode == 0, r.stderr
    org = _dump(db)["organisations"][0]
    assert "notes" not in org and "website" not in org  # cleared: optional keys are written only when set
    assert org["phone"] == "04 72 10 30 30"  # what was not given is kept
    r = _pfmp(db, "organisation", "show", "o1")
    assert r.returncode == 0 and "Mairie de Lyon [o1]" in r.stdout and "notes : —" in r.stdout


def test_organisation_bad_values_name_each_option_and_change_nothing(tmp_path: Path):
    db = _store(tmp_path)
    before = store_bytes(Path(db).parent)
    r = _pfmp(db, "organisation", "set", "o1", "--phone", "appelez-moi", "--email", "accueil@", "--website",
              "mairie de lyon", "--notes", "x" * 5001)
    assert r.returncode == 2
    for expected in ("--phone: numéro de téléphone invalide « appelez-moi »", "--email: adresse électronique invalide",
                     "--website: site web invalide", "--notes: trop long", "rien n'a été modifié"):
        assert expected in r.stderr, r.stderr
    assert store_bytes(Path(db).parent) == before
    for args, expected in ((("organisation", "set", "Mairie inconnue", "--phone", "0472103030"), "aucune organisation"),
                           (("organisation", "set", "o1"), "rien à modifier")):
        r = _pfmp(db, *args)
        assert r.returncode == 2 and expected in r.stderr, r.stderr
    assert store_bytes(Path(db).parent) == before


def test_representatives_add_set_delete_by_number_and_name(tmp_path: Path):
    db = _store(tmp_path)
    r = _pfmp(db, "representative", "add", "Cœurdacier Zoé", "--last-name", "Cœurdacier", "--first-name", "Hélène",
              "--relation", "mère", "--email", "helene@example.org", "--phone", "06 12 34 56 78",
              "--address", "12 rue des Tanneurs, 69003 Lyon")
    assert r.returncode == 0, r.stderr
    assert "1. Hélène Cœurdacier (mère)" in r.stdout and "06 12 34 56 78 · helene@example.org" in r.stdout
    r = _pfmp(db, "representative", "add", "1234567890A", "--last-name", "Cœurdacier", "--first-name", "Marc")
    assert r.returncode == 0, r.stderr
    assert "2. Marc Cœurdacier" in r.stdout
    reps = _dump(db)["students"][0]["legal_representatives"]
    assert reps == [
        {"last_name": "Cœurdacier", "first_name": "Hélène", "relation": "mère", "email": "helene@example.org",
         "phone": "06 12 34 56 78", "address": "12 rue des Tanneurs, 69003 Lyon"},
        {"last_name": "Cœurdacier", "first_name": "Marc", "relation": None, "email": None, "phone": None,
         "address": None},
    ]
    r = _pfmp(db, "representative", "set", "s1", "2", "--relation", "père", "--phone", "04 78 00 00 01")
    assert r.returncode == 0, r.stderr
    r = _pfmp(db, "representative", "set", "s1", "helene coeurdacier", "--email", "")
    assert r.returncode == 0, r.stderr
    reps = _dump(db)["students"][0]["legal_representatives"]
    assert reps[0]["email"] is None and reps[1]["relation"] == "père" and reps[1]["phone"] == "04 78 00 00 01"
    r = _pfmp(db, "representative", "delete", "s1", "1")
    assert r.returncode == 0 and "supprimé : Hélène Cœurdacier" in r.stdout, r.stderr
    assert [x["first_name"] for x in _dump(db)["students"][0]["legal_representatives"]] == ["Marc"]
    r = _pfmp(db, "representative", "list", "Zoé Cœurdacier")
    assert r.returncode == 0 and "1 représentant légal" in r.stdout and "1. Marc Cœurdacier (père)" in r.stdout


def test_representatives_bad_input_exits_2_and_changes_nothing(tmp_path: Path):
    db = _store(tmp_path)
    assert _pfmp(db, "representative", "add", "s1", "--last-name", "Cœurdacier", "--first-name", "Hélène").returncode == 0
    before = store_bytes(Path(db).parent)
    cases = [
        (("representative", "add", "s1", "--last-name", "Cœurdacier"), "--first-name: obligatoire"),
        (("representative", "add", "s1", "--last-name", "COEURDACIER", "--first-name", "helene"), "déjà représentant légal"),
        (("representative", "add", "s1", "--last-name", "X", "--first-name", "Y", "--email", "x@@y.fr",
          "--phone", "123"), "--email: adresse électronique invalide"),
        (("representative", "add", "s1", "--last-name", "X", "--first-name", "Y", "--phone", "123"),
         "--phone: numéro de téléphone invalide"),
        (("representative", "set", "s1", "3", "--email", "a@b.fr"), "pas de représentant légal n° 3"),
        (("representative", "set", "s1", "Paul Inconnu", "--email", "a@b.fr"), "aucun représentant légal ne s'appelle"),
        (("representative", "set", "s1", "1", "--last-name", ""), "--last-name: champ obligatoire vide"),
        (("representative", "set", "s1", "1"), "rien à modifier"),
        (("representative", "delete", "s1", "2"), "pas de représentant légal n° 2"),
        (("representative", "list", "Personne Inconnue"), "aucun élève ne correspond"),
    ]
    for args, expected in cases:
        r = _pfmp(db, *args)
        assert r.returncode == 2 and expected in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr
    assert store_bytes(Path(db).parent) == before


def test_a_v1_document_round_trips_unchanged_and_edits_only_add_optional_keys(tmp_path: Path):
    db = _store(tmp_path)
    doc = _dump(db)
    assert "legal_representatives" not in doc["students"][0] and "phone" not in doc["organisations"][0]
    assert _pfmp(db, "organisation", "set", "o1", "--phone", "04 72 10 30 30").returncode == 0
    assert _pfmp(db, "representative", "add", "s1", "--last-name", "A", "--first-name", "B").returncode == 0
    assert _pfmp(db, "representative", "delete", "s1", "1").returncode == 0
    assert _pfmp(db, "organisation", "set", "o1", "--phone", "").returncode == 0
    assert _dump(db) == doc  # back to the v1 document, key for key


def test_representative_missing_lists_minors_whose_convention_lacks_a_representative(tmp_path: Path):
    db = _store(tmp_path)  # Zoé, born 2009-03-02, placed 05/01–30/01/2026; Léo's birth date is unknown
    r = _pfmp(db, "representative", "missing", "--as-of", "10/01/2026")
    assert r.returncode == 0, r.stderr
    assert "1 élève mineur" in r.stdout and "CŒURDACIER Zoé [s1], c1 : aucun représentant légal" in r.stdout
    assert "MARTIN" not in r.stdout
    assert _pfmp(db, "representative", "add", "s1", "--last-name", "Cœurdacier", "--first-name", "Hélène").returncode == 0
    r = _pfmp(db, "representative", "missing", "--as-of", "2026-01-10", "--cohort", "c1")
    assert "CŒURDACIER Zoé [s1], c1 : représentant(s) légal(aux) sans adresse" in r.stdout
    assert _pfmp(db, "representative", "set", "s1", "1", "--address", "12 rue des Tanneurs, 69003 Lyon").returncode == 0
    r = _pfmp(db, "representative", "missing", "--as-of", "10/01/2026")
    assert r.returncode == 0 and "0 élève mineur" in r.stdout
    assert _pfmp(db, "representative", "delete", "s1", "1").returncode == 0
    r = _pfmp(db, "representative", "missing", "--as-of", "01/01/2030")  # an adult then, no placement left
    assert r.returncode == 0 and "0 élève mineur" in r.stdout
    r = _pfmp(db, "representative", "missing", "--cohort", "zz")
    assert r.returncode == 2 and "cohorte inconnue « zz »" in r.stderr
