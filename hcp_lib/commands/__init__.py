"""One module per ``hcp`` subcommand: ``register(subparsers)`` adds its parser and handler.

Command modules import heavy dependencies inside their handler, so ``hcp --help`` stays fast.

Every help text is bilingual, Chinese first and the English beside it, whatever the locale:
an analyst reads the Chinese, a maintainer or a log reader the English, and a help page or a
message copied into an e-mail reads the same on every machine.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from ..exitcodes import MEANINGS, USAGE

# argparse's own error messages, by a phrase each contains: the Chinese put before them.
ARGPARSE_ERRORS = (
    ("the following arguments are required", "缺少必需的参数"),
    ("unrecognized arguments", "无法识别的参数"),
    ("invalid choice", "无效的取值"),
    ("expected one argument", "选项缺少取值"),
    ("not allowed with argument", "选项不能同时使用"),
    ("invalid int value", "应为整数"),
    ("invalid float value", "应为数字"),
)


class HelpFormatter(argparse.HelpFormatter):
    """Wrap each line of a description or epilog on its own: line breaks stay, and an indented
    line (a list entry such as an exit code) keeps its indentation."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line if line[:1].isspace() or not line
                         else super(HelpFormatter, self)._fill_text(line, width, indent)
                         for line in text.splitlines())


    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, "用法 usage: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose own headings and ``--help`` are bilingual too."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "参数 positional arguments"
        self._optionals.title = "选项 options"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="显示本帮助 / show this help and exit")

    def error(self, message: str) -> NoReturn:
        """Usage, then argparse's message with its Chinese, exit 2 (exitcodes.USAGE)."""
        chinese = next((zh for phrase, zh in ARGPARSE_ERRORS if phrase in message), "")
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: 错误 error: {chinese + ' / ' if chinese else ''}{message}\n")


def exit_codes(*codes: int) -> str:
    """The epilog listing the exit codes a command may return, in both languages."""
    lines = ["退出码 exit codes:"]
    lines += [f"  {code:>2}  {MEANINGS[code][0]} / {MEANINGS[code][1]}" for code in codes]
    return "\n".join(lines)
