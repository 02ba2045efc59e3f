"""The acceptance test: the embedded data, through the real pipeline and the real commands,
reproduces every figure of the published 2022 Q2 bulletin except the documented
inconsistencies of the source; and the leadership report shows them.

The dataset is generated once per test session (about 10 s) into a temporary folder.
"""

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
    statuses = {row.status for row in result.rows}
    assert result.ok, result.summary_text()
    assert statuses <= {"match", "known", "unchecked"}
    known = sorted(row.id for row in result.rows if row.status == "known")
    assert known == ["evaluations.region.思明区.基本满意.share",
                     "evaluations.region.思明区.非常满意.share"]
    assert sum(row.status == "match" for row in result.rows) >= 185


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
    assert "<script src=" not in html and 'rel="stylesheet"' not in html
    assert "build_bulletin" not in html and "hcp_lib" not in html
