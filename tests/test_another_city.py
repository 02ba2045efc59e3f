"""Another city, or another series, is configuration alone: no code changes."""

import shutil
from pathlib import Path

import yaml
from helpers import FIXTURES

from hcp_lib.cli import main
from hcp_lib.exitcodes import OK

ROOT = Path(__file__).resolve().parents[1]


def test_masthead_numbering_and_labels_come_from_the_configuration(tmp_path):
    config = yaml.safe_load((ROOT / "data" / "config" / "xiamen.yaml").read_text(encoding="utf-8"))
    config["city"].update(
        title="某市政务服务“好差评”情况通报", issuer="某市行政审批局", city_row_label="某市直",
        table_title="某市“好差评”{ordinal}评价情况", registry="units.csv")
    config["numbering"] = {"first_quarter": "2021Q3", "first_number": 1}
    city = tmp_path / "city"
    city.mkdir()
    shutil.copy(ROOT / "data" / "reference" / "units.csv", city / "units.csv")  # relative to the YAML
    (city / "city.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    shutil.copytree(FIXTURES / "good_2022Q2", tmp_path / "exports" / "2022Q2")

    out = tmp_path / "reports" / "2022Q2"
    assert main(["run", "2022Q2", "--data", str(tmp_path / "exports"), "--out", str(out),
                 "--config", str(city / "city.yaml"), "--date", "2022-07-20", "--no-cache",
                 "--quiet"]) == OK
    html = (out / "bulletin-2022Q2.html").read_text(encoding="utf-8")
    for text in ("某市政务服务“好差评”情况通报", "某市行政审批局", "2022年第2期（总第4期）",
                 "某市直", "某市“好差评”第二季度评价情况", "2022年7月20日"):
        assert text in html, text
    assert "厦门市政务服务" not in html and "总第10期" not in html
