"""``jupyter nbconvert --to hcp_bulletin``: the leadership export, registered by entry point."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output


def test_exporter_is_registered():
    names = {e.name: e.value for e in entry_points(group="nbconvert.exporters")}
    assert names.get("hcp_bulletin") == "hcp_lib.present.nbexport:BulletinExporter"


def test_nbconvert_to_hcp_bulletin_keeps_outputs_only(tmp_path):
    params = new_code_cell('quarter = "SECRET-PARAM"', metadata={"tags": ["parameters"]})
    shown = new_code_cell("hcp.masthead(report)", outputs=[new_output(
        "display_data", data={"text/html": '<p class="hcp-test">厦门市政务服务</p>', "text/plain": "x"})])
    nb = new_notebook(cells=[new_markdown_cell("# 分析员说明 NOTE"), params, shown],
                      metadata={"title": "测试通报"})
    path = tmp_path / "b.ipynb"
    nbformat.write(nb, path)
    done = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "hcp_bulletin", str(path)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert '<p class="hcp-test">厦门市政务服务</p>' in html
    assert "<title>测试通报</title>" in html
    for hidden in ("SECRET-PARAM", "hcp.masthead", "分析员说明"):
        assert hidden not in html


def _sections_notebook():
    def shown(tag: str, text: str):
        return new_code_cell(f"hcp.{tag}(report)", metadata={"tags": [f"section-{tag}"]},
                             outputs=[new_output("display_data", data={
                                 "text/html": f'<p class="{tag}">{text}</p>', "text/plain": text})])
    return new_notebook(cells=[shown("masthead", "报头"), shown("tables", "附表内容")])


def test_one_exporter_serves_every_copy_and_drops_only_each_copys_tags(tmp_path):
    from hcp_lib.present.html import export_html, ready_exporter

    ready_exporter()  # as hcp run's background thread does, before the copies
    nb = _sections_notebook()
    for name, removed in (("leadership", {"section-tables"}), ("analyst", set()),
                          ("again", {"section-tables"}), ("masthead-off", {"section-masthead"})):
        html = export_html(nb, tmp_path / f"{name}.html", "测试", removed).read_text("utf-8")
        assert ('<p class="tables">附表内容</p>' in html) == ("section-tables" not in removed), name
        assert ('<p class="masthead">报头</p>' in html) == ("section-masthead" not in removed), name


def test_exported_copy_is_the_template_rendering_with_alt_text_on_every_image(tmp_path):
    """nbconvert's closing re-parse (alt text for images without any) is skipped: the
    bulletin's own figures carry their captions as alt text."""
    import re

    from hcp_lib.present.html import export_html, figure_html

    figure = figure_html(b"\x89PNG fake", "图1  各地区评价等级分布")
    nb = new_notebook(cells=[new_code_cell("hcp.charts(report)", outputs=[new_output(
        "display_data", data={"text/html": figure, "text/plain": "x"})])])
    html = export_html(nb, tmp_path / "c.html", "测试").read_text("utf-8")
    images = re.findall(r"<img\b[^>]*>", html)
    assert images and all('alt="图1  各地区评价等级分布"' in img for img in images)
    assert '<meta charset="utf-8">' in html  # HTML5 as the template writes it, not re-serialised
