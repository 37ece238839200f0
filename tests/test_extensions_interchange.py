"""CONTRACT.md « Extensions » (issue 14): absences, placements[].makes_up, placements[].class_year,
students[].payment. Written only when present; every v1 document loads and round-trips unchanged;
every way in (load, Python API) refuses the same records (R17, R18, dérogation bounds)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date

import pytest

from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import parse_document, to_document
from pfmp_tui.domain.model import Absence, Payment, Placement
from pfmp_tui.services import data_io
from tests.conftest import minimal_document, run_pfmp, write_json


def extended_document() -> dict:
    doc = minimal_document()
    doc["students"][0]["payment"] = {"bank_details_received": True, "authorisation_received": False}
    doc["placements"][0]["class_year"] = "seconde"
    doc["placements"][0]["attestation"]["days_completed"] = 18
    doc["placements"].append(
        {"id": "p2", "student_id": "s1", "period_id": None, "organisation_id": "o1", "tutor_id": None,
         "teacher": None, "start": "2026-04-13", "end": "2026-04-17",
         "convention": {"status": "signed", "signed_on": "2026-04-01"}, "attestation": None, "makes_up": "p1"})
    doc["absences"] = [
        {"id": "ab1", "placement_id": "p1", "start": "2026-01-12", "end": "2026-01-13", "days": 2,
         "reason": "maladie", "note": "certificat médical", "justified": True}]
    return doc


def roundtrip(doc: dict, tmp_path) -> dict:
    repo = data_io.open_repository(tmp_path / "db" / "pfmp.json")
    repo.add_all(parse_document(doc), replace=True)
    return json.loads(data_io.dump_bytes(repo))


def test_v1_document_round_trips_unchanged(tmp_path):
    """CONTRACT « Extensions »: a v1 document loads, and dumps exactly as it was (no new key)."""
    doc = minimal_document()
    out = roundtrip(doc, tmp_path)
    assert out == {**doc, "contracts": []}
    assert "absences" not in out and all("payment" not in s for s in out["students"])
    assert all("makes_up" not in p and "class_year" not in p for p in out["placements"])


def test_extended_document_round_trips(tmp_path):
    """The extensions load and dump back identical: dump → load → dump."""
    doc = extended_document()
    once = roundtrip(doc, tmp_path / "a")
    assert once["absences"] == doc["absences"]
    assert once["students"][0]["payment"] == doc["students"][0]["payment"]
    assert [p.get("makes_up") for p in once["placements"]] == [None, "p1"]
    assert once["placements"][0]["class_year"] == "seconde"
    assert roundtrip(once, tmp_path / "b") == once


def test_cli_load_dump_with_extensions(tmp_path):
    """The real entry point: load then dump gives the extended document back."""
    src = write_json(tmp_path / "in.json", extended_document())
    db = str(tmp_path / "db" / "pfmp.json")
    assert run_pfmp("--db", db, "load", str(src)).returncode == 0
    out = run_pfmp("--db", db, "dump")
    assert out.returncode == 0
    assert json.loads(out.stdout)["absences"] == extended_document()["absences"]


@pytest.mark.parametrize(("mutate", "path", "words"), [
    (lambda d: d["absences"][0].update(start="2026-01-02"), "absences[0].start", "sort de la PFMP"),
    (lambda d: d["absences"][0].update(days=3), "absences[0].days", "jours ouvrés"),
    (lambda d: d["absences"][0].update(reason="vacances"), "absences[0].reason", "valeur invalide"),
    (lambda d: d["absences"][0].update(placement_id="nope"), "absences[0].placement_id", "référence inconnue"),
    (lambda d: d["placements"][1].update(makes_up="p2"), "placements[1].makes_up", "elle-même"),
    (lambda d: d["placements"][0].update(makes_up="p2"), "makes_up", "boucle"),
    (lambda d: d["placements"][0].update(class_year="quatrieme"), "placements[0].class_year", "valeur invalide"),
    (lambda d: d["students"][0].update(payment={"bank_details_received": "oui", "authorisation_received": False}),
     "students[0].payment.bank_details_received", "booléen"),
    (lambda d: d["students"][0].update(payment={"rib": "FR76…"}), "students[0].payment.rib", "clé inconnue"),
    (lambda d: d["students"][0].update(derogation={"required_days": 150, "reason": "x"}),
     "students[0].derogation.required_days", "entre 0 et la durée normale de la voie, 110 jours (R1)"),
])
def test_load_refuses_bad_extensions_naming_the_field(mutate, path, words):
    """CONTRACT « Extensions » validation; DOMAIN.md: a dérogation is at most the normal requirement."""
    doc = copy.deepcopy(extended_document())
    mutate(doc)
    with pytest.raises(ValidationFailed) as exc:
        parse_document(doc)
    assert any(path in e.path and words in e.message for e in exc.value.errors), exc.value.errors


def test_cli_refuses_a_dérogation_of_150_days_exit_2(tmp_path):
    doc = minimal_document()
    doc["students"][0]["derogation"] = {"required_days": 150, "reason": "erreur de saisie"}
    result = run_pfmp("--db", str(tmp_path / "db.json"), "load", str(write_json(tmp_path / "d.json", doc)))
    assert result.returncode == 2
    assert "students[0].derogation.required_days" in result.stderr and "110 jours (R1)" in result.stderr


# -- one validation for every way in: the Python API -----------------------------------------------------
@pytest.fixture
def loaded(repo):
    repo.add_all(parse_document(extended_document()))
    return repo


def test_api_refuses_a_placement_ending_before_it_starts(loaded):
    """Issue 14: Repository.create accepted what load refuses, breaking dump → load → dump."""
    bad = Placement("p9", "s1", "o1", date(2026, 3, 10), date(2026, 3, 2))
    with pytest.raises(ValidationFailed, match="end: la fin"):
        loaded.create("placements", bad)
    current, rev = loaded.get("placements", "p1")
    with pytest.raises(ValidationFailed, match="end"):
        loaded.update("placements", replace(current, end=date(2025, 12, 1)), rev)
    assert loaded.get("placements", "p9") is None


def test_api_refuses_bad_extensions(loaded):
    with pytest.raises(ValidationFailed, match="sort de la PFMP"):
        loaded.create("absences", Absence("ab2", "p1", date(2026, 2, 2), date(2026, 2, 3), 2, "maladie"))
    with pytest.raises(ValidationFailed, match="jours ouvrés"):
        loaded.create("absences", Absence("ab2", "p1", date(2026, 1, 19), date(2026, 1, 19), 2, "maladie"))
    p1, rev = loaded.get("placements", "p1")
    with pytest.raises(ValidationFailed, match="boucle"):
        loaded.update("placements", replace(p1, makes_up="p2"), rev)
    with pytest.raises(ValidationFailed, match="sortirait de la PFMP"):  # its absence on 12-13/01
        loaded.update("placements", replace(p1, start=date(2026, 1, 19), attestation=None), rev)
    s1, srev = loaded.get("students", "s1")
    with pytest.raises(ValidationFailed, match="110 jours"):
        from pfmp_tui.domain.model import Derogation
        loaded.update("students", replace(s1, derogation=Derogation(150, "x")), srev)


def test_absences_follow_their_placement(loaded):
    """A deleted placement takes its absences; a make-up link forbids deleting what it makes up."""
    assert loaded.dependents("placements", "p1") == {"assessments": 1, "absences": 1}
    with pytest.raises(ValidationFailed, match="rattrapage"):
        loaded.delete("placements", "p1")
    loaded.delete("placements", "p2")
    removed = loaded.delete("placements", "p1")
    assert removed["absences"] == 1 and loaded.dataset().absences == []


def test_student_changing_cohort_takes_absences(loaded):
    from pfmp_tui.domain.model import Cohort
    loaded.create("cohorts", Cohort("c2", "1re AGOrA", 2028, date(2028, 5, 15)))
    s1, rev = loaded.get("students", "s1")
    loaded.update("students", replace(s1, cohort_id="c2"), rev)
    data = loaded.dataset()
    assert [a.id for a in data.absences] == ["ab1"]
    assert loaded.get("absences", "ab1")[0].placement_id == "p1"
    assert loaded.get("students", "s1")[0].payment == Payment(True, False)


def test_fast_path_for_assessments_agrees_with_the_parser():
    """The levels' fast path (a school's levels are most of its records) accepts only what the
    parser gives back unchanged; the rest goes through the parser and its messages."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pfmp_tui.domain.interchange import _canonical_assessment, parse_record, record_to_dict, validate_record
    from pfmp_tui.domain.model import Assessment

    values = st.builds(
        Assessment,
        id=st.sampled_from(["a1", " ", "", "a\x01", "x" * 101]),
        placement_id=st.sampled_from(["p1", ""]),
        competence=st.sampled_from(["1.1.1", "3.3.4", "9.9.9"]),
        level=st.sampled_from([None, 1, 4, 0, 5, True, 2.0]),
        assessor=st.sampled_from(["tutor", "teacher", "boss"]),
        date=st.sampled_from([date(2026, 1, 5), "2026-01-05"]),
        comment=st.sampled_from([None, "bien", " bien ", "", "a\x02", "x" * 5001, "ligne\nsuite"]),
    )

    @settings(max_examples=300, deadline=None)
    @given(values)
    def check(a):
        try:
            parsed = parse_record("assessments", record_to_dict("assessments", a), "")
        except ValidationFailed:
            parsed = None
        if _canonical_assessment(a):
            assert parsed == a
        if parsed is None:
            with pytest.raises(ValidationFailed):
                validate_record("assessments", a)
        else:
            assert validate_record("assessments", a) == parsed

    check()
