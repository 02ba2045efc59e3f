"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1, STARTTLS and AUTH required.

The certificate comes from a throw-away CA (trustme) whose PEM the client is pointed at with
``mail.smtp.ca_file``. The handler keeps every message it accepts, refuses the recipients in
``refuse`` (550), and defers the next ``defer_data`` transfers (451) to exercise retries.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "bulletin@example.org"
PASSWORD = "s3cret-pass-字"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes


@dataclass
class Handler:
    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    defer_data: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.defer_data:
            self.defer_data -= 1
            return "451 4.3.0 try again later"
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content or envelope.content))
        return "250 OK queued"

    def reset(self) -> None:
        self.messages.clear()
        self.refuse.clear()
        self.defer_data = 0


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """Start with ``start(folder)``; ``ca_file`` is the PEM a client must trust."""

    def __init__(self) -> None:
        self.handler = Handler()
        self.port = free_port()
        self.ca_file: Path | None = None
        self._controller: Controller | None = None

    def start(self, folder: Path) -> Server:
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.ca_file = folder / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, tls_context=context,
            require_starttls=True, auth_required=True, auth_require_tls=True,
            authenticator=_authenticate, server_hostname="127.0.0.1",
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
