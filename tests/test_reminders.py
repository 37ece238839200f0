"""Issue 15 §2: reminders to tutors through a real SMTP server (aiosmtpd on the
loopback interface, in the test process): headers, French text, attachments, refusal
paths, and the history recorded per placement and document."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pypdf import PdfReader

from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.domain.reminders import due
from pfmp_tui.services import reminders
from pfmp_tui.services.mail import new_message, send_all
from pfmp_tui.services.settings import parse_settings
from tests.conftest import minimal_document, run_pfmp

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

AS_OF = date(2026, 2, 20)  # p1 ended 2026-01-30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the server received; refuses RCPT to addresses starting with « refuse »."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 Adresse inconnue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted"


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _settings(port: int, **smtp) -> object:
    return parse_settings({
        "school": {"name": "Lycée Jean-Macé", "head": "Mme Claire Martin"},
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none",
                 "sender": "PFMP Lycée Jean-Macé <pfmp@lycee.example>", "reply_to": "ddfpt@lycee.example", **smtp},
        "teachers": {"mdurand": {"name": "Marc Durand", "email": "m.durand@lycee.example"}},
    })


def _school_document() -> dict:
    """p1 ended with no attestation and no assessment; p2 (same tutor) starts soon, unsigned;
    p3 (tutor without e-mail) ended with no attestation."""
    doc = minimal_document()
    p1 = doc["placements"][0]
    p1["attestation"] = None
    doc["assessments"] = []
    doc["students"].append({"id": "s3", "ine": None, "last_name": "Benali", "first_name": "Inès",
                            "birth_date": "2009-05-01", "email": None, "cohort_id": "c1", "voie": "scolaire",
                            "cycle_years": 3, "positioned": False, "derogation": None})
    doc["tutors"].append({"id": "t2", "organisation_id": "o1", "last_name": "Sans", "first_name": "Courriel",
                          "email": None, "phone": None, "job_title": None})
    doc["placements"].append({"id": "p2", "student_id": "s3", "period_id": None, "organisation_id": "o1",
                              "tutor_id": "t1", "teacher": "mdurand", "start": "2026-03-02", "end": "2026-03-27",
                              "convention": {"status": "sent", "signed_on": None}, "attestation": None})
    doc["placements"].append({"id": "p3", "student_id": "s3", "period_id": None, "organisation_id": "o1",
                              "tutor_id": "t2", "teacher": None, "start": "2026-01-05", "end": "2026-01-09",
                              "convention": {"status": "signed", "signed_on": "2025-12-01"}, "attestation": None})
    return doc


def test_due_groups_by_tutor():
    data = parse_document(_school_document())
    entries = due(data, AS_OF)
    assert [(e.tutor.id, [(i.placement.id, i.document) for i in e.items]) for e in entries] == [
        ("t1", [("p2", "convention"), ("p1", "attestation"), ("p1", "assessment")]),
        ("t2", [("p3", "attestation"), ("p3", "assessment")]),
    ]
    assert [e.tutor.id for e in due(data, AS_OF, ("conventions",))] == ["t1"]
    assert due(data, date(2026, 2, 5), ("attestations",))[0].items[0].placement.id == "p3"  # p1: 6 days < 7


def test_send_records_and_never_twice_the_same_day(repo, smtp):
    inbox, port = smtp
    repo.add_all(parse_document(_school_document()), replace=True)
    settings = _settings(port)
    data = repo.dataset()
    drafts = reminders.compose(data, settings, reminders.due_for(data, settings, AS_OF, ("conventions", "attestations", "assessments")))
    text = reminders.preview(drafts)
    assert "À : Anne Petit <a.petit@lyon.fr>" in text and "n'a pas d'adresse électronique" in text
    report = reminders.send(repo, settings, drafts, now=lambda: datetime(2026, 2, 20, 9, 30, 5))
    assert len(report.sent) == 1 and [r for _, r in report.failed] == [
        "le tuteur Courriel Sans n'a pas d'adresse électronique"]

    [(rcpt, msg)] = inbox.messages
    assert rcpt == ["a.petit@lyon.fr"]
    assert msg["From"] == "PFMP Lycée Jean-Macé <pfmp@lycee.example>"
    assert msg["To"] == "Anne Petit <a.petit@lyon.fr>" and msg["Reply-To"] == "ddfpt@lycee.example"
    assert msg["Subject"] == "Lycée Jean-Macé — PFMP : convention, attestation de PFMP, évaluation"
    assert msg["Auto-Submitted"] == "auto-generated" and msg["Message-ID"].endswith("@lycee.example>")
    body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Bonjour Anne Petit,")
    assert "Convention de stage à signer avant le début de la PFMP :\n  - Inès BENALI (Tle AGOrA), du 02/03/2026 au 27/03/2026 — convention : envoyée" in body
    assert "Attestation de PFMP à remplir et signer (le modèle pré-rempli est joint) :\n  - Zoé CŒURDACIER" in body
    assert "m.durand@lycee.example" in body and "Mme Claire Martin" in body
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "attestation_COEURDACIER-Zoe.pdf"
    assert attachment.get_content_type() == "application/pdf"
    pdf = Path(repo.store.path).parent / "a.pdf"
    pdf.write_bytes(attachment.get_content())
    assert "Attestation de PFMP" in "".join(p.extract_text() for p in PdfReader(pdf).pages)

    placements = {p.id: p for p in repo.dataset().placements}
    assert [(r.document, r.to, r.sent_at) for r in placements["p1"].reminders] == [
        ("attestation", "a.petit@lyon.fr", "2026-02-20T09:30:05"), ("assessment", "a.petit@lyon.fr", "2026-02-20T09:30:05")]
    assert [r.document for r in placements["p2"].reminders] == ["convention"]
    assert placements["p3"].reminders == ()
    # The same day: nothing due again for t1; the next day, again.
    data = repo.dataset()
    assert [e.tutor.id for e in reminders.due_for(data, settings, AS_OF, ("conventions", "attestations", "assessments"))] == ["t2"]
    assert [e.tutor.id for e in reminders.due_for(data, settings, date(2026, 2, 21), ("attestations",))] == ["t1", "t2"]
    assert reminders.history(data, "p1")[0][1] == "attestation de PFMP"


def test_refused_address_fails_that_message_only(repo, smtp):
    inbox, port = smtp
    doc = _school_document()
    doc["tutors"][1]["email"] = "refuse@lyon.fr"
    repo.add_all(parse_document(doc), replace=True)
    settings = _settings(port)
    data = repo.dataset()
    drafts = reminders.compose(data, settings, reminders.due_for(data, settings, AS_OF, ("attestations",)))
    report = reminders.send(repo, settings, drafts, now=lambda: datetime(2026, 2, 20, 10, 0, 0))
    assert [d.due.tutor.id for d in report.sent] == ["t1"]
    [(draft, reason)] = report.failed
    assert draft.due.tutor.id == "t2" and "adresse refusée" in reason and "550" in reason
    assert len(inbox.messages) == 1
    placements = {p.id: p for p in repo.dataset().placements}
    assert len(placements["p1"].reminders) == 1 and placements["p3"].reminders == ()


def test_server_down_records_nothing(repo):
    repo.add_all(parse_document(_school_document()), replace=True)
    settings = _settings(_free_port())
    data = repo.dataset()
    drafts = reminders.compose(data, settings, reminders.due_for(data, settings, AS_OF, ("attestations",)))
    report = reminders.send(repo, settings, drafts)
    assert report.sent == () and any("connexion refusée" in r for _, r in report.failed)
    assert all(p.reminders == () for p in repo.dataset().placements)


def test_login_password_from_env_and_file(tmp_path, monkeypatch):
    inbox = Inbox()
    port = _free_port()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"pfmp" and auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)

    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        monkeypatch.setenv("PFMP_SMTP_PASSWORD", "s3cret")
        config = _settings(port, login="pfmp").smtp
        [out] = send_all(config, [new_message(config, "x@example.fr", "Essai", "Bonjour")])
        assert out.ok, out.error
        (tmp_path / "pw").write_text("mauvais\n")
        config = _settings(port, login="pfmp", password_file=str(tmp_path / "pw")).smtp
        [out] = send_all(config, [new_message(config, "x@example.fr", "Essai", "Bonjour")])
        assert "mot de passe SMTP refusé" in out.error
        monkeypatch.delenv("PFMP_SMTP_PASSWORD")
        config = _settings(port, login="pfmp").smtp
        [out] = send_all(config, [new_message(config, "x@example.fr", "Essai", "Bonjour")])
        assert "PFMP_SMTP_PASSWORD" in out.error
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def test_starttls_and_ssl(certificate):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    try:
        config = _settings(port, security="starttls", ca_file=str(cert)).smtp
        [out] = send_all(config, [new_message(config, "x@example.fr", "Essai", "Bonjour")])
        assert out.ok, out.error
        plain = _settings(port).smtp  # the server requires STARTTLS first
        [out] = send_all(plain, [new_message(plain, "x@example.fr", "Essai", "Bonjour")])
        assert not out.ok
        untrusted = _settings(port, security="starttls").smtp  # a self-signed certificate is refused
        [out] = send_all(untrusted, [new_message(untrusted, "x@example.fr", "Essai", "Bonjour")])
        assert "TLS" in out.error
    finally:
        controller.stop()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        config = _settings(port, security="ssl", ca_file=str(cert)).smtp
        [out] = send_all(config, [new_message(config, "x@example.fr", "Essai", "Bonjour")])
        assert out.ok, out.error
    finally:
        controller.stop()
    assert len(inbox.messages) == 2


def _write_config(folder: Path, port: int) -> None:
    (folder / "db").mkdir(exist_ok=True)
    (folder / "db" / "pfmp.toml").write_text(f"""
