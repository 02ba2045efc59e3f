"""The MIME message, assembled from a finished report's files with the standard ``email`` package.

Structure (what Outlook, Gmail, Foxmail and 企业微信邮箱 all display as one body with
attachments)::

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain            mail/body.txt
    │   └── multipart/related
    │       ├── text/html         mail/body.html (charts as cid: references)
    │       └── image/png …       mail/<chart>.png, one per cid
    └── attachments               from configuration (tables-<Q>.xlsx, PDF, Word when present)

Every non-ASCII header is RFC 2047 encoded (subject, display names) and attachment names are
RFC 2231 encoded in both places clients look: ``filename*`` and the type's ``name*``.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from typing import Any

from .files import MAIL_DIR, META_FILE
from .records import NotSendable, listed
from .settings import MailSettings

# Lines up to 100 characters (RFC 5322 allows 998): at 78 the standard library folds a long
# media type such as the xlsx one into encoded words, which no client reads as a type.
POLICY = SMTP.clone(max_line_length=100)


class MailConfigError(ValueError):
    """The ``mail`` configuration cannot make a message (no recipients, no sender, bad template)."""


@dataclass
class Built:
    message: EmailMessage
    sender: str  # envelope sender
    recipients: list[str]  # envelope recipients (To, Cc and Bcc)
    attachments: list[str] = field(default_factory=list)  # shown names
    notes: list[str] = field(default_factory=list)  # skipped optional attachments

    def as_bytes(self) -> bytes:
        return self.message.as_bytes(policy=POLICY)


def build_message(report: Path, manifest: dict[str, Any], settings: MailSettings, *,
                  to: list[str] | None = None, now: datetime | None = None) -> Built:
    """The message for ``report``; ``to`` replaces every configured recipient (a test send)."""
    vouched = listed(manifest)
    meta = _meta(report, vouched)
    head = meta["heading"]
    fields = dict(head)
    try:
        subject = settings.subject.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise MailConfigError(f"mail.subject {settings.subject!r}: unknown field {exc}; "
                              f"known: {', '.join(fields)}") from exc
    if to:
        to_list, cc, bcc = list(to), [], []
    else:
        to_list, cc, bcc = list(settings.to), list(settings.cc), list(settings.bcc)
    recipients = _addresses(to_list + cc + bcc)
    if not recipients:
        raise MailConfigError("no recipients: set mail.to (and cc/bcc) in the configuration, "
                              "or pass --to ADDRESS")
    if not settings.sender:
        raise MailConfigError("no sender: set mail.from in the configuration")
    sender = _addresses([settings.sender])
    if len(sender) != 1:
        raise MailConfigError(f"mail.from {settings.sender!r}: not one e-mail address")

    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = _header_addresses([settings.sender])
    msg["To"] = _header_addresses(to_list) if to_list else "undisclosed-recipients:;"
    if cc:
        msg["Cc"] = _header_addresses(cc)
    if settings.reply_to:
        msg["Reply-To"] = _header_addresses([settings.reply_to])
    msg["Date"] = format_datetime(now or datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(idstring=f"hcp.{head['quarter']}",
                                   domain=sender[0].rpartition("@")[2])
    msg["MIME-Version"] = "1.0"
    msg.set_content((report / meta["text"]).read_text(encoding="utf-8"))
    msg.add_alternative((report / meta["html"]).read_text(encoding="utf-8"), subtype="html")
    html_part = msg.get_payload()[1]
    for chart in meta["charts"]:
        data = (report / chart["file"]).read_bytes()
        html_part.add_related(data, maintype="image", subtype=chart["subtype"],
                              cid=f"<{chart['cid']}>", disposition="inline",
                              filename=Path(chart["file"]).name)

    built = Built(msg, sender[0], recipients)
    for item in settings.attachments:
        try:
            file = item.file.format(**fields)
            name = (item.name or Path(file).name).format(**fields)
        except (KeyError, IndexError, ValueError) as exc:
            raise MailConfigError(f"mail.attachments {item.file!r}: unknown field {exc}") from exc
        path = report / file
        if not path.is_file():
            if item.required:
                raise NotSendable(f"required attachment {file} is not in {report}")
            built.notes.append(f"{file} not in the report; sent without it")
            continue
        if file not in vouched:
            if item.required:
                raise NotSendable(f"required attachment {file} is not listed in the manifest")
            built.notes.append(f"{file} is not listed in the manifest; sent without it")
            continue
        _attach(msg, path.read_bytes(), name)
        built.attachments.append(name)
    return built


def _meta(report: Path, vouched: set[str]) -> dict[str, Any]:
    """The body's description written at run time; every file it names must be vouched for."""
    meta_path = f"{MAIL_DIR}/{META_FILE}"
    if meta_path not in vouched:
        raise NotSendable(f"{report} has no e-mail body ({meta_path}): it was made by an older "
                          "hcp or without notebooks/bulletin.ipynb's last cell; run `hcp run` again")
    meta = json.loads((report / meta_path).read_text(encoding="utf-8"))
    files = [meta["html"], meta["text"], *(c["file"] for c in meta["charts"])]
    missing = [f for f in files if f not in vouched]
    if missing:
        raise NotSendable(f"{report}: {', '.join(missing)} not listed in the manifest")
    return meta


def _addresses(values: list[str]) -> list[str]:
    """Bare addresses (for the envelope) from ``Name <addr>`` strings."""
    found = [addr for _, addr in getaddresses(values) if addr]
    bad = [a for a in found if "@" not in a]
    if bad:
        raise MailConfigError(f"not an e-mail address: {', '.join(bad)}")
    return found


def _header_addresses(values: list[str]) -> tuple[Address, ...]:
    out = []
    for name, addr in getaddresses(values):
        user, _, domain = addr.rpartition("@")
        out.append(Address(display_name=name, username=user, domain=domain))
    return tuple(out)


def _attach(msg: EmailMessage, data: bytes, name: str) -> None:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    maintype, subtype = kind.split("/", 1)
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    part = msg.get_payload()[-1]
    part.set_param("name", name)  # some clients read the type's name, others the disposition's
