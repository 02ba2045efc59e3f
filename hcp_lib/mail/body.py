"""The e-mail body, written into the report at run time: HTML for mail clients, plain text, charts.

The archive page (``present/html.py``) relies on a stylesheet, flex and ``data:`` images, which
mail clients strip or block. This body is the same leadership content — masthead, issue line,
issuer and date, 【评优评先】, 【“好差评”】 一…五 with the region table, 【优质服务】 and a few
charts — laid out with tables, every style inlined into ``style`` attributes (css-inline) with
HTML attributes as fall-backs, and charts referenced as ``cid:`` parts.

``write_body`` runs as the notebook's last cell, so the files land in the report folder and the
run manifest hashes them like every other output; ``hcp send`` only assembles and delivers.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import css_inline
import jinja2
from markupsafe import Markup

from ..quarters import IssueNumber
from .files import HTML_FILE, MAIL_DIR, META_FILE, TEXT_FILE
from .images import MailImage, reencode
from .plaintext import text_body
from .settings import MailSettings

if TYPE_CHECKING:
    from ..present.notebook import Report

NOTE = "本邮件由 hcp 根据{quarter}“好差评”数据生成；完整表格见附件。"


@dataclass(frozen=True)
class Chart:
    name: str
    caption: str
    file: str  # relative to the report folder
    cid: str
    subtype: str
    width: int
    height: int


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("hcp_lib", "templates/mail"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def settings_of(config: Any) -> MailSettings:
    """The configuration's ``mail`` section, or the defaults when it has none."""
    return getattr(config, "mail", None) or MailSettings()


def heading(r: Report) -> dict[str, str]:
    """The masthead's fields, also the subject template's."""
    b, city = r.bulletin, r.config.city
    d = b.issue_date
    return {
        "title": city.title,
        "year": str(r.quarter.year),
        "issue": IssueNumber(b.issue_in_year, b.issue_overall).label_cn,
        "issuer": city.issuer,
        "date": f"{d.year}年{d.month}月{d.day}日",
        "quarter": str(r.quarter),
        "quarter_cn": r.quarter.label_cn,
    }


def write_body(r: Report) -> Path:
    """Write ``out_dir/mail/`` (body.html, body.txt, charts, mail.json); returns the folder."""
    from ..present import charts as charts_module
    from ..present.html import blocks_html, table_html
    from ..present.tables import region_table

    settings = settings_of(r.config)
    folder = r.out_dir / MAIL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    head = heading(r)
    n = r.narrator
    table_title = n.region_table_title()
    table = region_table(r.bulletin, r.config)
    sections = [n.awards(), n.evaluations(), n.survey(), n.satisfaction(), n.mechanism(),
                n.active(), n.commendations()]
    content = [blocks_html(sections[0]), blocks_html(sections[1]), _mail_table(table_html(table, table_title))]
    content += [blocks_html(s) for s in sections[2:]]

    pngs = []
    for name in settings.charts:
        if name not in charts_module.CHARTS:
            raise ValueError(f"mail.charts: unknown chart {name!r}; "
                             f"known: {', '.join(charts_module.CHARTS)}")
        printed = r.out_dir / "charts" / f"{name}.png"
        pngs.append(printed.read_bytes() if printed.is_file()
                    else charts_module.render_chart(name, r.bulletin, r.config))
    charts = []
    for name, image in zip(settings.charts, _reencoded(pngs, settings), strict=True):
        file = f"{name}.{'jpg' if image.subtype == 'jpeg' else 'png'}"
        (folder / file).write_bytes(image.data)
        charts.append(Chart(name, charts_module.CHARTS[name][0], f"{MAIL_DIR}/{file}",
                            f"{name}.{r.quarter}@hcp", image.subtype, image.width, image.height))

    inner = settings.width - 56  # the page's side padding
    html = _env().get_template("body.html.j2").render(
        subject=f"{head['title']} {head['year']}年{head['issue']}",
        width=settings.width, chart_width=inner, content=Markup("\n".join(content)),
        charts=charts, note=NOTE.format(quarter=head["quarter_cn"]), **_masthead(head),
    )
    html = css_inline.inline(html)
    (folder / HTML_FILE).write_text(html, encoding="utf-8")
    blocks = [b for s in sections for b in s]
    text = text_body(head, blocks, table, table_title, after_block=len(sections[0]) + len(sections[1]),
                     captions=[c.caption for c in charts], note=NOTE.format(quarter=head["quarter_cn"]))
    (folder / TEXT_FILE).write_text(text, encoding="utf-8")
    meta = {"heading": head, "html": f"{MAIL_DIR}/{HTML_FILE}", "text": f"{MAIL_DIR}/{TEXT_FILE}",
            "charts": [c.__dict__ for c in charts]}
    (folder / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")
    return folder


def _reencoded(pngs: list[bytes], settings: MailSettings) -> list[MailImage]:
    """The charts re-encoded side by side: Pillow lets go of the interpreter's lock while it
    scales, quantises and compresses, so on two cores the largest chart sets the time (in
    ``hcp run`` the e-mail body is the last thing the run waits for)."""
    def one(png: bytes) -> MailImage:
        return reencode(png, settings.image_width, settings.image_max_bytes)

    if len(pngs) < 2:
        return [one(png) for png in pngs]
    with ThreadPoolExecutor(max_workers=min(len(pngs), os.cpu_count() or 1),
                            thread_name_prefix="hcp-mail-image") as pool:
        return list(pool.map(one, pngs))


def _masthead(head: dict[str, str]) -> dict[str, str]:
    return {"title": head["title"], "issue": f"{head['year']}年{head['issue']}",
            "issuer": head["issuer"], "date": head["date"]}


def _mail_table(fragment: str) -> str:
    """The archive's table markup with the attributes clients honour when styles are gone."""
    fragment = re.sub(r'<table class="(data[^"]*)">',
                      r'<table class="\1" width="100%" border="1" cellpadding="2" cellspacing="0">',
                      fragment)
    return (fragment
            .replace("<th>", '<th bgcolor="#f2f2f2" align="center">')
            .replace("<th ", '<th bgcolor="#f2f2f2" align="center" ')
            .replace('<td class="num">', '<td class="num" align="right">'))
