"""What ``hcp run`` makes beside the notebook (``documents.background``): with the process
kept after the previous quarter, that process draws charts and writes the e-mail body; should
it die, the run's own thread does both."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest
from present_fixtures import make_bulletin

from hcp_lib.documents import background
from hcp_lib.documents.background import Background
from hcp_lib.present import drawn
from hcp_lib.present.chart_names import CAPTIONS
from hcp_lib.present.io import save_bulletin


@pytest.fixture
def build(tmp_path):
    folder = tmp_path / "build"
    folder.mkdir()
    save_bulletin(make_bulletin(), folder / "bulletin.json")
    return folder


def _claimers(build) -> dict[str, int]:
    return {path.name[1:-len(".claim")]: int(path.read_text())
            for path in (build / "charts").glob(".*.claim")}


def _made(build) -> None:
    assert sorted(p.stem for p in (build / "charts").glob("*.png")) == sorted(CAPTIONS)
    assert (build / "mail" / "body.html").is_file() and (build / "mail" / "mail.json").is_file()
    assert (build / "bulletin-2022Q2.pdf").is_file() and (build / "bulletin-2022Q2.docx").is_file()


def test_the_kept_process_writes_the_mail_and_draws_its_charts(build, config, monkeypatch):
    def not_here(*_):
        raise AssertionError("the e-mail body was written in the run's own process")

    monkeypatch.setattr(background, "_write_mail", not_here)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as apart:
        kept_pid = apart.submit(os.getpid).result()
        done = Background(build, config, apart=apart).start().wait()
    _made(build)
    claimers = _claimers(build)
    assert set(claimers.values()) <= {kept_pid, os.getpid()}
    # the mail's charts the run's thread waits for only after the kept process wrote the body
    only_mail = [n for n in config.mail.charts if n not in config.documents.leadership_charts]
    assert only_mail and all(claimers[n] == kept_pid for n in only_mail)
    assert (build / "charts" / drawn.DRAWN).is_file()  # every chart in place, nobody waits
    assert {"leadership.pdf", "leadership.docx"} <= set(done.files)


class _Dead(Executor):
    """A kept process that died after it was handed the work."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        future.set_exception(BrokenProcessPool("the process stopped"))
        return future


def test_if_the_kept_process_dies_the_thread_makes_everything(build, config, caplog):
    Background(build, config, apart=_Dead()).start().wait()
    _made(build)
    assert set(_claimers(build).values()) == {os.getpid()}
    assert "writing it here" in caplog.text


def test_without_a_kept_process_the_thread_makes_everything(build, config):
    Background(build, config).start().wait()
    _made(build)
    assert set(_claimers(build).values()) == {os.getpid()}
