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
