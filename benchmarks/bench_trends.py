"""Wall time of notebooks/trends.ipynb over every complete quarter under --data: cold (an
empty aggregate cache: every quarter loaded and reduced) and warm (the cache just written).

    python benchmarks/bench_trends.py                  # the embedded data in data/raw
    python benchmarks/bench_trends.py --data /srv/hcp/exports
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(data: Path, cache: Path, out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "papermill", "trends.ipynb", str(out), "-k", "hcp",
         "-p", "data_dir", str(data), "-p", "cache_dir", str(cache), "--no-progress-bar"],
        cwd=ROOT / "notebooks", check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "raw")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from hcp_lib.analysis.trends import complete_quarters, trends
    from hcp_lib.config import load_config

    quarters = [str(q) for q in complete_quarters(args.data)]
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cold = run(args.data.resolve(), cache, Path(tmp) / "cold.ipynb")
        warm = [run(args.data.resolve(), cache, Path(tmp) / f"warm{i}.ipynb") for i in range(3)]
        t0 = time.perf_counter()
        trends(args.data, load_config(), cache_dir=cache)
        library = time.perf_counter() - t0
    print(f"trends.ipynb over {len(quarters)} quarters ({', '.join(quarters)}):")
    print(f"  cold (empty cache):  {cold:6.1f} s")
    print(f"  warm (cached):       {min(warm):6.1f} s best of 3 ({', '.join(f'{w:.1f}' for w in warm)})")
    print(f"  of which trends() from the cache, in process: {library:.1f} s "
          "(the rest: kernel start, imports, charts)")


if __name__ == "__main__":
    main()
