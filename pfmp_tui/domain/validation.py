"""Field validation with French messages that name the field.

Every function takes the raw value and the field's path, and either returns the
clean value or raises `ValidationFailed` with one `FieldError`. The
`Collector`-based helpers at the bottom let a whole record be checked at once.
Pure: no I/O.
"""

from __future__ import annotations

import re
import reprlib
from datetime import date
from typing import Any

from .errors import FieldError, ValidationFailed

# ISO 3166-1 alpha-2 (249 officially assigned codes).
COUNTRY_CODES: frozenset[str] = frozenset("""AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW """.split())

# EU, EEA and EFTA countries: a PFMP there can validate the unité facultative de mobilité (R15).
MOBILITY_COUNTRIES: frozenset[str] = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
    " IS LI NO CH".split()
)

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
# INE: 11 characters. INE-BEA: 10 digits + a key letter; INE-RNIE: 9 digits + 2 letters;
# INE apprenti: 4 digits (year), "A", 5 digits, a key letter.
_INE = re.compile(r"^([0-9]{10}[A-Z]|[0-9]{9}[A-Z]{2}|[0-9]{4}A[0-9]{5}[A-Z])$")
_PHONE = re.compile(r"^\+?[0-9(][0-9 .()/-]*[0-9]$")  # the characters a number is written with
_PHONE_FR = re.compile(r"^0[1-9][0-9]{8}$")
_PHONE_FR_INTL = re.compile(r"^(\+|00)33(0)?[1-9][0-9]{8}$")
_PHONE_INTL = re.compile(r"^(\+|00)(?!33)[1-9][0-9]{6,14}$")
# A host (labels of letters, digits, hyphens; a top-level domain of 2+ letters), then an optional
# port and path; « http:// » or « https:// » optional. Letters include accented ones (IDN).
_WEBSITE = re.compile(
    r"^(https?://)?(?!-)([^\W_]|-)+(?<!-)(\.(?!-)([^\W_]|-)+(?<!-))*\.[^\W\d_]{2,}(:[0-9]{1,5})?([/?#][^\s]*)?$",
    re.IGNORECASE,
)
_POSTCODE_FR = re.compile(r"^[0-9]{5}$")

# SIREN of La Poste: its head office passes Luhn, its many establishments use
# another key instead (the sum of the 14 digits is a multiple of 5).
_LA_POSTE_SIREN = "356000000"


def _fail(path: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(path, message)])


def show(value: Any) -> str:
    """The value as quoted in a message: « 2026-13-01 »."""
    text = value if isinstance(value, str) else _SHORT.repr(value)
    if len(text) > 60:
        text = text[:57] + "…"
    # A lone surrogate or a control character is shown escaped, never printed as is.
    text = "".join(c if c.isprintable() else "�" for c in text.encode("utf-8", "backslashreplace").decode("utf-8"))
    return f"« {text} »"


_SHORT = reprlib.Repr()  # bounded repr: a list of a million items is not written out first
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlevel = 3


def parse_date(value: Any, path: str) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise _fail(path, f"date invalide {show(value)} (attendu AAAA-MM-JJ)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(path, f"date invalide {show(value)}") from None


def parse_french_date(value: str, path: str) -> date:
    """JJ/MM/AAAA (what users type in forms) or AAAA-MM-JJ."""
    text = (value or "").strip()
    m = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text)
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            raise _fail(path, f"date invalide {show(text)}") from None
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return parse_date(text, path)
    raise _fail(path, f"date invalide {show(text)} (attendu JJ/MM/AAAA)")


def format_date_fr(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def require_str(value: Any, path: str, *, max_len: int = 500) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"texte attendu, reçu {show(value)}")
    text = value.strip()
    if not text:
        raise _fail(path, "champ obligatoire vide")
    if len(text) > max_len:
        raise _fail(path, f"trop long ({len(text)} caractères, {max_len} au plus)")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise _fail(path, "caractère de contrôle interdit")
    return text


def optional_str(value: Any, path: str, *, max_len: int = 500) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return require_str(value, path, max_len=max_len)


def require_id(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"identifiant invalide {show(value)} (texte non vide attendu)")
    if len(value) > 100 or any(ord(c) < 32 for c in value):
        raise _fail(path, f"identifiant invalide {show(value)}")
    return value


def require_bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, f"booléen attendu (true ou false), reçu {show(value)}")
    return value


