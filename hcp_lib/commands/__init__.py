"""One module per ``hcp`` subcommand: ``register(subparsers)`` adds its parser and handler.

Command modules import heavy dependencies inside their handler, so ``hcp --help`` stays fast.

Every help text is bilingual, Chinese first and the English beside it, whatever the locale:
an analyst reads the Chinese, a maintainer or a log reader the English, and a help page or a
message copied into an e-mail reads the same on every machine.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
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


OPENING = "（“‘《【「"
CLOSING = "，。、；：）”’》】」！？"
_TOKENS = re.compile(r"\s+|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: a Chinese character or full-width sign takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: Chinese may break between any two characters, but
    never before a closing sign（，。）or after an opening one; English breaks at spaces."""
    tokens: list[str] = []
    for token in _TOKENS.findall(text):
        previous = tokens[-1] if tokens else " "
        if not previous.isspace() and (token in CLOSING
                                       or (previous[-1] in OPENING and not token.isspace())):
            tokens[-1] += token
        else:
            tokens.append(token)
    lines, line = [], ""
    for token in tokens:
        if token.isspace():
            line += " " if line else ""
        elif line.strip() and display_width(line + token) > width:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    return [*lines, line.rstrip()]


class HelpFormatter(argparse.HelpFormatter):
    """Wrap by terminal columns (a Chinese character takes two), and each line of a description
    or epilog on its own: line breaks stay, and an indented line (a list entry such as an exit
    code) is kept as written."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = []
        for line in text.splitlines():
            # An indented entry ("  10  meaning") hangs its continuation under the meaning.
            entry = re.match(r"\s+\S+\s+", line) if line[:1].isspace() else None
            lead = indent + (entry.group() if entry else "")
            rest = line[entry.end():] if entry else line
            parts = wrap(" ".join(rest.split()), width - len(lead)) if rest.strip() else [""]
            lines += [(lead if i == 0 else " " * len(lead)) + part for i, part in enumerate(parts)]
        return "\n".join(line.rstrip() for line in lines)

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
