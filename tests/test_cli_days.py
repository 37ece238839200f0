"""`pfmp allocation` (R17) and the verbs of absences (R18), make-up, class year and payment documents,
through the real entry point."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import minimal_document, run_pfmp, write_json


def school(tmp_path: Path) -> str:
    """Zoé (s1, seconde in 2025-2026, minor, RIB received, no authorisation) with 18 days done of 20
    (2 days of absence), a make-up PFMP, and « =HYPERLINK » as a last name to neutralise."""
    doc = minimal_document()
    s1 = doc["students"][0]
    s1["last_name"] = "=HYPERLINK(\"http://x\")"
    s1["cohort_id"] = "c1"
    s1["payment"] = {"bank_details_received": True, "authorisation_received": False}
    doc["placements"][0]["attestation"]["days_completed"] = 18
    doc["placements"].append(
        {"id": "p2", "student_id": "s1", "period_id": None, "organisation_id": "o1", "tutor_id": None,
         "teacher": None, "start": "2026-04-13", "end": "2026-04-17",
         "convention": {"status": "sent", "signed_on": None}, "attestation": None, "makes_up": "p1"})
    doc["absences"] = [{"id": "ab1", "placement_id": "p1", "start": "2026-01-12", "end": "2026-01-13",
                        "days": 2, "reason": "maladie", "note": None, "justified": True}]
    db = str(tmp_path / "db" / "pfmp.json")
    assert run_pfmp("--db", db, "load", str(write_json(tmp_path / "school.json", doc))).returncode == 0
    return db


def test_allocation_table(tmp_path):
    db = school(tmp_path)
    out = run_pfmp("--db", db, "allocation", "--as-of", "2026-06-30")
    assert out.returncode == 0, out.stderr
    assert "Allocation PFMP au 30/06/2026 (R17)" in out.stdout
    assert "première" in out.stdout  # cohort session 2027: 2025-2026 is première
    assert "18 × " not in out.stdout and "270,00 €" in out.stdout  # 18 days × 15 €
    assert "autorisation du représentant légal non reçue" in out.stdout
    assert "convention non signée (R10)" in out.stdout
    assert "Total Tle AGOrA" in out.stdout


def test_allocation_csv_fr_excel_with_totals_and_neutralised(tmp_path):
    db = school(tmp_path)
    path = tmp_path / "a.csv"
    out = run_pfmp("--db", db, "allocation", "--as-of", "2026-06-30", "--format", "csv", "-o", str(path))
    assert out.returncode == 0, out.stderr
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["cohorte", "nom", "prénom", "INE", "date de naissance", "classe", "PFMP début", "PFMP fin",
                       "jours effectués", "forfait", "montant", "plafond appliqué", "bloqué par"]
    first = dict(zip(rows[0], rows[1]))
    assert first["nom"].startswith("'=")  # formula injection neutralised
    assert (first["date de naissance"], first["PFMP début"], first["classe"]) == ("02/03/2009", "05/01/2026", "première")
    assert (first["jours effectués"], first["forfait"], first["montant"]) == ("18", "15,00", "270,00")
    assert rows[-1][1] == "Total" and rows[-1][10] == "270,00"
    assert (path.stat().st_mode & 0o777) == 0o600


def test_allocation_xlsx_numbers_and_json(tmp_path):
    db = school(tmp_path)
    path = tmp_path / "a.xlsx"
    assert run_pfmp("--db", db, "allocation", "--as-of", "2026-06-30", "--format", "xlsx", "-o", str(path)).returncode == 0
    ws = load_workbook(path).active
    header = [c.value for c in ws[1]]
    row = {h: c.value for h, c in zip(header, ws[2])}
    assert float(row["montant"]) == 270.0 and row["jours effectués"] == 18
    assert row["nom"].startswith("'=") and ws.freeze_panes == "A2"
    out = run_pfmp("--db", db, "allocation", "--as-of", "2026-06-30", "--format", "json")
    doc = json.loads(out.stdout)
    assert [(r["placement_id"], r["montant"], r["bloqué par"]) for r in doc["rows"]] == [
        ("p1", 270.0, []), ("p2", 0.0, ["convention non signée (R10)", "attestation non reçue (R11)"])]
    assert doc["rows"][1]["rattrapage de"] == "p1"
    assert doc["totals"] == [{"cohort_id": "c1", "cohorte": "Tle AGOrA", "lignes": 2, "jours": 18, "montant": 270.0,
                              "bloquées": 1, "en attente": 1}]  # a minor without the authorisation


def test_allocation_school_year_and_bad_input(tmp_path):
    db = school(tmp_path)
    out = run_pfmp("--db", db, "allocation", "--as-of", "2026-06-30", "--school-year", "2024-2025", "--format", "json")
    assert json.loads(out.stdout)["rows"] == []
    bad = run_pfmp("--db", db, "allocation", "--school-year", "2026")
    assert bad.returncode == 2 and "--school-year" in bad.stderr
    bad = run_pfmp("--db", db, "allocation", "--cohort", "nope")
    assert bad.returncode == 2 and "cohorte inconnue" in bad.stderr


def test_absence_makeup_class_year_payment_verbs(tmp_path):
    db = school(tmp_path)
    out = run_pfmp("--db", db, "absence", "add", "p1", "--start", "2026-01-20", "--reason", "force_majeure",
                   "--note", "neige")
    assert out.returncode == 0 and "1 j du 20/01/2026" in out.stdout
    bad = run_pfmp("--db", db, "absence", "add", "p1", "--start", "2026-02-20", "--reason", "maladie")
    assert bad.returncode == 2 and "sort de la PFMP" in bad.stderr
    bad = run_pfmp("--db", db, "absence", "add", "p1", "--start", "2026-01-21", "--reason", "autre")
    assert bad.returncode == 2 and "--note" in bad.stderr
    listing = run_pfmp("--db", db, "absence", "list", "s1", "--as-of", "2026-06-30")
    assert "Absences (R18) : 3 j ; rattrapage prévu : 5 j" in listing.stdout
    assert "2025-2026 25 j" in listing.stdout
    assert run_pfmp("--db", db, "makeup", "p2", "--clear").returncode == 0
    bad = run_pfmp("--db", db, "makeup", "p2", "--for", "p2")
    assert bad.returncode == 2 and "elle-même" in bad.stderr
    assert run_pfmp("--db", db, "class-year", "p1", "seconde").returncode == 0
    assert run_pfmp("--db", db, "payment", "set", "s1", "--authorisation", "oui").returncode == 0
    doc = json.loads(run_pfmp("--db", db, "dump").stdout)
    p1 = next(p for p in doc["placements"] if p["id"] == "p1")
    assert p1["class_year"] == "seconde"
    assert "makes_up" not in next(p for p in doc["placements"] if p["id"] == "p2")
    assert doc["students"][0]["payment"] == {"bank_details_received": True, "authorisation_received": True}
    alloc = json.loads(run_pfmp("--db", db, "allocation", "--as-of", "2026-06-30", "--format", "json").stdout)
    assert alloc["rows"][0]["montant"] == 180.0  # seconde: 18 × 10 €


@pytest.mark.parametrize("verb", [["absence", "list", "nope"], ["payment", "set", "nope", "--rib", "oui"],
                                  ["class-year", "nope", "seconde"]])
def test_unknown_ids_exit_2(tmp_path, verb):
    db = school(tmp_path)
    out = run_pfmp("--db", db, *verb)
    assert out.returncode == 2 and "inconnu" in out.stderr


def test_check_compares_days_done_with_absences(tmp_path):
    """CONTRACT « Extensions » ABSENCES_MISMATCH (R11, R18), through the store's per-shard check:
    20 working days − 2 absent = the 18 attested; without the absence, 2 days are unexplained."""
    db = school(tmp_path)

    def mismatches():
        doc = json.loads(run_pfmp("--db", db, "check", "--as-of", "2026-06-30", "--format", "json").stdout)
        return [f for c in doc["candidates"] for f in c["flags"] if f["code"] == "ABSENCES_MISMATCH"]

    assert mismatches() == []
    assert run_pfmp("--db", db, "absence", "delete", "ab1").returncode == 0
    (flag,) = mismatches()
    assert flag["placement_id"] == "p1" and not flag["blocking"] and "2 jours de moins" in flag["message"]


def test_list_placements_says_abroad_and_make_up(tmp_path):
    """R15: a column « à l'étranger » (EU/EEA/EFTA other than France) in `pfmp list placements`;
    R18: the make-up link."""
    db = school(tmp_path)
    doc = {"format": "pfmp-interchange", "version": 1,
           "organisations": [{"id": "o-de", "name": "Berlin GmbH", "siret": None, "address": None,
                              "postcode": "10115", "city": "Berlin", "country": "DE"}],
           "placements": [{"id": "p-de", "student_id": "s1", "period_id": None, "organisation_id": "o-de",
                           "tutor_id": None, "teacher": None, "start": "2026-05-04", "end": "2026-05-15",
                           "convention": {"status": "signed", "signed_on": "2026-04-01"}, "attestation": None}]}
    assert run_pfmp("--db", db, "load", str(write_json(tmp_path / "de.json", doc))).returncode == 0
    out = run_pfmp("--db", db, "list", "placements", "--format", "json")
    rows = {r["id"]: r for r in json.loads(out.stdout)}
    assert (rows["p-de"]["abroad"], rows["p1"]["abroad"]) == (True, False)
    assert rows["p2"]["makes_up"] == "p1"
    listing = run_pfmp("--db", db, "absence", "list", "s1", "--as-of", "2026-06-30")
    assert "Mobilité (R15, UE/EEE/AELE hors France) : 10 j (1 PFMP à l'étranger)" in listing.stdout


def test_rgpd_subject_access_and_purge_cover_absences(tmp_path):
    """Issue 16 × 14: the right of access lists the learner's absences; a purge takes them
    (removal) or drops their note, which may say why (anonymisation)."""
    from pfmp_tui.services import data_io, privacy

    db = school(tmp_path)
    run_pfmp("--db", db, "absence", "add", "p1", "--start", "2026-01-20", "--reason", "autre", "--note", "hôpital")
    repo = data_io.open_repository(db)
    doc = privacy.subject_access(repo, "s1")
    assert [a["id"] for a in doc["absences"]][0] == "ab1" and len(doc["absences"]) == 2
    privacy.purge(repo, 2028, exports_dir=tmp_path / "exports")
    assert {a.note for a in repo.dataset().absences} == {None}
    privacy.purge(repo, 2028, remove=True, exports_dir=tmp_path / "exports")
    assert repo.dataset().absences == []
