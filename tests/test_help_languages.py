"""Every help text is bilingual (Chinese first, English beside it) and renders in any locale."""

import argparse
import os
import re
import subprocess
import sys

import pytest

from hcp_lib.cli import COMMANDS, build_parser

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _parsers() -> dict[str, argparse.ArgumentParser]:
    """'hcp', 'hcp run', ..., 'hcp kernel install': every parser a user can ask --help of."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(name: str, parser: argparse.ArgumentParser) -> None:
        found[name] = parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, child in action.choices.items():
                    walk(f"{name} {sub}", child)

    walk("hcp", build_parser())
    return found


PARSERS = _parsers()


def _bilingual(text: str | None) -> bool:
    return bool(text and CJK.search(text) and LATIN_WORD.search(CJK.sub("", text)))


def test_every_command_is_covered():
    assert {f"hcp {c}" for c in COMMANDS} | {"hcp", "hcp kernel install"} <= set(PARSERS)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_description_epilog_and_every_option_in_both_languages(name):
    parser = PARSERS[name]
    assert _bilingual(parser.description), name
    assert parser.epilog and "退出码 exit codes" in parser.epilog, name
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert _bilingual(choice.help), f"{name} {choice.dest}"
            continue
        assert _bilingual(action.help), f"{name} {action.option_strings or action.dest}"


def _help(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "PYTHONIOENCODING", "PYTHONUTF8")}
    return subprocess.run([sys.executable, "-m", "hcp_lib.cli", *args, "--help"],
                          capture_output=True, env={**environ, **env})


@pytest.mark.parametrize("args", [[], ["run"], ["send"], ["kernel", "install"]])
def test_help_is_the_same_in_a_chinese_and_a_c_locale(args):
    chinese = _help(args, LANG="zh_CN.UTF-8")
    c = _help(args, LANG="C", LC_ALL="C", PYTHONIOENCODING="utf-8")
    assert chinese.returncode == c.returncode == 0, (chinese.stderr, c.stderr)
    text = chinese.stdout.decode("utf-8")
    assert "退出码 exit codes" in text and c.stdout.decode("utf-8") == text


@pytest.mark.parametrize("args", [[], ["validate"], ["reconcile"], ["demo"]])
def test_help_renders_where_stdout_cannot_hold_chinese(args):
    out = _help(args, LANG="C", LC_ALL="C", PYTHONIOENCODING="ascii")
    assert out.returncode == 0, out.stderr.decode(errors="replace")
    text = out.stdout.decode("ascii")  # every byte ASCII: Chinese escaped, nothing lost
    assert "exit codes" in text and "\\u9000\\u51fa\\u7801" in text  # 退出码, escaped


def test_an_error_message_reaches_an_ascii_stderr():
    out = subprocess.run([sys.executable, "-m", "hcp_lib.cli", "validate", "2022Q5"],
                         capture_output=True,
                         env={**os.environ, "LC_ALL": "C", "PYTHONIOENCODING": "ascii"})
    assert out.returncode == 2
    assert "not a quarter" in out.stderr.decode("ascii")


def test_a_usage_error_says_what_is_wrong_in_both_languages(capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["run"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "用法 usage: hcp run" in err
    assert "缺少必需的参数 / the following arguments are required: QUARTER" in err


def test_the_messages_users_meet_most_carry_chinese_and_english(tmp_path):
    from hcp_lib.outdir import OutDirRefused, check_out_dir
    from hcp_lib.paths import DataFolderError, data_root
    from hcp_lib.quarters import Quarter, QuarterError
    from hcp_lib.run import _summary

    messages = []
    for call, error in ((lambda: data_root(tmp_path / "missing", "2022Q2"), DataFolderError),
                        (lambda: data_root(tmp_path, "2022Q2"), DataFolderError),
                        (lambda: Quarter.parse("2022Q5"), QuarterError),
                        (lambda: check_out_dir(tmp_path, Quarter.parse("2022Q2"), tmp_path),
                         OutDirRefused)):
        with pytest.raises(error) as exc:
            call()
        messages.append(str(exc.value))
    messages.append(_summary(ValueError("表 evaluations: 3 rows rejected")))
    for message in messages:
        assert _bilingual(message.splitlines()[0]), message


@pytest.mark.parametrize("columns", [60, 100])
def test_help_fits_the_terminal_counting_a_chinese_character_as_two_columns(columns, monkeypatch):
    from hcp_lib.commands import display_width

    monkeypatch.setenv("COLUMNS", str(columns))
    for name, parser in PARSERS.items():
        for line in parser.format_help().splitlines():
            assert display_width(line) <= columns, (name, line)


def test_chinese_never_wraps_before_a_closing_sign():
    from hcp_lib.commands import wrap

    lines = wrap("甲乙丙丁，戊己 word", 8)
    assert lines == ["甲乙丙", "丁，戊己", "word"]
