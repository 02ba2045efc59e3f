"""Progress bars: in a terminal only, never in logs, pipes or cron mail."""

from __future__ import annotations

import io

import pytest

from hcp_lib import progress as bars


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "setting", "shown"), [
    (io.StringIO, "", False),  # a pipe or a log file: silent
    (Terminal, "", True),
    (Terminal, "0", False),  # HCP_PROGRESS=0 (and --quiet) silence a terminal too
    (io.StringIO, "1", True),
])
def test_bar_only_where_wanted(monkeypatch, stream, setting, shown):
    err = stream()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setenv("HCP_PROGRESS", setting)
    assert list(bars.progress(range(5), desc="评价明细 evaluations", unit="batch")) == list(range(5))
    with bars.Stage("报告 report", 2) as stage:
        stage.step()
        stage.step()
    assert bool(err.getvalue()) is shown
    if shown:
        assert "评价明细 evaluations" in err.getvalue()
