"""Reading started before the library is imported (``hcp_lib.early``) changes when, not what."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pandas as pd
import pytest
from helpers import FIXTURES

from hcp_lib import batches, early
from hcp_lib.config import load_config
from hcp_lib.stream import stream_quarter

QUARTER = "2022Q2"


@pytest.fixture(autouse=True)
def _nothing_read_early():
    early.release()  # a command run in this process before may have started and not streamed
    yield
    early.release()


def test_the_batch_readers_import_no_pandas():
    """What the early thread imports leaves pandas for the main thread to import meanwhile."""
    code = ("import sys, hcp_lib.early, hcp_lib.batches, hcp_lib.contract; "
            "print('pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_reading_starts_early_in_the_streams_batches():
    from hcp_lib.stream import BATCH_ROWS

    assert early.BATCH_ROWS == BATCH_ROWS


def _streamed(folder, batch_rows, rejects):
    return stream_quarter(folder, QUARTER, load_config(), mode="quarantine",
                          rejects_dir=rejects, batch_rows=batch_rows)


@pytest.mark.parametrize("fixture", ["good_2022Q2", "bad_2022Q2"])
@pytest.mark.parametrize("batch_rows", [1, 7])
def test_a_stream_started_early_is_the_stream_started_late(monkeypatch, tmp_path, fixture,
                                                            batch_rows):
    """The same aggregates, report and rejects; the early thread read each big table's first
    batches and the stream's readers went on from there, without reading any table again."""
    folder = FIXTURES / fixture
    late = _streamed(folder, batch_rows, tmp_path / "late")

    readers: list[str] = []
    sheet_batches = batches.sheet_batches

    def counted(*args, **kwargs):
        readers.append(threading.current_thread().name)
        return sheet_batches(*args, **kwargs)

    monkeypatch.setattr(batches, "sheet_batches", counted)
    monkeypatch.setattr("hcp_lib.stream.sheet_batches", counted)
    early.start(folder, batch_rows)
    deadline = time.monotonic() + 10
    while len(readers) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # its first batches read
    got = _streamed(folder, batch_rows, tmp_path / "early")

    assert readers == ["hcp-early-read", "hcp-early-read"]  # cases, then evaluations
    assert not early._started  # both tables claimed
    for name in ("evaluations", "cases", "bad_reviews", "post_bad_reviews"):
        pd.testing.assert_frame_equal(getattr(got.aggregates, name),
                                      getattr(late.aggregates, name), obj=name)
    assert got.aggregates.meta == late.aggregates.meta
    assert got.report.to_dict() == late.report.to_dict()
    written = sorted(p.name for p in (tmp_path / "late").glob("*.csv"))
    assert sorted(p.name for p in (tmp_path / "early").glob("*.csv")) == written
    for name in written:
        assert (tmp_path / "early" / name).read_bytes() == (tmp_path / "late" / name).read_bytes()


def test_only_a_started_table_is_claimed_and_only_once(tmp_path):
    folder = FIXTURES / "good_2022Q2"
    assert early.claim(folder, "cases", 5) is None  # never started
    early.start(tmp_path / "absent", 5)  # no folder: left to the stream, which reports it
    assert not early._started
    early.start(folder, 5)
    claimed = early.claim(folder, "cases", 5)
    assert claimed is not None
    numbers = [number for number, _ in claimed[0]]
    assert numbers == sorted(numbers) and numbers[0] == 0
    assert early.claim(folder, "cases", 5) is None
    early.release()  # the evaluations, never claimed: read and closed
    assert not early._started
    assert early.claim(folder, "evaluations", 5) is None


def test_a_refused_command_lets_go_of_what_it_read_early(tmp_path, capsys):
    """``hcp validate`` starts reading before it reads its configuration; refused there, it
    leaves no table read early behind (no thread, no batches held)."""
    import shutil

    from hcp_lib.cli import main
    from hcp_lib.exitcodes import USAGE

    shutil.copytree(FIXTURES / "good_2022Q2", tmp_path / "data" / QUARTER)
    code = main(["validate", QUARTER, "--data", str(tmp_path / "data"),
                 "--config", str(tmp_path / "missing.yaml")])
    assert code == USAGE
    assert "hcp validate" in capsys.readouterr().err
    assert not early._started
    assert not any(t.name == "hcp-early-read" for t in threading.enumerate())
