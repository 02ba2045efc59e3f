"""The hand-built 2022Q2 Bulletin for presentation tests (no raw data needed).

One source for both the presentation and the reconciliation tests: ``bulletin_factory``.
"""

from __future__ import annotations

from bulletin_factory import published_2022q2

from hcp_lib.config import load_config
from hcp_lib.figures import Bulletin


def make_bulletin() -> Bulletin:
    return published_2022q2(load_config())
