"""Issue 10, « hangs and unbounded work »: imports are bounded in size, depth, rows and
time; devices and FIFOs are refused; each bad file is refused with a clear French
message in well under a second (timed around the service call, not the interpreter)."""

from __future__ import annotations

import io
import os
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import run_pfmp
from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.services import importing

FAST = 1.0  # seconds


def refused_fast(read, path) -> str:
    start = time.monotonic()
    with pytest.raises(ValidationFailed) as caught:
        read(path)
    elapsed = time.monotonic() - start
    assert elapsed < FAST, f"{elapsed:.2f} s"
    text = "\n".join(str(e) for e in caught.value.errors)
    assert len(text) < 1000, len(text)
    return text


def zip_of(tmp_path: Path, name: str, members: dict[str, bytes]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in members.items():
            z.writestr(member, data)
    return path


def test_a_zip_bomb_of_xml_is_refused_at_once(tmp_path: Path):
    eleve = b"<ELEVE ELEVE_ID='1'><NOM_DE_FAMILLE>A</NOM_DE_FAMILLE></ELEVE>"
    body = b"<BEE_ELEVES><DONNEES><ELEVES>" + eleve * (190 * 1024 * 1024 // len(eleve)) + b"</ELEVES></DONNEES></BEE_ELEVES>"
    bomb = zip_of(tmp_path, "eleves.zip", {"ExportXML_ElevesSansAdresses.xml": body})
    del body
    assert bomb.stat().st_size < 2 * 1024 * 1024
    assert "décompress" in refused_fast(importing.read_students, bomb)


def test_an_xlsx_with_a_huge_sheet_is_refused_at_once(tmp_path: Path):
    row = b"<row><c t='inlineStr'><is><t>x</t></is></c></row>"
    sheet = b"<worksheet><sheetData>" + row * (190 * 1024 * 1024 // len(row)) + b"</sheetData></worksheet>"
    book = zip_of(tmp_path, "orgs.xlsx", {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": sheet})
    del sheet
    assert "décompress" in refused_fast(importing.read_organisations, book)


def test_xml_nested_200000_deep_is_refused_at_once(tmp_path: Path):
    deep = tmp_path / "deep.xml"
    deep.write_bytes(b"<?xml version='1.0'?>" + b"<a>" * 200_000 + b"</a>" * 200_000)
    assert "imbriqués" in refused_fast(importing.read_students, deep)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused_at_once(device: str):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    assert "fichier ordinaire" in refused_fast(importing.read_students, device)


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_a_fifo_is_refused_at_once_without_waiting_for_a_writer(tmp_path: Path):
    fifo = tmp_path / "eleves.csv"
    os.mkfifo(fifo)
    assert "fichier ordinaire" in refused_fast(importing.read_organisations, fifo)


def test_a_csv_of_too_many_rows_is_refused(tmp_path: Path):
    csv = tmp_path / "eleves.csv"
    csv.write_text("NOM;PRENOM;NE(E) LE\n" + "A;B;01/01/2009\n" * 100_001, encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(ValidationFailed) as caught:
        importing.read_students(csv)
    assert "trop long" in str(caught.value.errors[0]) and time.monotonic() - start < 3


def test_the_cli_says_it_in_french_with_exit_2(db_path: Path):
    done = run_pfmp("--db", str(db_path), "import", "organisations", "/dev/zero")
    assert done.returncode == 2 and "fichier ordinaire" in done.stderr, done.stderr
    assert "rien n'a été modifié" in done.stderr
