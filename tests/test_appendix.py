"""【附录】与已发布通报核对: the reconciliation as the report's appendix, present only when the
published bulletin is transcribed."""

import dataclasses
import json
from pathlib import Path

import pytest
from present_fixtures import make_bulletin

from hcp_lib.config import load_config
from hcp_lib.present import notebook as hcp
from hcp_lib.present.appendix import TITLE, Appendix, appendix_html, reconcile_file, summary_cn
from hcp_lib.reconcile import ReconcileResult, Row
from tests.bulletin_factory import published_2022q2

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "data" / "published" / "2022Q2.yaml"


@pytest.fixture(scope="module")
def config():
    return load_config()


def test_summary_in_chinese_when_everything_is_explained(config):
    found = reconcile_file(published_2022q2(config), config, PUBLISHED)
    text = summary_cn(found.result)
    assert text.startswith("共核对已发布通报的数字和表述 192 项：一致 190 项，已知差异 2 项。")
    assert "除原通报自身的已知差异外，本报告的数字与已发布通报一致" in text
    assert found.to_dict()["summary"]["match"] == 190 and found.to_dict()["ok"] is True


def test_summary_names_unexplained_differences():
    rows = (Row("a.b", "a", "1", "1", "match"), Row("a.c", "a", "2", "3", "mismatch"),
            Row("a.d", "a", "x", "—", "unchecked"))
    text = summary_cn(ReconcileResult("2022Q2", rows))
    assert "一致 1 项，不一致 1 项，未核对 1 项" in text
    assert "有 1 项差异未获解释" in text


def test_appendix_html_is_an_escaped_compact_table(config):
    found = reconcile_file(published_2022q2(config), config, PUBLISHED)
    html = appendix_html(found)
    assert f'<h2 class="section">{TITLE}</h2>' in html
    assert '<table class="data reconcile">' in html
    assert "<th>项目</th><th>通报值</th><th>计算值</th><th>结果</th><th>说明</th>" in html
    assert html.count('<tr class="status-known">') == 2
    assert "<td>企业群众评价·地区表·思明区·基本满意·占比</td><td>0.00%</td><td>0.01%</td>" in html
    assert "evaluations.region" not in html  # keys in words, for people


def test_appendix_cells_are_escaped():
    rows = (Row("a.b", "a", "<b>1</b>", "1", "mismatch", "x < y", note_cn="甲 < 乙"),)
    html = appendix_html(Appendix(PUBLISHED, ReconcileResult("2022Q2", rows)))
    assert "&lt;b&gt;1&lt;/b&gt;" in html and "甲 &lt; 乙" in html and "<b>" not in html
    assert "x &lt; y" not in html  # the English working note stays out of the leaders' copy
    assert '<tr class="status-mismatch">' in html


def test_absent_transcription_gives_no_appendix(config, tmp_path):
    assert reconcile_file(make_bulletin(), config, tmp_path / "2022Q2.yaml") is None


def test_unreadable_transcription_is_said_not_raised(config, tmp_path):
    bad = tmp_path / "2022Q2.yaml"
    bad.write_text("quarter: 2022Q2\nentries:\n  - {figure: count}\n", encoding="utf-8")
    found = reconcile_file(make_bulletin(), config, bad)
    assert found.result is None and found.error
    html = appendix_html(found)
    assert "未能核对" in html and "<table" not in html
    assert found.to_dict()["error"]


def _report(tmp_path, bulletin, config):
    return hcp.Report(bulletin, config, tmp_path)


def test_notebook_call_writes_the_record_and_omits_the_section_without_a_file(config, tmp_path):
    report = _report(tmp_path, published_2022q2(config), config)
    shown = hcp.reconciliation(report)  # default: data/published/2022Q2.yaml of the repository
    assert TITLE in shown.data
    record = json.loads((tmp_path / "reconcile-2022Q2.json").read_text(encoding="utf-8"))
    assert record["summary"]["known"] == 2 and record["published"] == str(PUBLISHED)
    q1 = _report(tmp_path / "q1", dataclasses.replace(make_bulletin(), quarter="2022Q1"), config)
    assert hcp.reconciliation(q1) is None
    assert not (tmp_path / "q1" / "reconcile-2022Q1.json").exists()
    assert hcp.reconciliation(report, str(tmp_path / "elsewhere.yaml")) is None
