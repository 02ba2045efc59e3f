"""Size of the e-mail and time to build and send it, against a local SMTP server.

Uses a finished report (default ``reports/2022Q2``; ``make report`` makes it). Prints the
body's sizes, the whole message's size, the time to write the body (the notebook's last cell,
charts already drawn), to assemble the message, and to deliver it over STARTTLS + AUTH to an
aiosmtpd server on 127.0.0.1 (a throw-away CA from trustme).

    python benchmarks/bench_mail.py [--report reports/2022Q2] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import ssl
import statistics
import tempfile
import time
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from hcp_lib.config import load_config
from hcp_lib.mail.body import write_body
from hcp_lib.mail.message import build_message
from hcp_lib.mail.records import load_manifest
from hcp_lib.mail.settings import MailSettings, SmtpSettings
from hcp_lib.mail.transport import deliver
from hcp_lib.present.io import load_bulletin
from hcp_lib.present.notebook import Report

ROOT = Path(__file__).resolve().parents[1]


class Sink:
    def __init__(self) -> None:
        self.sizes: list[int] = []

    async def handle_DATA(self, server, session, envelope):
        self.sizes.append(len(envelope.original_content or envelope.content))
        return "250 OK"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", default=str(ROOT / "reports" / "2022Q2"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    report = Path(args.report).resolve()
    manifest = load_manifest(report)
    config = load_config((manifest.get("parameters") or {}).get("config"))

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / report.name
        shutil.copytree(report, work)
        r = Report(load_bulletin(work / "bulletin.pkl"), config, work)
        body_times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            write_body(r)
            body_times.append(time.perf_counter() - start)

        ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        ca_file = Path(tmp) / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        sink, port = Sink(), _port()
        controller = Controller(sink, hostname="127.0.0.1", port=port, tls_context=context,
                                require_starttls=True, auth_required=True,
                                authenticator=lambda *a: AuthResult(success=True))
        controller.start()
        smtp = SmtpSettings(host="127.0.0.1", port=port, user="bench@example.org",
                            ca_file=ca_file, attempts=1)
        settings = MailSettings(**{**config.mail.model_dump(by_alias=True), "smtp": smtp,
                                   "from": "bench@example.org", "to": ("leaders@example.org",)})
        build_times, send_times = [], []
        try:
            for _ in range(args.repeat):
                start = time.perf_counter()
                built = build_message(report, manifest, settings)
                data = built.as_bytes()
                build_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                deliver(data, built.sender, built.recipients, smtp, "x")
                send_times.append(time.perf_counter() - start)
        finally:
            controller.stop()

    meta = json.loads((report / "mail" / "mail.json").read_text(encoding="utf-8"))
    html = (report / meta["html"]).stat().st_size
    text = (report / meta["text"]).stat().st_size
    charts = {c["name"]: (report / c["file"]).stat().st_size for c in meta["charts"]}
    print(f"report            {report}")
    print(f"HTML body         {html / 1024:.1f} KB (limit 100 KB; Gmail clips at ~102 KB)")
    print(f"text body         {text / 1024:.1f} KB")
    for name, size in charts.items():
        print(f"chart {name:<18} {size / 1024:.1f} KB")
    print(f"attachments       {', '.join(built.attachments) or 'none'}")
    print(f"whole message     {len(data) / 1024:.1f} KB (received: {sink.sizes[-1] / 1024:.1f} KB)")
    print(f"write body        {statistics.median(body_times):.3f} s (median of {args.repeat})")
    print(f"build message     {statistics.median(build_times):.3f} s")
    print(f"send (STARTTLS+AUTH, 127.0.0.1)  {statistics.median(send_times):.3f} s")


if __name__ == "__main__":
    main()
