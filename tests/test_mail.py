"""`hcp send` and `hcp run --send` against a real SMTP server (STARTTLS + AUTH) on 127.0.0.1.

One report is made per module, by `hcp run --send` from the fixture bulletin (so the e-mail
body is written by the notebook's own cell); each test sends a copy of it.
"""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import subprocess
import sys
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import yaml
from mail_server import PASSWORD, USER, Server
from present_fixtures import make_bulletin

from hcp_lib.cli import main
from hcp_lib.config import load_config
from hcp_lib.exitcodes import (
    MAIL_REFUSED,
    NOT_SENDABLE,
    OK,
    SMTP_AUTH,
    SMTP_CERTIFICATE,
    SMTP_UNREACHABLE,
    USAGE,
)
from hcp_lib.mail.records import MANIFEST
from hcp_lib.present.io import save_bulletin
from hcp_lib.present.narrative import Narrator

ROOT = Path(__file__).resolve().parents[1]
Q = "2022Q2"
TO = ["局领导 <leaders@example.org>", "张副局长 <deputy@example.org>"]
CC = ["办公室 <office@example.org>"]
BCC = ["archive@example.org"]
ENVELOPE = ["leaders@example.org", "deputy@example.org", "office@example.org", "archive@example.org"]


def write_config(folder: Path, port: int, ca_file: Path | None, **mail) -> Path:
    """The default configuration with a ``mail`` section for the test server."""
    raw = yaml.safe_load((ROOT / "data/config/xiamen.yaml").read_text(encoding="utf-8"))
    for key in ("registry", "published"):
        raw["city"][key] = str((ROOT / "data/config" / raw["city"][key]).resolve())
    smtp = {"host": "127.0.0.1", "port": port, "security": "starttls", "user": USER,
            "password_env": "HCP_TEST_SMTP_PASSWORD", "timeout": 10, "attempts": 2, "backoff": 0}
    if ca_file:
        smtp["ca_file"] = str(ca_file)
    smtp.update(mail.pop("smtp", {}))
    raw["mail"] = {"smtp": smtp, "from": "厦门市行政审批管理局 <bulletin@example.org>",
                   "reply_to": "数据分析组 <analysis@example.org>", "to": TO, "cc": CC,
                   "bcc": BCC, **mail}
    path = folder / f"mail-{len(list(folder.glob('mail-*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server().start(tmp_path_factory.mktemp("smtp"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def made(server, tmp_path_factory):
    """`hcp run --send` once: the report and what the server received from it."""
    folder = tmp_path_factory.mktemp("mailrun")
    bulletin = save_bulletin(make_bulletin(), folder / "bulletin.json")
    config = write_config(folder, server.port, server.ca_file)
    out = folder / "reports" / Q
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HCP_TEST_SMTP_PASSWORD": PASSWORD}
    done = subprocess.run(
        [sys.executable, "-m", "hcp_lib.cli", "run", Q, "--bulletin", str(bulletin), "--out",
         str(out), "--config", str(config), "--quiet", "--send"],
        capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == OK, done.stderr
    received = list(server.handler.messages)
    server.handler.reset()
    return out, config, received


@pytest.fixture
def report(made, tmp_path, server) -> Path:
    """A fresh copy of the finished report, never sent."""
    server.handler.reset()
    copy = tmp_path / "reports" / Q
    shutil.copytree(made[0], copy)
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest.pop("deliveries", None)
    (copy / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return copy


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("HCP_TEST_SMTP_PASSWORD", PASSWORD)


def send(report: Path, config: Path, *extra: str) -> int:
    return main(["send", Q, "--report", str(report), "--config", str(config), "--quiet", *extra])


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)


def deliveries(report: Path) -> list[dict]:
    return json.loads((report / MANIFEST).read_text(encoding="utf-8")).get("deliveries", [])


# -- the message -----------------------------------------------------------------------------
def test_run_send_delivers_the_bulletin_intact(made):
    out, _, received = made
    assert len(received) == 1
    got = received[0]
    assert sorted(got.recipients) == sorted(ENVELOPE)
    msg = parse(got.data)

    # structure: mixed[alternative[text, related[html, images...]], attachments...]
    assert msg.get_content_type() == "multipart/mixed"
    alternative, *attachments = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, related = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.iter_parts()
    assert html_part.get_content_type() == "text/html"
    html = html_part.get_content()
    plain = text.get_content()

    # every cid: has its part, no data: URIs, under 100 KB
    cids = set(re.findall(r'src="cid:([^"]+)"', html))
    assert cids and cids == {p["Content-ID"].strip("<>") for p in images}
    assert all(p.get_content_maintype() == "image" for p in images)
    assert "data:" not in html
    assert len(html_part.get_payload(decode=True)) < 100_000

    # headers decode to the Chinese text
    config = load_config(made[1])
    b = make_bulletin()
    assert msg["Subject"] == f"{config.city.title} 2022年第{b.issue_in_year}期（总第{b.issue_overall}期）"
    assert str(msg["Subject"]).startswith("厦门市政务服务“好差评”情况通报")
    assert msg["From"].addresses[0].display_name == "厦门市行政审批管理局"
    assert [a.addr_spec for a in msg["To"].addresses] == ENVELOPE[:2]
    assert msg["Cc"].addresses[0].display_name == "办公室"
    assert msg["Bcc"] is None
    assert msg["Reply-To"].addresses[0].addr_spec == "analysis@example.org"
    assert msg["Date"] and msg["Message-ID"]
    raw_headers = got.data.split(b"\r\n\r\n", 1)[0]
    assert raw_headers.isascii()  # everything non-ASCII is encoded

    # attachments: the Chinese name decodes and the bytes are the report's file
    by_type = {a.get_content_type(): a for a in attachments}
    assert len(by_type) == len(attachments) == 3  # the workbook, the PDF and the Word copy
    issue = f"{config.city.title}2022年第{b.issue_in_year}期（总第{b.issue_overall}期）"
    for content_type, name, source in (
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{issue}附表.xlsx",
             f"tables-{Q}.xlsx"),
            ("application/pdf", f"{issue}.pdf", f"bulletin-{Q}.pdf"),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             f"{issue}.docx", f"bulletin-{Q}.docx")):
        part = by_type[content_type]
        assert part.get_filename() == name
        assert part.get_payload(decode=True) == (out / source).read_bytes()

    # the key figures in both parts
    n = Narrator(b, config)
    e = b.evaluations
    for label, value in (("全部评价数", str(e.total)),
                         ("主动评价率", n.pct(e.active_rate, "active_rate_all")),
                         ("满意率", n.pct(e.satisfied_rate, "satisfied_rate"))):
        for body in (html, plain):
            assert label in body and value in body, (label, value)

    # recorded once, with what was sent
    [record] = deliveries(out)
    assert record["message_id"] == msg["Message-ID"]
    assert sorted(record["recipients"]) == sorted(ENVELOPE)
    assert abs(record["bytes"] - len(got.data)) <= 2  # the server may drop the final CRLF
    assert record["test"] is False and record["attempts"] == 1


