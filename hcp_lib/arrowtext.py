"""A pandas column of text as an Arrow string array, without a Python string per cell.

pandas keeps text in Arrow already (its ``str`` dtype) and few-valued columns as categoricals
of text; the rejects' reasons and files are built with Arrow's string kernels from those.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa


def arrow_text(values: pd.Series) -> pa.Array | None:
    """``values`` as Arrow text (nulls where missing); None when they are not all text."""
    if not (isinstance(values.dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(values.dtype)):
        return None
    try:
        text = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # objects that are not all text
        return None
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if pa.types.is_dictionary(text.type):
        text = text.cast(text.type.value_type)
    if pa.types.is_string_view(text.type):
        text = text.cast(pa.string())
    if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
        return None
    return text
