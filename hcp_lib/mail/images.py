"""Charts re-encoded for mail: narrower, palette PNG (or JPEG), each under a size budget.

The print charts are 200 dpi RGBA PNGs of a few hundred KB; a message carrying several of
them is slow on a phone and near some servers' limits. Charts are flat colours on white, so an
adaptive palette keeps them sharp at a fraction of the size; JPEG is the fall-back when a
chart is too busy for the budget.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

PALETTES = (256, 128, 64, 32)
JPEG_QUALITIES = (85, 75, 65, 50)


@dataclass(frozen=True)
class MailImage:
    data: bytes
    subtype: str  # "png" or "jpeg"
    width: int
    height: int


def reencode(png: bytes, width: int, max_bytes: int) -> MailImage:
    """``png`` scaled down to ``width`` pixels (never up) and encoded to fit ``max_bytes``."""
    with Image.open(io.BytesIO(png)) as src:
        image = _on_white(src)
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)),
                             Image.Resampling.LANCZOS)
    best: MailImage | None = None
    for colours in PALETTES:
        data = _png(image.quantize(colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
        best = MailImage(data, "png", image.width, image.height)
        if len(data) <= max_bytes:
            return best
    for quality in JPEG_QUALITIES:
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=quality, optimize=True, progressive=True)
        best = MailImage(buf.getvalue(), "jpeg", image.width, image.height)
        if len(best.data) <= max_bytes:
            return best
    assert best is not None
    return best


def _on_white(image: Image.Image) -> Image.Image:
    """Transparency flattened onto white: mail clients in dark mode would show it black.

    The run's charts are stored opaque (RGB): they are taken as they are, which is what
    flattening them gives, pixel for pixel."""
    if image.mode == "RGB":
        return image.copy()
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()
