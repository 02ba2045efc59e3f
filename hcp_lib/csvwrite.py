"""Rejected rows written as CSV by Arrow's string kernels, in the text ``DataFrame.to_csv``
writes.

A quarter exported twice sets aside every row of the second copy: two million rows, half a
gigabyte of CSV. pandas hands each field to Python's ``csv`` module (about 50 MB/s here);
these kernels build whole columns at once. The text is pandas' (minimal quoting, empty for a
missing value, ``os.linesep`` between rows, a UTF-8 byte-order mark at the start so that Excel
reads the file as UTF-8) with one difference: a field holding a carriage return is quoted too,
which Python 3.11's writer leaves bare and CSV readers then take for a line break.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrowtext import arrow_text

QUOTE_WHEN = '[,"\r\n]'
"""A field holding any of these is quoted (and its quotes doubled)."""
BOM = "\ufeff".encode()


SLICE_ROWS = 50_000
"""Rows made into CSV text at a time: a batch's rejected rows as lines would otherwise hold
its text twice over (0.3 GB for 500,000 rows) beside the batch."""


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def write_csv(frame: pd.DataFrame, path: Path, *, append: bool = False) -> None:
    """``frame`` as CSV at ``path``: a new file with its header, or appended rows."""
    with open(path, "ab" if append else "wb") as out:
        if not append:
            out.write(BOM + header_line(frame))
        for start in range(0, len(frame), SLICE_ROWS):
            out.write(csv_rows(frame.iloc[start:start + SLICE_ROWS]))


def header_line(frame: pd.DataFrame) -> bytes:
    names = pa.array([str(name) for name in frame.columns], pa.large_string())
    return (",".join(_quoted(names).to_pylist()) + os.linesep).encode()


def csv_rows(frame: pd.DataFrame) -> pa.Buffer | bytes:
    """Every row of ``frame`` as a CSV line, each ending with ``os.linesep``."""
    if not len(frame) or not frame.shape[1]:
        return os.linesep.encode() * len(frame)
    fields = [_quoted(field_text(frame.iloc[:, i])) for i in range(frame.shape[1])]
    lines = pc.binary_join_element_wise(*fields, _text(",")) if len(fields) > 1 else fields[0]
    lines = pc.binary_join_element_wise(lines, _text(os.linesep), _text(""))
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return lines.buffers()[2][first:last]


def field_text(values: pd.Series) -> pa.Array:
    """A column as the text ``to_csv`` writes for it: missing values empty."""
    dtype = values.dtype
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_extension_array_dtype(dtype):
        text = pa.array(values.to_numpy()).cast(pa.large_string())
    elif (found := arrow_text(values)) is not None:
        text = found.cast(pa.large_string())
    else:
        text = _stringified(values)
    return pc.fill_null(text, "")


def _stringified(values: pd.Series) -> pa.Array:
    """Python's ``str`` of each value, as the ``csv`` module writes them (booleans, floats,
    objects of any kind); missing values null."""
    missing = values.isna().to_numpy()
    return pa.array([None if m else str(v) for v, m in zip(values.to_numpy(dtype=object),
                                                           missing, strict=True)],
                    pa.large_string())


def _quoted(text: pa.Array) -> pa.Array:
    needs = pc.match_substring_regex(text, QUOTE_WHEN)
    if not pc.any(needs).as_py():
        return text
    doubled = pc.replace_substring(text, '"', '""')
    wrapped = pc.binary_join_element_wise(_text('"'), doubled, _text('"'), _text(""))
    return pc.if_else(needs, wrapped, text)
