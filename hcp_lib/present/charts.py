"""The bulletin's figures as print-quality PNG charts (Chinese labels, ≥150 dpi).

Charts are built on bare ``Figure`` objects (no pyplot state), so they render the same in
a notebook kernel, a test or a headless server. ``fonts.setup_fonts`` makes Chinese render.
Drawing is a warm run's largest cost, so ``png_bytes`` lays a chart out and renders it in one
pass of the Agg canvas and stores it with zlib's fastest level (see its docstring).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ..config import Config
from ..contract import LEVELS
from ..figures import Bulletin
from ..quarters import Quarter
from .chart_names import CAPTIONS
from .fonts import setup_fonts

DPI = 200
RED = "#C00000"
BLUE = "#2F5597"
GREY = "#A6A6A6"
LEVEL_COLOURS = {"满意": "#5B9BD5", "基本满意": "#FFC000", "不满意": "#ED7D31", "非常不满意": RED}


def _pct(value: Fraction) -> float:
    return float(value) * 100


def _figure(width: float, height: float) -> Figure:
    setup_fonts()
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig


def _source(fig: Figure, b: Bulletin, config: Config) -> None:
    """The source line (数据来源) under every chart, from the configuration."""
    text = config.documents.charts.source.format(quarter=Quarter.parse(b.quarter).label_cn)
    fig.get_layout_engine().set(h_pad=0.06)
    fig.supxlabel(text, fontsize=7, color="#555555", x=0.99, ha="right")


def _dots(labels: list[str], values: list[float], low: list[bool], mean: float, start: float,
          end: float, mean_label: str, xlabel: str, title: str, fmt: str) -> Figure:
    """A lollipop per unit against the mean, on an axis whose start is stated in its label."""
    fig = _figure(8, 0.22 * len(labels) + 1.9)
    ax = fig.add_subplot()
    y = list(range(len(labels)))
    colours = [RED if flag else BLUE for flag in low]
    ax.hlines(y, start, values, color=GREY, linewidth=0.8)
    ax.scatter(values, y, color=colours, s=14, zorder=3)
    ax.axvline(mean, color="black", linestyle="--", linewidth=1)
    for yy, v in zip(y, values, strict=True):
        ax.text(v, yy, " " + fmt.format(v), va="center", fontsize=6)
    ax.set_yticks(y, labels)
    ax.set_xlim(start, end + (end - start) * 0.08)  # room for the value labels inside the frame
    ax.set_ylim(len(labels) - 0.4, -0.6)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel(f"{xlabel}（横轴自 {start:g} 起）")
    ax.set_title(f"{title}\n{mean_label}（虚线）；红色低于平均", fontsize=10)
    return fig


def region_levels(b: Bulletin, config: Config) -> Figure:
    """Shares of every level but 非常满意, per region (非常满意 fills the rest of 100%)."""
    regions = b.evaluations.regions
    fig = _figure(8, 0.45 * len(regions) + 1.6)
    ax = fig.add_subplot()
    labels = [r.label for r in regions][::-1]
    left = [0.0] * len(regions)
    for level in LEVELS[1:]:
        values = [_pct(Fraction(r.levels.get(level, 0), r.total or 1)) for r in regions][::-1]
        ax.barh(labels, values, left=left, color=LEVEL_COLOURS[level], label=level)
        left = [a + v for a, v in zip(left, values, strict=True)]
    for y, total in enumerate(left):
        ax.text(total, y, f" {total:.3f}%", va="center", fontsize=8)
    ax.set_xlabel("占该地区总评价数的百分比（%）")
    ax.set_title("各地区“非常满意”以外的评价占比")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_xlim(0, max(left + [0.01]) * 1.25)
    _source(fig, b, config)
    return fig


def _unit_bars(labels: list[str], values: list[float], low: list[bool], line: float,
               note: str, xlim: tuple[float, float], xlabel: str, title: str) -> Figure:
    """One bar per unit, best at the top, those under the line in red, the line dashed."""
    fig = _figure(8, 0.22 * len(labels) + 1.6)
    ax = fig.add_subplot()
    ax.barh(labels, values, color=[RED if flag else BLUE for flag in low])
    ax.axvline(line, color="black", linestyle="--", linewidth=1)
    ax.set_title(note, loc="right", fontsize=8)
    ax.set_xlim(*xlim)
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return fig


def unit_satisfaction(b: Bulletin, config: Config) -> Figure:
    """Each city unit's 政务服务满意率 against the city mean; those below in red."""
    s = b.satisfaction
    units = sorted(s.city_rates, key=lambda u: (u.rate, u.unit), reverse=True)
    values = [_pct(u.rate) for u in units]
    mean = _pct(s.city_mean)
    start = min(config.documents.charts.rate_axis_start, *(v for v in values), mean)
    fig = _dots([u.unit for u in units], values, [u.rate < s.city_mean for u in units], mean,
                float(int(start)), 100.0, f"全市平均 {mean:.3f}%", "政务服务满意率（%）",
                "市直部门政务服务满意率与全市平均分", "{:.3f}")
    _source(fig, b, config)
    return fig


