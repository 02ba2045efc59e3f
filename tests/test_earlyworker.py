"""The previous quarter's process started before the run's imports (``hcp_lib.earlyworker``):
the pipeline hands it the task it would have given a process of its own, with the same result;
a command that stops first lets it go."""

from __future__ import annotations

import pytest

from hcp_lib import cli, earlyworker
from hcp_lib.config import load_config
from hcp_lib.exitcodes import USAGE
from hcp_lib.pipeline import compute

CFG = load_config()
QUARTER = "2022Q2"


@pytest.fixture(autouse=True)
def _no_process_waiting():
    earlyworker.release()
    yield
    earlyworker.release()


def _counting_pools(monkeypatch) -> list:
    made: list = []
    real = earlyworker.pool

    def pool():
        made.append(real())
        return made[-1]

    monkeypatch.setattr(earlyworker, "pool", pool)
    return made


def test_the_pipeline_takes_the_process_started_early(tiny_data, monkeypatch):
    alone = compute(QUARTER, tiny_data, CFG, engine="stream")
    made = _counting_pools(monkeypatch)
    earlyworker.start()
    assert len(made) == 1
    started = compute(QUARTER, tiny_data, CFG, engine="stream")
    assert len(made) == 1  # taken, not a second one
    assert earlyworker.take() is None
    assert started.bulletin == alone.bulletin and started.reports == alone.reports
    assert "load:2022Q1" in started.timings  # streamed there, its timings handed back


def test_without_one_the_pipeline_starts_its_own(tiny_data, monkeypatch):
    made = _counting_pools(monkeypatch)
    done = compute(QUARTER, tiny_data, CFG, engine="stream")
    assert len(made) == 1
    assert done.bulletin.evaluations.previous_levels is not None


def test_started_once_and_let_go_unused():
    earlyworker.start()
    first = earlyworker._pool
    earlyworker.start()
    assert earlyworker._pool is first
    earlyworker.release()
    assert earlyworker.take() is None
    with pytest.raises(RuntimeError):  # shut down: it takes no more work
        first.submit(print)


def test_a_cold_run_starts_it_only_when_there_is_a_previous_quarter(tiny_data, tmp_path,
                                                                    monkeypatch):
    started: list[bool] = []
    monkeypatch.setattr(earlyworker, "start", lambda: started.append(True))
    # refused (the output folder is a file) after the arguments were read: nothing left behind
    (tmp_path / "out").write_text("a file")
    args = ["run", QUARTER, "--data", str(tiny_data), "--quiet", "--no-cache",
            "--out", str(tmp_path / "out")]
    assert cli.main(args) == USAGE
    assert started == [True]
    only = tmp_path / "only"
    only.mkdir()
    (only / QUARTER).symlink_to(tiny_data / QUARTER)
    assert cli.main([*args[:3], str(only), *args[4:]]) == USAGE
    assert started == [True]  # no 2022Q1 folder: nothing to stream apart
    assert cli.main([*args[:-3], "--out", str(tmp_path / "out")]) == USAGE  # cached: no
    assert started == [True]


def test_a_run_keeps_the_process_after_its_quarter_and_lets_it_go_at_the_end(tiny_data):
    import os

    with earlyworker.kept_after_quarter():
        compute(QUARTER, tiny_data, CFG, engine="stream")
        kept = earlyworker.kept()
        assert kept is not None
        assert kept.submit(os.getpid).result() != os.getpid()  # the same spawned process
    assert earlyworker.kept() is None
    with pytest.raises(RuntimeError):  # let go: it takes no more work
        kept.submit(print)


def test_outside_a_run_the_process_ends_with_its_quarter(tiny_data):
    compute(QUARTER, tiny_data, CFG, engine="stream")
    assert earlyworker.kept() is None
