"""A CJK font for matplotlib that works on a fresh machine, with no system fonts installed.

The ``mplfonts`` package ships Noto Sans CJK SC (SIL OFL); registering the file directly
avoids depending on fontconfig, a font cache or anything downloaded at run time.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"


def cjk_font_path() -> Path:
    """The bundled Noto Sans CJK SC file inside the installed ``mplfonts`` package."""
    import mplfonts

    path = Path(mplfonts.__file__).resolve().parent / "fonts" / CJK_FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"CJK font not found: {path} (is mplfonts installed?)")
    return path


@cache
def setup_fonts() -> str:
    """Register the CJK font and make it matplotlib's default; returns the family name."""
    import matplotlib
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font lacks U+2212
    return family
