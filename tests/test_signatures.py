"""Issue 15 §1 (signature progress, R10): conventions sent, signed by each party, and
the PFMP starting within 15 days without a signed convention."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pfmp_tui.domain.convention import signature_progress
from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.services import signatures
from tests.conftest import minimal_document, run_pfmp


def _doc() -> dict:
    doc = minimal_document()  # s1 Zoé, born 2009: a minor in 2026; s2 Léo, birth date unknown
    p1 = doc["placements"][0]
    p1["convention"] = {"status": "none", "signed_on": None}
    p1["attestation"] = None
    doc["assessments"] = []
    doc["placements"].append({"id": "p2", "student_id": "s2", "period_id": "pe1", "organisation_id": "o1",
                              "tutor_id": None, "teacher": None, "start": "2026-01-19", "end": "2026-01-30",
                              "convention": {"status": "none", "signed_on": None}, "attestation": None})
    return doc


def test_sent_signed_by_each_party_and_progress(repo):
    repo.add_all(parse_document(_doc()), replace=True)
    as_of = date(2025, 12, 22)
    pr = signature_progress(repo.dataset(), "pe1", as_of)
    assert (pr.placements, pr.generated, pr.sent, pr.signed) == (2, 0, 0, 0)
    assert [p.id for p in pr.unsigned_soon] == ["p1"]  # p1 starts 2026-01-05 (14 days); p2 in 28 days
    assert signatures.mark_sent(repo, date(2025, 12, 1), period_id="pe1") == 2
    p = signatures.sign(repo, "p1", ["school", "organisation", "student"], date(2025, 12, 10))
    assert p.convention.status == "sent"  # a minor: the legal representative has not signed
    assert signatures.missing_signatures(repo.dataset(), p) == ["legal_representative"]
    p = signatures.sign(repo, "p1", ["legal_representative"], date(2025, 12, 12))
    assert (p.convention.status, p.convention.signed_on) == ("signed", date(2025, 12, 12))
    p2 = signatures.sign(repo, "p2", ["school", "organisation", "student"], date(2026, 1, 20))
    assert p2.convention.status == "signed"  # not known to be a minor
    pr = signature_progress(repo.dataset(), "pe1", as_of)
    assert (pr.sent, pr.signed) == (2, 2)
    assert pr.signed_by["legal_representative"] == (1, 1) and pr.signed_by["school"] == (2, 2)
    assert pr.unsigned_soon == ()
    with pytest.raises(ValidationFailed):
        signatures.sign(repo, "p1", ["le_maire"], date(2025, 12, 12))
    # R10 still sees a signature after the start: `check` warns (CONVENTION_UNSIGNED) for p2.
    from pfmp_tui.services.check import run_check

    flags = [f for r in run_check(repo, date(2026, 2, 1)) for f in r.flags if f.code == "CONVENTION_UNSIGNED"]
    assert [f.placement_id for f in flags] == ["p2"]


def test_cli_convention_progress_sent_sign(tmp_path):
    (tmp_path / "doc.json").write_text(json.dumps(_doc()), encoding="utf-8")
    assert run_pfmp("load", "doc.json", cwd=tmp_path).returncode == 0
    r = run_pfmp("convention", "progress", "--as-of", "2025-12-22", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "générées 0/2 · envoyées 0/2 · signées 0/2" in r.stdout
    assert "établissement 0/2, organisme 0/2, élève 0/2, repr. légal 0/1" in r.stdout
    assert "Début dans 15 jours ou moins sans convention signée (R10)" in r.stdout and "[p1]" in r.stdout
    assert "[p2]" not in r.stdout
    r = run_pfmp("convention", "sent", "--period", "pe1", "--on", "2025-12-01", cwd=tmp_path)
    assert r.returncode == 0 and "2 convention(s)" in r.stdout
    r = run_pfmp("convention", "sign", "p1", "--by", "school,student", "--on", "2025-12-10", cwd=tmp_path)
    assert r.returncode == 0 and "manque : représentant de l'organisme d'accueil, représentant légal" in r.stdout
    r = run_pfmp("convention", "sign", "p1", "--by", "organisme", cwd=tmp_path)
    assert r.returncode == 2 and "--by" in r.stderr
    r = run_pfmp("convention", "progress", "--period", "nope", cwd=tmp_path)
    assert r.returncode == 2
