"""What ``hcp run`` makes while the notebook executes: charts, the e-mail body, PDF and Word.

None of these needs the executed notebook, only the computed bulletin, and the run's own
process would otherwise sit idle while the kernel works; on two cores the two overlap. The
charts come first; the notebook draws too, and each chart is drawn once per run by whichever
side claims it first, both sharing the files in the report folder (``present.drawn``).

One thread, not a process: it shares the run's imports and the bulletin, and the run's main
thread only waits on the kernel meanwhile. After the charts, the e-mail body and the print
copies are made side by side (a second thread for the print copies). A failure is raised to
the run by ``wait``; until then the notebook carries on (it draws any chart the thread did
not).

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
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..present import drawn
from ..present.chart_names import drawing_order

if TYPE_CHECKING:
    from .export import Exported

log = logging.getLogger("hcp.run")


def chart_order(config: Config) -> list[str]:
    """The order this thread draws in: the leadership copy's charts, then the rest from the
    last (the notebook's 附图 draws from the first: the two meet in the middle)."""
    return drawing_order(config.documents.leadership_charts, rest_from_last=True)


class Background:
    """The thread making charts, mail body, PDF and Word into ``build``, and its outcome."""

    def __init__(self, build: Path, config: Config, published: Path | None = None) -> None:
        self.build = Path(build)
        self.config = config
        self.published = published
        self.files: dict[str, Path] = {}
        self.seconds: dict[str, float] = {}
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._imported = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hcp-background", daemon=True)

    def start(self) -> Background:
        drawn.announce(self.build)  # before the kernel starts: its charts are coming
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
            self._step("charts", self._charts, bulletin)
            self._step("imports", _import_the_rest)
            self._imported.set()
            self._side_by_side(bulletin, ("mail", self._mail), ("print", self._print))
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

    def _charts(self, bulletin) -> None:
        """The charts nobody has claimed, then those the notebook claimed, waited for."""
        from ..present.charts import render_chart

        def drawer(name: str):
            return lambda: render_chart(name, bulletin, self.config)

        names = chart_order(self.config)
        for name in names:
            if self._stop.is_set():
                return
            if drawn.claim(self.build, name):
                drawn.draw_claimed(self.build, name, drawer(name))
        for name in names:
            if drawn.take(self.build, name, drawer(name), give_up=self._stop.is_set) is None:
                return
        drawn.finish(self.build, complete=True)

    def _mail(self, bulletin) -> None:
        from ..mail.body import write_body
        from ..present.notebook import Report

        write_body(Report(bulletin, self.config, self.build))

    def _print(self, bulletin) -> None:
        from .export import export_from_bulletin

        done = export_from_bulletin(self.build, bulletin, self.config, self.published)
        self.files.update(done.files)
        self.seconds.update(done.seconds)


def _import_the_rest() -> None:
    """Import what the e-mail body, PDF, Word and the HTML export use, while the kernel works."""
    import nbconvert.exporters.html  # noqa: F401
    import nbconvert.preprocessors  # noqa: F401
    import uharfbuzz  # noqa: F401 - the HTML's font subsets
    from fontTools.ttLib import TTFont  # noqa: F401

    from ..mail import body  # noqa: F401
    from ..present.html import ready_exporter
    from . import export, html, pdf, word  # noqa: F401

    ready_exporter()
