"""Fonts for the documents: the official ones when installed, else the shipped Noto CJK.

公文 use 仿宋_GB2312 for the body and 方正小标宋 for the title. Offices have them; a fresh
machine does not, so every family falls back to the Noto Sans CJK SC file that ``mplfonts``
ships (the charts' font). ``subset_woff`` cuts a font to the characters a page uses, so the
HTML can embed it and a machine without CJK fonts still shows the text. HarfBuzz's subsetter
cuts (a few milliseconds for the 23 MB Noto file, where fontTools' pure-Python one took
0.7 s of a run's tail); fontTools wraps the cut as WOFF.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..present.fonts import cjk_font_path

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


CUTTER = "harfbuzz"
"""Part of a kept subset's key: a cut by another subsetter is other bytes."""


def subset_woff(path: Path, characters: str, cache_dir: Path | None = None) -> bytes:
    """``path`` cut to ``characters`` as WOFF, kept in ``cache_dir`` when given (a re-run
    reads the very bytes back, keyed by the font file and the characters)."""
    return subset_woffs([path], characters, cache_dir)[0]


def subset_woffs(paths: list[Path], characters: str, cache_dir: Path | None = None
                 ) -> list[bytes]:
    """Each of ``paths`` cut to ``characters`` (as ``subset_woff``)."""
    out = []
    for path in paths:
        kept = _cache_file(path, characters, cache_dir)
        if kept is not None and kept.is_file():
            out.append(kept.read_bytes())
            continue
        data = _subset_woff(path, characters)
        _keep(kept, data)
        out.append(data)
    return out


def _cache_file(path: Path, characters: str, cache_dir: Path | None) -> Path | None:
    if cache_dir is None:
        return None
    stat = path.stat()
    key = hashlib.sha256(
        f"{CUTTER}|{path}|{stat.st_size}|{stat.st_mtime_ns}|{characters}".encode()).hexdigest()
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
    """``path`` (its first face) cut to ``characters`` as WOFF (zlib; no extra compressor).

    Every character's glyph keeps its outline and advance; hinting and layout features go
    (horizontal text needs neither), every name record stays. The bytes depend on the font
    and the characters alone: the timestamp in ``head`` is the font's own."""
    import uharfbuzz as hb
    from fontTools.ttLib.sfnt import SFNTReader, SFNTWriter
    from fontTools.ttLib.ttFont import sortedTagList

    wanted = hb.SubsetInput()
    wanted.unicode_set.update(ord(c) for c in characters)
    wanted.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    wanted.layout_feature_tag_set.clear()
    wanted.name_id_set.add_range(0, 0x7FFF)  # every name record (HarfBuzz keeps 0-6)
    try:
        cut = hb.subset(hb.Face(hb.Blob.from_file_path(str(path))), wanted)
    except RuntimeError as exc:  # not a font HarfBuzz can read, or no glyphs in it
        raise ValueError(f"cannot cut the font {path} to the page's characters: {exc}") from exc
    # The tables are copied as HarfBuzz wrote them, in the order fontTools' own save writes
    # them: the same bytes as ``TTFont.save``, without importing and building the table
    # classes it consults (0.05 s of the run's last step).
    source = SFNTReader(io.BytesIO(cut.blob.data))
    tags = sortedTagList(list(source.keys()))
    buf = io.BytesIO()
    woff = SFNTWriter(buf, len(tags), source.sfntVersion, flavor="woff")
    for tag in tags:
        woff[tag] = source[tag]
    woff.close()
    return buf.getvalue()


def woff_face_css(family: str, woff: bytes) -> str:
    """An ``@font-face`` rule naming ``family`` with ``woff`` embedded as a data URI."""
    data = base64.b64encode(woff).decode("ascii")
    return (f'@font-face {{ font-family: "{family}"; font-display: block; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')
