"""Shared fixtures: the default configuration and a quarter folder with a valid cases file."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest
from helpers import write_cases

from hcp_lib.config import load_config


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
def small_dataset(tmp_path_factory):
    """The embedded synthetic dataset at a small scale (2022Q1, 2022Q2, July's look-ahead)."""
    from hcp_lib.synth import generate

    out = tmp_path_factory.mktemp("small_dataset")
    generate(out, scale=0.004)
    return out
