"""The command's quick exit: the collector frozen at the end, nothing written lost."""

import gc
import subprocess
import sys
import textwrap

import pytest

from hcp_lib import cli


def test_only_the_command_itself_freezes_the_collector_at_exit(monkeypatch):
    registered = []
    monkeypatch.setattr(cli.atexit, "register", registered.append)
    with pytest.raises(SystemExit):
        cli.main(["--version"])  # a caller with its own arguments: its process is its own
    assert registered == []
    monkeypatch.setattr(sys, "argv", ["hcp", "--version"])
    with pytest.raises(SystemExit):
        cli.main()
    assert registered == [gc.freeze]


def test_output_logs_and_files_are_complete_after_a_quick_exit(tmp_path):
    script = textwrap.dedent(f"""
        import logging, sys
        from hcp_lib.cli import exit_quickly
        exit_quickly()
        handler = logging.FileHandler({str(tmp_path / "run.log")!r}, encoding="utf-8")
        logging.getLogger("probe").addHandler(handler)
        logging.getLogger("probe").warning("日志 " * 2000)
        kept = open({str(tmp_path / "kept.txt")!r}, "w", encoding="utf-8")  # never closed
        kept.write("保留 " * 5000)
        sys.stdout.write("输出 " * 50000)  # not flushed by hand
        sys.stderr.write("错误\\n")
        sys.exit(7)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert done.returncode == 7
    assert done.stdout.decode() == "输出 " * 50000
    assert done.stderr.decode() == "错误\n"
    assert (tmp_path / "run.log").read_text(encoding="utf-8") == "日志 " * 2000 + "\n"
    assert (tmp_path / "kept.txt").read_text(encoding="utf-8") == "保留 " * 5000
