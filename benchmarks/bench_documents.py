"""Pages, size and time of each document format, from a finished report folder.

Reads ``reports/<QUARTER>/manifest.json`` (written by ``hcp run``) for the export timings,
counts the PDF pages with pypdf and, when Debian's chromium is installed, prints each HTML
copy to PDF as a reader would and counts those pages too. Then times the Word copy's tables
at growing sizes (10 columns; an analyst copy's 附表 run to hundreds of rows): the time per
row should stay flat.

    python benchmarks/bench_documents.py [reports/2022Q2]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-pdf-header-footer"]


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def chromium_pages(html: Path) -> tuple[int, float] | None:
    browser = shutil.which("chromium")
    if browser is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "print.pdf"
        start = time.perf_counter()
        subprocess.run([browser, *FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}",
                        html.resolve().as_uri()], capture_output=True, timeout=300, check=False)
        return pages(out), time.perf_counter() - start


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "reports" / "2022Q2"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    timings = manifest["timings_seconds"]
    print(f"{folder}: export stage {timings.get('export')} s, whole run "
          f"{sum(v for k, v in timings.items() if '.' not in k):.1f} s")
    print(f"{'file':40} {'KB':>8} {'seconds':>8} {'pages':>6}")
    for path in sorted(folder.glob("bulletin-*")):
        if path.suffix not in (".html", ".pdf", ".docx"):
            continue
        copy = "analyst" if "-analyst" in path.name else "leadership"
        seconds = timings.get(f"export.{copy}{path.suffix}", "")
        count = ""
        if path.suffix == ".pdf":
            count = str(pages(path))
        elif path.suffix == ".html":
            printed = chromium_pages(path)
            count = f"{printed[0]} (chromium)" if printed else ""
        print(f"{path.name:40} {path.stat().st_size / 1024:8.0f} {seconds!s:>8} {count:>6}")


def word_tables(sizes: tuple[int, ...] = (50, 200, 1000)) -> None:
    """Seconds to write a Word copy holding one table of each size (10 columns)."""
    import pandas as pd

    sys.path.insert(0, str(ROOT))
    from hcp_lib.config import load_config
    from hcp_lib.documents.content import Table
    from hcp_lib.documents.word import write_docx

    fonts = load_config(None).documents.fonts
    print(f"{'Word table rows':>16} {'seconds':>8} {'ms a row':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            frame = pd.DataFrame({f"列{c}": [f"{r * c}" for r in range(rows)] for c in range(10)})
            start = time.perf_counter()
            write_docx([Table("附表1  测试", frame)], Path(tmp) / f"{rows}.docx", fonts)
            seconds = time.perf_counter() - start
            print(f"{rows:16} {seconds:8.2f} {1000 * seconds / rows:9.2f}")


if __name__ == "__main__":
    main()
    word_tables()
