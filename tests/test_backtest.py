"""The acceptance test: the embedded data, through the real pipeline and the real commands,
reproduces every figure of the published 2022 Q2 bulletin except the documented
inconsistencies of the source; and the leadership report shows them.

The dataset is generated once per test session (about 10 s) into a temporary folder.
"""

import json
from pathlib import Path

import pytest

from hcp_lib.cli import main
from hcp_lib.config import load_config
from hcp_lib.exitcodes import OK, RECONCILE_MISMATCH
from hcp_lib.pipeline import build_bulletin
from hcp_lib.reconcile import load_published, reconcile
from hcp_lib.synth import generate

PUBLISHED = Path(__file__).resolve().parents[1] / "data" / "published" / "2022Q2.yaml"


@pytest.fixture(scope="session")
def embedded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("embedded")
    generate(root / "raw")
    return root


@pytest.fixture(scope="session")
def bulletin(embedded):
    published = load_published(PUBLISHED)
    date = next(e.published for e in published.entries if e.id == "header.date")
    return build_bulletin("2022Q2", embedded / "raw", load_config(), issue_date=date,
                          cache_dir=embedded / "cache")


def test_every_published_figure_is_reproduced(bulletin):
    result = reconcile(load_published(PUBLISHED), bulletin, load_config())
    assert result.ok, result.summary_text()
    others = sorted((row.id, row.status) for row in result.rows if row.status != "match")
    assert others == [("evaluations.region.思明区.基本满意.share", "known"),
                      ("evaluations.region.思明区.非常满意.share", "known")]
    assert result.summary["match"] == len(result.rows) - 2 == 190


def test_reconcile_command_passes_and_fails_loudly(embedded, tmp_path, capsys):
    args = ["reconcile", "2022Q2", "--data", str(embedded / "raw"),
            "--cache", str(embedded / "cache")]
    assert main(args) == OK
    assert "NOT OK" not in capsys.readouterr().out
    altered = tmp_path / "2022Q2.yaml"
    altered.write_text(PUBLISHED.read_text(encoding="utf-8").replace(
        "published: 1950306", "published: 1950307", 1), encoding="utf-8")
    assert main([*args, "--published", str(altered)]) == RECONCILE_MISMATCH
    assert "mismatch" in capsys.readouterr().out


def test_report_from_the_embedded_data(embedded):
    out = embedded / "reports" / "2022Q2"
    code = main(["run", "2022Q2", "--data", str(embedded / "raw"), "--out", str(out),
                 "--cache", str(embedded / "cache"), "--date", "2022-07-26", "--quiet"])
    assert code == OK
    html = (out / "bulletin-2022Q2.html").read_text(encoding="utf-8")
    for figure in ("1950306", "1912366", "98.05%", "99.98%", "96.86%", "93.72%", "99.912%",
                   "市商务局（97.857%）", "第2期（总第10期）", "2022年7月26日",
                   "市市场监管局（含基层所站）39件", "感谢信共计 23 封"):
        assert figure in html, figure
    assert "【附表】" not in html and "【附录】" not in html  # the leadership copy is the bulletin
    html = (out / "bulletin-2022Q2-analyst.html").read_text(encoding="utf-8")
    for table in ("【附表】", "主动评价率", "差评情况", "98.50"):  # section tables, scores as printed
        assert table in html, table
    assert "<script src=" not in html and 'rel="stylesheet"' not in html
    assert "build_bulletin" not in html and "hcp_lib" not in html
    assert ("我市各区和多数市直审批服务部门的政务服务满意率相比一季度均有所提高，尤其是六个区的政务服务满意率"
            "平均得分从99.436%提升到99.996%") in html
    # 【附录】与已发布通报核对: the report reproduces the signed-off bulletin
    appendix = html[html.index('<h2 class="section">【附录】与已发布通报核对</h2>'):]
    assert ("共核对已发布通报的数字和表述 192 项：一致 190 项，已知差异 2 项。"
            "除原通报自身的已知差异外，本报告的数字与已发布通报一致。") in appendix
    assert appendix.count('<tr class="status-known">') == 2
    assert appendix.count('<tr class="status-match">') == 190
    assert "<td>是（35/56 家提高）</td>" in appendix
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reconciliation"]["summary"] == {
        "match": 190, "mismatch": 0, "known": 2, "unexpected_match": 0, "missing": 0,
        "unchecked": 0}
    assert manifest["reconciliation"]["ok"] is True
