"""`pfmp check` and `pfmp export missing-attestations` through the real entry point (CONTRACT.md)."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pfmp_tui.domain.interchange import to_document
from tests.conftest import run_pfmp, write_json
from tests.test_check_export import AS_OF, EVIL_MAIL, EVIL_ORG, school

COLUMNS = ["cohorte", "nom", "prénom", "INE", "voie", "organisation", "tuteur", "courriel tuteur", "début", "fin", "règle", "motif"]


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "db" / "pfmp.json"
    r = run_pfmp("--db", str(path), "load", str(write_json(tmp_path / "school.json", to_document(school()))))
    assert r.returncode == 0, r.stderr
    return str(path)


def test_check_json_follows_the_contract(db):
    r = run_pfmp("--db", db, "check", "--as-of", AS_OF.isoformat(), "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["as_of"] == "2026-11-28"
    first = out["candidates"][0]
    contract_keys = ["student_id", "name", "cohort_id", "voie", "required_days", "attested_days",
                     "planned_days", "status", "flags"]
    assert list(first)[: len(contract_keys)] == contract_keys  # extended only after them
    assert list(first["flags"][0]) == ["rule", "code", "blocking", "placement_id", "message"]
    statuses = [c["status"] for c in out["candidates"]]
    order = ["non_valide", "a_risque", "en_cours", "valide"]
    assert statuses == sorted(statuses, key=order.index), "worst first"
    flags = {f["code"]: f for c in out["candidates"] for f in c["flags"]}
    assert flags["ATTESTATION_MISSING"]["rule"] == "R11" and flags["ATTESTATION_MISSING"]["blocking"] is True
    assert flags["CONTRACT_MISSING"]["rule"] == "R7"
    assert any("CŒURDACIER" in c["name"] for c in out["candidates"])  # œ upper-cased right


def test_check_cohort_filter_and_after_deadline(db):
    out = json.loads(run_pfmp("--db", db, "check", "--cohort", "tle-2", "--as-of", "2026-11-28", "--format", "json").stdout)
    assert {c["cohort_id"] for c in out["candidates"]} == {"tle-2"}
    later = json.loads(run_pfmp("--db", db, "check", "--as-of", "2027-06-01", "--format", "json").stdout)
    assert "non_valide" in {c["status"] for c in later["candidates"]}


def test_check_table_fits_80_columns(db):
    r = run_pfmp("--db", db, "check", "--as-of", "2026-11-28")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "à risque" in r.stdout and "(R11)" in r.stdout


def test_check_bad_input_exit_2(db):
    r = run_pfmp("--db", db, "check", "--as-of", "2026-13-01")
    assert r.returncode == 2 and "--as-of: date invalide « 2026-13-01 »" in r.stderr
    r = run_pfmp("--db", db, "check", "--cohort", "nope")
    assert r.returncode == 2 and "cohorte inconnue « nope »" in r.stderr


def test_export_csv_default_path_bom_semicolon_and_neutralised(db, tmp_path: Path):
    r = run_pfmp("--db", db, "export", "missing-attestations", "--as-of", "2026-11-28", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    files = list((tmp_path / "exports").iterdir())
    assert len(files) == 1 and files[0].name.endswith("2026-11-28.csv")
    assert str(files[0].name) in r.stdout
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    raw = files[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == COLUMNS
    cells = [c for row in rows[1:] for c in row]
    assert "'" + EVIL_ORG in cells and EVIL_ORG not in cells
    assert "'" + EVIL_MAIL in cells
    assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in cells)
    assert any("Cœurdacier" in c for c in cells)
    assert any(c.count("/") == 2 and len(c) == 10 for c in cells)  # JJ/MM/AAAA
    # A second export the same day does not overwrite the first.
    run_pfmp("--db", db, "export", "missing-attestations", "--as-of", "2026-11-28", cwd=tmp_path)
    assert len(list((tmp_path / "exports").iterdir())) == 2


def test_export_xlsx(db, tmp_path: Path):
    out = tmp_path / "liste.xlsx"
    r = run_pfmp("--db", db, "export", "missing-attestations", "--as-of", "2026-11-28", "--format", "xlsx", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    ws = load_workbook(out).active
    assert [c.value for c in ws[1]] == COLUMNS
    assert ws.freeze_panes == "A2"
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert "'" + EVIL_ORG in values and "'" + EVIL_MAIL in values
    assert not any(v[:1] in ("=", "+", "-", "@") for v in values)
    assert any("Cœurdacier" in v for v in values)


def test_export_json(db, tmp_path: Path):
    out = tmp_path / "liste.json"
    r = run_pfmp("--db", db, "export", "missing-attestations", "--as-of", "2026-11-28", "--format", "json", "-o", str(out))
    assert r.returncode == 0, r.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert rows and all(list(row) == COLUMNS for row in rows)
    assert any(row["règle"] == "R11" for row in rows)
    assert any("Cœurdacier" == row["nom"] for row in rows)
    assert any(row["organisation"] == "'" + EVIL_ORG for row in rows)


def test_export_unknown_cohort_writes_nothing(db, tmp_path: Path):
    r = run_pfmp("--db", db, "export", "missing-attestations", "--cohort", "zz", cwd=tmp_path)
    assert r.returncode == 2 and "cohorte inconnue" in r.stderr
    assert not (tmp_path / "exports").exists()


def test_check_json_is_written_as_json_dumps_indent_2_writes_it(db):
    """The JSON is written by orjson (issue 13): byte for byte what `json.dumps(...,
    ensure_ascii=False, indent=2)` writes, accents included."""
    r = run_pfmp("--db", db, "check", "--as-of", AS_OF.isoformat(), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert r.stdout == json.dumps(json.loads(r.stdout), ensure_ascii=False, indent=2) + "\n"
    assert "é" in r.stdout
