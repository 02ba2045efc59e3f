"""What ``hcp run`` makes while the notebook executes: charts, the e-mail body, PDF and Word.

None of these needs the executed notebook, only the computed bulletin, and the run's own
process would otherwise sit idle while the kernel works; on two cores the two overlap. The
charts come first; the notebook draws too, and each chart is drawn once per run by whichever
side claims it first, all sharing the files in the report folder (``present.drawn``).

One thread, not a process: it shares the run's imports and the bulletin, and the run's main
thread only waits on the kernel meanwhile. It waits only for the charts the print copies and
the e-mail body show (``needed_charts``), makes those two side by side (a second thread for
the print copies), and then sees every other chart in place: the notebook's 附图 are drawn
meanwhile. A failure is raised to the run by ``wait``; until then the notebook carries on (it
draws any chart the thread did not).

Where the run kept the previous quarter's process (``earlyworker.kept_after_quarter``), that
process draws charts too and writes the e-mail body (``mail_apart``, ``draw_apart``): the
run's own process, whose interpreter lock the notebook's client, the print copies and the
HTML export share, then has that much less to do. Should the process die, a chart it claimed
is taken over (``drawn``) and the e-mail body is written here.

Two threads importing one package at the same time can see it half initialised (a circular
import inside it). While the notebook executes, the run's main thread imports nothing the
thread imports (papermill and IPython are imported before the thread starts); the thread
imports what it draws with, and after the charts everything it and the HTML export use next;
the run's HTML export waits for that (``wait_for_imports``), which the kernel's own work
always outlasts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, Future
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..present import drawn
from ..present.chart_names import CAPTIONS, drawing_order

if TYPE_CHECKING:
    from .export import Exported

log = logging.getLogger("hcp.run")


def needed_charts(config: Config, *, mail: bool = True) -> list[str]:
    """The charts the print copies (and with ``mail``, the e-mail body) show, waited for
    before them: the leadership copy's, the e-mail's, and every chart when a print copy has
    附图."""
    copies = (config.documents.leadership, config.documents.analyst)
    if any(copy and "figures" in copy.sections and set(copy.formats) - {"html"}
           for copy in copies):
        return list(CAPTIONS)
    shown = [*config.documents.leadership_charts, *(config.mail.charts if mail else ())]
    return [name for name in dict.fromkeys(shown) if name in CAPTIONS]


def chart_order(config: Config) -> list[str]:
    """The order this thread draws in: the charts the e-mail body and print copies show, then
    the rest from the last (the notebook's 附图 draws from the first: the two meet in the
    middle)."""
    return drawing_order(needed_charts(config), rest_from_last=True)


class Background:
    """The thread making charts, mail body, PDF and Word into ``build``, and its outcome.

    ``apart``: the process kept after the previous quarter (``earlyworker.kept``), idle by
    then, with the charts' and the e-mail's modules imported: it draws the charts nobody has
    claimed and writes the e-mail body, so that this process (the notebook's client, the
    print copies, the HTML export) has less to do. Without it, all of that happens here."""

    def __init__(self, build: Path, config: Config, published: Path | None = None,
                 apart: Executor | None = None) -> None:
        self.build = Path(build)
        self.config = config
        self.published = published
        self.apart = apart
        self.files: dict[str, Path] = {}
        self.seconds: dict[str, float] = {}
        self.error: BaseException | None = None
        self._mail_apart: Future | None = None
        self._stop = threading.Event()
        self._imported = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hcp-background", daemon=True)

    def start(self) -> Background:
        drawn.announce(self.build)  # before the kernel starts: its charts are coming
        if self.apart is not None:
            try:
                self._mail_apart = self.apart.submit(mail_apart, self.build, self.config)
                self.apart.submit(draw_apart, self.build, self.config)
            except RuntimeError:  # the process is gone (BrokenProcessPool): all made here
                self._mail_apart = None
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the thread to stop after its current step and wait for it (a failed run)."""
        self._stop.set()
        self._thread.join()

    def wait_for_imports(self) -> None:
        """Wait until the thread has imported what it and the HTML export use (or stopped)."""
        self._imported.wait()

    def wait(self) -> Exported:
        """Wait for the thread; its files and timings, or its failure raised here."""
        from .export import Exported

        self._thread.join()
        if self.error is not None:
            raise self.error
        return Exported(dict(self.files), dict(self.seconds))

    def _run(self) -> None:
        try:
            from ..present.io import SAVED_NAME, load_bulletin

            bulletin = load_bulletin(self.build / SAVED_NAME)
            first = needed_charts(self.config, mail=self._mail_apart is None)
            self._step("charts", self._charts, bulletin, first)
            self._step("imports", _import_the_rest, self._mail_apart is None)
            self._imported.set()
            self._side_by_side(bulletin, ("mail", self._mail), ("print", self._print))
            self._step("charts.rest", self._rest_of_charts, bulletin)
        except BaseException as exc:  # noqa: BLE001 - handed to the run by wait()
            self.error = exc
        finally:
            self._imported.set()
            drawn.finish(self.build, complete=False)  # a no-op once the charts are all drawn

    def _side_by_side(self, bulletin, *steps) -> None:
        """The steps at once, the first on this thread and each other on one of its own: the
        e-mail body's images (Pillow) and the PDF (Typst) run mostly outside the interpreter's
        lock, and the run waits for the slower of them alone. The first failure is raised."""
        failed: list[BaseException] = []

        def run(name: str, step) -> None:
            try:
                self._step(name, step, bulletin)
            except BaseException as exc:  # noqa: BLE001 - raised below, on this thread
                failed.append(exc)

        others = [threading.Thread(target=run, args=step, name=f"hcp-background-{step[0]}",
                                   daemon=True) for step in steps[1:]]
        for thread in others:
            thread.start()
        run(*steps[0])
        for thread in others:
            thread.join()
        if failed:
            raise failed[0]

    def _step(self, name: str, step, *args) -> None:
        if self._stop.is_set():
            return
        start = time.perf_counter()
        step(*args)
        seconds = round(time.perf_counter() - start, 3)
        self.seconds.setdefault(name, seconds)
        log.info("[background] %s %.1f s", name, seconds)

    def _rest_of_charts(self, bulletin) -> None:
        """Every chart in place (most drawn by the notebook meanwhile): nobody waits any more."""
        if self._charts(bulletin, chart_order(self.config)):
            drawn.finish(self.build, complete=True)

    def _charts(self, bulletin, names: list[str]) -> bool:
        """``names`` in place: those nobody has claimed drawn here, the others waited for.
        False when the run stopped first."""
        drawer = _drawer(bulletin, self.config)
        for name in names:
            if self._stop.is_set():
                return False
            if drawn.claim(self.build, name):
                drawn.draw_claimed(self.build, name, drawer(name))
        return all(drawn.take(self.build, name, drawer(name), give_up=self._stop.is_set)
                   is not None for name in names)

    def _mail(self, bulletin) -> None:
        if self._mail_apart is not None:
            try:
                if self._mail_apart.result():
                    return
            except BrokenExecutor:  # the process died: the e-mail body is written here
                log.warning("the process writing the e-mail body stopped; writing it here")
        _write_mail(self.build, self.config, bulletin)

    def _print(self, bulletin) -> None:
        from .export import export_from_bulletin

        done = export_from_bulletin(self.build, bulletin, self.config, self.published)
        self.files.update(done.files)
        self.seconds.update(done.seconds)


