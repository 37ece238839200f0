"""Field validation: every bad field is refused with a French message that names it."""

from __future__ import annotations

from datetime import date

import pytest

from pfmp_tui.domain import validation as v
from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.workdays import add_working_days, format_days, working_days


def message(fn, *args) -> str:
    with pytest.raises(ValidationFailed) as info:
        fn(*args)
    (error,) = info.value.errors
    return str(error)


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-02-30", "01/02/2026", "", "2026-1-1", 20260101, None])
def test_bad_dates_are_refused_with_field_and_value(bad):
    text = message(v.parse_date, bad, "students[3].birth_date")
    assert text.startswith("students[3].birth_date: date invalide")


def test_contract_example_message():
    assert message(v.parse_date, "2026-13-01", "students[3].birth_date").startswith(
        "students[3].birth_date: date invalide « 2026-13-01 »"
    )


def test_dates_parse():
    assert v.parse_date("2024-02-29", "x") == date(2024, 2, 29)
    assert v.parse_french_date("05/01/2026", "début") == date(2026, 1, 5)
    assert v.parse_french_date(" 2026-01-05 ", "début") == date(2026, 1, 5)
    assert "début" in message(v.parse_french_date, "31/02/2026", "début")
    assert "JJ/MM/AAAA" in message(v.parse_french_date, "demain", "début")


@pytest.mark.parametrize("siret", ["21690123100011", "73282932000074", "356 000 000 00048", "35600000012346"])
def test_valid_sirets(siret):
    assert v.parse_siret(siret, "siret") == siret.replace(" ", "")


@pytest.mark.parametrize(
    "siret, why",
    [("21690123100012", "Luhn"), ("2169012310001", "14 chiffres"), ("2169012310001A", "14 chiffres"), ("35600000012345", "Luhn")],
)
def test_bad_sirets_name_the_field_and_the_reason(siret, why):
    text = message(v.parse_siret, siret, "organisations[0].siret")
    assert text.startswith("organisations[0].siret: SIRET invalide")
    assert why in text


def test_luhn():
    assert v.luhn_ok("79927398713")
    assert not v.luhn_ok("79927398710")


@pytest.mark.parametrize("ine", ["1234567890A", "123456789AB", "2023A12345K", "1234567890a"])
def test_valid_ine(ine):
    assert v.parse_ine(ine, "ine") == ine.upper()


@pytest.mark.parametrize("ine", ["123", "ABCDEFGHIJK", "12345678901", "1234567890AB"])
def test_bad_ine(ine):
    assert message(v.parse_ine, ine, "students[0].ine").startswith("students[0].ine: INE invalide")


@pytest.mark.parametrize("email", ["a@b.fr", "anne.petit+pfmp@lyon.fr", "-2+3@evil.fr"])
def test_valid_email(email):
    assert v.parse_email(email, "email") == email


@pytest.mark.parametrize("email", ["a@b", "a b@c.fr", "@c.fr", "a@@c.fr", "a..b@c.fr"])
def test_bad_email(email):
    assert message(v.parse_email, email, "tutors[1].email").startswith("tutors[1].email: adresse électronique invalide")


def test_country_codes():
    assert v.parse_country("FR", "country") == "FR"
    assert len(v.COUNTRY_CODES) == 249
    assert "ISO 3166-1" in message(v.parse_country, "FRA", "organisations[0].country")
    assert "organisations[0].country" in message(v.parse_country, "fr", "organisations[0].country")


def test_bool_and_int_are_not_confused():
    assert "booléen" in message(v.require_bool, 1, "positioned")
    assert "entier" in message(v.require_int, True, "days")
    assert "entier" in message(v.require_int, 2.5, "days")
    assert "minimum" in message(lambda x, p: v.require_int(x, p, minimum=0), -1, "days")
    # JSON true is not the cycle 1, nor 1 the boolean true.
    assert "valeur invalide" in message(v.require_choice, True, "cycle_years", (3, 2, None))


def test_required_text():
    assert "vide" in message(v.require_str, "   ", "last_name")
    assert "texte attendu" in message(v.require_str, 12, "last_name")
    assert "contrôle" in message(v.require_str, "a\x00b", "last_name")
    assert v.require_str("  Bœuf ", "last_name") == "Bœuf"


def test_postcode_checked_in_france_only():
    assert v.parse_postcode("69001", "postcode", "FR") == "69001"
    assert "code postal" in message(v.parse_postcode, "6900", "postcode", "FR")
    assert v.parse_postcode("D-10115", "postcode", "DE") == "D-10115"


