"""`hcp kernel install`: make this Python (venv or conda environment) JupyterLab's `hcp` kernel,
and install the leadership template so `jupyter nbconvert --template hcp_bulletin` finds it.

After `conda env create -f environment.yml` (or any `pip install`), this one step makes the
notebooks open with the right kernel; `make report` runs it for the .venv.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from ..exitcodes import ERROR, OK, USAGE
from . import exit_codes

KERNEL_NAME = "hcp"
DISPLAY_NAME = "hcp (Python 3)"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "kernel", help="安装 Jupyter 的 hcp 内核 / install the hcp Jupyter kernel",
        description="安装 Jupyter 的 hcp 内核（当前 Python 环境）和通报导出模板。 "
                    "Install the hcp Jupyter kernel for this Python (venv or conda environment) "
                    "and the hcp_bulletin nbconvert template.",
        epilog=exit_codes(OK, ERROR, USAGE))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True,
                                    title="操作 actions")
    install = actions.add_parser(
        "install", help="安装内核和模板 / install the kernel and the template",
        description="安装内核和模板 / install the kernel and the template "
                    "(default: into this environment, sys.prefix)",
        epilog=exit_codes(OK, ERROR, USAGE))
    where = install.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true",
                       help="为当前用户安装 / install for the current user instead of this environment")
    where.add_argument("--prefix", type=Path, default=None,
                       help="安装到此前缀 / install under this prefix (default: sys.prefix)")
    install.add_argument("--name", default=KERNEL_NAME, help="内核名称 / kernel name (default: hcp)")
    install.set_defaults(handler=handle_install)


def template_target(user: bool, prefix: Path | None) -> Path:
    """Where nbconvert looks for templates: the user's or the prefix's Jupyter data folder."""
    if user:
        from jupyter_core.paths import jupyter_data_dir

        return Path(jupyter_data_dir()) / "nbconvert" / "templates"
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "nbconvert" / "templates"


def install(name: str = KERNEL_NAME, *, user: bool = False, prefix: Path | None = None) -> tuple[Path, Path]:
    """Install the kernel spec and the template; returns both folders."""
    from ipykernel.kernelspec import install as install_kernel

    from ..present.nbtemplate import NBCONVERT_TEMPLATES, TEMPLATE_NAME

    kernel_dir = install_kernel(user=user, kernel_name=name, display_name=DISPLAY_NAME,
                                prefix=None if user else str(prefix or sys.prefix))
    target = template_target(user, prefix) / TEMPLATE_NAME
    shutil.copytree(NBCONVERT_TEMPLATES / TEMPLATE_NAME, target, dirs_exist_ok=True)
    return Path(kernel_dir), target


def handle_install(args: argparse.Namespace) -> int:
    try:
        kernel_dir, template = install(args.name, user=args.user, prefix=args.prefix)
    except OSError as exc:
        print(f"hcp kernel install: 无法安装 / cannot install: {exc.strerror or exc} "
              f"({exc.filename or ''})", file=sys.stderr)
        return ERROR
    print(f"hcp kernel install: 内核 / kernel '{args.name}' -> {kernel_dir} ({sys.executable})")
    print(f"hcp kernel install: 模板 / template hcp_bulletin -> {template}")
    return OK
