"""numpy's BLAS held to one thread in hcp's own processes, unless the user chose otherwise.

Each check runs in a fresh interpreter: the setting counts only before numpy loads."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from hcp_lib import blas

THREADS = """
import os
import numpy
print(os.environ.get("OPENBLAS_NUM_THREADS"), len(os.listdir("/proc/self/task")))
"""


def _run(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in blas.VARIABLES}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env={**environ, **env}, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_numpy_starts_no_thread_of_its_own_after_one_thread():
    out = _run("from hcp_lib import blas\nprint(blas.one_thread())" + THREADS)
    assert out.split() == ["True", "1", "1"]


def test_the_commands_ask_before_numpy_loads_and_their_children_inherit_it():
    """The command makes the setting first thing (here ``hcp validate`` on a folder that is
    not there), so the processes it starts inherit it."""
    out = _run("""
        import os, sys
        from hcp_lib import cli
        code = cli.main(["validate", "1999Q1", "--data", "/nonexistent-hcp-data"])
        print(code != 0, os.environ.get("OPENBLAS_NUM_THREADS"))
    """)
    assert out.splitlines()[-1] == "True 1"


def test_a_number_the_user_chose_is_kept():
    out = _run("from hcp_lib import blas\nprint(blas.one_thread())" + THREADS,
               OPENBLAS_NUM_THREADS="2")
    assert out.split()[:2] == ["False", "2"]


def test_nothing_is_set_once_numpy_is_loaded():
    """Too late to count (a notebook imported numpy first): the environment is left alone."""
    out = _run("import numpy\nfrom hcp_lib import blas\nprint(blas.one_thread())" + THREADS)
    assert out.split()[:2] == ["False", "None"]