[school]
name = "Lycée Jean-Macé"

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "pfmp@lycee.example"

[reminders]
templates = "modeles"
""", encoding="utf-8")


def test_cli_remind_dry_run_send_history_and_custom_template(tmp_path, smtp):
    inbox, port = smtp
    _write_config(tmp_path, port)
    import json

    (tmp_path / "doc.json").write_text(json.dumps(_school_document()), encoding="utf-8")
    assert run_pfmp("load", "doc.json", cwd=tmp_path).returncode == 0
    r = run_pfmp("remind", "--what", "attestations", "--as-of", "2026-02-20", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "À : Anne Petit <a.petit@lyon.fr>" in r.stdout and "Rien n'a été envoyé" in r.stdout
    assert inbox.messages == []
    # The school's own message.
    (tmp_path / "db" / "modeles").mkdir()
    (tmp_path / "db" / "modeles" / "rappel.txt").write_text(
        "Objet : Rappel pour {{ attestations | length }} attestation(s)\nMadame, Monsieur {{ tuteur.nom }},\n"
        "{% for i in attestations %}* {{ i.eleve }}\n{% endfor %}", encoding="utf-8")
    r = run_pfmp("remind", "--what", "attestations", "--send", "--as-of", "2026-02-20", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "1 message(s) envoyé(s) et consigné(s), 0 en échec, 1 sans destinataire" in r.stdout
    [(_, msg)] = inbox.messages
    assert msg["Subject"] == "Rappel pour 1 attestation(s)"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n").startswith("Madame, Monsieur Petit,\n* Zoé CŒURDACIER")
    r = run_pfmp("remind", "--what", "attestations", "--send", "--as-of", "2026-02-20", cwd=tmp_path)
    assert "0 message(s) envoyé(s)" in r.stdout and len(inbox.messages) == 1  # not twice the same day
    r = run_pfmp("remind", "--history", "p1", cwd=tmp_path)
    assert r.returncode == 0 and "20/02/2026" in r.stdout and "attestation de PFMP" in r.stdout and "a.petit@lyon.fr" in r.stdout
    (tmp_path / "db" / "modeles" / "rappel.txt").write_text("Objet : {{ inconnu.x }}\n", encoding="utf-8")
    r = run_pfmp("remind", "--as-of", "2026-02-21", cwd=tmp_path)
    assert r.returncode == 2 and "rappel.txt" in r.stderr and "inconnu" in r.stderr
    r = run_pfmp("remind", "--what", "courriers", cwd=tmp_path)
    assert r.returncode == 2 and "--what" in r.stderr
    r = run_pfmp("mail", "test", "directeur@lycee.example", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert inbox.messages[-1][1]["Subject"] == "pfmp — message d'essai"


def test_cli_mail_test_without_smtp_or_with_server_down(tmp_path):
    r = run_pfmp("mail", "test", "x@example.fr", cwd=tmp_path)
    assert r.returncode == 2 and "[smtp]" in r.stderr
    _write_config(tmp_path, _free_port())
    r = run_pfmp("mail", "test", "x@example.fr", cwd=tmp_path)
    assert r.returncode == 1 and "connexion refusée" in r.stderr
