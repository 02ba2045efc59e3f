"""`hcp send`: e-mail a finished report to the configured recipients."""

from __future__ import annotations

import argparse
import logging
import sys

from ..exitcodes import ERROR, OK

DESCRIPTION = (
    "E-mail a finished report (reports/QUARTER/) to the recipients in the configuration's mail "
    "section: the bulletin as the message body (HTML and plain text) with the configured "
    "attachments. Refuses a failed or provisional report, one that differs from its manifest, "
    "or one already sent (unless --resend). Exit codes: 0 sent, 2 bad parameters or "
    "configuration, 6 report not sendable, 7 server unreachable, 8 certificate/TLS error, "
    "9 login rejected, 10 recipient or message refused."
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("send", help="E-mail a finished report to leadership.",
                            description=DESCRIPTION)
    parser.add_argument("quarter", metavar="QUARTER", help="e.g. 2022Q2")
    add_options(parser)
    parser.set_defaults(handler=handle)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--report", default=None, metavar="DIR",
                        help="the report folder (default: reports/QUARTER)")
    parser.add_argument("--config", default=None, metavar="FILE",
                        help="city configuration (default: the one the report was made with)")
    parser.add_argument("--to", action="append", default=None, metavar="ADDRESS",
                        help="send only to ADDRESS (repeatable) instead of the configured "
                             "recipients: a test send; it does not count as the sending")
    parser.add_argument("--dry-run", action="store_true",
                        help="write bulletin-QUARTER.eml into the report folder; send nothing")
    parser.add_argument("--resend", action="store_true",
                        help="send a report that was already sent")
    parser.add_argument("--quiet", action="store_true", help="print only errors")


def handle(args: argparse.Namespace) -> int:
    return send(args.quarter, report=args.report, config=args.config, to=args.to,
                dry_run=args.dry_run, resend=args.resend, quiet=args.quiet)


def send(quarter: str, *, report=None, config=None, to=None, dry_run: bool = False,
         resend: bool = False, quiet: bool = False) -> int:
    """Send and say so on the terminal; returns the exit code (also used by `hcp run --send`)."""
    from ..mail.deliver import SendFailed, send_report

    if not quiet:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("hcp send: %(message)s"))
        logger = logging.getLogger("hcp.mail")
        logger.setLevel(logging.INFO)
        logger.addHandler(console)
        logger.propagate = False  # `hcp run --send` has its own console handler on "hcp"
    try:
        result = send_report(quarter, report, config, to=to, dry_run=dry_run, resend=resend)
    except SendFailed as exc:
        print(f"hcp send: {exc}", file=sys.stderr)
        return exc.code
    except Exception as exc:  # never a traceback; the message names the cause
        print(f"hcp send: unexpected error, nothing recorded as sent: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return ERROR
    size = f"{result.bytes / 1024:.0f} KB"
    attached = ", ".join(result.attachments) or "none"
    if result.eml:
        print(f"preview written (nothing sent): {result.eml} ({size}; attachments: {attached})")
    elif not quiet:
        print(f"sent {result.message_id} to {len(result.recipients)} recipient(s) "
              f"({size}; attachments: {attached}) in {result.send_seconds:.1f} s")
    return OK
