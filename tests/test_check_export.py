"""Services of `pfmp check` and `pfmp export missing-attestations` (CONTRACT.md, R11, R14).

Run on a real store: records go in through `Repository.add_all`, results come out
through `run_check`, files are read back from disk.
"""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.model import (
    Assessment,
    Attestation,
    Cohort,
    Convention,
    Dataset,
    Organisation,
    Placement,
    Student,
    Tutor,
)
from pfmp_tui.domain.workdays import add_working_days
from pfmp_tui.services.check import render_table, run_check, to_json
from pfmp_tui.services.export import (
    COLUMNS,
    default_export_path,
    missing_attestation_rows,
    neutralise,
    write_export,
)

AS_OF = date(2026, 11, 28)
DEADLINE = date(2027, 5, 14)
EVIL_ORG = '=HYPERLINK("http://x","y")'
EVIL_MAIL = "-2+3@evil.fr"
SIGNED = Convention("signed", date(2025, 6, 1))


def _placement(pid: str, sid: str, org: str, start: date, days: int, *, attested: int | None, signed: bool = True,
               tutor: str | None = "t1") -> Placement:
    att = None if attested is None else Attestation(start, signed, attested, "accueil")
    return Placement(pid, sid, org, start, add_working_days(start, days), tutor_id=tutor, convention=SIGNED,
                     attestation=att)


def school() -> Dataset:
    """Four candidates: one complete, one with a missing and an unsigned attestation, an apprentice with
    no contract, one whose long name must be cut in the table; plus a second cohort."""
    cohorts = [Cohort("tle-1", "Tle AGOrA 1", 2027, DEADLINE), Cohort("tle-2", "Tle AGOrA 2", 2027, DEADLINE)]
    students = [
        Student("s-ok", "Lefèvre", "Anne", "tle-1", ine="1234567890A"),
        Student("s-r11", "Cœurdacier", "Zoé", "tle-1", ine="1234567891B"),
        Student("s-app", "Bœuf", "Noé", "tle-1", voie="apprentissage", cycle_years=None),
        Student("s-long", "De La Fontaine-Saint-Exupéry-Montmorency", "Marie-Hélène Bérénice", "tle-1"),
        Student("s-other", "Martin", "Léo", "tle-2"),
    ]
    orgs = [Organisation("o-evil", EVIL_ORG), Organisation("o1", "Œuvre sociale de Lyon")]
    tutors = [Tutor("t1", "o-evil", "Petit", "Anne", email=EVIL_MAIL), Tutor("t2", "o1", "Roux", "Paul", email="p.roux@oeuvre.fr")]
    placements = [
        _placement("ok-1", "s-ok", "o1", date(2025, 9, 1), 60, attested=60, tutor="t2"),
        _placement("ok-2", "s-ok", "o1", date(2026, 1, 5), 50, attested=50, tutor="t2"),
        _placement("r11-1", "s-r11", "o-evil", date(2025, 9, 1), 20, attested=None),
        _placement("r11-2", "s-r11", "o1", date(2026, 1, 5), 20, attested=20, signed=False, tutor="t2"),
        _placement("r11-3", "s-r11", "o1", date(2027, 1, 4), 70, attested=None, tutor="t2"),  # to come
        _placement("long-1", "s-long", "o1", date(2025, 9, 1), 110, attested=100, tutor="t2"),
        _placement("other-1", "s-other", "o1", date(2025, 9, 1), 110, attested=110, tutor="t2"),
    ]
    assessments = [Assessment(f"a-{p.id}", p.id, "1.1.1", 3, "tutor", p.end) for p in placements]
    return Dataset(cohorts=cohorts, students=students, organisations=orgs, tutors=tutors,
                   placements=placements, assessments=assessments)


@pytest.fixture
def loaded(repo):
    repo.add_all(school())
    return repo


# -- check ---------------------------------------------------------------------------------------
def test_json_has_exactly_the_contract_keys_in_order(loaded):
    """CONTRACT.md « pfmp check --format json »: keys and order (added keys only after them)."""
    doc = to_json(run_check(loaded, AS_OF), AS_OF)
    assert list(doc) == ["as_of", "candidates"]
    assert doc["as_of"] == "2026-11-28"
    contract_keys = ["student_id", "name", "cohort_id", "voie", "required_days", "attested_days",
                     "planned_days", "status", "flags"]
    for c in doc["candidates"]:
        assert list(c)[: len(contract_keys)] == contract_keys
        for f in c["flags"]:
            assert list(f) == ["rule", "code", "blocking", "placement_id", "message"]
    json.dumps(doc)  # serialisable as is
    by_id = {c["student_id"]: c for c in doc["candidates"]}
    zoe = by_id["s-r11"]
    assert zoe["status"] == "a_risque"
    assert zoe["attested_days"] == 0 and zoe["required_days"] == 110
    assert [(f["code"], f["placement_id"]) for f in zoe["flags"] if f["rule"] == "R11"] == [
        ("ATTESTATION_MISSING", "r11-1"), ("ATTESTATION_UNSIGNED", "r11-2")]
    assert by_id["s-app"]["flags"][0]["code"] == "CONTRACT_MISSING"
    assert by_id["s-ok"]["status"] == "valide"