def active_rates(b: Bulletin, config: Config) -> Figure:
    """City units' 综合主动评价率 against the assessment line (80%)."""
    ranking = b.active.ranking
    threshold = float(config.mechanism.active_rate_threshold) * 100
    values = [_pct(u.rate) for u in ranking]
    fig = _unit_bars([u.unit for u in ranking], values, [v < threshold for v in values],
                     threshold, f"虚线：考核要求 {threshold:.0f}%", (0, 108),
                     "线上线下综合主动评价率（%）", "市直部门综合主动评价率")
    _source(fig, b, config)
    return fig


def bad_reviews(b: Bulletin, config: Config) -> Figure:
    """Bad reviews (不满意 and 非常不满意, before verification) by unit and by district."""
    r = b.bad_reviews
    groups = [(g.unit, g.count, BLUE) for g in r.units] + [(g.unit, g.count, GREY) for g in r.districts]
    fig = _figure(8, 0.3 * max(len(groups), 1) + 1.6)
    ax = fig.add_subplot()
    if groups:
        ax.barh([g[0] for g in groups], [g[1] for g in groups], color=[g[2] for g in groups])
        for y, (_, count, _) in enumerate(groups):
            ax.text(count, y, f" {count}", va="center", fontsize=8)
        ax.set_xlim(0, max(g[1] for g in groups) * 1.15 + 1)
    ax.invert_yaxis()
    ax.set_xlabel("差评件数（含误差评、恶意差评）")
    ax.set_title(f"差评件分布（共 {r.total} 件；蓝色为市直部门，灰色为区）")
    _source(fig, b, config)
    return fig


def survey_scores(b: Bulletin, config: Config) -> Figure:
    """Third-party survey scores: window units and districts, each with its mean."""
    s = b.survey
    fig = _figure(8, 9)
    if s is None:
        fig.text(0.5, 0.5, "本季度无第三方评估数据", ha="center")
        return fig
    axes = fig.subplots(2, 1, height_ratios=[3, 1])
    for ax, group, title in ((axes[0], s.units, "窗口单位"), (axes[1], s.districts, "各区")):
        names = [e.unit for e in group.scores]
        values = [float(e.score) for e in group.scores]
        mean = float(group.mean)
        start = float(int(min(config.documents.charts.score_axis_start, *values, mean)))
        y = list(range(len(names)))
        ax.hlines(y, start, values, color=GREY, linewidth=0.8)
        ax.scatter(values, y, color=[RED if v < mean else BLUE for v in values], s=12, zorder=3)
        ax.axvline(mean, color="black", linestyle="--", linewidth=1, label=f"平均 {mean:.2f} 分")
        ax.set_yticks(y, names)
        ax.set_xlim(start, 100 + (100 - start) * 0.05)
        ax.set_xlabel(f"得分（横轴自 {start:g} 分起）")
        ax.invert_yaxis()
        ax.tick_params(axis="y", labelsize=6 if len(names) > 20 else 8)
        ax.legend(loc="lower right", fontsize=8)
        ax.set_title(f"第三方满意度调查：{title}")
    _source(fig, b, config)
    return fig


