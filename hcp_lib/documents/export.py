"""Everything ``hcp run`` writes after the notebook: the copies in their configured formats.

Names (the e-mail delivery attaches the leadership PDF and Word files):
``bulletin-<Q>.html`` / ``.pdf`` / ``.docx`` for the leadership copy, and
``bulletin-<Q>-analyst.html`` / ``.pdf`` / ``.docx`` for the analyst copy.
"""

from __future__ import annotations

import time
import typing
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..figures import Bulletin
from ..quarters import Quarter
from .content import copy_parts, read_inputs
from .settings import CopySettings, Section

COPIES = ("leadership", "analyst")


def file_name(quarter: Quarter | str, copy: str, fmt: str) -> str:
    """bulletin-2022Q2.pdf (leadership), bulletin-2022Q2-analyst.html (analyst)."""
    suffix = "" if copy == "leadership" else f"-{copy}"
    return f"bulletin-{quarter}{suffix}.{fmt}"


@dataclass
class Exported:
    """The files written and seconds spent per copy and format (for the manifest's timings)."""

    files: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def export_documents(executed: Path, build: Path, bulletin: Bulletin, config: Config,
                     published: Path | None = None, cache_dir: Path | None = None) -> Exported:
    """Every configured copy in every configured format, into ``build``.

    ``cache_dir`` (the run's cache) keeps the HTML's font subsets between runs.
    """
    done = export_from_bulletin(build, bulletin, config, published)
    html = export_from_notebook(executed, build, bulletin, config, cache_dir)
    done.files.update(html.files)
    done.seconds.update(html.seconds)
    return done


def _copies(config: Config) -> dict[str, CopySettings]:
    settings = config.documents
    copies: dict[str, CopySettings] = {"leadership": settings.leadership}
    if settings.analyst is not None:
        copies["analyst"] = settings.analyst
    return copies


def export_from_bulletin(build: Path, bulletin: Bulletin, config: Config,
                         published: Path | None = None) -> Exported:
    """The PDF and Word copies: laid out from the bulletin alone (``hcp run`` makes them while
    the notebook executes), with the charts in ``build/charts``."""
    quarter = Quarter.parse(bulletin.quarter)
    inputs = read_inputs(build)
    done = Exported()
    for name, copy in _copies(config).items():
        parts = None
        for fmt in copy.formats:
            if fmt == "html":
                continue
            start = time.perf_counter()
            target = build / file_name(quarter, name, fmt)
            if parts is None:
                parts = list(copy_parts(bulletin, config, copy, inputs, published,
                                        charts_dir=build / "charts"))
            if fmt == "pdf":
                from .pdf import write_pdf

                write_pdf(parts, target, config.documents.fonts)
            else:
                from .word import write_docx

                write_docx(parts, target, config.documents.fonts)
            done.files[f"{name}.{fmt}"] = target
            done.seconds[f"{name}.{fmt}"] = round(time.perf_counter() - start, 3)
    return done


def export_from_notebook(executed: Path, build: Path, bulletin: Bulletin, config: Config,
                         cache_dir: Path | None = None) -> Exported:
    """The HTML copies: the executed notebook's outputs, read once, exported once per copy.

    ``cache_dir`` (the run's cache) keeps the font subsets between runs.
    """
    from ..present.html import read_notebook
    from . import html as html_copy

    settings = config.documents
    quarter = Quarter.parse(bulletin.quarter)
    all_sections: tuple[Section, ...] = typing.get_args(Section)
    title = f"{config.city.title} {quarter.label_cn}"
    done = Exported()
    notebook = font_css = None
    for name, copy in _copies(config).items():
        if "html" not in copy.formats:
            continue
        start = time.perf_counter()
        target = build / file_name(quarter, name, "html")
        if notebook is None:
            notebook = read_notebook(executed)
            font_css = html_copy.fonts_css(html_copy.notebook_text(notebook), settings.fonts,
                                           cache_dir and Path(cache_dir) / "fonts")
        html_copy.export_copy(notebook, target, title, copy, all_sections, font_css or "")
        done.files[f"{name}.html"] = target
        done.seconds[f"{name}.html"] = round(time.perf_counter() - start, 3)
    return done
