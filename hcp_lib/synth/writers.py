"""Writing files: Parquet for the big tables (pyarrow), one-sheet XLSX for the ledgers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

FIXED_CREATED = datetime(2022, 7, 26, 9, 0, 0)
HIGH_CARDINALITY = {"评价编号", "办件编号", "评价时间", "汇聚时间", "办结时间", "评价人"}


def write_parquet(columns: dict[str, pa.Array], path: Path) -> Path:
    table = pa.table(columns)
    # dictionary pages for the low-cardinality columns only (ids and times are near-unique)
    low = [name for name, arr in columns.items()
           if pa.types.is_dictionary(arr.type) or
           (pa.types.is_string(arr.type) and name not in HIGH_CARDINALITY)]
    # no Arrow schema in the file: dictionary columns read back as plain strings
    pq.write_table(table, path, compression="zstd", compression_level=1, row_group_size=1 << 20,
                   use_dictionary=low, write_statistics=True, store_schema=False)
    return path


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str, text_columns: tuple[str, ...] = ()) -> Path:
    """One sheet, Chinese headers, ids kept as text; fixed document properties so the bytes
    depend on the content only."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"created": FIXED_CREATED, "author": "hcp synthetic data", "title": sheet})
    ws = wb.add_worksheet(sheet)
    head = wb.add_format({"bold": True})
    for j, col in enumerate(frame.columns):
        ws.write_string(0, j, str(col), head)
        ws.set_column(j, j, max(10, min(40, 2 * len(str(col)) + 4)))
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            col = frame.columns[j]
            if value is None or (isinstance(value, float) and value != value) or value == "":
                continue
            if col in text_columns or isinstance(value, str):
                ws.write_string(i, j, str(value))
            elif isinstance(value, datetime | pd.Timestamp):
                ws.write_string(i, j, pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S"))
            else:
                ws.write_number(i, j, float(value))
    wb.close()
    return path
