"""The JupyterLab command line ``make lab`` runs: rooted at the repository, the ``hcp`` kernel,
and usable as root and without a display (containers, office servers).

``python -m hcp_lib.lab [extra jupyter lab options]`` builds the command and runs it; Lab
prints the address with its token once it is ready.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from .present.project import project_root

KERNEL = "hcp"
NOTEBOOK = Path("notebooks") / "bulletin.ipynb"


def is_root() -> bool:
    """True when running as uid 0, where Jupyter refuses to start without ``--allow-root``."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def has_display(env: Mapping[str, str] | None = None, platform: str = sys.platform) -> bool:
    """True when a browser can be opened here: Windows and macOS always, elsewhere only with
    an X or Wayland display."""
    env = os.environ if env is None else env
    if platform.startswith(("win", "darwin")):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def lab_command(
    root: Path,
    *,
    root_user: bool | None = None,
    display: bool | None = None,
    python: str = sys.executable,
    extra: Sequence[str] = (),
) -> list[str]:
    """``jupyter lab`` rooted at ``root``, opening the bulletin notebook with the hcp kernel."""
    cmd = [python, "-m", "jupyterlab", str(root / NOTEBOOK),
           f"--ServerApp.root_dir={root}",
           f"--MappingKernelManager.default_kernel_name={KERNEL}"]
    if is_root() if root_user is None else root_user:
        cmd.append("--allow-root")
    if not (has_display() if display is None else display):
        cmd.append("--no-browser")
    return cmd + list(extra)


def main(argv: Sequence[str] | None = None) -> int:
    root = project_root()
    cmd = lab_command(root, extra=list(sys.argv[1:] if argv is None else argv))
    if "--no-browser" in cmd:
        print("hcp lab: no display here; open the address JupyterLab prints below "
              "(with its token) in a browser.", flush=True)
    try:
        return subprocess.call(cmd, cwd=root)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
