"""SMTP delivery with retries: one message, every recipient accepted or nobody sent to.

Temporary failures (a 4xx reply, a refused or reset connection, a timeout) are retried with
doubling back-off; permanent ones stop at once with an exception naming the cause. Recipients
are checked one by one before the message is transferred, so a refused address stops the
sending with nothing delivered (the operator fixes the address and sends again, with no
leader getting the bulletin twice). The password is passed in and never put into a message.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..exitcodes import MAIL_REFUSED, SMTP_AUTH, SMTP_CERTIFICATE, SMTP_UNREACHABLE
from .settings import SmtpSettings

log = logging.getLogger("hcp.mail")


class DeliveryError(Exception):
    """The message was not sent; ``code`` is the exit code for the cause."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class _Temporary(Exception):
    """A failure worth another try."""


@dataclass(frozen=True)
class Sent:
    attempts: int
    server: str


def deliver(data: bytes, sender: str, recipients: list[str], smtp: SmtpSettings,
            password: str | None, *, sleep: Callable[[float], None] = time.sleep) -> Sent:
    """Send ``data`` (the whole message) to ``recipients``; raises DeliveryError."""
    server = f"{smtp.host}:{smtp.port}"
    delay = smtp.backoff
    for attempt in range(1, smtp.attempts + 1):
        try:
            _once(data, sender, recipients, smtp, password)
            log.info("sent to %d recipient(s) via %s (attempt %d)", len(recipients), server, attempt)
            return Sent(attempt, server)
        except _Temporary as exc:
            if attempt == smtp.attempts:
                raise DeliveryError(SMTP_UNREACHABLE,
                                    f"could not send via {server} after {attempt} attempt(s): "
                                    f"{exc}") from None
            log.warning("temporary failure via %s (%s); trying again in %.0f s", server, exc, delay)
            sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def _once(data: bytes, sender: str, recipients: list[str], smtp: SmtpSettings,
          password: str | None) -> None:
    server = f"{smtp.host}:{smtp.port}"
    context = ssl.create_default_context(cafile=str(smtp.ca_file) if smtp.ca_file else None)
    try:
        client = (smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
                  if smtp.security == "ssl"
                  else smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout))
    except ssl.SSLCertVerificationError as exc:
        raise _certificate(server, exc) from None
    except socket.gaierror as exc:
        raise DeliveryError(SMTP_UNREACHABLE, f"cannot resolve the SMTP host {smtp.host!r}: "
                                              f"{exc.strerror or exc}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise _Temporary(f"cannot connect to {server}: {_describe(exc)}") from None
    try:
        with client:
            client.ehlo()
            if smtp.security == "starttls":
                if not client.has_extn("starttls"):
                    raise DeliveryError(SMTP_UNREACHABLE, f"{server} does not offer STARTTLS; "
                                        "set mail.smtp.security to ssl or none")
                client.starttls(context=context)
                client.ehlo()
            if smtp.user:
                _login(client, smtp, password, server)
            code, reply = client.mail(sender)
            _check(code, reply, f"sender {sender}", server)
            refused = {}
            for rcpt in recipients:
                code, reply = client.rcpt(rcpt)
                if code not in (250, 251):
                    refused[rcpt] = (code, _text(reply))
            if refused:
                client.rset()
                if all(400 <= c < 500 for c, _ in refused.values()):
                    raise _Temporary("recipients deferred: " + _list(refused))
                permanent = {r: v for r, v in refused.items() if v[0] >= 500}
                raise DeliveryError(MAIL_REFUSED, f"{server} refused {len(permanent)} recipient(s): "
                                    f"{_list(permanent)}; nothing was sent")
            try:
                code, reply = client.data(data)  # the final reply is returned, not raised
            except smtplib.SMTPDataError as exc:
                code, reply = exc.smtp_code, exc.smtp_error
            _check(code, reply, "the message", server)
    except (DeliveryError, _Temporary):
        raise
    except ssl.SSLCertVerificationError as exc:
        raise _certificate(server, exc) from None
    except ssl.SSLError as exc:
        raise DeliveryError(SMTP_CERTIFICATE, f"TLS with {server} failed: {exc.reason or exc}") from None
    except smtplib.SMTPResponseException as exc:
        _check(exc.smtp_code, exc.smtp_error, "the session", server)
        raise _Temporary(f"{server}: {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except (OSError, smtplib.SMTPException) as exc:  # reset, timeout, disconnected
        raise _Temporary(f"{server}: {_describe(exc)}") from None


def _login(client: smtplib.SMTP, smtp: SmtpSettings, password: str | None, server: str) -> None:
    user, password = smtp.user or "", password or ""
    try:
        if (user + password).isascii():
            client.login(user, password)
        else:  # smtplib encodes credentials as ASCII; AUTH PLAIN carries UTF-8 (RFC 4616)
            _login_plain_utf8(client, user, password, server)
    except smtplib.SMTPAuthenticationError as exc:
        if 400 <= exc.smtp_code < 500:
            raise _Temporary(f"{server}: authentication deferred ({exc.smtp_code})") from None
        raise DeliveryError(SMTP_AUTH, f"{server} rejected the login of {smtp.user!r} "
                            f"({exc.smtp_code} {_text(exc.smtp_error)}); check the password in "
                            f"${smtp.password_env}") from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(SMTP_AUTH, f"{server} offers no AUTH on this connection; check "
                            "mail.smtp.security (starttls/ssl) or remove mail.smtp.user") from None
    except smtplib.SMTPException as exc:
        if isinstance(exc, smtplib.SMTPResponseException):
            raise
        raise DeliveryError(SMTP_AUTH, f"{server}: no common authentication method ({exc})") from None


def _login_plain_utf8(client: smtplib.SMTP, user: str, password: str, server: str) -> None:
    if "plain" not in client.esmtp_features.get("auth", "").lower().split():
        raise DeliveryError(SMTP_AUTH, f"{server} does not offer AUTH PLAIN, the only method that "
                            "carries a non-ASCII user name or password")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = client.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _check(code: int, reply: bytes | str, what: str, server: str) -> None:
    if 400 <= code < 500:
        raise _Temporary(f"{server} deferred {what}: {code} {_text(reply)}")
    if code >= 500:
        raise DeliveryError(MAIL_REFUSED, f"{server} refused {what}: {code} {_text(reply)}; "
                            "nothing was sent")


def _certificate(server: str, exc: ssl.SSLCertVerificationError) -> DeliveryError:
    return DeliveryError(SMTP_CERTIFICATE, f"the certificate of {server} was not accepted: "
                         f"{exc.verify_message or exc.reason}; if the server uses a private CA, "
                         "set mail.smtp.ca_file")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running and the port right?)"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    return str(exc) or type(exc).__name__


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _list(refused: dict[str, tuple[int, str]]) -> str:
    return "; ".join(f"{r} ({c} {t})" for r, (c, t) in refused.items())
