"""The ``mail:`` section of a city's configuration: server, addresses, subject, attachments.

Every field has a default, so a configuration without the section still loads; with no
recipients ``hcp send`` refuses. The SMTP password is never a field: only the name of the
environment variable that holds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_SUBJECT = "{title} {year}年{issue}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SmtpSettings(_Model):
    host: str = "localhost"
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = Field(
        "starttls", description="starttls (port 587), ssl (implicit TLS, port 465) or none")
    user: str | None = Field(None, description="login name; none: no AUTH")
    password_env: str = Field("HCP_SMTP_PASSWORD",
                              description="environment variable holding the password")
    timeout: float = Field(30, gt=0, description="seconds for connecting and each reply")
    ca_file: Path | None = Field(None, description="extra CA bundle (PEM) for a private CA")
    attempts: int = Field(3, ge=1, description="tries on a temporary failure (4xx, reset)")
    backoff: float = Field(10, ge=0, description="seconds before the second try; doubles after")


class Attachment(_Model):
    file: str = Field(description="file in the report folder; {quarter} is e.g. 2022Q2")
    name: str | None = Field(None, description="name shown to the reader; default: the file's")
    required: bool = Field(False, description="missing: refuse to send (else skipped with a note)")


def _default_attachments() -> tuple[Attachment, ...]:
    return (
        Attachment(file="tables-{quarter}.xlsx", name="{title}{year}年{issue}附表.xlsx",
                   required=True),
        Attachment(file="bulletin-{quarter}.pdf", name="{title}{year}年{issue}.pdf"),
        Attachment(file="bulletin-{quarter}.docx", name="{title}{year}年{issue}.docx"),
    )


class MailSettings(_Model):
    """How a finished report becomes an e-mail, and where it goes."""

    smtp: SmtpSettings = SmtpSettings()
    sender: str | None = Field(None, alias="from", description="From, e.g. 名称 <a@example.org>")
    reply_to: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    subject: str = Field(DEFAULT_SUBJECT, description="fields: title, year, issue, quarter, date")
    attachments: tuple[Attachment, ...] = Field(default_factory=_default_attachments)
    charts: tuple[str, ...] = Field(
        ("trends", "region_levels", "unit_satisfaction"),
        description="the charts the e-mail body shows (names in present/charts.CHARTS)")
    width: int = Field(680, ge=600, le=800, description="body width in CSS pixels")
    image_width: int = Field(1200, ge=300, le=2400, description="charts' pixel width")
    image_max_bytes: int = Field(150_000, ge=10_000, description="each chart at most")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("to", "cc", "bcc", mode="before")
    @classmethod
    def _listify(cls, v: object) -> object:
        return (v,) if isinstance(v, str) else v

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc + self.bcc