def require_int(value: Any, path: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, f"nombre entier attendu, reçu {show(value)}")
    if minimum is not None and value < minimum:
        raise _fail(path, f"{value} est inférieur au minimum {minimum}")
    if maximum is not None and value > maximum:
        raise _fail(path, f"{value} dépasse le maximum {maximum}")
    return value


def require_choice(value: Any, path: str, choices: tuple) -> Any:
    # Compare types too: in Python True == 1, but JSON true is not the number 1.
    if not any(type(value) is type(c) and value == c for c in choices):
        allowed = ", ".join("null" if c is None else str(c) for c in choices)
        raise _fail(path, f"valeur invalide {show(value)} (attendu : {allowed})")
    return value


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def siret_ok(siret: str) -> bool:
    if not re.fullmatch(r"[0-9]{14}", siret):
        return False
    if siret.startswith(_LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0:
        return True  # La Poste's establishments: INSEE's exception to the Luhn key
    return luhn_ok(siret)


def parse_siret(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(path, f"SIRET invalide {show(value)} (14 chiffres attendus)")
    siret = re.sub(r"[\s.]", "", value)
    if not siret:
        return None
    if not re.fullmatch(r"[0-9]{14}", siret):
        raise _fail(path, f"SIRET invalide {show(value)} (14 chiffres attendus)")
    if not siret_ok(siret):
        raise _fail(path, f"SIRET invalide {show(value)} (clé de contrôle de Luhn fausse)")
    return siret


def parse_ine(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(path, f"INE invalide {show(value)}")
    ine = value.strip().upper()
    if not ine:
        return None
    if not _INE.fullmatch(ine):
        raise _fail(path, f"INE invalide {show(value)} (11 caractères : 10 chiffres et une lettre, ou 9 chiffres et 2 lettres)")
    return ine


def parse_email(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(path, f"adresse électronique invalide {show(value)}")
    email = value.strip()
    if not email:
        return None
    if not _EMAIL.fullmatch(email) or ".." in email:
        raise _fail(path, f"adresse électronique invalide {show(value)}")
    return email


def parse_phone(value: Any, path: str) -> str | None:
    """A phone number as typed (« 02 31 45 67 89 », « +33 2 31 45 67 89 », « +32 2 123 45 67 »).

    French: 10 digits starting with 0 (not 00), or +33 / 0033, an optional (0), then 9 digits.
    Elsewhere: + or 00, a country code (not 0), 7 to 15 digits in all (ITU-T E.164).
    Spaces, dots, hyphens and brackets between digits are allowed and kept."""
    text = optional_str(value, path, max_len=30)
    if text is None:
        return None
    digits = re.sub(r"[ .()/-]", "", text)
    if not _PHONE.fullmatch(text) or not (
        _PHONE_FR.fullmatch(digits) or _PHONE_FR_INTL.fullmatch(digits) or _PHONE_INTL.fullmatch(digits)
    ):
        raise _fail(path, f"numéro de téléphone invalide {show(value)} (ex. 02 31 45 67 89, +32 2 123 45 67)")
    return text


def parse_website(value: Any, path: str) -> str | None:
    """A website address as typed: « www.exemple.fr », « exemple.fr/stages », « https://exemple.fr »
    (http or https only: no mailto:, javascript: or file:)."""
    text = optional_str(value, path, max_len=300)
    if text is None:
        return None
    if not _WEBSITE.fullmatch(text):
        raise _fail(path, f"site web invalide {show(value)} (ex. www.exemple.fr)")
    return text


def parse_country(value: Any, path: str) -> str:
    if not isinstance(value, str) or value not in COUNTRY_CODES:
        raise _fail(path, f"code pays invalide {show(value)} (ISO 3166-1 alpha-2 attendu, ex. « FR »)")
    return value


def parse_postcode(value: Any, path: str, country: str | None) -> str | None:
    text = optional_str(value, path, max_len=12)
    if text is not None and country == "FR" and not _POSTCODE_FR.fullmatch(text):
        raise _fail(path, f"code postal invalide {show(value)} (5 chiffres attendus)")
    return text


def end_before_start(start: date, end: date) -> str:
    """The message of a period that ends before it starts, dates as users write them."""
    return f"la fin ({format_date_fr(end)}) précède le début ({format_date_fr(start)})"
