"""Install the package into this Python's environment, fast: uv when it can be had, pip otherwise.

``make`` runs ``.venv/bin/python -m hcp_lib.bootstrap -e .`` (``-e '.[dev]'`` for the tests,
``-e '.[lab]'`` for JupyterLab) in a venv created without pip. Why: pip takes one to two
minutes to resolve, download and byte-compile the ~80 packages hcp needs, uv about 20 seconds,
and creating the venv without pip saves the 6 CPU seconds ensurepip spends compiling pip.

The order tried, each step only when the one before failed:

1. uv already in this environment, or ``uv`` on the PATH;
2. uv put into this environment by the base interpreter's pip (``pip --python``, pip ≥ 22.3);
3. pip bootstrapped into this environment (``ensurepip``), then ``pip install uv``;
4. pip alone (upgraded first: the bundled one is old and slower), when uv cannot be installed or
   its install fails — the set-up never depends on uv.

uv does not read pip's configuration, so what pip is configured with (pip.conf or ``PIP_*``
variables: index, extra indexes, find-links, trusted hosts, constraints, certificate, proxy,
timeout) is handed to uv (``uv_options``), and an office behind a package mirror installs
from the same mirror either way. ``HCP_INSTALLER=pip`` skips uv.

Standard library only: it runs before anything else is installed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

UV_REQUIREMENT = "uv>=0.5"

# pip's option → uv's flag, for options that take one or more values
_LIST_FLAGS = {"find-links": "--find-links", "trusted-host": "--allow-insecure-host",
               "constraint": "--constraint"}
_TRUE = {"1", "true", "yes", "on"}


def pip_settings(listing: str) -> dict[str, str]:
    """pip's effective settings for ``pip install`` from ``pip config list`` output.

    Lines read ``section.key='value'``; a ``PIP_*`` variable shows as ``:env:.key``. The
    environment overrides the ``install`` section, which overrides ``global``.
    """
    rank = {"global": 0, "install": 1, ":env:": 2}
    found: dict[str, tuple[int, str]] = {}
    for line in listing.splitlines():
        key, sep, value = line.partition("=")
        section, dot, name = key.strip().rpartition(".")
        if not (sep and dot) or section not in rank:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        name = {"default-timeout": "timeout"}.get(name, name)
        if name not in found or rank[section] >= found[name][0]:
            found[name] = (rank[section], value)
    return {name: value for name, (_, value) in found.items()}


def uv_options(settings: Mapping[str, str], environ: Mapping[str, str] = os.environ
               ) -> tuple[list[str], dict[str, str]]:
    """The ``uv pip install`` flags and environment variables that mean what pip's settings mean.

    Extra indexes get ``--index-strategy unsafe-best-match``: pip takes the best version
    across all indexes, uv by default only from the first index that has the package.
    Variables already set in ``environ`` are left as they are.
    """
    args: list[str] = []
    env: dict[str, str] = {}
    if settings.get("no-index", "").lower() in _TRUE:
        args.append("--no-index")
    if settings.get("index-url"):
        args += ["--index-url", settings["index-url"]]
    extra = settings.get("extra-index-url", "").split()
    for url in extra:
        args += ["--extra-index-url", url]
    if extra:
        args += ["--index-strategy", "unsafe-best-match"]
    for name, flag in _LIST_FLAGS.items():
        for value in settings.get(name, "").split():
            args += [flag, value]
    wanted = {"SSL_CERT_FILE": settings.get("cert"), "UV_HTTP_TIMEOUT": settings.get("timeout"),
              "HTTP_PROXY": settings.get("proxy"), "HTTPS_PROXY": settings.get("proxy")}
    env = {k: v for k, v in wanted.items() if v and not environ.get(k)}
    return args, env


def _run(cmd: Sequence[str], env: Mapping[str, str] | None = None) -> bool:
    """Run one step, echoed with its duration (the log shows where set-up time goes)."""
    print("+ " + " ".join(shlex.quote(str(c)) for c in cmd), flush=True)
    started = time.perf_counter()
    try:
        ok = subprocess.run(list(cmd), env={**os.environ, **(env or {})}).returncode == 0
    except OSError as exc:
        print(f"  ({exc})", flush=True)
        return False
    print(f"  ({'done' if ok else 'failed'} in {time.perf_counter() - started:.1f} s)", flush=True)
    return ok


def _quiet(cmd: Sequence[str]) -> str | None:
    """The command's output, or None when it cannot run or fails."""
    try:
        done = subprocess.run(list(cmd), capture_output=True, text=True)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def _has_pip(python: str) -> bool:
    return _quiet([python, "-m", "pip", "--version"]) is not None


def _find_uv() -> str | None:
    """uv in this environment's scripts folder, else on the PATH."""
    here = Path(sysconfig.get_path("scripts")) / ("uv.exe" if os.name == "nt" else "uv")
    return str(here) if here.is_file() else shutil.which("uv")


def _get_uv(base: str | None) -> str | None:
    """uv for this environment, installing it when needed (steps 1–3 above)."""
    found = _find_uv()
    if found:
        return found
    if base and _run([base, "-m", "pip", "--python", sys.executable, "install",
                      "--disable-pip-version-check", "--quiet", UV_REQUIREMENT]):
        found = _find_uv()
        if found:
            return found
    if _ensure_pip() and _run([sys.executable, "-m", "pip", "install",
                               "--disable-pip-version-check", "--quiet", UV_REQUIREMENT]):
        return _find_uv()
    return None


def _ensure_pip() -> bool:
    return _has_pip(sys.executable) or _run([sys.executable, "-m", "ensurepip", "--upgrade"])


def _base_python() -> str | None:
    """The interpreter this venv was made from (whether it has pip shows when it is asked)."""
    base = getattr(sys, "_base_executable", None)
    return base if sys.prefix != sys.base_prefix and base else None


def install(requirements: Iterable[str]) -> bool:
    """Install ``requirements`` (pip's syntax: ``-e .``, ``-e .[dev]``, names) into this Python."""
    reqs = list(requirements)
    base = _base_python()
    if os.environ.get("HCP_INSTALLER", "").lower() != "pip":
        uv = _get_uv(base)
        if uv:
            listing = next(filter(None, (_quiet([python, "-m", "pip", "config", "list"])
                                         for python in (base, sys.executable) if python)), "")
            args, env = uv_options(pip_settings(listing))
            # pip too, so `.venv/bin/python -m pip` works as in any venv
            if _run([uv, "pip", "install", "--python", sys.executable, *args, "pip", *reqs], env):
                return True
            print("uv could not install; trying pip", flush=True)
        else:
            print("uv is not available; installing with pip", flush=True)
    if not _ensure_pip():
        return False
    pip = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check"]
    _run([*pip, "--upgrade", "pip"])  # the bundled pip is older and slower; not fatal
    return _run([*pip, *reqs])


def main(argv: Sequence[str] | None = None) -> int:
    reqs = list(sys.argv[1:] if argv is None else argv)
    if not reqs:
        print("usage: python -m hcp_lib.bootstrap REQUIREMENT... (e.g. -e '.[dev]')",
              file=sys.stderr)
        return 2
    return 0 if install(reqs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
