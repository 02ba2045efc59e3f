"""One quarter's aggregates for analysis, read from the cache ``hcp run`` keeps when present.

The entry is the one the pipeline writes for a quarter read without look-ahead (as the
previous quarter of a bulletin): same key (``pipeline.cache_key``), same folder name. When it
is missing the quarter is loaded and reduced once and stored there, so the next bulletin run
finds it too.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..pipeline import cache_key
from ..quarters import Quarter
from ..reduce import Aggregates


def cache_entry(folder: Path, q: Quarter, config: Config, cache_dir: Path, mode: str) -> Path:
    key = cache_key(folder, None, None, config, mode)
    return cache_dir / f"{q}-{key[:16]}"


def quarter_aggregates(
    quarter: Quarter | str,
    data_dir: str | Path,
    config: Config,
    *,
    cache_dir: str | Path | None = None,
    mode: str = "strict",
) -> Aggregates:
    """The reduced quarter ``data_dir/<quarter>`` (no look-ahead)."""
    q = Quarter.parse(quarter)
    folder, entry = quarter_entry(q, data_dir, config, cache_dir, mode)
    return aggregates_at(folder, q, config, entry, mode)


def quarter_entry(q: Quarter, data_dir: str | Path, config: Config,
                  cache_dir: str | Path | None, mode: str) -> tuple[Path, Path | None]:
    """The quarter's input folder (which must exist) and its cache entry (None without a
    cache)."""
    folder = Path(data_dir) / str(q)
    if not folder.is_dir():
        raise FileNotFoundError(f"no input folder for {q}: {folder}")
    return folder, cache_entry(folder, q, config, Path(cache_dir), mode) if cache_dir else None


def aggregates_at(folder: Path, q: Quarter, config: Config, entry: Path | None,
                  mode: str = "strict") -> Aggregates:
    """The quarter's aggregates from its cache ``entry`` (``cache_entry``), else reduced from
    ``folder`` and stored there."""
    if entry is not None and (entry / "meta.json").is_file():
        try:
            return Aggregates.from_parquet(entry)
        except (OSError, ValueError, KeyError):
            pass  # unreadable: reduce again
    from ..stream import stream_quarter  # bounded batches: the same aggregates as the loader's

    aggregates = stream_quarter(folder, q, config, mode=mode).aggregates
    if entry is not None:
        aggregates.to_parquet(entry)
    return aggregates
