"""`hcp send`: e-mail a finished report to the configured recipients."""

from __future__ import annotations

import argparse
import logging
import sys

from ..exitcodes import (
    ERROR,
    MAIL_REFUSED,
    NOT_SENDABLE,
    OK,
    SMTP_AUTH,
    SMTP_CERTIFICATE,
    SMTP_UNREACHABLE,
    USAGE,
)
from . import exit_codes

DESCRIPTION = (
    "把已生成的通报（reports/QUARTER/）用邮件报送给配置 mail 部分的收件人：通报作为正文（HTML 和纯文本），"
    "附上配置的附件（如 PDF、Word、表格）。运行失败的、征求意见稿、与 manifest 不符的，以及已报送过的"
    "通报（除非加 --resend）不予报送。\n"
    "E-mail a finished report (reports/QUARTER/) to the recipients in the configuration's mail "
    "section: the bulletin as the message body (HTML and plain text) with the configured "
    "attachments. Refuses a failed or provisional report, one that differs from its manifest, "
    "or one already sent (unless --resend)."
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("send", help="用邮件报送通报 / e-mail a finished report to leadership",
                            description=DESCRIPTION,
                            epilog=exit_codes(OK, USAGE, NOT_SENDABLE, SMTP_UNREACHABLE,
                                              SMTP_CERTIFICATE, SMTP_AUTH, MAIL_REFUSED))
    parser.add_argument("quarter", metavar="QUARTER", help="季度 / the quarter, e.g. 2022Q2")
    add_options(parser)
    parser.set_defaults(handler=handle)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--report", default=None, metavar="DIR",
                        help="通报文件夹 / the report folder (default: reports/QUARTER)")
    parser.add_argument("--config", default=None, metavar="FILE",
                        help="城市配置 / city configuration (default: the one the report was made "
                             "with)")
    parser.add_argument("--to", action="append", default=None, metavar="ADDRESS",
                        help="只发给 ADDRESS（可重复），不发给配置的收件人：试发，不算正式报送 / send only to "
                             "ADDRESS (repeatable) instead of the configured recipients: a test "
                             "send; it does not count as the sending")
    parser.add_argument("--dry-run", action="store_true",
                        help="只在通报文件夹写出 bulletin-QUARTER.eml 预览，不发送 / write "
                             "bulletin-QUARTER.eml into the report folder; send nothing")
    parser.add_argument("--resend", action="store_true",
                        help="再次报送已报送过的通报 / send a report that was already sent")
    parser.add_argument("--quiet", action="store_true", help="只显示错误 / print only errors")


def handle(args: argparse.Namespace) -> int:
    return send(args.quarter, report=args.report, config=args.config, to=args.to,
                dry_run=args.dry_run, resend=args.resend, quiet=args.quiet)


def send(quarter: str, *, report=None, config=None, to=None, dry_run: bool = False,
         resend: bool = False, quiet: bool = False) -> int:
    """Send and say so on the terminal; returns the exit code (also used by `hcp run --send`)."""
    logger = logging.getLogger("hcp.mail")
    console = None
    if not quiet:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("hcp send: %(message)s"))
        logger.setLevel(logging.INFO)
        logger.addHandler(console)
        logger.propagate = False  # `hcp run --send` has its own console handler on "hcp"
    try:
        return _send(quarter, report, config, to, dry_run, resend, quiet)
    finally:  # in-process (a notebook, the tests): no handler left on a stream since closed
        if console is not None:
            logger.removeHandler(console)
            logger.propagate = True


def _send(quarter: str, report, config, to, dry_run: bool, resend: bool, quiet: bool) -> int:
    from ..mail.deliver import SendFailed, send_report

    try:
        result = send_report(quarter, report, config, to=to, dry_run=dry_run, resend=resend)
    except SendFailed as exc:
        print(f"hcp send: {exc}", file=sys.stderr)
        return exc.code
    except Exception as exc:  # never a traceback; the message names the cause
        print(f"hcp send: 意外错误，未记为已报送 / unexpected error, nothing recorded as sent: "
              f"{type(exc).__name__}: {exc}",
              file=sys.stderr)
        return ERROR
    size = f"{result.bytes / 1024:.0f} KB"
    attached = ", ".join(result.attachments) or "none"
    if result.eml:
        print(f"已写出预览，未发送 / preview written (nothing sent): {result.eml} ({size}; "
              f"attachments: {attached})")
    elif not quiet:
        print(f"已报送 / sent {result.message_id} to {len(result.recipients)} recipient(s) "
              f"({size}; attachments: {attached}) in {result.send_seconds:.1f} s")
    return OK