def test_images_are_reencoded_for_mail(made):
    out = made[0]
    meta = json.loads((out / "mail" / "mail.json").read_text(encoding="utf-8"))
    config = load_config(made[1])
    assert [c["name"] for c in meta["charts"]] == list(config.mail.charts)
    for chart in meta["charts"]:
        data = (out / chart["file"]).read_bytes()
        assert len(data) <= config.mail.image_max_bytes
        assert chart["width"] <= config.mail.image_width


def test_mail_files_are_covered_by_the_manifest(made):
    out = made[0]
    listed = {o["path"] for o in json.loads((out / MANIFEST).read_text(encoding="utf-8"))["outputs"]}
    assert {"mail/mail.json", "mail/body.html", "mail/body.txt"} <= listed
    assert "mail_body" not in (out / f"bulletin-{Q}.html").read_text(encoding="utf-8")


# -- safety ------------------------------------------------------------------------------------
def test_second_sending_is_refused_unless_resend(report, made, server, password, capsys):
    config = made[1]
    assert send(report, config) == OK
    assert len(server.handler.messages) == 1
    assert send(report, config) == NOT_SENDABLE
    assert "already sent" in capsys.readouterr().err
    assert len(server.handler.messages) == 1 and len(deliveries(report)) == 1
    assert send(report, config, "--resend") == OK
    assert len(server.handler.messages) == 2 and len(deliveries(report)) == 2


def test_test_send_goes_only_to_to_and_does_not_count(report, made, server, password):
    assert send(report, made[1], "--to", "测试 <tester@example.org>") == OK
    [got] = server.handler.messages
    assert got.recipients == ["tester@example.org"]
    assert parse(got.data)["Cc"] is None
    assert deliveries(report)[0]["test"] is True
    assert send(report, made[1]) == OK  # the real sending is still allowed
    assert len(server.handler.messages) == 2


def test_dry_run_writes_eml_and_sends_nothing(report, made, server, capsys):
    assert send(report, made[1], "--dry-run") == OK
    eml = report / f"bulletin-{Q}.eml"
    msg = parse(eml.read_bytes())
    assert msg.get_content_type() == "multipart/mixed" and msg["Subject"]
    assert str(eml) in capsys.readouterr().out
    assert server.handler.messages == [] and deliveries(report) == []


