"""What the bulletin notebook's cells call: one function per section, each returning HTML.

The notebook holds no logic of its own, so everything it shows is reachable from tests;
a cell is one call. ``prepare`` is the single place the bulletin comes from: computed from
raw data (``hcp_lib.pipeline``) or, when ``bulletin_path`` is given, read from a file saved
by ``io.save_bulletin`` (``hcp run`` computes once and passes that file).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..config import Config, load_config
from ..figures import Bulletin
from ..quarters import Quarter
from . import appendix as appendix_module
from . import charts as charts_module
from . import drawn
from . import html as h
from .chart_names import drawing_order
from .fonts import setup_fonts
from .io import load_bulletin, write_bulletin_json
from .narrative import Narrator
from .project import project_root, resolve
from .tables import REGION_SHEET, all_tables, region_table
from .workbook import write_workbook


@dataclass
class Report:
    """A quarter's bulletin with what is needed to present it."""

    bulletin: Bulletin
    config: Config
    out_dir: Path
    narrator: Narrator = field(init=False)
    pngs: dict[str, bytes] = field(init=False, default_factory=dict, repr=False)
    """Charts drawn for this report: the leadership copy's charts reappear in 附图."""
    shared: set[str] = field(init=False, default_factory=set, repr=False)
    """Charts shared with ``hcp run`` through ``out_dir/charts`` (``drawn``): already written."""

    sections: dict[tuple[str, ...], str] = field(init=False, default_factory=dict, repr=False)
    """Sections made once per report (``trends_html``), perhaps ahead, on the drawing thread."""
    _making: threading.Lock = field(init=False, default_factory=threading.Lock, repr=False)
    ahead: threading.Thread | None = field(init=False, default=None, repr=False)
    """The thread working ahead of the cells under ``hcp run`` (``prepare``)."""

    def __post_init__(self) -> None:
        self.narrator = Narrator(self.bulletin, self.config)

    def trends_html(self, data_dir: str, cache_dir: str) -> str:
        """The 趋势分析 section as HTML, made once per report: under ``hcp run`` most often
        ahead (``prepare``), while the cells before it run; a cell asking meanwhile waits for
        it rather than making it twice. A failure ahead is met again here."""
        key = ("trends", data_dir, cache_dir)
        with self._making:
            if key not in self.sections:
                from ..analysis.section import bulletin_trends, section_html

                root = project_root()
                t = bulletin_trends(self.bulletin, self.config, resolve(data_dir, root),
                                    resolve(cache_dir, root) if cache_dir else None)
                self.sections[key] = section_html(t)
            return self.sections[key]

    def png(self, name: str) -> bytes:
        """Chart ``name`` as PNG, drawn once per report (drawing is a warm run's largest cost);
        under ``hcp run``, once per run: here or by the run's thread, whichever claims it
        (``drawn``)."""
        if name not in self.pngs:
            draw = self.drawer(name)
            png = drawn.take(self.out_dir, name, draw)
            if png is None:
                png = draw()
            else:
                self.shared.add(name)
            self.pngs[name] = png
        return self.pngs[name]

    def drawer(self, name: str) -> Callable[[], bytes]:
        """What draws chart ``name`` of this report."""
        return lambda: charts_module.render_chart(name, self.bulletin, self.config)

    @property
    def quarter(self) -> Quarter:
        return Quarter.parse(self.bulletin.quarter)


def _html(fragment: str):
    from IPython.display import HTML

    return HTML(fragment)


SCRATCH = Path("reports") / "_scratch"
"""Where a notebook run by hand writes: never over a published report (only ``hcp run`` publishes)."""


def scratch_dir(quarter: Quarter | str) -> Path:
    """``reports/_scratch/<QUARTER>``, relative to the project root."""
    return SCRATCH / str(quarter)


def parse_date(text: str | date | None) -> date | None:
    if not text:
        return None
    if isinstance(text, date):
        return text
    return date.fromisoformat(str(text))


def prepare(
    quarter: str,
    data_dir: str = "data/raw",
    out_dir: str = "",
    config_path: str = "",
    issue_date: str = "",
    bulletin_path: str = "",
    mode: str = "strict",
    cache_dir: str | None = None,
) -> Report:
    """Obtain the quarter's bulletin and set up fonts; relative paths read from the project root.

    Under ``hcp run`` (which shares its charts) a thread works ahead of the cells: given
    ``cache_dir`` (the 趋势分析 cell's), it makes that section, which only the notebook makes,
    then draws the charts nobody has claimed (the run draws them too)."""
    root = project_root()
    config = load_config(resolve(config_path, root) if config_path else None)
    q = Quarter.parse(quarter)
    when = parse_date(issue_date)
    if bulletin_path:
        bulletin = load_bulletin(resolve(bulletin_path, root))
        if Quarter.parse(bulletin.quarter) != q:
            raise ValueError(f"{bulletin_path} holds {bulletin.quarter}, not {q}")
        if when:
            bulletin = dataclasses.replace(bulletin, issue_date=when)
    else:
        from ..pipeline import build_bulletin

        bulletin = build_bulletin(str(q), resolve(data_dir, root), config, issue_date=when, mode=mode)
    setup_fonts()
    out = resolve(out_dir or scratch_dir(q), root)
    out.mkdir(parents=True, exist_ok=True)
    report = Report(bulletin, config, out)
    # under hcp run only: the trends, then the charts in the order the notebook shows them
    trends = None if cache_dir is None else lambda: report.trends_html(data_dir, cache_dir)
    report.ahead = drawn.ahead(out, drawing_order(config.documents.leadership_charts),
                               report.drawer, trends)
    return report