def _write_mail(build: Path, config: Config, bulletin) -> None:
    from ..mail.body import write_body
    from ..present.notebook import Report

    write_body(Report(bulletin, config, build))


def _drawer(bulletin, config: Config) -> Callable[[str], Callable[[], bytes]]:
    """What draws each chart (``drawn``'s drawer); matplotlib loads only where one is drawn."""
    def drawer(name: str) -> Callable[[], bytes]:
        def draw() -> bytes:
            from ..present.charts import render_chart

            return render_chart(name, bulletin, config)
        return draw
    return drawer


def mail_apart(build: Path, config: Config) -> bool:
    """In the process kept after the previous quarter: the e-mail's and print copies' charts
    nobody has claimed, then the e-mail body once its charts are in place. False when the run
    gave up on its charts first (the body is then not written here)."""
    from ..present.io import SAVED_NAME, load_bulletin

    bulletin = load_bulletin(build / SAVED_NAME)
    drawer = _drawer(bulletin, config)
    mail = list(config.mail.charts)
    drawn.draw_unclaimed(build, list(dict.fromkeys([*mail, *needed_charts(config)])), drawer)
    if any(drawn.take(build, name, drawer(name)) is None for name in mail):
        return False
    _write_mail(build, config, bulletin)
    return True


def draw_apart(build: Path, config: Config) -> None:
    """After ``mail_apart``: the remaining charts nobody has claimed (the notebook's 附图)."""
    from ..present.io import SAVED_NAME, load_bulletin

    bulletin = load_bulletin(build / SAVED_NAME)
    drawn.draw_unclaimed(build, chart_order(config), _drawer(bulletin, config))


def _import_the_rest(mail: bool) -> None:
    """Import what the PDF, Word, the HTML export (and with ``mail``, the e-mail body) use,
    while the kernel works."""
    import nbconvert.exporters.html  # noqa: F401
    import nbconvert.preprocessors  # noqa: F401
    import uharfbuzz  # noqa: F401 - the HTML's font subsets
    from fontTools.ttLib import TTFont  # noqa: F401

    if mail:
        from ..mail import body  # noqa: F401
    from ..present.html import ready_exporter
    from . import export, html, pdf, word  # noqa: F401

    ready_exporter()
