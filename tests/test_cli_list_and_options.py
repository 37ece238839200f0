"""The CLI speaks like the TUI (issue 12): dates JJ/MM/AAAA or AAAA-MM-JJ, records by id or by
unambiguous name / SIRET (ambiguous or unknown: exit 2 naming the candidates, nothing changed),
`pfmp list`, and French that agrees (« 1 organisation », « 1 stage créé »)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from pfmp_tui.cli.main import main
from pfmp_tui.domain.wording import agree_kind, count
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from tests.conftest import minimal_document, run_pfmp, store_bytes, write_json


@pytest.fixture
def loaded(tmp_path: Path, db_path: Path) -> Path:
    doc = minimal_document()
    doc["organisations"].append({"id": "o2", "name": "Mairie de Lyon", "siret": None, "address": None,
                                 "postcode": "69003", "city": "Lyon", "country": "FR"})
    doc["organisations"].append({"id": "o3", "name": "Crédit Agricole", "siret": "44242469100016", "address": None,
                                 "postcode": None, "city": "Caen", "country": "FR"})
    doc["tutors"].append({"id": "t2", "organisation_id": "o3", "last_name": "Lefèvre", "first_name": "Éric",
                          "email": None, "phone": None, "job_title": None})
    doc["placements"].append({"id": "p2", "student_id": "s2", "period_id": "pe1", "organisation_id": "o1",
                              "tutor_id": None, "teacher": None, "start": "2026-01-05", "end": "2026-01-30",
                              "convention": {"status": "none", "signed_on": None}, "attestation": None})
    assert main(["--db", str(db_path), "load", str(write_json(tmp_path / "doc.json", doc))]) == 0
    return db_path


def pfmp(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


# -- dates ------------------------------------------------------------------------------------------
def test_as_of_takes_french_and_iso_dates(loaded, capsys):
    capsys.readouterr()
    assert pfmp(loaded, "check", "--as-of", "02/03/2026", "--format", "json") == 0
    french = capsys.readouterr().out
    assert pfmp(loaded, "check", "--as-of", "2026-03-02", "--format", "json") == 0
    assert capsys.readouterr().out == french
    assert json.loads(french)["as_of"] == "2026-03-02"


@pytest.mark.parametrize("value, reason", [("31/02/2026", "ce jour n'existe pas"),
                                           ("2026/03/02", "attendu JJ/MM/AAAA ou AAAA-MM-JJ")])
def test_a_bad_date_option_is_named_and_changes_nothing(loaded, capsys, value, reason):
    before = store_bytes(loaded.parent)
    assert pfmp(loaded, "period", "add", "--cohort", "c1", "--label", "PFMP 2", "--start", value,
                "--end", "27/02/2026") == 2
    err = capsys.readouterr().err
    assert f"--start: date invalide « {value} » ({reason})" in err
    assert store_bytes(loaded.parent) == before


def test_period_dates_in_french(loaded, capsys):
    assert pfmp(loaded, "period", "add", "--cohort", "c1", "--label", "PFMP 2", "--start", "02/03/2026",
                "--end", "27/03/2026", "--id", "pe2") == 0
    period, _ = Repository(Store(loaded)).get("periods", "pe2")
    assert (period.start, period.end) == (date(2026, 3, 2), date(2026, 3, 27))
    assert pfmp(loaded, "period", "edit", "pe2", "--end", "20/03/2026") == 0
    assert Repository(Store(loaded)).get("periods", "pe2")[0].end == date(2026, 3, 20)
    assert "du 02/03/2026 au 20/03/2026" in capsys.readouterr().out


# -- records by name ---------------------------------------------------------------------------------
def test_assign_by_siret_and_tutor_name(loaded, capsys):
    assert pfmp(loaded, "assign", "p2", "--organisation", "442 424 691 00016", "--tutor", "eric lefevre") == 0
    placement, _ = Repository(Store(loaded)).get("placements", "p2")
    assert (placement.organisation_id, placement.tutor_id) == ("o3", "t2")
    assert pfmp(loaded, "assign", "p2", "--organisation", "crédit agricole", "--tutor", "LEFÈVRE Éric") == 0


def test_an_ambiguous_name_lists_the_candidates_and_changes_nothing(loaded, capsys):
    before = store_bytes(loaded.parent)
    assert pfmp(loaded, "assign", "p2", "--organisation", "Mairie de Lyon") == 2
    err = capsys.readouterr().err
    assert "--organisation: « Mairie de Lyon » désigne 2 organisations :" in err
    assert "o1 (Mairie de Lyon, Lyon, SIRET 21690123100011)" in err and "o2 (Mairie de Lyon, Lyon)" in err
    assert "Donnez l'identifiant." in err and "rien n'a été modifié" in err
    assert store_bytes(loaded.parent) == before
    assert pfmp(loaded, "assign", "p2", "--organisation", "Mairie de Paris") == 2
    assert "aucune organisation ne correspond à « Mairie de Paris » (identifiant, nom ou SIRET)" in capsys.readouterr().err
    assert pfmp(loaded, "assign", "p2", "--organisation", "o1", "--tutor", "Éric Lefèvre") == 2  # not a tutor of o1
    assert "aucun tuteur ne correspond à « Éric Lefèvre »" in capsys.readouterr().err
    assert store_bytes(loaded.parent) == before


def test_place_by_period_label(loaded, capsys):
    assert pfmp(loaded, "place", "--period", "pfmp 1", "--organisation", "Crédit Agricole") == 0
    out = capsys.readouterr().out
    assert "0 stage créé, 1 élève déjà placé." in out  # singular for 0 and 1


# -- pfmp list ---------------------------------------------------------------------------------------
def test_list_every_kind_as_a_table(loaded, capsys):
    capsys.readouterr()
    for kind, first_line, last_line in (
        ("cohorts", "id  cohorte         session  date limite du dossier  zone  élèves", "1 cohorte."),
        ("students", "id  nom", "2 élèves."),
        ("organisations", "id  nom", "3 organisations."),
        ("tutors", "id  nom", "2 tuteurs."),
        ("periods", "id   cohorte  libellé  début       fin", "1 période."),
        ("placements", "id  élève", "2 stages."),
    ):
        assert pfmp(loaded, "list", kind) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0].startswith(first_line) and lines[-1] == last_line, (kind, lines)
    assert pfmp(loaded, "list", "cohorts") == 0
    assert "c1  Tle AGOrA 2027  2027     15/05/2027              A     2" in capsys.readouterr().out


def test_list_json_and_csv(loaded, capsys):
    capsys.readouterr()
    assert pfmp(loaded, "list", "placements", "--format", "json") == 0
    items = json.loads(capsys.readouterr().out)
    assert [i["id"] for i in items] == ["p1", "p2"]
    assert items[0]["start"] == "2026-01-05" and items[0]["student"] == "CŒURDACIER Zoé"
    assert pfmp(loaded, "list", "organisations", "--format", "csv") == 0
    text = capsys.readouterr().out
    assert text.startswith("\ufeffid;nom;SIRET;code postal;ville;pays")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [r[0] for r in table[1:]] == ["o3", "o1", "o2"]  # by name
    assert pfmp(loaded, "list", "periods", "--format", "csv") == 0
    assert "pe1;c1;PFMP 1;05/01/2026;30/01/2026" in capsys.readouterr().out


def test_list_one_cohort_and_unknown_cohort(loaded, capsys):
    assert pfmp(loaded, "list", "organisations", "--cohort", "c1", "--format", "json") == 0
    assert [o["id"] for o in json.loads(capsys.readouterr().out)] == ["o1"]
    assert pfmp(loaded, "list", "students", "--cohort", "c9") == 2
    assert "--cohort: cohorte inconnue « c9 »" in capsys.readouterr().err


def test_list_through_the_real_entry_point(loaded):
    done = run_pfmp("--db", str(loaded), "list", "tutors")
    assert done.returncode == 0, done.stderr
    assert "t2  Lefèvre  Éric" in done.stdout and done.stdout.rstrip().endswith("2 tuteurs.")


# -- French that agrees ----------------------------------------------------------------------------
def test_load_counts_agree(tmp_path, db_path):
    done = run_pfmp("--db", str(db_path), "load", str(write_json(tmp_path / "doc.json", minimal_document())))
    assert done.returncode == 0, done.stderr
    assert "1 cohorte, 2 élèves, 1 organisation, 1 tuteur, 1 période, 1 stage (PFMP)" in done.stderr
    assert "organisations" not in done.stderr and "students" not in done.stderr


def test_wording_helpers():
    assert [count(n, "élève") for n in (0, 1, 2)] == ["0 élève", "1 élève", "2 élèves"]
    assert agree_kind("créé", "cohorts") == "créée" and agree_kind("créé", "placements") == "créé"
    assert agree_kind("supprimé", "periods", 2) == "supprimées"
