"""Personal data never leaves the parser: planted in every personal column of every format.

Fake names, mobile numbers and 18-digit ID numbers go into 评价人, 联系方式 and 评价内容 of a
UTF-8 CSV, a GB18030 continuation file without a header, a workbook with a continuation sheet
without a header, a Parquet file and a ragged CSV line; a quarantine run then publishes, and
every output is searched: the terminal, ``validate --json``, run.log, manifest.json, the
bulletin JSON, the workbook unzipped, the Parquet caches and the rejects file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from catalogue import QUARTER, Workspace, invoke
from test_catalogue_inputs import eval_rows, write_csv, write_xlsx

from hcp_lib.exitcodes import OK

NAMES = ("欧阳测试甲", "司马测试乙")
MOBILES = ("13987650001", "15912340002")
ID_NUMBERS = ("350203199001011234", "35020319851231567X")
PLANTED = (*NAMES, *MOBILES, *ID_NUMBERS)
MASKED = ("139****0001", "159****0002", "350203***********4")


def _plant(rows: list[list[str]], start: int, stop: int) -> None:
    """Every personal column of rows [start, stop) holds a name, a mobile and an ID number."""
    header = rows[0]
    for i in range(start, stop):
        k = i % 2
        rows[i][header.index("评价人")] = NAMES[k]
        rows[i][header.index("联系方式")] = MOBILES[k]
        rows[i][header.index("评价内容")] = f"{NAMES[k]} 身份证{ID_NUMBERS[k]} 电话{MOBILES[k]}"


def _split_every_way(folder: Path) -> int:
    """The evaluations over five files and six sheets, planted everywhere; returns the ragged line."""
    rows = eval_rows(folder)
    header, body = rows[0], rows[1:]
    for lo in range(0, len(body), 1000):
        _plant(rows, 1 + lo, 1 + min(lo + 5, len(body)))
    (folder / "评价明细.parquet").unlink()
    parts = [body[:2000], body[2000:4000], body[4000:6000], body[6000:8000], body[8000:]]
    ragged = [*parts[0][10], MOBILES[0], ID_NUMBERS[0]]
    write_csv(folder / "评价明细_1.csv", [header, *parts[0][:10], ragged, *parts[0][10:]])
    write_csv(folder / "评价明细_2.csv", parts[1], "gb18030")  # a continuation, no header
    write_xlsx(folder / "评价明细_3.xlsx", {"Sheet1": [header, *parts[2][:1000]],
                                            "Sheet2": parts[2][1000:]})
    frame = pd.DataFrame(parts[3], columns=header)
    frame.to_parquet(folder / "评价明细_4.parquet", index=False)
    write_csv(folder / "评价明细_5.csv", [header, *parts[4]], "utf-8-sig")
    return 12


def _texts(root: Path, skip: Path) -> dict[str, str]:
    """Every file a run or a validation wrote under ``root``, as searchable text."""
    out: dict[str, str] = {}
    for path in root.rglob("*"):
        if not path.is_file() or skip in path.parents:
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    out[f"{path}!{member}"] = book.read(member).decode("utf-8", "replace")
        elif path.suffix == ".parquet":
            frame = pq.read_table(path).to_pandas()
            out[str(path)] = frame.astype(str).to_csv() + " ".join(map(str, frame.columns))
        else:
            out[str(path)] = path.read_bytes().decode("utf-8", "replace")
    return out


def test_personal_data_reaches_no_output(workspace: Workspace) -> None:
    ragged_line = _split_every_way(workspace.quarter_dir)
    planted = _texts(workspace.data, workspace.root / "none")  # the search sees every format
    for suffix in ("_1.csv", "_3.xlsx", "_4.parquet", "_5.csv"):
        text = "".join(t for k, t in planted.items() if suffix in k)
        assert all(value in text for value in PLANTED), suffix
    json_report = workspace.root / "validate.json"
    checked = invoke("validate", QUARTER, "--data", workspace.data, "--mode", "quarantine",
                     "--json", json_report, "--rejects", workspace.root / "rejects")
    assert checked.code == OK, checked.output
    assert "no header row" in checked.output
    assert f"行{ragged_line}" in checked.output and "expected 14 fields, found 16" in checked.output
    ran = invoke("run", QUARTER, "--data", workspace.data, "--out", workspace.report,
                 "--date", "2022-07-26", "--mode", "quarantine", "--quiet",
                 "--cache", workspace.root / "cache")
    assert ran.code == OK, ran.output
    outputs = {"terminal (validate)": checked.output, "terminal (run)": ran.output,
               **_texts(workspace.root, workspace.data)}
    assert any("manifest.json" in k for k in outputs) and any("cache" in k for k in outputs)
    assert any(k.endswith("evaluations_rejects.csv") for k in outputs)
    leaks = {(where, value) for where, text in outputs.items() for value in (*PLANTED, *MASKED)
             if value in text}
    assert not leaks, sorted(leaks)
