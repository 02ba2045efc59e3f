"""The notebook's kernel, started before the run computes the bulletin.

A kernel takes seconds to start and to import what the notebook's first cell imports, and
none of that depends on the bulletin. ``hcp run`` therefore starts it first, in its own
process, so that it boots while the run checks the inputs and computes the bulletin, and then
hands it to papermill (``execute_notebook(km=...)``), which uses a started kernel as it is.
The command launches it (``launch``) as soon as its arguments are parsed, before it imports
pandas or reads the configuration; the run adopts it (``started``), and a command refused
before that lets it go (``release``). The run stops the kernel itself, at once, when the
notebook is done or the run fails.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HISTORY = "--HistoryManager.hist_file=:memory:"  # what papermill's client passes a kernel it starts
QUIET = "--IPKernelApp.log_level=ERROR"  # a local kernel on loopback: its transport warning is noise
PRELOAD = ("hcp_lib.present.notebook", "hcp_lib.analysis.section")
"""Imported while the kernel boots (``IPKernelApp.exec_lines``): the notebook's own imports."""


def kernel_arguments(preload: tuple[str, ...] = PRELOAD) -> list[str]:
    """The kernel's command-line options: quiet, history in memory, the notebook's imports
    (``preload``)."""
    lines = ([f"import hcp_lib.earlykernel as _hcp; _hcp.preload({preload!r}); del _hcp"]
             if preload else [])
    return [QUIET, HISTORY, *(f"--IPKernelApp.exec_lines={line}" for line in lines)]


def preload(modules: tuple[str, ...] = PRELOAD) -> None:
    """Import ``modules`` in the booting kernel with Python's cycle collector paused, then
    freeze what they made (``collector.py``): pandas, matplotlib and the presentation modules
    cost 0.1-0.25 s less CPU, while the run computes the bulletin beside it."""
    import importlib

    from . import collector

    collector.pause()
    try:
        for name in modules:
            importlib.import_module(name)
    finally:
        collector.resume()


_launched: dict[tuple[str, Path, Path], Any] = {}
"""Kernels started by ``launch`` and not yet adopted: the manager, or what starting raised."""


def launch(name: str, cwd: Path, path: Path) -> None:
    """Start kernel ``name`` now, before the command imports pandas and reads its
    configuration (half a second with a core idle); ``started`` adopts it. What starting
    raises (no such kernel) is raised there, where the run reports it."""
    key = (name, Path(cwd), Path(path))
    if key in _launched:
        return
    try:
        _launched[key] = _start(name, cwd, path)
    except Exception as exc:  # noqa: BLE001 - raised again by ``started``
        _launched[key] = exc


def release() -> None:
    """Stop the kernels ``launch`` started that no run adopted (the command stopped first)."""
    while _launched:
        _, found = _launched.popitem()
        if not isinstance(found, BaseException):
            stop(found)


@contextmanager
def started(name: str, cwd: Path, path: Path) -> Iterator[Any]:
    """A kernel ``name`` started in ``cwd`` with ``path`` first on its PYTHONPATH (or the one
    ``launch`` started so); stopped at the end. Raises
    ``jupyter_client.kernelspec.NoSuchKernel`` when ``name`` is not installed."""
    early = _launched.pop((name, Path(cwd), Path(path)), None)
    if isinstance(early, BaseException):
        raise early
    manager = early if early is not None else _start(name, cwd, path)
    try:
        yield manager
    finally:
        stop(manager)


def _start(name: str, cwd: Path, path: Path) -> Any:
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    if sys.platform.startswith("win"):  # zmq's asyncio sockets need the selector loop (papermill too)
        import asyncio

        asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy())
    manager = AsyncKernelManager(kernel_name=name)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(path), env.get("PYTHONPATH")) if p)
    run_sync(manager.start_kernel)(extra_arguments=kernel_arguments(), cwd=str(cwd), env=env)
    return manager


def stop(manager: Any) -> None:
    """Stop the kernel now (its work is done or abandoned); a kernel already gone is fine."""
    from jupyter_core.utils import run_sync

    _kill_now(manager)
    try:
        if manager.has_kernel:  # shut down (dead by now, then at once) and cleaned up
            run_sync(manager.shutdown_kernel)(now=True)
    except RuntimeError:  # "No kernel is running!"
        pass
    run_sync(manager.cleanup_resources)()


def _kill_now(manager: Any) -> None:
    """Kill the kernel's process and reap it at once. ``shutdown_kernel(now=True)`` kills it
    too, then polls every 0.1 s until it is gone: 0.1 s at the end of every run. Kernels
    started otherwise than as a local process are left to it."""
    process = getattr(getattr(manager, "provisioner", None), "process", None)
    if not isinstance(process, subprocess.Popen) or process.poll() is not None:
        return
    process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