# Working-day arithmetic (DOMAIN.md: durations are kept in days, 5 a week).
def test_working_days():
    monday = date(2026, 1, 5)
    assert working_days(monday, date(2026, 1, 9)) == 5
    assert working_days(monday, date(2026, 1, 11)) == 5  # the weekend does not count
    assert working_days(monday, date(2026, 1, 30)) == 20
    assert working_days(date(2026, 1, 10), date(2026, 1, 11)) == 0
    assert working_days(date(2026, 1, 9), date(2026, 1, 5)) == 0
    assert working_days(date(2026, 1, 7), date(2026, 1, 7)) == 1


def test_working_days_matches_a_day_by_day_count():
    from datetime import timedelta

    start = date(2025, 12, 24)
    for length in range(0, 60):
        end = start + timedelta(days=length)
        expected = sum(1 for i in range(length + 1) if (start + timedelta(days=i)).weekday() < 5)
        assert working_days(start, end) == expected


def test_add_working_days():
    monday = date(2026, 1, 5)
    assert add_working_days(monday, 5) == date(2026, 1, 9)
    assert add_working_days(monday, 6) == date(2026, 1, 12)
    assert add_working_days(date(2026, 1, 10), 1) == date(2026, 1, 12)  # a Saturday start
    for n in range(1, 40):
        assert working_days(monday, add_working_days(monday, n)) == n


def test_format_days():
    assert format_days(92) == "18 sem. 2 j"
    assert format_days(110) == "22 sem."
    assert format_days(3) == "3 j"
    assert format_days(0) == "0 j"
    assert format_days(None) == "—"


# Contact details of organisations and tutors (issue 15): one rule for every way in.
@pytest.mark.parametrize("phone", ["02 31 45 67 89", "0231456789", "06.39.98.12.34", "02-31-45-67-89",
                                   "+33 2 31 45 67 89", "+33 (0)2 31 45 67 89", "0033 2 31 45 67 89",
                                   "+32 2 123 45 67", "+1 (555) 123-4567", "+352 26 12 34"])
def test_valid_phone(phone):
    assert v.parse_phone(f" {phone} ", "phone") == phone  # kept as typed, trimmed


@pytest.mark.parametrize("phone", ["123456", "------", "02 31 45 67", "02 31 45 67 89 1", "00 00",
                                   "+33 2 31 45 67", "+0 123456789", "12345678901", "abc",
                                   "02 31 45 67 89 poste 12", "+33 2 31 45 67 89 +"])
def test_bad_phone(phone):
    text = message(v.parse_phone, phone, "organisations[0].phone")
    assert text.startswith("organisations[0].phone: numéro de téléphone invalide") and "02 31 45 67 89" in text


@pytest.mark.parametrize("site", ["www.exemple.fr", "exemple.fr", "https://exemple.fr/stages?x=1",
                                  "http://www.mairie-caen.fr", "https://café-dupont.fr", "exemple.fr:8080/x"])
def test_valid_website(site):
    assert v.parse_website(site, "website") == site


@pytest.mark.parametrize("site", ["exemple", "ma boulangerie.fr", "mailto:a@b.fr", "javascript:alert(1)",
                                  "file:///etc/passwd", "-x.fr", "a_b.fr", "http://localhost", "www.exemple.f"])
def test_bad_website(site):
    assert message(v.parse_website, site, "organisations[0].website").startswith(
        "organisations[0].website: site web invalide")


def test_every_way_in_uses_the_same_contact_rules():
    """`pfmp load` (interchange) refuses what the form refuses, naming the field."""
    from pfmp_tui.domain.errors import ValidationFailed
    from pfmp_tui.domain.interchange import parse_record

    base = {"id": "o1", "name": "Mairie", "country": "FR"}
    for key, bad in (("phone", "123"), ("email", "contact@mairie"), ("website", "mairie")):
        with pytest.raises(ValidationFailed) as exc:
            parse_record("organisations", {**base, key: bad}, "organisations[0]")
        assert [e.path for e in exc.value.errors] == [f"organisations[0].{key}"]
    with pytest.raises(ValidationFailed) as exc:
        parse_record("tutors", {"id": "t1", "organisation_id": "o1", "last_name": "A", "first_name": "B",
                                "phone": "1234"}, "tutors[0]")
    assert [e.path for e in exc.value.errors] == ["tutors[0].phone"]
