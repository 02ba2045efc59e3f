import subprocess
import sys

import pytest

from hcp_lib.cli import COMMANDS, build_parser


def test_version_and_help_run_without_error():
    out = subprocess.run([sys.executable, "-m", "hcp_lib.cli", "--version"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.startswith("hcp ")


@pytest.mark.parametrize("command", COMMANDS)
def test_each_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([command, "--help"])
    assert exc.value.code == 0
    assert "usage: hcp" in capsys.readouterr().out


def test_commands_run_in_process_leave_no_log_handlers(tmp_path, capsys):
    """A notebook or a test calling ``main`` twice: the second run must not log to the first
    run's stderr (closed by then), nor twice."""
    import logging

    from hcp_lib.cli import main

    loggers = [logging.getLogger("hcp"), logging.getLogger("hcp.mail")]
    before = [list(logger.handlers) for logger in loggers]
    for _ in range(2):
        assert main(["run", "2022Q2", "--data", str(tmp_path / "none"),
                     "--out", str(tmp_path / "out")]) != 0
        assert main(["send", "2022Q2", "--report", str(tmp_path / "none"), "--dry-run"]) != 0
    assert [list(logger.handlers) for logger in loggers] == before
    assert loggers[1].propagate
    assert "hcp run:" in capsys.readouterr().err