def trends(b: Bulletin, config: Config) -> Figure:
    """This quarter against the previous one, for every figure the bulletin compares."""
    e = b.evaluations
    current, previous = Quarter.parse(b.quarter).short_cn, Quarter.parse(b.previous_quarter).short_cn
    panels: list[tuple[str, float | None, float, str]] = []
    if e.previous_levels and sum(e.previous_levels.values()):
        prev = Fraction(e.previous_levels.get("非常满意", 0), sum(e.previous_levels.values()))
        panels.append(("“非常满意”占比（%）", _pct(prev), _pct(e.share("非常满意")), "{:.2f}"))
    a = b.active
    panels.append(("市直综合主动评价率（%）", a.city_rate_previous and _pct(a.city_rate_previous),
                   _pct(a.city_rate), "{:.2f}"))
    s = b.satisfaction
    panels.append(("各区满意率平均得分（%）", s.district_mean_previous and _pct(s.district_mean_previous),
                   _pct(s.district_mean), "{:.3f}"))
    panels.append(("全市满意率平均得分（%）", s.city_mean_previous and _pct(s.city_mean_previous),
                   _pct(s.city_mean), "{:.3f}"))
    if b.survey:
        for name, g in (("窗口单位", b.survey.units), ("各区", b.survey.districts)):
            prev = float(g.previous_mean) if g.previous_mean is not None else None
            panels.append((f"第三方评估平均成绩：{name}", prev, float(g.mean), "{:.2f}"))
    cols = 3
    rows = (len(panels) + cols - 1) // cols
    fig = _figure(9, 2.8 * rows)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, (title, prev, cur, fmt) in zip(axes, panels, strict=False):
        labels, values, colours = [], [], []
        if prev is not None:
            labels.append(previous)
            values.append(prev)
            colours.append(GREY)
        labels.append(current)
        values.append(cur)
        colours.append(BLUE)
        ax.bar(labels, values, color=colours, width=0.5)
        ax.set_ylim(0, max(values) * 1.18)  # bars from zero; room for the labels
        for x, v in enumerate(values):
            ax.text(x, v, fmt.format(v), ha="center", va="bottom", fontsize=8)
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(f"{current}与{previous}对比（纵轴自 0 起）")
    _source(fig, b, config)
    return fig


_BUILDERS: dict[str, Callable[[Bulletin, Config], Figure]] = {
    "region_levels": region_levels,
    "unit_satisfaction": unit_satisfaction,
    "active_rates": active_rates,
    "bad_reviews": bad_reviews,
    "survey_scores": survey_scores,
    "trends": trends,
}
CHARTS: dict[str, tuple[str, Callable[[Bulletin, Config], Figure]]] = {
    name: (caption, _BUILDERS[name]) for name, caption in CAPTIONS.items()}
"""File stem → (caption, builder), in the order the report shows them."""


PNG_COMPRESS_LEVEL = 1
"""zlib's fastest level: half the encoding time of the default (6), and as an RGB image the
file is no larger than the default's RGBA one."""


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    """``fig`` as PNG, pixel for pixel what ``fig.savefig(format="png", dpi=dpi)`` draws.

    ``savefig`` draws a figure twice when it has a layout engine: once with drawing disabled
    (on a renderer of its own) to lay it out, then again to render. One ``canvas.draw()`` lays
    out and renders in a single pass on one renderer, whose text metrics the layout already
    measured. An opaque figure (the charts' white background) is stored as RGB.
    """
    original = fig.dpi
    fig.set_dpi(dpi)
    try:
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        size = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        if image.getextrema()[3][0] == 255:
            image = image.convert("RGB")
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=PNG_COMPRESS_LEVEL, dpi=(dpi, dpi))
    finally:
        fig.set_dpi(original)
    return buf.getvalue()


def render_chart(name: str, b: Bulletin, config: Config, dpi: int = DPI) -> bytes:
    """One chart as PNG bytes."""
    return png_bytes(CHARTS[name][1](b, config), dpi)


def write_charts(b: Bulletin, config: Config, folder: str | Path, dpi: int = DPI) -> dict[str, Path]:
    """Every chart as ``folder/<name>.png``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in CHARTS:
        path = folder / f"{name}.png"
        path.write_bytes(render_chart(name, b, config, dpi))
        written[name] = path
    return written
