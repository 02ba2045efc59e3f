"""What the analysis notebooks' cells call (trends.ipynb, explore.ipynb): one call per cell,
each returning something Jupyter shows (a table or a chart)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ..config import Config, load_config
from ..present.project import project_root, resolve
from ..quarters import Quarter
from ..reduce import Aggregates
from . import drill, trend_charts
from . import trends as trends_module
from .aggregates import quarter_aggregates
from .trends import Trends


def config(config_path: str = "") -> Config:
    return load_config(resolve(config_path, project_root()) if config_path else None)


def load_trends(data_dir: str = "data/raw", first: str = "", last: str = "",
                config_path: str = "", cache_dir: str = "data/work/cache") -> Trends:
    """The quarters from ``first`` to ``last`` (empty: every complete quarter), with the
    aggregate cache ``hcp run`` keeps (empty: none)."""
    root = project_root()
    data = resolve(data_dir, root)
    quarters = trends_module.quarter_range(data, first, last)
    return trends_module.trends(data, config(config_path), quarters,
                                cache_dir=resolve(cache_dir, root) if cache_dir else None)


def table(t: Trends, kind: str, names: Iterable[str] | None = None) -> pd.DataFrame:
    """The rows of one kind (全市 / 区 / 市直部门) with 环比 and 同比, rounded for reading."""
    rows = trends_module.series(t, kind, names)
    return rows.round(3)


def pivot(t: Trends, kind: str, figure: str) -> pd.DataFrame:
    return trends_module.pivot(t, kind, figure).round(3)


def chart(t: Trends, figure: str, kind: str, names: Iterable[str] | None = None):
    """A trend chart as a PNG (shown inline; right-click to copy)."""
    from IPython.display import Image

    fig = trend_charts.trend_chart(t, figure, kind, names)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150)
    return Image(buffer.getvalue())


def timings(t: Trends) -> pd.DataFrame:
    """Seconds each quarter took (a quarter read from the cache takes about a second)."""
    return pd.DataFrame({"季度": list(t.seconds), "秒": [round(s, 1) for s in t.seconds.values()]})


def unit_names(t: Trends, units: str = "", n: int = 5) -> list[str]:
    """The units named in ``units`` (comma- or 、-separated), else the ``n`` with the most
    evaluations in the last quarter."""
    if units.strip():
        return [u.strip() for u in units.replace("、", ",").split(",") if u.strip()]
    last = trends_module.series(t, trends_module.UNIT)
    last = last[last["季度"] == t.quarters[-1]].sort_values("评价数", ascending=False)
    return list(last["名称"].head(n))


@dataclass
class Exploration:
    """A quarter's and the previous quarter's aggregates, and the unit or district explored."""

    config: Config
    current: Aggregates
    previous: Aggregates | None
    target: drill.Target


def explore(quarter: str, target: str, data_dir: str = "data/raw", config_path: str = "",
            cache_dir: str = "data/work/cache") -> Exploration:
    """Read ``quarter`` and the quarter before (when its folder exists) for ``target``."""
    root = project_root()
    cfg = config(config_path)
    data = resolve(data_dir, root)
    cache = resolve(cache_dir, root) if cache_dir else None
    q = Quarter.parse(quarter)
    current = quarter_aggregates(q, data, cfg, cache_dir=cache)
    previous = (quarter_aggregates(q.previous(), data, cfg, cache_dir=cache)
                if (data / str(q.previous())).is_dir() else None)
    return Exploration(cfg, current, previous, drill.target(target, cfg))


def summary(x: Exploration) -> pd.DataFrame:
    """The unit's figures this quarter and the previous one."""
    rows = [drill.summary(x.current, x.target, x.config)]
    if x.previous is not None:
        rows.append(drill.summary(x.previous, x.target, x.config))
    return pd.concat(rows, ignore_index=True).round(3)


def breakdown(x: Exploration, by: str = "事项") -> pd.DataFrame:
    return drill.breakdown(x.current, x.target, x.config, by).round(3)


def compare(x: Exploration, by: str = "事项") -> pd.DataFrame:
    return drill.compare(x.current, x.previous, x.target, x.config, by).round(3)


def verdicts(x: Exploration, by: str = "事项") -> pd.DataFrame:
    return drill.verdicts(x.current, x.target, x.config, by)
