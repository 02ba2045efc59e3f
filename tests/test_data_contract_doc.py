"""docs/data-contract.md must name every table and column of hcp_lib.contract."""

from pathlib import Path

from hcp_lib.contract import TABLES

DOC = Path(__file__).resolve().parents[1] / "docs" / "data-contract.md"


def test_every_contract_column_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for table in TABLES.values():
        if f"`{table.name}`" not in text or table.title not in text:
            missing.append(table.name)
        for col in table.columns:
            row = f"| {col.header} | `{col.name}` |"
            if row not in text:
                missing.append(f"{table.name}.{col.name}")
            if col.personal and col.header not in text.split("## Personal data")[1]:
                missing.append(f"personal {col.header}")
    assert not missing, f"not in {DOC.name}: {missing}"
