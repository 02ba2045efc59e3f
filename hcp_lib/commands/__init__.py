"""One module per ``hcp`` subcommand: ``register(subparsers)`` adds its parser and handler.

Command modules import heavy dependencies inside their handler, so ``hcp --help`` stays fast.

Every help text is bilingual, Chinese first and the English beside it, whatever the locale:
an analyst reads the Chinese, a maintainer or a log reader the English, and a help page or a
message copied into an e-mail reads the same on every machine.
"""

from __future__ import annotations

import argparse

from ..exitcodes import MEANINGS


class HelpFormatter(argparse.HelpFormatter):
    """Wrap each line of a description or epilog on its own: line breaks stay, and an indented
    line (a list entry such as an exit code) keeps its indentation."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line if line[:1].isspace() or not line
                         else super(HelpFormatter, self)._fill_text(line, width, indent)
                         for line in text.splitlines())


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


def exit_codes(*codes: int) -> str:
    """The epilog listing the exit codes a command may return, in both languages."""
    lines = ["退出码 exit codes:"]
    lines += [f"  {code:>2}  {MEANINGS[code][0]} / {MEANINGS[code][1]}" for code in codes]
    return "\n".join(lines)
