"""The catalogue of bad inputs and faults: a tiny quarter, a previous report, and the promise.

The promise (docs/operations.md): a run either publishes a complete, plausible bulletin with
every input row accounted for, or publishes nothing, exits with the documented code and one
clear message, and changes nothing else on disk. Each catalogue case copies the tiny dataset
and its published report into a workspace, breaks one thing, runs a command through the CLI
entry point in this process, and checks the promise with ``Workspace.assert_refused``.

The fixtures ``tiny_data``, ``tiny_report`` and ``workspace`` live in conftest.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import shutil
import traceback
from dataclasses import dataclass
from pathlib import Path

QUARTER = "2022Q2"
ISSUE_DATE = "2022-07-26"
TINY_SCALE = 0.005


@dataclass(frozen=True)
class Outcome:
    """What a user saw: the exit code and the two streams."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(*argv: str | Path) -> Outcome:
    """``hcp ARGV`` in this process; an exception escaping the CLI fails the test with it.

    Loggers the command configures are restored afterwards, so cases stay independent.
    """
    from hcp_lib.cli import main

    saved = {name: (list(logging.getLogger(name).handlers), logging.getLogger(name).level)
             for name in ("hcp", "papermill")}
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in argv])
            except SystemExit as exc:  # argparse usage errors
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                raise AssertionError(
                    f"hcp {' '.join(map(str, argv))} let an exception reach the user:\n"
                    f"{traceback.format_exc()}") from None
    finally:
        for name, (handlers, level) in saved.items():
            logger = logging.getLogger(name)
            for h in list(logger.handlers):
                if h not in handlers:
                    logger.removeHandler(h)
                    h.close()
            logger.setLevel(level)
    return Outcome(int(code), out.getvalue(), err.getvalue())


def tree_state(root: Path) -> dict[str, str]:
    """Every entry under ``root`` → a digest of its bytes (links by their target, not followed)."""
    state: dict[str, str] = {}
    if not root.exists():
        return state
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            state[rel] = "link:" + str(path.readlink())
        elif path.is_dir():
            state[rel] = "dir"
        else:
            state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


@dataclass
class Workspace:
    """A copy of the tiny dataset (``data/<Q>/``) and its published report (``reports/<Q>/``)."""

    root: Path
    data: Path
    reports: Path

    @property
    def quarter_dir(self) -> Path:
        return self.data / QUARTER

    @property
    def report(self) -> Path:
        return self.reports / QUARTER

    def state(self) -> dict[str, dict[str, str]]:
        """Everything a run must not change, by area."""
        return {"data": tree_state(self.data), "reports": tree_state(self.reports)}

    def run(self, *extra: str | Path, quarter: str = QUARTER) -> Outcome:
        """``hcp run`` into the published report's folder, without the shared cache."""
        return invoke("run", quarter, "--data", self.data, "--out", self.reports / quarter,
                      "--date", ISSUE_DATE, "--no-cache", "--quiet", *extra)

    def assert_refused(self, outcome: Outcome, code: int, message: str,
                       before: dict[str, dict[str, str]]) -> None:
        """The promise for a refused run: the exit code, the message, nothing changed.

        ``message`` is a regular expression the user's message must match.
        """
        assert outcome.code == code, (outcome.code, outcome.output)
        assert "Traceback" not in outcome.output, outcome.output
        assert re.search(message, outcome.output), (message, outcome.output)
        after = self.state()
        assert after["data"] == before["data"], "the inputs changed"
        left = {k: v for k, v in after["reports"].items() if not _scratch(k)}
        assert left == before["reports"], "the reports folder changed"


def _scratch(rel: str) -> bool:
    """Entries a refused run may leave for inspection (the failed build), and nothing else."""
    first = rel.split("/", 1)[0]
    return first.endswith(".failed")


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def write_config(path: Path, changes: dict | None = None) -> Path:
    """The default configuration written to ``path`` with ``changes`` merged in (nested dicts
    merge, other values replace); its registry and published paths stay absolute."""
    import yaml

    from hcp_lib.config import DEFAULT_CONFIG

    raw = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    for key in ("registry", "published"):
        if raw["city"].get(key):
            raw["city"][key] = str((DEFAULT_CONFIG.parent / raw["city"][key]).resolve())

    def merge(into: dict, new: dict) -> None:
        for k, v in new.items():
            if isinstance(v, dict) and isinstance(into.get(k), dict):
                merge(into[k], v)
            else:
                into[k] = v

    merge(raw, changes or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
