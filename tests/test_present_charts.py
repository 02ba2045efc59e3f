import io
import struct
import warnings

import pytest
from matplotlib.figure import Figure
from present_fixtures import make_bulletin

from hcp_lib.config import load_config
from hcp_lib.present.charts import CHARTS, png_bytes, render_chart
from hcp_lib.present.fonts import cjk_font_path, setup_fonts


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_cjk_font_ships_with_the_package():
    assert cjk_font_path().is_file()


def test_chinese_renders_without_missing_glyphs():
    """Any 'Glyph … missing from font' warning fails the test."""
    setup_fonts()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = Figure(figsize=(4, 2))
        ax = fig.add_subplot()
        ax.bar(["厦门市直", "思明区"], [-1, 2])  # a negative tick exercises the minus sign
        ax.set_title("政务服务“好差评”满意率（%）")
        png_bytes(fig, dpi=150)


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_renders_at_print_quality(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = render_chart(name, make_bulletin(), load_config())
    width, height = _png_size(data)
    assert width >= 8 * 150  # 8-inch-wide figures at ≥150 dpi


def test_png_bytes_draws_the_pixels_savefig_draws():
    """One Agg pass instead of savefig's two: the same image, stored as RGB when opaque."""
    import numpy as np
    from PIL import Image

    from hcp_lib.present.charts import DPI

    bulletin, config = make_bulletin(), load_config()
    fig = CHARTS["bad_reviews"][1](bulletin, config)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    again = CHARTS["bad_reviews"][1](bulletin, config)
    before = again.dpi
    ours = Image.open(io.BytesIO(png_bytes(again)))
    theirs = Image.open(io.BytesIO(buf.getvalue()))
    assert ours.mode == "RGB" and ours.info["dpi"] == pytest.approx((DPI, DPI), abs=0.01)
    assert np.array_equal(np.asarray(ours), np.asarray(theirs.convert("RGB")))
    assert again.dpi == before  # the figure's own dpi is left as it was


def test_a_transparent_figure_keeps_its_alpha():
    from PIL import Image

    fig = Figure(figsize=(2, 1))
    fig.patch.set_alpha(0)
    fig.add_subplot().plot([0, 1])
    assert Image.open(io.BytesIO(png_bytes(fig, dpi=50))).mode == "RGBA"
