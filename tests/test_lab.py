"""``make lab``: root and headless machines, rooted at the repository; a notebook run by hand
writes to a scratch folder, never over a published report."""

from __future__ import annotations

import ast
import hashlib
import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from hcp_lib.lab import has_display, lab_command

ROOT = Path(__file__).resolve().parents[1]


def test_command_as_root_without_display():
    cmd = lab_command(ROOT, root_user=True, display=False)
    assert "--allow-root" in cmd and "--no-browser" in cmd
    assert f"--ServerApp.root_dir={ROOT}" in cmd
    assert "--MappingKernelManager.default_kernel_name=hcp" in cmd
    assert str(ROOT / "notebooks" / "bulletin.ipynb") in cmd


def test_command_as_a_user_with_a_display():
    cmd = lab_command(ROOT, root_user=False, display=True)
    assert "--allow-root" not in cmd and "--no-browser" not in cmd


def test_display_detection():
    assert not has_display({}, "linux")
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({}, "win32")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read()


def test_headless_lab_serves_the_repository(tmp_path):
    pytest.importorskip("jupyterlab")
    port, token = _free_port(), "hcp-test-token"
    cmd = lab_command(ROOT, display=False, extra=[
        f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
        "--ServerApp.port_retries=0", f"--ServerApp.runtime_dir={tmp_path}"])
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = _get(f"{base}/lab?token={token}")
                break
            except OSError:
                assert proc.poll() is None, "jupyter lab exited"
                assert time.monotonic() < deadline, "jupyter lab did not answer"
                time.sleep(0.5)
        assert status == 200
        _, body = _get(f"{base}/api/contents?token={token}")
        names = {item["name"] for item in json.loads(body)["content"]}
        assert {"reports", "data", "docs", "notebooks"} <= names
        _, body = _get(f"{base}/api/kernelspecs?token={token}")
        assert json.loads(body)["default"] == "hcp"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_notebook_defaults_write_to_scratch(tmp_path, monkeypatch):
    """Run by hand (the parameters' defaults), the notebook leaves reports/<Q>/ alone."""
    from present_fixtures import make_bulletin

    from hcp_lib.present import notebook as hcp
    from hcp_lib.present.io import save_bulletin

    nb = nbformat.read(ROOT / "notebooks" / "bulletin.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    defaults = {t.id: ast.literal_eval(n.value) for n in ast.parse(cell.source).body for t in n.targets}
    assert defaults["out_dir"] == ""

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "notebooks").mkdir()
    published = tmp_path / "reports" / "2022Q2"
    published.mkdir(parents=True)
    (published / "tables-2022Q2.xlsx").write_bytes(b"published")
    before = hashlib.sha256((published / "tables-2022Q2.xlsx").read_bytes()).hexdigest()
    monkeypatch.chdir(tmp_path / "notebooks")  # where Lab starts the kernel
    saved = save_bulletin(make_bulletin(), tmp_path / "b.json")

    report = hcp.prepare(defaults["quarter"], defaults["data_dir"], defaults["out_dir"],
                         defaults["config_path"], defaults["issue_date"], str(saved))
    hcp.save_tables(report)
    assert report.out_dir == tmp_path / "reports" / "_scratch" / "2022Q2"
    assert (report.out_dir / "tables-2022Q2.xlsx").is_file()
    assert hashlib.sha256((published / "tables-2022Q2.xlsx").read_bytes()).hexdigest() == before
    assert sorted(p.name for p in published.iterdir()) == ["tables-2022Q2.xlsx"]
