"""The HTML copies: the executed notebook exported once per copy, fonts embedded as subsets.

A copy keeps the cells tagged with its sections (``section-<name>``) and drops the rest, so
the leadership copy never carries 附表, 附图, 数据说明 or the reconciliation. Each role's font
(body, title, heading) is embedded, cut to the characters the notebook shows, under the
names the stylesheet falls back to (hcp-body, hcp-title, hcp-heading), after the official
fonts a reader's machine may have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape
from pathlib import Path
from typing import Any

from ..present.html import export_html, read_notebook
from .fonts import find_face, subset_woffs, used_characters, woff_face_css
from .settings import CopySettings, FontSettings, Section

SECTION_TAG = "section-"
_TAGS = re.compile(r"<[^>]+>")
_DATA_URI = re.compile(r"data:[^\"')]+")


def notebook_text(notebook: str | Path | Any) -> str:
    """The text every output of the executed notebook (a path or a read notebook) shows, for
    the font subset."""
    nb = read_notebook(notebook)
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            texts.append(unescape(_TAGS.sub(" ", _DATA_URI.sub("", html))))
    return "".join(texts)


def fonts_css(text: str, fonts: FontSettings, cache_dir: Path | None = None) -> str:
    """``@font-face`` rules for the three roles, each cut to the characters of ``text``."""
    chars = used_characters(text, "— 0123456789")
    families: list[str] = []
    faces: list[Path] = []
    for role, names in (("body", fonts.body), ("title", fonts.title), ("heading", fonts.heading)):
        face = find_face(names, role)
        if face.path in faces:  # the same file as the body's: the stylesheet falls back to hcp-body
            continue
        families.append(f"hcp-{role}")
        faces.append(face.path)
    woffs = subset_woffs(faces, chars, cache_dir)
    return "\n".join(woff_face_css(family, woff) for family, woff in zip(families, woffs, strict=True))


def removed_tags(copy: CopySettings, all_sections: Iterable[Section]) -> set[str]:
    """The cell tags a copy leaves out: every section it does not list."""
    return {SECTION_TAG + s for s in all_sections if s not in copy.sections}


def export_copy(notebook: str | Path | Any, target: str | Path, title: str, copy: CopySettings,
                all_sections: Iterable[Section], font_css: str) -> Path:
    """One HTML copy of the executed ``notebook`` (a path or a read notebook) at ``target``."""
    return export_html(notebook, target, title, removed_tags(copy, all_sections), font_css)
