"""趋势分析 for the analyst copy: the quarter's figures beside the earlier quarters', with
环比 and 同比 (section ``trends`` of the ``documents`` configuration, an HTML-only section).

The quarter itself comes from the bulletin just computed; each earlier complete quarter
under the data folder from its cached aggregates (``aggregates.quarter_aggregates``: reduced
once, stored, then read in about a second), so the section costs little once the cache holds
the history.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from ..config import Config
from ..figures import Bulletin
from ..quarters import Quarter
from .trend_charts import trend_chart
from .trends import (
    CITY,
    DEFAULT_CACHE,
    DISTRICT,
    Trends,
    bulletin_rows,
    complete_quarters,
    from_rows,
    pivot,
    quarter_rows,
    series,
)

TREND_DPI = 150
"""The trend charts' resolution (they sit in the analyst copy only)."""
TITLE = "【附】趋势分析"
MAX_QUARTERS = 8  # the quarter and up to seven before it: two years


def bulletin_trends(b: Bulletin, config: Config, data_dir: str | Path,
                    cache_dir: str | Path | None = DEFAULT_CACHE,
                    max_quarters: int = MAX_QUARTERS) -> Trends:
    """The bulletin's quarter and the complete quarters before it under ``data_dir``.

    An earlier quarter that cannot be read (its files fail validation) is left out and named
    in ``Trends.skipped``: the appendix must not stop the bulletin.
    """
    q = Quarter.parse(b.quarter)
    folder = Path(data_dir)
    found = complete_quarters(folder) if folder.is_dir() else []
    earlier = [p for p in found if p.index() < q.index()][-(max_quarters - 1):] if max_quarters > 1 else []
    rows: list[dict] = []
    seconds: dict[str, float] = {}
    skipped: list[str] = []
    for p in earlier:
        t0 = time.perf_counter()
        try:
            rows += quarter_rows(p, folder, config, cache_dir=cache_dir)
        except Exception:  # noqa: BLE001 - any failure of an earlier quarter: leave it out
            skipped.append(str(p))
            continue
        seconds[str(p)] = time.perf_counter() - t0
    t = from_rows(rows + bulletin_rows(b, config), seconds)
    t.skipped = skipped
    return t


def _label(q: str) -> str:
    return Quarter.parse(q).label_cn


def city_table(t: Trends) -> pd.DataFrame:
    """全市 per quarter: counts with 环比/同比 in percent, rates with changes in points."""
    city = series(t, CITY, [CITY]).set_index("季度")
    mean = series(t, CITY).query("名称 != @CITY").set_index("季度")
    out = pd.DataFrame({"季度": [_label(q) for q in city.index]})
    for col, digits in (("评价数", 1), ("主动评价率", 2), ("满意率", 3), ("差评数", 1)):
        unit = "%" if col in ("评价数", "差评数") else "个百分点"
        out[col] = [_fmt(v, 3 if col == "满意率" else 2 if col == "主动评价率" else 0)
                    for v in city[col]]
        for change in ("环比", "同比"):
            out[f"{col}{change}（{unit}）"] = [_fmt(v, digits, sign=True) for v in city[f"{col}{change}"]]
    out["各区平均满意率"] = [_fmt(v, 3) for v in mean["满意率"].reindex(city.index)]
    return out


def district_table(t: Trends, figure: str) -> pd.DataFrame:
    """Each district's ``figure`` per quarter (quarters as columns)."""
    table = pivot(t, DISTRICT, figure)
    table.columns = [_label(q) for q in table.columns]
    digits = 3 if figure == "满意率" else 2
    return table.apply(lambda col: [_fmt(v, digits) for v in col]).reset_index()


def _fmt(value, digits: int, sign: bool = False) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{float(value):+.{digits}f}" if sign else f"{float(value):.{digits}f}"  # as the bulletin: 1950306


def _png(fig) -> bytes:
    """One drawing pass, as the report's charts (``present.charts.png_bytes``)."""
    from ..present.charts import png_bytes

    return png_bytes(fig, dpi=TREND_DPI)


def section_html(t: Trends) -> str:
    """The section as HTML: the city table, the districts' rates, two charts."""
    from ..present import html as h

    first, last = _label(t.quarters[0]), _label(t.quarters[-1])
    parts = ['<section class="appendix trends">', f'<h2 class="section">{TITLE}</h2>',
             f"<p>{first}至{last}各季度数据；环比为与上一季度比，同比为与上年同季度比，"
             "率的变化以百分点计。</p>" if len(t.quarters) > 1
             else f"<p>仅有{last}的数据，暂无环比、同比。</p>",
             *([f"<p>{'、'.join(_label(q) for q in t.skipped)}的数据未能读取，未列入。</p>"]
               if t.skipped else []),
             h.table_html(city_table(t), "趋势表1  全市主要指标"),
             h.table_html(district_table(t, "满意率"), "趋势表2  各区政务服务满意率（%）"),
             h.table_html(district_table(t, "主动评价率"), "趋势表3  各区主动评价率（%）")]
    if len(t.quarters) > 1:
        parts.append(h.figure_html(_png(trend_chart(t, "满意率", DISTRICT)), "趋势图1  各区满意率"))
        parts.append(h.figure_html(_png(trend_chart(t, "主动评价率", CITY, [CITY])),
                                   "趋势图2  全市主动评价率"))
    parts.append("</section>")
    return "\n".join(parts)
