"""Trend charts in the bulletin's style (its colours and CJK font): one line per city, district
or unit across quarters."""

from __future__ import annotations

from collections.abc import Iterable

from matplotlib.figure import Figure

from ..present.charts import BLUE, GREY, RED
from ..present.fonts import setup_fonts
from .trends import CITY, Trends, series

PALETTE = [BLUE, "#ED7D31", "#70AD47", "#FFC000", "#5B9BD5", "#7030A0", GREY, "#264478"]
UNITS = {"主动评价率": "%", "满意率": "%", "评价数": "件", "差评数": "件"}


def trend_chart(t: Trends, figure: str, kind: str, names: Iterable[str] | None = None,
                title: str = "") -> Figure:
    """``figure`` (满意率, 主动评价率, 评价数, 差评数) per quarter for one kind of row; the
    city's own line in red."""
    setup_fonts()
    rows = series(t, kind, names)
    fig = Figure(figsize=(8, 4.2), layout="constrained")
    ax = fig.add_subplot()
    quarters = t.quarters
    x = {q: i for i, q in enumerate(quarters)}
    for i, (name, part) in enumerate(rows.groupby("名称", sort=False)):
        part = part.dropna(subset=[figure])
        if part.empty:
            continue
        colour = RED if name == CITY else PALETTE[i % len(PALETTE)]
        ax.plot([x[q] for q in part["季度"]], part[figure].astype(float), marker="o",
                color=colour, linewidth=2 if name == CITY else 1.2, label=name)
    ax.set_xticks(range(len(quarters)), quarters)
    ax.set_ylabel(f"{figure}（{UNITS.get(figure, '')}）")
    ax.set_title(title or f"{ {'区': '各区'}.get(kind, kind)}{figure}（按季度）")
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig
