"""The HTML's embedded fonts: cut to the page's characters, each drawn as the whole font draws it."""

from __future__ import annotations

import io
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont

from hcp_lib.documents.fonts import fallback_face, subset_woff, subset_woffs, woff_bytes

# A page's kind of text: Chinese with full-width punctuation, digits, Latin, a percent sign.
TEXT = "厦门市行政审批管理局政务服务“好差评”通报：满意率99.87%，同比↑0.5个百分点（2022年第2期）ABC"


@pytest.fixture(scope="module", params=["body", "heading"])
def face_path(request) -> Path:
    """Noto Serif CJK (CFF outlines) and SimHei (TrueType outlines), as shipped."""
    return fallback_face(request.param).path


@cache
def _whole(path: Path) -> TTFont:
    return TTFont(str(path), lazy=True)


def _outline(font: TTFont, char: str) -> tuple[list, int]:
    """The glyph ``char`` maps to: its drawing (components resolved) and its advance."""
    name = font.getBestCmap()[ord(char)]
    glyphs = font.getGlyphSet()
    pen = DecomposingRecordingPen(glyphs)
    glyphs[name].draw(pen)
    return pen.value, font["hmtx"][name][0]


def test_every_character_is_drawn_as_the_whole_font_draws_it(face_path):
    cut = TTFont(io.BytesIO(woff_bytes(face_path, TEXT)))
    whole = _whole(face_path)
    assert cut.flavor == "woff"
    present = {c for c in set(TEXT) if ord(c) in whole.getBestCmap()}
    assert present, "the font covers none of the text"
    assert {ord(c) for c in present} <= set(cut.getBestCmap())
    for char in sorted(present):
        assert _outline(cut, char) == _outline(whole, char), char
    # only what the page needs: a handful of glyphs out of tens of thousands
    assert len(cut.getGlyphOrder()) <= len(set(TEXT)) + 1 < len(whole.getGlyphOrder())
    # the family's name stays, so the stylesheet's font is the one cut
    assert cut["name"].getBestFamilyName() == whole["name"].getBestFamilyName()


def test_the_same_characters_give_the_same_bytes_in_another_process(face_path):
    """No timestamp or other state in the bytes: a re-run's HTML is the same file."""
    here = woff_bytes(face_path, TEXT)
    code = ("import sys; from pathlib import Path; from hcp_lib.documents.fonts import woff_bytes; "
            "sys.stdout.buffer.write(woff_bytes(Path(sys.argv[1]), sys.argv[2]))")
    there = subprocess.run([sys.executable, "-c", code, str(face_path), TEXT],
                           capture_output=True, check=True).stdout
    assert there == here


def test_subsets_are_kept_in_the_cache_and_read_back(tmp_path):
    faces = [fallback_face("heading").path, fallback_face("body").path]
    cache_dir = tmp_path / "fonts"
    first = subset_woffs(faces, TEXT, cache_dir)
    kept = sorted(cache_dir.glob("*.woff"))
    assert len(kept) == 2
    assert sorted(p.read_bytes() for p in kept) == sorted(first)
    # read back, not cut again: a kept file is what a later run embeds
    kept[0].write_bytes(b"kept")
    again = subset_woffs(faces, TEXT, cache_dir)
    assert b"kept" in again and len(again) == 2
    assert subset_woff(faces[0], "厦", None) != subset_woff(faces[0], "门", None)


def test_a_file_that_is_not_a_font_is_named(tmp_path):
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"not a font")
    with pytest.raises(ValueError, match="broken.ttf"):
        woff_bytes(bad, TEXT)


def test_the_woff_is_what_fonttools_saves_of_harfbuzz_cut(face_path):
    """The tables are copied as HarfBuzz cut them, in fontTools' order, checksums and all:
    saving the decoded font again with fontTools gives the very same bytes."""
    woff = woff_bytes(face_path, TEXT)
    font = TTFont(io.BytesIO(woff), recalcBBoxes=False, recalcTimestamp=False,
                  checkChecksums=2)  # a table whose checksum is wrong raises
    again = io.BytesIO()
    font.save(again)
    assert again.getvalue() == woff