def masthead(r: Report):
    """The red masthead; marked 征求意见稿 (configurable) when the run's inputs are incomplete."""
    from ..documents import content

    m = content.masthead(r.bulletin, r.config,
                         content.provisional_mark(content.read_inputs(r.out_dir), r.config))
    return _html(h.masthead_html(title=m.title, issue=m.issue, issuer=m.issuer, date=m.date,
                                 mark=m.mark))


def awards(r: Report):
    return _html(h.blocks_html(r.narrator.awards()))


def evaluations(r: Report):
    """【“好差评”】 一、 with the region table."""
    table = h.table_html(region_table(r.bulletin, r.config), r.narrator.region_table_title())
    return _html(h.blocks_html(r.narrator.evaluations()) + "\n" + table)


def survey(r: Report):
    return _html(h.blocks_html(r.narrator.survey()))


def satisfaction(r: Report):
    return _html(h.blocks_html(r.narrator.satisfaction()))


def mechanism(r: Report):
    return _html(h.blocks_html(r.narrator.mechanism()))


def active_rates(r: Report):
    return _html(h.blocks_html(r.narrator.active()))


def commendations(r: Report):
    return _html(h.blocks_html(r.narrator.commendations()))


def leadership_charts(r: Report):
    """The few charts the leadership copy shows (configuration: documents.leadership_charts)."""
    names = r.config.documents.leadership_charts
    return _html("\n".join(h.figure_html(r.png(name), f"图{i}  {charts_module.CHARTS[name][0]}")
                           for i, name in enumerate(names, 1)))


def data_notes(r: Report):
    """【数据说明】: inputs, rows accepted and rejected per table, missing ledgers (inputs.json)."""
    from ..documents.content import Table, data_notes, read_inputs

    parts = data_notes(read_inputs(r.out_dir))
    html = [h.table_html(p.frame, p.title) if isinstance(p, Table) else h.blocks_html([p])
            for p in parts]
    return _html('<section class="data-notes">' + "\n".join(html) + "</section>")


def tables(r: Report):
    """附表: every section's lists and rankings as tables, beside the sentences that cite them.

    The region table already stands in section 一; empty tables are left out.
    """
    shown = [(name, df) for name, df in all_tables(r.bulletin, r.config).items()
             if name != REGION_SHEET and not df.empty]
    parts = ['<section class="appendix tables">', '<h2 class="section">【附表】</h2>']
    parts += [h.table_html(df, f"附表{i}  {name}") for i, (name, df) in enumerate(shown, 1)]
    parts.append("</section>")
    return _html("\n".join(parts))


def charts(r: Report):
    """附图: every chart, written to ``out_dir/charts`` (unless ``hcp run`` drew it there) and
    shown inline."""
    folder = r.out_dir / drawn.CHARTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    parts = ['<section class="appendix">', '<h2 class="section">【附图】</h2>']
    for i, (name, (caption, _)) in enumerate(charts_module.CHARTS.items(), 1):
        png = r.png(name)
        if name not in r.shared:
            (folder / f"{name}.png").write_bytes(png)
        parts.append(h.figure_html(png, f"图{i}  {caption}"))
    parts.append("</section>")
    return _html("\n".join(parts))


def trends(r: Report, data_dir: str = "data/raw", cache_dir: str = "data/work/cache"):
    """【附】趋势分析 (analyst copy): this quarter beside the earlier ones under ``data_dir``."""
    return _html(r.trends_html(data_dir, cache_dir))


def reconciliation(r: Report, published_path: str = ""):
    """【附录】与已发布通报核对, when the published bulletin is transcribed (else nothing).

    ``published_path`` defaults to the configuration's ``city.published`` folder (the city's
    own transcriptions, ``<QUARTER>.yaml``); the counts are also written to
    ``out_dir/reconcile-<QUARTER>.json`` for the run manifest.
    """
    path = (resolve(published_path, project_root()) if published_path
            else r.config.city.published_file(r.quarter))
    if path is None:
        return None
    found = appendix_module.reconcile_file(r.bulletin, r.config, path)
    if found is None:
        return None
    appendix_module.write_record(found, r.out_dir / f"reconcile-{r.quarter}.json")
    return _html(appendix_module.appendix_html(found))


def save_tables(r: Report) -> Path:
    """The workbook ``tables-<QUARTER>.xlsx`` and the figures as ``bulletin-<QUARTER>.json``."""
    write_bulletin_json(r.bulletin, r.out_dir / f"bulletin-{r.quarter}.json")
    title = f"{r.config.city.title} {r.quarter.label_cn}"
    notes = {"季度": r.quarter.label_cn, "发文单位": r.config.city.issuer,
             "数据来源": "政务服务“好差评”系统评价数据及各项台账（见 manifest.json）"}
    return write_workbook(all_tables(r.bulletin, r.config), r.out_dir / f"tables-{r.quarter}.xlsx",
                          title, notes)