def test_run_check_cohort_filter_and_unknown_cohort(loaded):
    """R14: --cohort narrows the check; an unknown cohort is bad input naming --cohort."""
    assert [r.student_id for r in run_check(loaded, AS_OF, "tle-2")] == ["s-other"]
    with pytest.raises(ValidationFailed) as exc:
        run_check(loaded, AS_OF, "nope")
    assert exc.value.for_field("--cohort") == ["cohorte inconnue « nope »"]


def test_table_fits_80_columns_worst_first_with_blocking_messages(loaded):
    """R14: the table is readable in 80 columns, worst first, with text markers and the R11/R7 reasons."""
    results = run_check(loaded, AS_OF)
    table = render_table(results, AS_OF)
    lines = table.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert "28/11/2026" in lines[0]
    # Candidate rows in worst-first order: find each candidate's row by the start of its name.
    positions = [next(i for i, line in enumerate(lines) if r.name[:12] in line) for r in results]
    assert positions == sorted(positions)
    assert [r.status for r in results][:3] == ["a_risque", "a_risque", "a_risque"]
    zoe_row = next(line for line in lines if "CŒURDACIER Zoé" in line)
    assert zoe_row.startswith("! à risque")
    assert "0 j / 22 sem." in zoe_row
    ok_row = next(line for line in lines if "LEFÈVRE Anne" in line)
    assert ok_row.startswith("✓ valide") and "22 sem. / 22 sem." in ok_row
    assert any(line.startswith("    - Attestation de PFMP manquante") for line in lines)
    assert "(R11)" in table and "Contrat d'apprentissage manquant (R7)" in table
    long_row = next(line for line in lines if "DE LA FONTAINE" in line)
    assert "…" in long_row and "20 sem. / 22 sem." in long_row


def test_table_of_nobody(repo):
    assert "Aucun candidat." in render_table(run_check(repo, AS_OF), AS_OF)


# -- export rows -------------------------------------------------------------------------------------
def rows_of(repo, cohort_id=None):
    data = repo.dataset()
    return missing_attestation_rows(data, run_check(repo, AS_OF, cohort_id), AS_OF)


def test_rows_one_per_placement_lacking_signed_attestation_and_one_per_other_blocking(loaded):
    """R11: one row per ended placement lacking a signed attestation; R7/R1: one per other blocked candidate."""
    rows = rows_of(loaded)
    assert all(list(r) == list(COLUMNS) for r in rows)
    summary = [(r["nom"], r["règle"], r["organisation"], r["début"]) for r in rows]
    assert ("Cœurdacier", "R11", EVIL_ORG, date(2025, 9, 1)) in summary
    assert ("Cœurdacier", "R11", "Œuvre sociale de Lyon", date(2026, 1, 5)) in summary
    assert ("Bœuf", "R7", None, None) in summary
    assert ("De La Fontaine-Saint-Exupéry-Montmorency", "R1", None, None) in summary
    # Zoé's planned PFMP (70 days to come) keeps her projection at 110: no PLAN_SHORT row for her.
    assert [r["règle"] for r in rows if r["nom"] == "Cœurdacier"] == ["R11", "R11"]
    assert not any(r["nom"] in ("Lefèvre", "Martin") for r in rows)  # valide: nothing to chase
    evil = next(r for r in rows if r["organisation"] == EVIL_ORG)
    assert (evil["tuteur"], evil["courriel tuteur"], evil["cohorte"], evil["INE"]) == (
        "Anne Petit", EVIL_MAIL, "Tle AGOrA 1 2027", "1234567891B")  # the cohort with its session, as on screen
    assert evil["fin"] == add_working_days(date(2025, 9, 1), 20)


