"""Typed Parquet columns as the loader's cells, without turning every value into text.

A CSV export is text, so the loader validates text. A Parquet export is typed, and rendering
two million timestamps as text only to parse them back, or materialising a string per row for a
column of fifty units, is most of the time a batch takes. So, for Parquet only:

- a date-time column of the contract that Parquet stores as a timestamp or date stays typed,
  cut to whole seconds (what its text would have said); it cannot be malformed, and where it is
  shown (an example, a rejects file) it prints as ``YYYY-MM-DD HH:MM:SS``, as its text would;
- a few-valued text column is read as an Arrow dictionary and checked per distinct value, with
  its dictionary in order of first appearance, as ``dictionary_encode`` of its text would give;
- everything else becomes the text a CSV export would hold (``as_text``).

The validator and the reduction see the same values either way; tests/test_cells.py compares
a typed file with its CSV twin.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .contract import Column

TEMPORAL = ("datetime", "date")


def as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Typed Parquet columns as the text a CSV export would hold."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_timestamp(kind) and kind.tz:
        seconds = column.cast(pa.timestamp("s", tz=kind.tz), safe=False)
        return pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        # A plain cast prints "YYYY-MM-DD HH:MM:SS" and is ~25x faster than strftime.
        return column.cast(pa.timestamp("s"), safe=False).cast(pa.string())
    return column.cast(pa.string())


def stays_typed(kind: pa.DataType, col: Column) -> bool:
    """A naive timestamp or a date under a date-time column of the contract."""
    return col.dtype in TEMPORAL and (
        (pa.types.is_timestamp(kind) and not kind.tz) or pa.types.is_date(kind))


def is_text(kind: pa.DataType) -> bool:
    return (pa.types.is_string(kind) or pa.types.is_large_string(kind)
            or pa.types.is_string_view(kind))


def dictionary_columns(schema: pa.Schema, wanted: dict[str, bool]) -> list[str]:
    """Source text columns worth reading as dictionaries (``wanted``: name -> few-valued)."""
    return [name for name, few in wanted.items()
            if few and is_text(schema.field(name).type)]


def as_cells(column: pa.ChunkedArray, col: Column, few_valued: bool) -> pa.ChunkedArray:
    """One typed column as cells (see the module docstring)."""
    kind = column.type
    if stays_typed(kind, col):
        return column.cast(pa.timestamp("s"), safe=False)
    if few_valued and pa.types.is_dictionary(kind) and is_text(kind.value_type):
        return column.cast(pa.dictionary(pa.int32(), pa.string()))
    return as_text(column)


def finish_dictionary(chunk: pa.DictionaryArray) -> pa.DictionaryArray | None:
    """Empty cells as nulls, per distinct value; None when trimming would merge values."""
    values = chunk.dictionary
    trimmed = pc.utf8_trim_whitespace(values)
    if not pc.all(pc.equal(trimmed, values)).as_py():
        return None  # " 思明区" beside "思明区": let the text path trim and re-encode
    empty = pc.equal(values, "")
    if not pc.any(empty).as_py():
        return chunk
    indices = chunk.indices
    indices = pc.if_else(pc.take(empty, indices), pa.scalar(None, indices.type), indices)
    # The same indices, some made null: in range as the chunk's were (``safe`` would check
    # each row again; ``in_order_of_appearance`` checks the distinct ones).
    return pa.DictionaryArray.from_arrays(indices, values, safe=False)


def in_order_of_appearance(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """One dictionary for the whole column, holding only used values, in order of first use.

    That is what ``dictionary_encode`` gives for the column's text, so a category's place (and
    with it the order of the aggregates' rows) does not depend on how a writer built its
    dictionary pages. Writers usually build them in that order already: then nothing moves.
    """
    if column.num_chunks == 0:
        return column
    whole = column.unify_dictionaries() if column.num_chunks > 1 else column
    whole = whole.combine_chunks() if whole.num_chunks > 1 else whole.chunk(0)
    used = pc.unique(whole.indices).drop_null().cast(pa.int64())
    if len(used) and not 0 <= pc.min(used).as_py() <= pc.max(used).as_py() < len(whole.dictionary):
        raise pa.ArrowIndexError("dictionary index out of range")  # as a checked take says
    if len(used) == len(whole.dictionary) and (
            not len(used) or pc.all(pc.equal(used, pa.array(np.arange(len(used))))).as_py()):
        return pa.chunked_array([whole])
    remap = np.zeros(len(whole.dictionary), dtype=np.int32)
    remap[used.to_numpy()] = np.arange(len(used), dtype=np.int32)
    # Every index is one of ``used``, in range (above), and ``remap`` maps them below
    # len(used): checking each row's index again, twice, was a pass a column each time.
    indices = pc.take(pa.array(remap), whole.indices, boundscheck=False)
    return pa.chunked_array([pa.DictionaryArray.from_arrays(
        indices, whole.dictionary.take(used), safe=False)])
