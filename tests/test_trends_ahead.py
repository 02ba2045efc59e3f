"""Under ``hcp run`` the notebook's kernel makes the 趋势分析 section on its drawing thread
while the cells before it run; the cell then shows that very section, made once."""

from __future__ import annotations

import pytest
from present_fixtures import make_bulletin

from hcp_lib.analysis import section
from hcp_lib.present import drawn
from hcp_lib.present import notebook as hcp
from hcp_lib.present.chart_names import CAPTIONS
from hcp_lib.present.io import save_bulletin


@pytest.fixture
def counted(monkeypatch) -> list[int]:
    made: list[int] = []
    real = section.bulletin_trends

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(section, "bulletin_trends", counting)
    return made


def _prepare(tmp_path, tiny_data, out):
    bulletin = save_bulletin(make_bulletin(), tmp_path / "bulletin.json")
    return hcp.prepare("2022Q2", str(tiny_data), str(out), "", "", str(bulletin), "strict",
                       str(tmp_path / "cache"))


def test_under_hcp_run_the_section_is_made_ahead_and_shown_as_made(tmp_path, tiny_data,
                                                                    counted):
    out = tmp_path / "out"
    drawn.announce(out)  # hcp run shares its charts
    for name in CAPTIONS:  # ... and draws them all itself here
        assert drawn.claim(out, name)
    report = _prepare(tmp_path, tiny_data, out)
    assert report.ahead is not None
    report.ahead.join(120)
    assert counted == [1]  # made before any cell asked
    shown = hcp.trends(report, str(tiny_data), str(tmp_path / "cache"))
    assert counted == [1]  # the cell shows it, not made again
    again = section.section_html(section.bulletin_trends(
        report.bulletin, report.config, tiny_data, tmp_path / "cache"))
    assert shown.data == again and "趋势分析" in again


def test_by_hand_the_cell_makes_it(tmp_path, tiny_data, counted):
    report = _prepare(tmp_path, tiny_data, tmp_path / "out")
    assert report.ahead is None and counted == []
    assert "趋势分析" in hcp.trends(report, str(tiny_data), str(tmp_path / "cache")).data
    assert counted == [1]


def test_a_failure_ahead_is_met_in_the_cell(tmp_path, tiny_data, monkeypatch):
    def broken(*_, **__):
        raise RuntimeError("the cache is unreadable")

    monkeypatch.setattr(section, "bulletin_trends", broken)
    out = tmp_path / "out"
    drawn.announce(out)
    for name in CAPTIONS:
        assert drawn.claim(out, name)
    report = _prepare(tmp_path, tiny_data, out)
    report.ahead.join(120)
    with pytest.raises(RuntimeError, match="unreadable"):
        hcp.trends(report, str(tiny_data), str(tmp_path / "cache"))
