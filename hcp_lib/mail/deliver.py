"""``hcp send``: check a finished report, assemble its message, deliver it, record the sending."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses
from pathlib import Path

from ..config import Config, ConfigError, load_config
from ..exitcodes import NOT_SENDABLE, USAGE
from ..quarters import Quarter, QuarterError
from .message import MailConfigError, build_message
from .records import (
    NotSendable,
    check_sendable,
    deliveries,
    load_manifest,
    record_delivery,
    write_atomic,
)
from .transport import DeliveryError, deliver

log = logging.getLogger("hcp.mail")


class SendFailed(Exception):
    """Nothing was sent; ``code`` is the exit code, the message says why."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class SendResult:
    report: Path
    message_id: str
    bytes: int
    recipients: list[str]
    attachments: list[str]
    notes: list[str] = field(default_factory=list)
    eml: Path | None = None  # --dry-run: the preview written instead of sending
    build_seconds: float = 0.0
    send_seconds: float = 0.0
    attempts: int = 0


def send_report(quarter: str, report: str | Path | None = None, config_path: str | Path | None = None,
                *, to: list[str] | None = None, dry_run: bool = False, resend: bool = False,
                env: Mapping[str, str] | None = None) -> SendResult:
    """Send the finished report of ``quarter``; raises SendFailed with an exit code."""
    env = os.environ if env is None else env
    try:
        q = Quarter.parse(quarter)
    except QuarterError as exc:
        raise SendFailed(USAGE, str(exc)) from exc
    folder = Path(report or Path("reports") / str(q)).resolve()
    try:
        manifest = load_manifest(folder)
        if manifest.get("quarter") not in (None, str(q)):
            raise NotSendable(f"{folder} holds the report of {manifest['quarter']}, not {q}")
        config = _config(config_path, manifest)
        check_sendable(folder, manifest)
        earlier = deliveries(manifest)
        if earlier and not (resend or to or dry_run):
            last = earlier[-1]
            raise NotSendable(f"{folder} was already sent on {last.get('time')} to "
                              f"{len(last.get('recipients', []))} recipient(s) "
                              f"(Message-ID {last.get('message_id')}); pass --resend to send it again")
        settings = config.mail
        start = time.perf_counter()
        built = build_message(folder, manifest, settings, to=to)
        data = built.as_bytes()
        build_seconds = time.perf_counter() - start
    except NotSendable as exc:
        raise SendFailed(NOT_SENDABLE, str(exc)) from exc
    except MailConfigError as exc:
        raise SendFailed(USAGE, str(exc)) from exc
    result = SendResult(folder, built.message["Message-ID"], len(data), built.recipients,
                        built.attachments, built.notes, build_seconds=build_seconds)
    for note in built.notes:
        log.info("%s", note)
    if dry_run:
        result.eml = folder / f"bulletin-{q}.eml"
        write_atomic(result.eml, data)
        return result
    password = None
    if settings.smtp.user:
        password = env.get(settings.smtp.password_env)
        if not password:
            raise SendFailed(USAGE, f"the SMTP password for {settings.smtp.user!r} is not set: "
                                    f"export it as ${settings.smtp.password_env}")
    start = time.perf_counter()
    try:
        sent = deliver(data, built.sender, built.recipients, settings.smtp, password)
    except DeliveryError as exc:
        raise SendFailed(exc.code, str(exc)) from exc
    result.send_seconds = time.perf_counter() - start
    result.attempts = sent.attempts
    msg = built.message
    record_delivery(folder, {
        "time": datetime.now().astimezone().isoformat(timespec="seconds"),
        "message_id": result.message_id,
        "subject": str(msg["Subject"]),
        "recipients": built.recipients,
        "to": _bare(msg.get_all("To", [])),
        "cc": _bare(msg.get_all("Cc", [])),
        "bytes": result.bytes,
        "attachments": built.attachments,
        "server": sent.server,
        "attempts": sent.attempts,
        "test": bool(to),
    })
    return result


def _config(config_path: str | Path | None, manifest: dict) -> Config:
    """``--config``, else the configuration the report was made with, else the default."""
    used = (manifest.get("parameters") or {}).get("config")
    path = config_path or (used if used and Path(used).is_file() else None)
    try:
        return load_config(path)
    except ConfigError as exc:
        raise SendFailed(USAGE, str(exc)) from exc


def _bare(values: list) -> list[str]:
    return [addr for _, addr in getaddresses([str(v) for v in values]) if addr]

