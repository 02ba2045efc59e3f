"""The set-up installer (hcp_lib/bootstrap.py): pip's configuration handed to uv, and pip as the
fallback whenever uv cannot be had or fails."""

from __future__ import annotations

import pytest

from hcp_lib import bootstrap
from hcp_lib.bootstrap import pip_settings, uv_options

LISTING = """\
:env:.default-timeout='180'
:env:.find-links='/opt/wheels'
global.cert='/etc/ssl/certs/ca-certificates.crt'
global.constraint='/etc/pip/constraints.txt'
global.extra-index-url='file:///opt/pypi/simple https://mirror.example.org/simple'
global.find-links='/srv/wheels'
global.index-url='https://pypi.tuna.example.cn/simple'
install.index-url="https://office.example.org/simple"
global.trusted-host='office.example.org mirror.example.org'
"""


def test_pip_settings_ranks_the_environment_over_install_over_global():
    settings = pip_settings(LISTING)
    assert settings["find-links"] == "/opt/wheels"  # PIP_FIND_LINKS beats global.find-links
    assert settings["index-url"] == "https://office.example.org/simple"  # [install] beats [global]
    assert settings["timeout"] == "180"  # PIP_DEFAULT_TIMEOUT is pip's --timeout
    assert settings["cert"] == "/etc/ssl/certs/ca-certificates.crt"


def test_pip_settings_ignores_what_is_not_a_setting():
    assert pip_settings("") == {}
    assert pip_settings("WARNING: something\nno equals sign\nweird.section.key='x'\n") == {}


def test_uv_gets_the_same_indexes_and_files_as_pip():
    args, env = uv_options(pip_settings(LISTING), environ={})
    pairs = list(zip(args[::2], args[1::2], strict=True))
    assert ("--index-url", "https://office.example.org/simple") in pairs
    assert [v for k, v in pairs if k == "--extra-index-url"] == [
        "file:///opt/pypi/simple", "https://mirror.example.org/simple"]
    assert ("--index-strategy", "unsafe-best-match") in pairs  # pip's: best version of all indexes
    assert [v for k, v in pairs if k == "--find-links"] == ["/opt/wheels"]
    assert [v for k, v in pairs if k == "--allow-insecure-host"] == [
        "office.example.org", "mirror.example.org"]
    assert ("--constraint", "/etc/pip/constraints.txt") in pairs
    assert env == {"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt", "UV_HTTP_TIMEOUT": "180"}


def test_no_configuration_means_no_options():
    assert uv_options({}, environ={}) == ([], {})


def test_variables_already_set_are_left_alone():
    settings = {"cert": "/pip/ca.pem", "proxy": "http://proxy.example.org:3128", "timeout": "60"}
    _, env = uv_options(settings, environ={"SSL_CERT_FILE": "/mine.pem", "HTTPS_PROXY": "x"})
    assert env == {"UV_HTTP_TIMEOUT": "60", "HTTP_PROXY": "http://proxy.example.org:3128"}


def test_no_index_and_a_single_index_keep_uv_default_strategy():
    args, _ = uv_options({"no-index": "true", "find-links": "/srv/wheels"}, environ={})
    assert args == ["--no-index", "--find-links", "/srv/wheels"]
    args, _ = uv_options({"index-url": "https://mirror.example.org/simple"}, environ={})
    assert "--index-strategy" not in args


class Steps:
    """Records the commands the installer would run; ``fail`` names the ones that fail."""

    def __init__(self, fail: tuple[str, ...] = ()) -> None:
        self.ran: list[list[str]] = []
        self.fail = fail

    def __call__(self, cmd, env=None) -> bool:
        cmd = [str(c) for c in cmd]
        self.ran.append(cmd)
        return not any(word in cmd for word in self.fail)


@pytest.fixture
def steps(monkeypatch):
    def use(fail=(), uv: str | None = "/venv/bin/uv", pip: bool = True) -> Steps:
        recorder = Steps(fail)
        monkeypatch.setattr(bootstrap, "_run", recorder)
        monkeypatch.setattr(bootstrap, "_find_uv", lambda: uv)
        monkeypatch.setattr(bootstrap, "_base_python", lambda: None)
        monkeypatch.setattr(bootstrap, "_has_pip", lambda python: pip)
        monkeypatch.setattr(bootstrap, "_quiet", lambda cmd: "global.index-url='https://m.example/simple'")
        monkeypatch.delenv("HCP_INSTALLER", raising=False)
        return recorder
    return use


def test_uv_installs_with_pip_s_index(steps):
    ran = steps()
    assert bootstrap.install(["-e", ".[dev]"])
    assert len(ran.ran) == 1
    cmd = ran.ran[0]
    assert cmd[:3] == ["/venv/bin/uv", "pip", "install"]
    assert cmd[-3:] == ["pip", "-e", ".[dev]"]
    assert "https://m.example/simple" in cmd


def test_a_failing_uv_falls_back_to_pip(steps):
    ran = steps(fail=("/venv/bin/uv",))
    assert bootstrap.install(["-e", "."])
    assert ran.ran[0][0] == "/venv/bin/uv"
    assert ran.ran[-1][-4:] == ["install", "--disable-pip-version-check", "-e", "."]
    assert any("--upgrade" in cmd for cmd in ran.ran)


def test_without_uv_pip_is_bootstrapped_and_does_the_install(steps):
    ran = steps(uv=None, pip=False, fail=("uv>=0.5",))
    assert bootstrap.install(["-e", "."])
    assert any("ensurepip" in cmd for cmd in ran.ran)
    assert ran.ran[-1][-2:] == ["-e", "."]
    assert not any(cmd[0].endswith("uv") for cmd in ran.ran)


def test_hcp_installer_pip_skips_uv(steps, monkeypatch):
    ran = steps()
    monkeypatch.setenv("HCP_INSTALLER", "pip")
    assert bootstrap.install(["-e", "."])
    assert not any(cmd[0] == "/venv/bin/uv" for cmd in ran.ran)


def test_a_failing_pip_install_is_reported(steps):
    steps(uv=None, fail=("uv>=0.5", "."))
    assert not bootstrap.install(["-e", "."])
    assert bootstrap.main([]) == 2
