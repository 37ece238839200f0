"""Sending e-mail through the school's SMTP server (smtplib), as configured in the
settings (`settings.SmtpConfig`): STARTTLS, SSL or plain, with a login whose password
is read when sending from a file or the environment, never from the store.

`send_all` sends each message on one connection and reports, per message, whether it
left: a refused address fails that message only; a server that cannot be reached or
drops the connection fails the messages not yet sent, each with a French reason.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .settings import SmtpConfig


@dataclass(frozen=True, slots=True)
class Outcome:
    message: EmailMessage
    error: str | None  # None: accepted by the server

    @property
    def ok(self) -> bool:
        return self.error is None


def new_message(config: SmtpConfig, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config.sender
    msg["To"] = to
    if config.reply_to:
        msg["Reply-To"] = config.reply_to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    domain = config.sender.rsplit("@", 1)[-1].rstrip(">").strip() or None
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies loops
    msg.set_content(body, charset="utf-8")
    # After set_content, which drops every Content-* header set before it (the header then
    # moves with the French text into its part when an attachment is added).
    msg["Content-Language"] = "fr"
    return msg


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = "; ".join(f"{addr} : {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                          for addr, (code, msg) in exc.recipients.items())
        return f"adresse refusée par le serveur ({codes})"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"expéditeur refusé par le serveur ({exc.smtp_code} {exc.smtp_error.decode(errors='replace')})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"identifiant ou mot de passe SMTP refusé ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"le serveur ne propose pas ce qui est demandé ({exc})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"refus du serveur ({exc.smtp_code} {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error})"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "le serveur a coupé la connexion"
    if isinstance(exc, ssl.SSLError):
        return f"échec du chiffrement TLS ({exc.reason or exc})"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "le serveur ne répond pas (délai dépassé)"
    if isinstance(exc, ConnectionRefusedError):
        return "connexion refusée (serveur arrêté, ou mauvais port ?)"
    if isinstance(exc, socket.gaierror):
        return "serveur introuvable (nom d'hôte inconnu)"
    if isinstance(exc, OSError):
        return f"erreur réseau ({exc.strerror or exc})"
    return f"{type(exc).__name__}: {exc}"


def connect(config: SmtpConfig, password: str | None) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=config.ca_file) if config.security != "none" else None
    if config.security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
    else:
        server = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    try:
        server.ehlo()
        if config.security == "starttls":
            if not server.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("STARTTLS absent : chiffrement impossible, rien n'a été envoyé")
            server.starttls(context=context)
            server.ehlo()
        if config.login:
            server.login(config.login, password or "")
    except BaseException:
        server.close()
        raise
    return server


def send_all(config: SmtpConfig, messages: Iterable[EmailMessage],
             on_sent: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Send every message; `on_sent` is called after each one (to record it at once)."""
    messages = list(messages)
    outcomes: list[Outcome] = []
    if not messages:
        return outcomes

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_sent is not None:
            on_sent(outcome)

    try:
        password = config.password()
        server = connect(config, password)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a French reason
        from ..domain.errors import ValidationFailed

        reason = str(exc.errors[0]) if isinstance(exc, ValidationFailed) else _reason(exc)
        for m in messages:
            done(Outcome(m, f"non envoyé : {reason}"))
        return outcomes
    try:
        for i, m in enumerate(messages):
            try:
                server.send_message(m)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                done(Outcome(m, _reason(exc)))
                try:
                    server.rset()
                except smtplib.SMTPException:
                    pass
            except (smtplib.SMTPException, OSError) as exc:
                reason = _reason(exc)
                done(Outcome(m, reason))
                for rest in messages[i + 1:]:
                    done(Outcome(rest, f"non envoyé : {reason}"))
                return outcomes
            else:
                done(Outcome(m, None))
    finally:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()
    return outcomes