@pytest.mark.parametrize("cell", ["=1+1", "+33 6", "-2+3@evil.fr", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_dangerous_starts(cell):
    """OWASP CSV injection: a leading =, +, -, @, tab or CR gets a quote."""
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Mairie", "a=b", "", "'déjà", " =x"])
def test_neutralise_leaves_plain_text(cell):
    assert neutralise(cell) == cell


# -- files ---------------------------------------------------------------------------------------------
def test_csv_bom_semicolon_french_dates_neutralised(loaded, tmp_path):
    """CSV: UTF-8 BOM, ';', JJ/MM/AAAA, formula injection neutralised, œ intact."""
    path = write_export(rows_of(loaded), "csv", tmp_path / "out.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(COLUMNS)
    records = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    evil = next(r for r in records if "HYPERLINK" in r["organisation"])
    assert evil["organisation"] == "'" + EVIL_ORG
    assert evil["courriel tuteur"] == "'" + EVIL_MAIL
    assert evil["début"] == "01/09/2025"
    assert any(r["nom"] == "Cœurdacier" for r in records) and any(r["nom"] == "Bœuf" for r in records)
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in records for cell in r.values())


def test_xlsx_header_frozen_dates_neutralised(loaded, tmp_path):
    """XLSX: bold frozen header, real dates shown DD/MM/YYYY, sized columns, no formula, œ intact."""
    path = write_export(rows_of(loaded), "xlsx", tmp_path / "out.xlsx")
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]] == list(COLUMNS)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    org_col, mail_col, start_col = COLUMNS.index("organisation"), COLUMNS.index("courriel tuteur"), COLUMNS.index("début")
    evil = next(v for v in values if v[org_col] and "HYPERLINK" in v[org_col])
    assert evil[org_col] == "'" + EVIL_ORG and evil[mail_col] == "'" + EVIL_MAIL
    assert evil[start_col] == datetime(2025, 9, 1)
    start_cell = next(row[start_col] for row in ws.iter_rows(min_row=2) if row[start_col].value is not None)
    assert start_cell.number_format == "DD/MM/YYYY"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert any(v[1] == "Cœurdacier" for v in values)
    assert ws.column_dimensions["L"].width > ws.column_dimensions["D"].width  # motif wider than INE


def test_json_list_of_objects_iso_dates_neutralised(loaded, tmp_path):
    """JSON: a list of objects with the CONTRACT columns, ISO dates, same neutralisation, œ as is."""
    path = write_export(rows_of(loaded), "json", tmp_path / "out.json")
    raw = path.read_text(encoding="utf-8")
    assert "Cœurdacier" in raw  # ensure_ascii=False
    items = json.loads(raw)
    assert all(list(item) == list(COLUMNS) for item in items)
    evil = next(i for i in items if i["organisation"] and "HYPERLINK" in i["organisation"])
    assert (evil["organisation"], evil["courriel tuteur"], evil["début"]) == ("'" + EVIL_ORG, "'" + EVIL_MAIL, "2025-09-01")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_file_mode_0600_and_parent_created(loaded, tmp_path, monkeypatch, fmt):
    """The export is readable by its owner only (0600), its folder created if missing."""
    monkeypatch.delenv("PFMP_SHARED_GROUP", raising=False)
    path = write_export(rows_of(loaded), fmt, tmp_path / "new" / "dir" / f"out.{fmt}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [f"out.{fmt}"]  # no temp file left


def test_export_file_mode_0660_when_shared_group(loaded, tmp_path, monkeypatch):
    """PFMP_SHARED_GROUP=1: owner and group may read and write (0660), even under a 022 umask."""
    monkeypatch.setenv("PFMP_SHARED_GROUP", "1")
    path = write_export(rows_of(loaded), "csv", tmp_path / "out.csv")
    assert stat.S_IMODE(path.stat().st_mode) == 0o660


def test_default_export_path_dated_slugged_never_overwrites(tmp_path):
    exports = tmp_path / "exports"
    first = default_export_path(exports, "csv", AS_OF, None)
    assert first == exports / "attestations-manquantes_2026-11-28.csv"
    write_export([], "csv", first)
    assert default_export_path(exports, "csv", AS_OF, None).name == "attestations-manquantes_2026-11-28-2.csv"
    write_export([], "csv", exports / "attestations-manquantes_2026-11-28-2.csv")
    assert default_export_path(exports, "csv", AS_OF, None).name == "attestations-manquantes_2026-11-28-3.csv"
    slugged = default_export_path(exports, "xlsx", AS_OF, "Tle AGOrA/Œ 1")
    assert slugged.name == "attestations-manquantes_2026-11-28_tle-agora-oe-1.xlsx"
    assert slugged.parent == exports


def test_empty_export_still_has_its_header(tmp_path):
    path = write_export([], "csv", tmp_path / "e.csv")
    assert path.read_bytes().decode("utf-8-sig").splitlines() == [";".join(COLUMNS)]
    assert json.loads(write_export([], "json", tmp_path / "e.json").read_text()) == []


def test_unknown_format_refused(tmp_path):
    with pytest.raises(ValueError):
        write_export([], "ods", tmp_path / "x.ods")
