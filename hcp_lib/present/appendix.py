"""【附录】与已发布通报核对: the reconciliation, as an appendix of the leadership report.

Leadership sees that the report reproduces the signed-off bulletin, and where the source
contradicts itself. The appendix is present only when a transcription of the published
bulletin exists; a transcription that cannot be read is said in the appendix rather than
stopping the report (``hcp reconcile`` is where it fails loudly).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from ..config import Config
from ..documents.labels import key_cn
from ..figures import Bulletin
from ..published import PublishedError, load_published
from ..reconcile import STATUS_CN, STATUSES, ReconcileError, ReconcileResult, reconcile

TITLE = "【附录】与已发布通报核对"
HEADERS = ("项目", "通报值", "计算值", "结果", "说明")


@dataclass(frozen=True)
class Appendix:
    """The reconciliation of a report against ``published`` (or why it could not be made)."""

    published: Path
    result: ReconcileResult | None
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The manifest's record: the file, the counts by status, whether it is OK."""
        if self.result is None:
            return {"published": str(self.published), "error": self.error}
        return {"published": str(self.published), "entries": len(self.result.rows),
                "summary": self.result.summary, "ok": self.result.ok}


def reconcile_file(bulletin: Bulletin, config: Config, published: Path) -> Appendix | None:
    """The bulletin checked against the transcription at ``published``; None when absent."""
    if not published.is_file():
        return None
    try:
        result = reconcile(load_published(published), bulletin, config)
    except (PublishedError, ReconcileError) as exc:
        return Appendix(published, None, str(exc))
    return Appendix(published, result)


def summary_cn(result: ReconcileResult) -> str:
    """共核对 192 项：一致 190 项，已知差异 2 项。 and the verdict, for the report's reader."""
    counts = result.summary
    parts = "，".join(f"{STATUS_CN[s]} {counts[s]} 项" for s in STATUSES if counts[s])
    if result.ok:
        verdict = "除原通报自身的已知差异外，本报告的数字与已发布通报一致。"
        if not counts["known"]:
            verdict = "本报告的数字与已发布通报一致。"
    else:
        verdict = f"有 {len(result.problems())} 项差异未获解释，请核查表中相应各行。"
    return f"共核对已发布通报的数字和表述 {len(result.rows)} 项：{parts}。{verdict}"


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("hcp_lib", "templates/html"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("reconcile.html.j2")


def appendix_html(appendix: Appendix) -> str:
    """The appendix section: title, summary line and the compact table (text escaped)."""
    result = appendix.result
    rows = [] if result is None else [
        {"cells": (key_cn(r.id), r.published, r.computed, STATUS_CN[r.status], r.note_cn), "status": r.status}
        for r in result.rows
    ]
    summary = summary_cn(result) if result is not None else f"未能核对：{appendix.error}"
    return _template().render(title=TITLE, summary=summary, source=appendix.published.name,
                              headers=HEADERS, rows=rows)


def rows_frame(result: ReconcileResult) -> pd.DataFrame:
    """The appendix table for the PDF and Word copies: keys in words, statuses in Chinese."""
    return pd.DataFrame([(key_cn(r.id), str(r.published), str(r.computed), STATUS_CN[r.status],
                          r.note_cn) for r in result.rows], columns=list(HEADERS))


def write_record(appendix: Appendix, path: Path) -> Path:
    """The counts as JSON beside the report; ``hcp run`` copies them into its manifest."""
    path.write_text(json.dumps(appendix.to_dict(), ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8")
    return path
