"""Fonts for the documents: the official ones when installed, else the shipped Noto CJK.

公文 use 仿宋_GB2312 for the body and 方正小标宋 for the title. Offices have them; a fresh
machine does not, so every family falls back to the Noto Sans CJK SC file that ``mplfonts``
ships (the charts' font). ``subset_woff`` cuts a font to the characters a page uses, so the
HTML can embed it and a machine without CJK fonts still shows the text.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..present.fonts import cjk_font_path

if TYPE_CHECKING:
    from .subsetter import FontWorker

FALLBACK_FILES = {"body": "NotoSerifCJKsc-Regular.otf", "title": "NotoSerifCJKsc-Regular.otf",
                  "heading": "SimHei.ttf"}
"""Per role, the file shipped in mplfonts: Noto Serif CJK SC (仿宋's place), SimHei (黑体)."""
FALLBACK_FAMILIES = {"body": ("Noto Serif CJK SC",), "title": ("Noto Serif CJK SC",),
                     "heading": ("SimHei", "Noto Sans CJK SC")}


@dataclass(frozen=True)
class Face:
    """A font family found on this machine (or the shipped fall-back) and its file."""

    family: str
    path: Path
    official: bool


@cache
def _installed() -> dict[str, Path]:
    """Family name → file, for every font matplotlib's scan finds (names as the file gives)."""
    from matplotlib import font_manager

    found: dict[str, Path] = {}
    for entry in font_manager.fontManager.ttflist:
        found.setdefault(entry.name, Path(entry.fname))
    return found


def fallback_dir() -> Path:
    """The folder of fonts shipped in mplfonts (given to Typst as a font path)."""
    return cjk_font_path().parent


def fallback_face(role: str = "body") -> Face:
    """The shipped font for ``role`` (body, title, heading), present wherever hcp is installed."""
    path = fallback_dir() / FALLBACK_FILES[role]
    if not path.is_file():
        path = cjk_font_path()
    return Face(FALLBACK_FAMILIES[role][0], path, False)


def find_face(families: tuple[str, ...], role: str = "body") -> Face:
    """The first of ``families`` installed on this machine, else the shipped font for ``role``."""
    installed = _installed()
    for family in families:
        if family in installed:
            return Face(family, installed[family], True)
    return fallback_face(role)


def used_characters(*texts: str) -> str:
    """Every distinct character in ``texts`` plus ASCII, sorted (a stable subset)."""
    chars = set("".join(texts)) | {chr(c) for c in range(0x20, 0x7F)}
    return "".join(sorted(chars))


def subset_woff(path: Path, characters: str, cache_dir: Path | None = None) -> bytes:
    """``path`` cut to ``characters`` as WOFF, kept in ``cache_dir`` when given.

    Subsetting a 23 MB CJK font takes seconds; the same font and characters (a re-run of a
    quarter) are read back from the cache, keyed by the font file and the characters.
    """
    return subset_woffs([path], characters, cache_dir)[0]


def subset_woffs(paths: list[Path], characters: str, cache_dir: Path | None = None,
                 worker: FontWorker | None = None) -> list[bytes]:
    """Each of ``paths`` cut to ``characters`` (as ``subset_woff``); with a ``worker``, the
    largest font missing from the cache is cut there while this process cuts the others."""
    kept = [_cache_file(path, characters, cache_dir) for path in paths]
    found = {i: k.read_bytes() for i, k in enumerate(kept) if k is not None and k.is_file()}
    missing = sorted((i for i in range(len(paths)) if i not in found),
                     key=lambda i: -paths[i].stat().st_size)
    later = {missing[0]: worker.woff(paths[missing[0]], characters)} if worker and missing else {}
    for i in sorted(missing, key=lambda i: i in later):  # the worker's last: cut meanwhile
        found[i] = later[i]() if i in later else _subset_woff(paths[i], characters)
        _keep(kept[i], found[i])
    return [found[i] for i in range(len(paths))]


def _cache_file(path: Path, characters: str, cache_dir: Path | None) -> Path | None:
    if cache_dir is None:
        return None
    stat = path.stat()
    key = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{characters}".encode()).hexdigest()
    return Path(cache_dir) / f"{key[:32]}.woff"


def _keep(cached: Path | None, data: bytes) -> None:
    if cached is None or cached.is_file():
        return
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(cached)
    except OSError:  # a read-only cache only costs time
        pass


@cache
def _subset_woff(path: Path, characters: str) -> bytes:
    return woff_bytes(path, characters)


def woff_bytes(path: Path, characters: str) -> bytes:
    """``path`` cut to ``characters`` as WOFF (zlib; no extra compressor needed)."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []  # horizontal text needs no GSUB features; keeps the subset small
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, options)
    return buf.getvalue()


def woff_face_css(family: str, woff: bytes) -> str:
    """An ``@font-face`` rule naming ``family`` with ``woff`` embedded as a data URI."""
    data = base64.b64encode(woff).decode("ascii")
    return (f'@font-face {{ font-family: "{family}"; font-display: block; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')