@pytest.mark.parametrize("spoil, expected", [
    ("provisional", "provisional"),
    ("tampered", "does not match its manifest"),
    ("no-manifest", "not a finished report"),
    ("failed", "failed"),
    ("no-body", "no e-mail body"),
])
def test_unfinished_or_changed_reports_are_refused(report, made, server, password, capsys,
                                                   spoil, expected):
    target = report
    if spoil == "provisional":
        manifest = json.loads((report / MANIFEST).read_text(encoding="utf-8"))
        manifest["status"] = "provisional"
        (report / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    elif spoil == "tampered":
        with (report / f"tables-{Q}.xlsx").open("ab") as fh:
            fh.write(b"\0")
    elif spoil == "no-manifest":
        (report / MANIFEST).unlink()
    elif spoil == "no-body":  # a report made before the body existed
        shutil.rmtree(report / "mail")
        manifest = json.loads((report / MANIFEST).read_text(encoding="utf-8"))
        manifest["outputs"] = [o for o in manifest["outputs"] if not o["path"].startswith("mail/")]
        (report / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    else:
        target = report.with_name(f"{Q}.failed")
        report.rename(target)
    assert send(target, made[1]) == NOT_SENDABLE
    assert expected in capsys.readouterr().err
    assert server.handler.messages == []


def test_missing_required_attachment_refuses(report, made, server, password, capsys, tmp_path):
    config = write_config(tmp_path, server.port, server.ca_file, attachments=[
        {"file": "tables-{quarter}.xlsx", "required": True},
        {"file": "bulletin-{quarter}-scan.pdf", "required": True}])
    assert send(report, config) == NOT_SENDABLE
    assert f"bulletin-{Q}-scan.pdf" in capsys.readouterr().err
    assert server.handler.messages == []


def test_no_recipients_or_password_is_a_usage_error(report, made, server, capsys, tmp_path,
                                                    monkeypatch):
    config = write_config(tmp_path, server.port, server.ca_file, to=[], cc=[], bcc=[])
    assert send(report, config) == USAGE
    assert "no recipients" in capsys.readouterr().err
    monkeypatch.delenv("HCP_TEST_SMTP_PASSWORD", raising=False)
    assert send(report, made[1]) == USAGE
    assert "$HCP_TEST_SMTP_PASSWORD" in capsys.readouterr().err
    assert server.handler.messages == [] and deliveries(report) == []


# -- delivery failures: a message and an exit code each, nothing recorded ------------------------
def test_wrong_password(report, made, server, capsys, monkeypatch):
    monkeypatch.setenv("HCP_TEST_SMTP_PASSWORD", "wrong-password")
    assert send(report, made[1]) == SMTP_AUTH
    err = capsys.readouterr().err
    assert "rejected the login" in err and USER in err and "wrong-password" not in err
    assert server.handler.messages == [] and deliveries(report) == []


def test_refused_recipient_is_named_and_nobody_gets_it(report, made, server, password, capsys):
    server.handler.refuse.add("deputy@example.org")
    assert send(report, made[1]) == MAIL_REFUSED
    err = capsys.readouterr().err
    assert "deputy@example.org" in err and "leaders@example.org" not in err
    assert server.handler.messages == [] and deliveries(report) == []


def test_closed_port(report, server, password, capsys, tmp_path):
    from mail_server import free_port

    config = write_config(tmp_path, free_port(), server.ca_file)
    assert send(report, config) == SMTP_UNREACHABLE
    err = capsys.readouterr().err
    assert "connection refused" in err and "2 attempt" in err
    assert deliveries(report) == []


def test_untrusted_certificate(report, server, password, capsys, tmp_path):
    config = write_config(tmp_path, server.port, None)  # the test CA is not trusted
    assert send(report, config) == SMTP_CERTIFICATE
    assert "certificate" in capsys.readouterr().err
    assert server.handler.messages == [] and deliveries(report) == []


def test_temporary_failure_is_retried(report, made, server, password):
    server.handler.defer_data = 1
    assert send(report, made[1]) == OK
    assert len(server.handler.messages) == 1
    assert deliveries(report)[0]["attempts"] == 2


# -- the body, as mail clients treat it --------------------------------------------------------
class _Elements(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def styles(attrs: dict[str, str]) -> dict[str, str]:
    pairs = (d.split(":", 1) for d in attrs.get("style", "").split(";") if ":" in d)
    return {k.strip().lower(): v.strip().lower() for k, v in pairs}


def test_masthead_and_borders_survive_without_style_blocks(made):
    html = (made[0] / "mail" / "body.html").read_text(encoding="utf-8")
    stripped = re.sub(r"<style\b.*?</style>", "", html, flags=re.S | re.I)
    found = elements(stripped)
    title = [a for t, a in found if t == "h1"]
    assert title and styles(title[0])["color"] == "#c00000"
    rule = [a for t, a in found if "red-rule" in a.get("class", "")]
    assert rule and rule[0]["bgcolor"].lower() == "#c00000"
    assert styles(rule[0])["border-top"] == "2px solid #c00000"
    tables = [a for t, a in found if t == "table" and "data" in a.get("class", "").split()]
    assert tables and all(a["border"] == "1" and a["cellspacing"] == "0" for a in tables)
    cells = [a for t, a in found if t in ("td", "th") and not a.get("class", "").startswith(("issuer", "date", "red-rule"))]
    data_cells = [a for a in cells if styles(a).get("border") == "1px solid #000000"]
    assert len(data_cells) >= 13 * 8  # the region table: 13 columns, header and 7+ rows
    issuer = [a for t, a in found if "issuer" in a.get("class", "")]
    date = [a for t, a in found if a.get("class") == "date"]
    assert issuer[0]["align"] == "left" and date[0]["align"] == "right"  # two cells, apart
    page = [a for t, a in found if "page" in a.get("class", "").split()]
    assert 600 <= int(page[0]["width"]) <= 800


def test_body_uses_only_what_mail_clients_keep(made):
    html = (made[0] / "mail" / "body.html").read_text(encoding="utf-8")
    lowered = html.lower()
    for banned in ("<style", "var(", "flex", "grid", "<script", "data:", "<link", "position:",
                   "@media", "mm;", "pt;"):
        assert banned not in lowered, banned
    assert len(html.encode("utf-8")) < 100_000
    for needle in ("【评优评先】", "【“好差评”】", "一、企业群众评价情况", "五、主动评价率情况",
                   "【优质服务】", "厦门市行政审批管理局", "第2期（总第10期）"):
        assert needle in html, needle


def test_text_part_reads_as_the_bulletin(made):
    text = (made[0] / "mail" / "body.txt").read_text(encoding="utf-8")
    b = make_bulletin()
    lines = text.splitlines()
    assert lines[0] == load_config(made[1]).city.title
    assert "第2期（总第10期）" in lines[1]
    for needle in ("【评优评先】", "【“好差评”】", "【优质服务】", "总评价数"):
        assert needle in text, needle
    for region in b.evaluations.regions:
        assert any(line.strip().startswith(f"{region.label}：") for line in lines), region.label
    assert "<" not in text


def test_busy_chart_falls_back_to_jpeg_within_width():
    import io

    from PIL import Image

    from hcp_lib.mail.images import reencode

    noise = Image.effect_noise((600, 400), 120).convert("RGBA")
    buf = io.BytesIO()
    noise.save(buf, "PNG")
    image = reencode(buf.getvalue(), width=300, max_bytes=20_000)
    assert image.subtype == "jpeg" and image.width == 300 and image.height == 200


def test_an_opaque_chart_reencodes_as_its_flattened_twin_and_transparency_turns_white():
    import io

    from PIL import Image, ImageDraw

    from hcp_lib.mail.images import reencode

    def png(image) -> bytes:
        buf = io.BytesIO()
        image.save(buf, "PNG")
        return buf.getvalue()

    chart = Image.new("RGB", (800, 400), "white")
    ImageDraw.Draw(chart).rectangle((100, 100, 500, 300), fill=(200, 30, 30))
    opaque, rgba = reencode(png(chart), 400, 50_000), reencode(png(chart.convert("RGBA")), 400, 50_000)
    assert (opaque.data, opaque.subtype) == (rgba.data, rgba.subtype)

    clear = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    shown = reencode(png(clear), 40, 50_000)
    assert Image.open(io.BytesIO(shown.data)).convert("RGB").getpixel((5, 5)) == (255, 255, 255)


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_chromium_renders_the_mail_body(made, tmp_path):
    from PIL import Image

    out = made[0]
    meta = json.loads((out / "mail" / "mail.json").read_text(encoding="utf-8"))
    html = (out / "mail" / "body.html").read_text(encoding="utf-8")
    for chart in meta["charts"]:  # what a client does with the cid: parts
        html = html.replace(f"cid:{chart['cid']}", (out / chart["file"]).as_uri())
    page = tmp_path / "preview.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
         "--allow-file-access-from-files", f"--screenshot={shot}", "--window-size=800,1400",
         page.as_uri()],
        capture_output=True, timeout=120, check=False)
    assert shot.is_file(), "chromium wrote no screenshot"
    with Image.open(shot) as im:
        pixels = np.asarray(im.convert("RGB")).astype(int)
    colours, counts = np.unique(pixels.reshape(-1, 3), axis=0, return_counts=True)
    background = colours[counts.argmax()]
    inked = (pixels != background).any(axis=2).mean()
    assert inked > 0.02, f"blank screenshot ({inked:.1%} non-background)"
    top = pixels[:200]
    red = ((top[..., 0] > 150) & (top[..., 1] < 70) & (top[..., 2] < 70)).sum()
    assert red > 50, "the masthead is not red"
