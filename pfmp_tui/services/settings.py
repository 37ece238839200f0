"""The school's settings file: who the school is (printed on conventions), how to send
mail, how far ahead reminders go, what the teachers' logins stand for.

One TOML file shared by the school's coordinators: ``$PFMP_CONFIG``, else
``pfmp.toml`` beside the store's main file. It holds no secret: the SMTP password is
read from the file named by ``smtp.password_file`` or the environment variable named
by ``smtp.password_env`` (default ``PFMP_SMTP_PASSWORD``), never from the store::

    [school]
    name = "Lycée Jean Moulin"
    uai = "0750001A"
    address = "1 rue de l'École"
    postcode = "75001"
    city = "Paris"
    head = "Mme Claire Martin"
    head_title = "Proviseure"
    phone = "01 23 45 67 89"
    email = "ce.0750001a@ac-paris.fr"
    insurance = "MAIF, contrat n° 1234"

    [smtp]
    host = "smtp.ac-paris.fr"
    port = 587
    security = "starttls"        # "starttls", "ssl" or "none"
    login = "pfmp"
    password_file = "/etc/pfmp/smtp-password"   # or password_env = "PFMP_SMTP_PASSWORD"
    sender = "PFMP Lycée Jean Moulin <pfmp@lycee.fr>"
    reply_to = "ddfpt@lycee.fr"
    # ca_file = "/etc/pfmp/ac-ca.pem"   # only if the server's certificate is not signed by a known authority

    [reminders]
    convention_days_before = 15   # a convention unsigned N days before the start (R10)
    attestation_days_after = 7    # an attestation missing N days after the end (R11)
    assessment_days_after = 7     # an assessment missing N days after the end (R12)
    templates = "modeles-courriels"   # folder of editable message templates (optional)

    [conventions]
    template = "modele-convention.docx"   # the school's Word model (else pfmp's default one)

    [teachers.jdupont]
    name = "Jean Dupont"
    email = "jean.dupont@lycee.fr"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.errors import Collector, FieldError, ValidationFailed
from ..domain.validation import parse_email
from ..domain.convention_fields import SchoolInfo

CONFIG_NAME = "pfmp.toml"
DEFAULT_PASSWORD_ENV = "PFMP_SMTP_PASSWORD"
SECURITIES = ("starttls", "ssl", "none")


# The school's identity is the domain's (what a convention template reads): one definition.
School = SchoolInfo


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    security: str = "starttls"
    login: str | None = None
    password_file: str | None = None
    password_env: str | None = None
    sender: str = ""
    reply_to: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None  # a school's own certificate authority (PEM), else the system's

    def password(self) -> str | None:
        """Read now, from the file or the environment; never kept in the store."""
        if self.password_file:
            try:
                return Path(self.password_file).expanduser().read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ValidationFailed(FieldError("smtp.password_file",
                                                  f"mot de passe illisible « {self.password_file} » : {exc.strerror}")) from None
        env = self.password_env or DEFAULT_PASSWORD_ENV
        value = os.environ.get(env)
        if self.login and value is None:
            raise ValidationFailed(FieldError("smtp.password_env",
                                              f"la variable d'environnement {env} (mot de passe SMTP) n'est pas définie"))
        return value


@dataclass(frozen=True, slots=True)
class Teacher:
    login: str
    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    convention_days_before: int = 15
    attestation_days_after: int = 7
    assessment_days_after: int = 7
    templates: Path | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    path: Path | None = None
    school: School = field(default_factory=School)
    smtp: SmtpConfig | None = None
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    teachers: dict[str, Teacher] = field(default_factory=dict)
    convention_template: Path | None = None  # the school's convention model, used when none is named

    def teacher(self, login: str | None) -> Teacher | None:
        if not login:
            return None
        return self.teachers.get(login.strip().casefold()) or Teacher(login, login)

    def require_smtp(self) -> SmtpConfig:
        if self.smtp is None:
            where = self.path or CONFIG_NAME
            raise ValidationFailed(FieldError("smtp", f"aucun serveur SMTP configuré : ajoutez une section [smtp] à {where}"))
        return self.smtp


def settings_path(store_path: Path) -> Path:
    env = os.environ.get("PFMP_CONFIG")
    return Path(env) if env else Path(store_path).parent / CONFIG_NAME


def load_settings(store_path: Path) -> Settings:
    """The settings beside the store (or at $PFMP_CONFIG); defaults when there is no file."""
    path = settings_path(store_path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings(path=path, school=School(name=os.environ.get("PFMP_SCHOOL", "")))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationFailed(FieldError(str(path), f"fichier de réglages invalide : {exc}")) from None
    return parse_settings(raw, path)


def _section(raw: dict, key: str, errs: Collector) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        errs.add(key, "section attendue")
        return {}
    return value


def _known(section: dict, name: str, keys: set[str], errs: Collector) -> None:
    for k in section:
        if k not in keys:
            errs.add(f"{name}.{k}", "réglage inconnu")


def _str(section: dict, name: str, key: str, errs: Collector, default: str | None = "") -> str | None:
    value = section.get(key, default)
    if value is not None and not isinstance(value, str):
        errs.add(f"{name}.{key}", "texte attendu")
        return default
    return value


def _int(section: dict, name: str, key: str, default: int, errs: Collector, lo: int = 0, hi: int = 365) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        errs.add(f"{name}.{key}", f"nombre entier attendu entre {lo} et {hi}")
        return default
    return value


def parse_settings(raw: dict, path: Path | None = None) -> Settings:
    errs = Collector()
    for k in raw:
        if k not in ("school", "smtp", "reminders", "teachers", "conventions"):
            errs.add(k, "section inconnue")
    s = _section(raw, "school", errs)
    school_keys = {f for f in School.__dataclass_fields__}
    _known(s, "school", school_keys, errs)
    school = School(**{k: _str(s, "school", k, errs, getattr(School(), k)) for k in school_keys})
    if not school.name:
        school = School(**{**{k: getattr(school, k) for k in school_keys}, "name": os.environ.get("PFMP_SCHOOL", "")})

    smtp = None
    m = _section(raw, "smtp", errs)
    if m:
        _known(m, "smtp", {"host", "port", "security", "login", "password_file", "password_env", "sender",
                           "reply_to", "timeout", "ca_file"}, errs)
        host = _str(m, "smtp", "host", errs)
        if not host:
            errs.add("smtp.host", "serveur SMTP obligatoire")
        security = _str(m, "smtp", "security", errs, "starttls")
        if security not in SECURITIES:
            errs.add("smtp.security", f"« {security} » : attendu starttls, ssl ou none")
        default_port = {"ssl": 465, "none": 25}.get(security or "", 587)
        port = _int(m, "smtp", "port", default_port, errs, 1, 65535)
        sender = _str(m, "smtp", "sender", errs)
        try:
            address = sender.rsplit("<", 1)[-1].rstrip(">").strip() if sender else None
            if not address or parse_email(address, "smtp.sender") is None:
                errs.add("smtp.sender", "adresse de l'expéditeur obligatoire")
        except ValidationFailed as exc:
            errs.errors.extend(exc.errors)
        timeout = m.get("timeout", 30)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
            errs.add("smtp.timeout", "durée en secondes attendue (1 à 600)")
            timeout = 30
        smtp = SmtpConfig(
            host=host or "", port=port, security=security or "starttls",
            login=_str(m, "smtp", "login", errs, None), password_file=_str(m, "smtp", "password_file", errs, None),
            password_env=_str(m, "smtp", "password_env", errs, None), sender=sender or "",
            reply_to=_str(m, "smtp", "reply_to", errs, None), timeout=float(timeout),
            ca_file=_str(m, "smtp", "ca_file", errs, None),
        )

    r = _section(raw, "reminders", errs)
    _known(r, "reminders", {"convention_days_before", "attestation_days_after", "assessment_days_after", "templates"}, errs)
    templates = _str(r, "reminders", "templates", errs, None)
    if templates and path is not None and not Path(templates).is_absolute():
        templates = str(Path(path).parent / templates)
    reminders = ReminderSettings(
        convention_days_before=_int(r, "reminders", "convention_days_before", 15, errs),
        attestation_days_after=_int(r, "reminders", "attestation_days_after", 7, errs),
        assessment_days_after=_int(r, "reminders", "assessment_days_after", 7, errs),
        templates=Path(templates) if templates else None,
    )

    c = _section(raw, "conventions", errs)
    _known(c, "conventions", {"template"}, errs)
    convention_template = _str(c, "conventions", "template", errs, None)
    if convention_template and path is not None and not Path(convention_template).is_absolute():
        convention_template = str(Path(path).parent / convention_template)

    teachers: dict[str, Teacher] = {}
    for login, t in _section(raw, "teachers", errs).items():
        if not isinstance(t, dict):
            errs.add(f"teachers.{login}", "section attendue")
            continue
        _known(t, f"teachers.{login}", {"name", "email"}, errs)
        email = _str(t, f"teachers.{login}", "email", errs, None)
        try:
            email = parse_email(email, f"teachers.{login}.email")
        except ValidationFailed as exc:
            errs.errors.extend(exc.errors)
        teachers[login.casefold()] = Teacher(login, _str(t, f"teachers.{login}", "name", errs) or login, email)
    if errs:
        where = f"{path} : " if path else ""
        raise ValidationFailed([FieldError(f"{where}{e.path}", e.message) for e in errs.errors])
    return Settings(path=path, school=school, smtp=smtp, reminders=reminders, teachers=teachers,
                    convention_template=Path(convention_template) if convention_template else None)
