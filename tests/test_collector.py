"""The cycle collector waits while a command imports its libraries, and only then."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest
from helpers import FIXTURES

from hcp_lib import collector, early


@pytest.fixture(autouse=True)
def _collector_as_found():
    early.release()
    was = gc.isenabled()
    yield
    early.release()
    collector.resume()
    gc.unfreeze()
    if was:
        gc.enable()


def test_pause_stops_collection_and_resume_freezes_what_was_made():
    collector.pause()
    assert not gc.isenabled() and collector.paused()
    made = [[] for _ in range(1000)]  # noqa: F841 - objects made while paused
    frozen_before = gc.get_freeze_count()
    collector.resume()
    assert gc.isenabled() and not collector.paused()
    assert gc.get_freeze_count() >= frozen_before + 1000


def test_resume_without_pause_changes_nothing():
    frozen = gc.get_freeze_count()
    collector.resume()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_a_collector_turned_off_by_the_user_stays_off():
    gc.disable()
    collector.pause()
    assert not collector.paused()
    collector.resume()
    assert not gc.isenabled()


def test_reading_early_pauses_and_the_stream_resumes(tmp_path):
    folder = FIXTURES / "good_2022Q2"
    early.start(tmp_path / "absent", 5)  # nothing read: nothing paused
    assert gc.isenabled()
    early.start(folder, 5)
    assert not gc.isenabled()
    early.claim(folder, "cases", 5)
    assert gc.isenabled()


def test_a_command_that_never_streams_collects_again(tmp_path):
    early.start(FIXTURES / "good_2022Q2", 5)
    early.release()
    assert gc.isenabled() and not collector.paused()


def test_a_command_process_streams_with_the_collector_on():
    """End to end in a fresh process, as ``hcp validate`` and the benchmarks run it."""
    code = (
        "import gc, sys; from hcp_lib import early; "
        f"early.start({str(FIXTURES / 'good_2022Q2')!r}); "
        "off = not gc.isenabled(); "
        "from hcp_lib.stream import stream_quarter; "
        f"stream_quarter({str(FIXTURES / 'good_2022Q2')!r}, '2022Q2', mode='quarantine'); "
        "print(off, gc.isenabled(), gc.get_freeze_count() > 10000)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["True", "True", "True"]


def test_the_kernel_imports_the_notebooks_modules_with_the_collector_paused():
    """``hcp run``'s kernel preloads the notebook's imports through ``earlykernel.preload``."""
    from hcp_lib.earlykernel import PRELOAD, kernel_arguments

    lines = [a.split("=", 1)[1] for a in kernel_arguments() if "exec_lines" in a]
    assert lines == [f"import hcp_lib.earlykernel as _hcp; _hcp.preload({PRELOAD!r}); del _hcp"]
    code = ("import gc, sys; from hcp_lib.earlykernel import preload; "
            "preload(('hcp_lib.quarters',)); "
            "print('hcp_lib.quarters' in sys.modules, gc.isenabled(), gc.get_freeze_count() > 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["True", "True", "True"]
