"""The kernel ``hcp run`` starts before its imports: adopted by the run, or let go."""

from __future__ import annotations

import pytest
from jupyter_client.kernelspec import NoSuchKernel
from jupyter_core.utils import run_sync

from hcp_lib import cli, earlykernel
from hcp_lib.exitcodes import USAGE
from hcp_lib.present.project import PACKAGE_ROOT


@pytest.fixture(autouse=True)
def _nothing_left():
    yield
    earlykernel.release()
    assert not earlykernel._launched


def test_the_run_adopts_the_kernel_launched_early():
    earlykernel.launch("hcp", PACKAGE_ROOT, PACKAGE_ROOT)
    launched = earlykernel._launched[("hcp", PACKAGE_ROOT, PACKAGE_ROOT)]
    earlykernel.launch("hcp", PACKAGE_ROOT, PACKAGE_ROOT)  # one kernel, however often asked
    assert len(earlykernel._launched) == 1
    with earlykernel.started("hcp", PACKAGE_ROOT, PACKAGE_ROOT) as manager:
        assert manager is launched
        assert not earlykernel._launched
        client = manager.client()
        client.start_channels()
        try:
            reply = run_sync(client.execute_interactive)("print(1 + 1)", timeout=120)
        finally:
            client.stop_channels()
        assert reply["content"]["status"] == "ok"
    assert not launched.has_kernel  # stopped with the run


def test_a_kernel_nobody_adopted_is_stopped():
    earlykernel.launch("hcp", PACKAGE_ROOT, PACKAGE_ROOT)
    launched = earlykernel._launched[("hcp", PACKAGE_ROOT, PACKAGE_ROOT)]
    assert launched.has_kernel
    earlykernel.release()
    assert not launched.has_kernel
    assert not earlykernel._launched


def test_a_kernel_launched_elsewhere_is_not_adopted(tmp_path, monkeypatch):
    earlykernel.launch("hcp", PACKAGE_ROOT, PACKAGE_ROOT)
    launched = earlykernel._launched[("hcp", PACKAGE_ROOT, PACKAGE_ROOT)]
    made = []
    monkeypatch.setattr(earlykernel, "_start", lambda *args: made.append(args) or object())
    monkeypatch.setattr(earlykernel, "stop", lambda manager: None)
    with earlykernel.started("hcp", tmp_path, tmp_path) as manager:
        assert manager is not launched
    assert made == [("hcp", tmp_path, tmp_path)]
    monkeypatch.undo()
    earlykernel.release()
    assert not launched.has_kernel


def test_an_unknown_kernel_is_reported_where_the_run_starts_it():
    earlykernel.launch("no-such-kernel-hcp", PACKAGE_ROOT, PACKAGE_ROOT)
    with pytest.raises(NoSuchKernel), earlykernel.started("no-such-kernel-hcp", PACKAGE_ROOT,
                                                          PACKAGE_ROOT):
        pass


def test_a_refused_run_lets_its_kernel_go(tmp_path, monkeypatch, capsys):
    launched, stopped = [], []
    real_launch, real_stop = earlykernel.launch, earlykernel.stop

    def launch(*args):
        real_launch(*args)
        launched.append(earlykernel._launched[args])

    monkeypatch.setattr(earlykernel, "launch", launch)
    monkeypatch.setattr(earlykernel, "stop", lambda m: stopped.append(m) or real_stop(m))
    code = cli.main(["run", "2022Q2", "--data", str(tmp_path / "absent"), "--quiet",
                     "--out", str(tmp_path / "out")])
    assert code == USAGE
    assert "absent" in capsys.readouterr().err
    assert len(launched) == 1 and stopped == launched
    assert not launched[0].has_kernel
    assert not (tmp_path / "out").exists()


def test_a_quarter_that_does_not_parse_starts_no_kernel(tmp_path, monkeypatch):
    monkeypatch.setattr(earlykernel, "launch", lambda *args: pytest.fail("launched"))
    assert cli.main(["run", "2022Q9", "--data", str(tmp_path), "--quiet"]) == USAGE


def test_a_stopped_kernel_is_killed_and_reaped_by_the_run_itself(monkeypatch):
    """``stop`` kills the kernel's process and waits for it there: jupyter_client's shutdown,
    which polls every 0.1 s for the process's end, finds it gone."""
    from jupyter_client.manager import AsyncKernelManager

    earlykernel.launch("hcp", PACKAGE_ROOT, PACKAGE_ROOT)
    manager = earlykernel._launched.pop(("hcp", PACKAGE_ROOT, PACKAGE_ROOT))
    process = manager.provisioner.process
    assert process.poll() is None

    real_wait = AsyncKernelManager._async_wait

    async def wait(self, pollinterval: float = 0.1) -> None:
        assert process.poll() is not None, "jupyter_client polled for the kernel's end"
        await real_wait(self, pollinterval)

    monkeypatch.setattr(AsyncKernelManager, "_async_wait", wait)
    earlykernel.stop(manager)
    assert process.returncode is not None  # killed and reaped
    assert not manager.has_kernel
