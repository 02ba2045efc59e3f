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
