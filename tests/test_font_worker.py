"""Font subsets cut in a worker process are the very bytes the run would cut itself."""

from __future__ import annotations

import io
import os
import signal

import pytest
from fontTools.ttLib import TTFont

from hcp_lib.documents.fonts import fallback_face, subset_woff, subset_woffs
from hcp_lib.documents.subsetter import FontWorker, worth_starting

TEXT = "厦门市行政审批管理局政务服务好差评通报"


@pytest.fixture(scope="module")
def faces():
    """Two shipped files (SimHei TrueType is quick to cut); the larger one goes to the worker."""
    heading = fallback_face("heading").path
    body = fallback_face("body").path
    return [heading, body]


def _covers(data: bytes, text: str) -> bool:
    return {ord(c) for c in text} <= set(TTFont(io.BytesIO(data)).getBestCmap())


def test_worker_cuts_what_the_run_would(faces, tmp_path):
    with FontWorker() as worker:
        cut = subset_woffs(faces, TEXT, tmp_path / "cache", worker)
    assert cut == [subset_woff(path, TEXT) for path in faces]
    assert all(_covers(data, TEXT) for data in cut)
    # both kept in the cache, read back by a later run without a worker
    assert len(list((tmp_path / "cache").glob("*.woff"))) == 2
    assert subset_woffs(faces, TEXT, tmp_path / "cache") == cut


def test_only_the_missing_fonts_are_cut(faces, tmp_path):
    cache = tmp_path / "cache"
    first = subset_woff(faces[0], TEXT, cache)
    with FontWorker() as worker:
        cut = subset_woffs(faces, TEXT, cache, worker)
    assert cut[0] == first
    assert cut[1] == subset_woff(faces[1], TEXT)


def test_a_dead_worker_leaves_the_cut_to_the_run(faces):
    with FontWorker() as worker:
        worker.woff(faces[0], "厦").__call__()  # the worker is up
        for pid in list(worker._pool._processes):
            os.kill(pid, signal.SIGKILL)
        cut = subset_woffs(faces[:1], TEXT, None, worker)
    assert cut == [subset_woff(faces[0], TEXT)]


def test_the_worker_starts_only_when_the_cache_will_miss(tmp_path):
    assert worth_starting(None)
    assert worth_starting(tmp_path / "absent")
    assert worth_starting(tmp_path)
    (tmp_path / "0123.woff").write_bytes(b"kept")
    assert not worth_starting(tmp_path)
