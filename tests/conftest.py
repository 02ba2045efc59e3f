"""Shared fixtures: the default configuration and a quarter folder with a valid cases file."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest
from helpers import write_cases
from hypothesis import settings

from hcp_lib.config import load_config

# Speed is measured in benchmarks/, not asserted: no per-example deadline (a loaded CI machine
# would fail a correct property).
settings.register_profile("hcp", deadline=None)
settings.load_profile("hcp")


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture
def quarter_dir(tmp_path):
    """A folder with a valid cases file; tests add evaluations."""
    folder = tmp_path / "2022Q2"
    folder.mkdir()
    write_cases(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory):
    """The embedded generator at a tiny scale: 2022Q1, 2022Q2 and 2022Q3 to the issue date."""
    from catalogue import TINY_SCALE

    from hcp_lib.synth import generate

    root = tmp_path_factory.mktemp("tiny") / "data"
    generate(root, scale=TINY_SCALE)
    return root


@pytest.fixture(scope="session")
def tiny_history(tmp_path_factory):
    """The tiny dataset with the illustrative history: 2021Q1 … 2021Q4 as well."""
    from catalogue import TINY_SCALE

    from hcp_lib.synth import generate

    root = tmp_path_factory.mktemp("tiny-history") / "data"
    generate(root, scale=TINY_SCALE, history=True)
    return root


@pytest.fixture(scope="session")
def tiny_report(tiny_data, tmp_path_factory):
    """A report of the tiny 2022Q2, published by ``hcp run`` in a process of its own."""
    import os
    import subprocess
    import sys

    from catalogue import ISSUE_DATE, QUARTER

    out = tmp_path_factory.mktemp("tiny-reports") / QUARTER
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "hcp_lib.cli", "run", QUARTER, "--data", str(tiny_data),
         "--out", str(out), "--date", ISSUE_DATE, "--no-cache", "--quiet"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def workspace(tiny_data, tiny_report, tmp_path):
    """A private copy of the tiny dataset and its published report (see catalogue.py)."""
    from catalogue import QUARTER, Workspace, copy_tree

    ws = Workspace(tmp_path, tmp_path / "data", tmp_path / "reports")
    copy_tree(tiny_data, ws.data)
    ws.reports.mkdir()
    copy_tree(tiny_report, ws.reports / QUARTER)
    return ws


@pytest.fixture(scope="session")
def small_dataset(tiny_data):
    """The embedded synthetic dataset at a small scale (2022Q1, 2022Q2, July's look-ahead)."""
    return tiny_data
