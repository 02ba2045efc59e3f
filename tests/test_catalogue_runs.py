"""The catalogue, for runs: paths, disk faults, kills, locks, cache, configuration, gates,
plausibility and exit codes. Each refused case checks the whole promise (catalogue.py): the
exit code, one message without a traceback, the inputs and the previous report unchanged."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from catalogue import ISSUE_DATE, QUARTER, Workspace, invoke, write_config
from nbformat.v4 import new_code_cell, new_notebook

from hcp_lib.config import DEFAULT_CONFIG
from hcp_lib.contract import LEVELS
from hcp_lib.exitcodes import ERROR, INVALID_INPUT, OK, USAGE

ROOT = Path(__file__).resolve().parents[1]
EVALS = "评价明细.parquet"
CASES = "办件明细.parquet"
REGISTRY = ROOT / "data" / "reference" / "units.csv"


# -- arranging a fault ----------------------------------------------------------------------------
def rewrite(path: Path, change: Callable[[pa.Table], pa.Table]) -> None:
    pq.write_table(change(pq.read_table(path)), path)


def set_levels(table: pa.Table, rows: int, value: str) -> pa.Table:
    """The first ``rows`` evaluations get the level ``value`` (not a level: rejected)."""
    levels = table.column("评价等级").to_pylist()
    levels[:rows] = [value] * rows
    return table.set_column(table.schema.get_field_index("评价等级"), "评价等级",
                            pa.array(levels, pa.string()))


def as_codes(table: pa.Table) -> pa.Table:
    """Levels written as the provincial interface's codes (5 = 非常满意)."""
    codes = {label: str(5 - i) for i, label in enumerate(LEVELS)}
    levels = [codes[v] for v in table.column("评价等级").to_pylist()]
    return table.set_column(table.schema.get_field_index("评价等级"), "评价等级",
                            pa.array(levels, pa.string()))


def config_file(ws: Workspace, text: str | bytes) -> Path:
    path = ws.root / "city.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def registry_with(ws: Workspace, extra: str) -> Path:
    path = ws.root / "units.csv"
    path.write_text(REGISTRY.read_text(encoding="utf-8").rstrip("\n") + "\n" + extra + "\n",
                    encoding="utf-8")
    return write_config(ws.root / "city.yaml", {"city": {"registry": str(path)}})


def first_registry_row() -> str:
    return REGISTRY.read_text(encoding="utf-8").splitlines()[1]


def fail_with(exc: BaseException) -> Callable[..., None]:
    def raiser(*args: object, **kwargs: object) -> None:
        raise exc
    return raiser


@dataclass(frozen=True)
class Case:
    """One kind of bad input or fault: arrange it, run a command, expect code and message."""

    kind: str
    arrange: Callable[[Workspace, pytest.MonkeyPatch], list[str | Path]]
    code: int
    message: str


def run(*extra: str | Path, quarter: str = QUARTER) -> list[str | Path]:
    """Arguments for Workspace.run (the command is filled in by the test)."""
    return ["run", quarter, *extra]


CASES_REFUSED = [
    # --out: never the inputs, the reports root, someone's folder, another quarter's report
    Case("out is the data folder", lambda ws, mp: run("--out", ws.data), USAGE,
         r"is the input data folder"),
    Case("out inside the data folder", lambda ws, mp: run("--out", ws.quarter_dir), USAGE,
         r"inside the input data folder"),
    Case("out above the data folder", lambda ws, mp: run("--out", ws.root), USAGE,
         r"holds the input data folder"),
    Case("out is the reports root", lambda ws, mp: run("--out", ws.reports), USAGE,
         r"holds other quarters' reports"),
    Case("out is a folder of other files",
         lambda ws, mp: ((ws.root / "mine").mkdir(), (ws.root / "mine" / "notes.txt")
                         .write_text("keep me"), run("--out", ws.root / "mine"))[-1],
         USAGE, r"folder of other files"),
    Case("out holds another quarter's report",
         lambda ws, mp: run("--out", ws.report, quarter="2022Q1"), USAGE,
         r"holds the report of 2022Q2, not 2022Q1"),
    Case("out under a file",
         lambda ws, mp: ((ws.root / "afile").write_text("x"),
                         run("--out", ws.root / "afile" / QUARTER))[-1],
         USAGE, r"is a file, not a folder"),
    # --data
    Case("data without the quarter's folder",
         lambda ws, mp: ((ws.root / "empty").mkdir(), run("--data", ws.root / "empty"))[-1],
         USAGE, r"no folder for 2022Q2 in it"),
    Case("data folder missing", lambda ws, mp: run("--data", ws.root / "nope"), USAGE,
         r"no such folder"),
    # the disk
    Case("read-only report folder",
         lambda ws, mp: (mp.setattr("hcp_lib.run.tempfile.mkdtemp", fail_with(OSError(
             errno.EROFS, "Read-only file system", str(ws.reports)))), run())[-1],
         ERROR, r"cannot write .*Read-only file system"),
    Case("full disk",
         lambda ws, mp: (mp.setattr("hcp_lib.present.io.save_bulletin", fail_with(OSError(
             errno.ENOSPC, "No space left on device", "bulletin.json"))), run())[-1],
         ERROR, r"the disk is full"),
    Case("unexpected error",
         lambda ws, mp: (mp.setattr("hcp_lib.pipeline.compute",
                                    fail_with(RuntimeError("boom"))), run())[-1],
         ERROR, r"unexpected error: RuntimeError: boom \(the traceback is in run.log\)"),
    # the configuration and the unit registry
    Case("empty configuration", lambda ws, mp: run("--config", config_file(ws, "")), USAGE,
         r"expected a mapping .* found empty"),
    Case("list-shaped configuration",
         lambda ws, mp: run("--config", config_file(ws, "- city\n- numbering\n")), USAGE,
         r"found a list"),
    Case("configuration without city",
         lambda ws, mp: run("--config", config_file(ws, "numbering:\n  first_quarter: 2020Q1\n")),
         USAGE, r"city section is missing"),
    Case("GB18030 configuration",
         lambda ws, mp: run("--config", config_file(
             ws, DEFAULT_CONFIG.read_text(encoding="utf-8").encode("gb18030"))),
         USAGE, r"not UTF-8 text"),
    Case("registry missing",
         lambda ws, mp: run("--config", write_config(
             ws.root / "city.yaml", {"city": {"registry": str(ws.root / "none.csv")}})),
         USAGE, r"unit registry .*none.csv"),
    Case("registry with a duplicate unit",
         lambda ws, mp: run("--config", registry_with(ws, first_registry_row())), USAGE,
         r"duplicate unit"),
    Case("registry with an unknown parent",
         lambda ws, mp: run("--config", registry_with(
             ws, "新单位,厦门市新单位,,市直部门,不存在的上级,,350200,true")),
         USAGE, r"refers to unknown '不存在的上级'"),
    # completeness gates
    Case("header-only evaluations",
         lambda ws, mp: (rewrite(ws.quarter_dir / EVALS, lambda t: t.slice(0, 0)), run())[-1],
         INVALID_INPUT, r"评价明细：没有可用的记录"),
    Case("a month missing",
         lambda ws, mp: (rewrite(ws.quarter_dir / EVALS, lambda t: t.filter(
             pc.not_equal(pc.month(t.column("评价时间")), 6))), run())[-1],
         INVALID_INPUT, r"评价明细缺少2022年6月的记录"),
    Case("a quarter of 26 days (2022Q3)", lambda ws, mp: run(quarter="2022Q3"), INVALID_INPUT,
         r"评价明细缺少2022年8月、2022年9月的记录.*\n.*办件明细缺少2022年8月、2022年9月"),
    Case("a day missing (coverage: day)",
         lambda ws, mp: (rewrite(ws.quarter_dir / EVALS, lambda t: t.filter(pc.invert(pc.and_(
             pc.equal(pc.month(t.column("评价时间")), 5),
             pc.equal(pc.day(t.column("评价时间")), 17))))),
             run("--config", write_config(ws.root / "c.yaml", {"gates": {"coverage": "day"}})))[-1],
         INVALID_INPUT, r"评价明细缺少2022-05-17的记录"),
    Case("required ledger missing",
         lambda ws, mp: ((ws.quarter_dir / "第三方评估.xlsx").unlink(),
                         run("--config", write_config(ws.root / "c.yaml", {
                             "gates": {"required_ledgers": ["survey"]}})))[-1],
         INVALID_INPUT, r"第三方评估：没有文件"),
    Case("quarantine above the rejected ceiling",
         lambda ws, mp: (rewrite(ws.quarter_dir / EVALS, lambda t: set_levels(t, 100, "???")),
                         run("--mode", "quarantine"))[-1],
         INVALID_INPUT, r"100 / 9,871 行未通过校验.*max_rejected_share"),
    Case("quarantine with a required column missing",
         lambda ws, mp: (rewrite(ws.quarter_dir / EVALS, lambda t: t.drop_columns(["评价等级"])),
                         run("--mode", "quarantine"))[-1],
         INVALID_INPUT, r"评价明细：没有可用的记录"),
    # plausibility
    Case("level codes read in the opposite direction",
         lambda ws, mp: (rewrite(ws.quarter_dir / EVALS, as_codes),
                         run("--config", write_config(ws.root / "c.yaml", {
                             "input": {"level_codes": "ascending"}})))[-1],
         INVALID_INPUT, r"\[level_direction\] 非常满意和满意的占比从上季度的\d+\.\d\d%降到0\.\d\d%.*input.level_codes"),
    Case("a twentieth of the evaluations",
         lambda ws, mp: (rewrite(ws.quarter_dir / EVALS, lambda t: t.take(
             list(range(0, t.num_rows, 20)))), run())[-1],
         INVALID_INPUT, r"\[volume\] 评价总数从上季度"),
    # the same fault, the same exit code, whichever command meets it
    Case("malformed quarter (run)", lambda ws, mp: run(quarter="2022Q5"), USAGE,
         r"not a quarter"),
    Case("malformed quarter (validate)",
         lambda ws, mp: ["validate", "2022Q5", "--data", ws.data], USAGE, r"not a quarter"),
    Case("malformed quarter (reconcile)",
         lambda ws, mp: ["reconcile", "2022Q5", "--data", ws.data, "--no-cache"], USAGE,
         r"not a quarter"),
    Case("invalid input (reconcile)",
         lambda ws, mp: (rewrite(ws.quarter_dir / EVALS, lambda t: set_levels(t, 2, "???")),
                         ["reconcile", QUARTER, "--data", ws.data, "--no-cache"])[-1],
         INVALID_INPUT, r"the inputs are invalid"),
    Case("invalid previous quarter (validate names it)",
         lambda ws, mp: (rewrite(ws.data / "2022Q1" / EVALS, lambda t: set_levels(t, 2, "???")),
                         ["validate", QUARTER, "--data", ws.data])[-1],
         INVALID_INPUT, r"problems in 2022Q1"),
    Case("invalid previous quarter (run)",
         lambda ws, mp: (rewrite(ws.data / "2022Q1" / EVALS, lambda t: set_levels(t, 2, "???")),
                         run())[-1],
         INVALID_INPUT, r"2022Q1"),
    Case("demo into a file",
         lambda ws, mp: ((ws.root / "afile").write_text("x"),
                         mp.setenv("HCP_LOG_DIR", str(ws.root / "logs")),
                         ["demo", "--out", ws.root / "afile" / "raw", "--scale", "0.001",
                          "--no-check"])[-1],
         ERROR, r"^hcp demo: .*afile.*\(details in .*hcp-errors.log\)"),
    Case("corrupt --bulletin",
         lambda ws, mp: ((ws.root / "b.json").write_text("{not json"),
                         run("--bulletin", ws.root / "b.json"))[-1],
         INVALID_INPUT, r"not a saved bulletin \(not valid JSON"),
    Case("a pickled --bulletin",
         lambda ws, mp: ((ws.root / "b.pkl").write_bytes(b"\x80\x05\x95cos\nsystem\n"),
                         run("--bulletin", ws.root / "b.pkl"))[-1],
         INVALID_INPUT, r"not a saved bulletin"),
]


@pytest.mark.parametrize("case", CASES_REFUSED, ids=[c.kind for c in CASES_REFUSED])
def test_refused(case: Case, workspace: Workspace, monkeypatch: pytest.MonkeyPatch):
    argv = case.arrange(workspace, monkeypatch)
    before = workspace.state()
    is_run = argv[0] == "run"
    done = workspace.run(*argv[2:], quarter=str(argv[1])) if is_run else invoke(*argv)
    workspace.assert_refused(done, case.code, case.message, before)
    assert "Traceback" not in done.output


def test_unexpected_errors_leave_their_traceback_in_the_log(workspace, monkeypatch):
    monkeypatch.setattr("hcp_lib.pipeline.compute", fail_with(RuntimeError("boom")))
    done = workspace.run()
    assert done.code == ERROR and "Traceback" not in done.output
    log = (workspace.reports / f"{QUARTER}.failed" / "run.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "RuntimeError: boom" in log


def test_a_crash_in_any_command_is_one_line_and_a_logged_traceback(workspace, monkeypatch,
                                                                   tmp_path):
    monkeypatch.setenv("HCP_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr("hcp_lib.load.load_quarter", fail_with(KeyError("evaluated_at")))
    monkeypatch.setattr("hcp_lib.stream.stream_quarter", fail_with(KeyError("evaluated_at")))
    done = invoke("validate", QUARTER, "--data", workspace.data)
    assert done.code == ERROR and "Traceback" not in done.output
    assert done.stderr.count("\n") == 1 and "KeyError" in done.stderr
    assert "Traceback" in (tmp_path / "logs" / "hcp-errors.log").read_text(encoding="utf-8")


def test_a_quarter_folder_as_data_means_its_parent(workspace):
    from hcp_lib.run import check_options

    opts = check_options(QUARTER, data_dir=workspace.quarter_dir,
                         out_dir=workspace.root / "out" / QUARTER)
    assert opts.data_dir == workspace.data.resolve()
    done = invoke("validate", QUARTER, "--data", workspace.quarter_dir)
    assert done.code == OK, done.output
    assert "== 2022Q3" in done.stdout and "== 2022Q1" in done.stdout  # the quarters run loads


# -- runs that publish: a trivial notebook keeps them quick -------------------------------------
@pytest.fixture
def quick_notebook(tmp_path) -> Path:
    cells = [new_code_cell('quarter = "2022Q2"', metadata={"tags": ["parameters"]}),
             new_code_cell("print(quarter)")]
    path = tmp_path / "quick.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_allow_partial_publishes_marked_provisional(workspace, quick_notebook):
    before = workspace.state()["data"]
    done = workspace.run("--allow-partial", "--notebook", quick_notebook, quarter="2022Q3")
    assert done.code == OK, done.output
    made = manifest(workspace.reports / "2022Q3")
    assert made["status"] == made["inputs"]["status"] == "provisional"
    assert any("2022年8月、2022年9月" in n for n in made["inputs"]["notices"])
    assert any("第三方评估" in n for n in made["inputs"]["notices"])  # an optional ledger
    assert made["parameters"]["allow_partial"] is True
    assert workspace.state()["data"] == before


def test_quarantine_under_the_ceiling_publishes_rejects_beside_the_report(workspace,
                                                                         quick_notebook):
    rewrite(workspace.quarter_dir / EVALS, lambda t: set_levels(t, 3, "???"))
    (workspace.quarter_dir / "红旗窗口.xlsx").unlink()
    done = workspace.run("--mode", "quarantine", "--notebook", quick_notebook)
    assert done.code == OK, done.output
    made = manifest(workspace.report)
    assert made["status"] == "complete"
    notices = made["inputs"]["notices"]
    assert any("评价明细共读取 9,871 行，其中 3 行未通过校验" in n for n in notices), notices
    assert any("红旗窗口" in n for n in notices), notices
    evaluations = next(t for t in made["inputs"]["tables"]
                       if t["quarter"] == QUARTER and t["table"] == "evaluations")
    assert (evaluations["read"], evaluations["accepted"], evaluations["rejected"]) == (
        9871, 9868, 3)  # every row accounted for
    assert made["inputs"]["rejected"] == 3
    rejects = workspace.report / "rejects" / QUARTER / "evaluations_rejects.csv"
    assert made["inputs"]["rejects"] == [str(rejects.relative_to(workspace.report))]
    import pandas as pd

    frame = pd.read_csv(rejects, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(frame) == 3
    assert set(frame["评价人"]) == {""} and set(frame["联系方式"]) == {""}


# -- killed runs, locks, the cache --------------------------------------------------------------
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_a_killed_run_is_cleaned_up_by_the_next(how, workspace, quick_notebook, tmp_path):
    slow = tmp_path / "slow.ipynb"
    nbformat.write(new_notebook(cells=[
        new_code_cell('quarter = "2022Q2"', metadata={"tags": ["parameters"]}),
        new_code_cell("import time; time.sleep(120)")]), slow)
    before = workspace.state()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hcp_lib.cli", "run", QUARTER, "--data", str(workspace.data),
         "--out", str(workspace.report), "--date", ISSUE_DATE, "--no-cache", "--quiet",
         "--notebook", str(slow)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        builds: list[Path] = []
        while time.monotonic() < deadline:
            builds = [p for p in workspace.reports.glob(f".{QUARTER}.building-*")
                      if (p / "bulletin.json").is_file()]
            if builds:
                break
            time.sleep(0.2)
        assert builds, "the run never reached its build folder"
        if how == "SIGKILL":  # the run and its kernel, as an OOM killer would
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # a scheduler's stop: the run unwinds and keeps its build as .failed
            proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert workspace.state()["reports"] != before["reports"]  # the leftover is there
    assert workspace.state()["data"] == before["data"]
    if how == "SIGTERM":
        assert proc.returncode != 0
        assert (workspace.reports / f"{QUARTER}.failed" / "run.log").is_file()
        assert not list(workspace.reports.glob(".*"))  # the build became .failed; no lock left
        assert workspace.state()["reports"] == {
            **before["reports"], **{k: v for k, v in workspace.state()["reports"].items()
                                    if k.startswith(f"{QUARTER}.failed")}}
    done = workspace.run("--notebook", quick_notebook)
    assert done.code == OK, done.output
    left = [p.name for p in workspace.reports.iterdir() if p.name.startswith(".")]
    assert left == [], left
    assert workspace.state()["data"] == before["data"]


def test_runs_into_one_folder_take_turns(tmp_path):
    from hcp_lib.runlock import lock_path, run_lock

    target = tmp_path / "reports" / QUARTER
    target.parent.mkdir()
    order: list[str] = []
    with run_lock(target):
        waiting = threading.Thread(target=lambda: _hold(target, order))
        waiting.start()
        time.sleep(0.5)
        order.append("first done")
    waiting.join(timeout=10)
    assert order == ["first done", "second ran"]
    assert not lock_path(target).exists()


def _hold(target: Path, order: list[str]) -> None:
    from hcp_lib.runlock import run_lock

    with run_lock(target):
        order.append("second ran")


def test_a_live_run_keeps_its_build_folder_and_a_dead_one_does_not(tmp_path):
    from hcp_lib.runlock import build_prefix, clean_leftovers, old_prefix, run_lock

    target = tmp_path / "reports" / QUARTER
    (target.parent / (build_prefix(target) + "dead")).mkdir(parents=True)
    moved_aside = target.parent / (old_prefix(target) + "1-2")
    moved_aside.mkdir()
    (moved_aside / "manifest.json").write_text("{}")
    with run_lock(target):
        clean_leftovers(target)
    assert sorted(p.name for p in target.parent.iterdir()) == [QUARTER]
    assert (target / "manifest.json").is_file()  # the previous report a killed run moved aside


def test_a_cut_off_cache_entry_is_never_reused(workspace, tmp_path):
    from hcp_lib.config import load_config
    from hcp_lib.pipeline import compute

    cache, config = tmp_path / "cache", load_config()
    first = compute(QUARTER, workspace.data, config, cache_dir=cache)
    entry = next(cache.glob(f"{QUARTER}-*"))
    assert (entry / "checksums.json").is_file()
    assert not list(cache.glob(".*"))  # written aside, renamed into place
    evaluations = entry / "evaluations.parquet"
    evaluations.write_bytes(evaluations.read_bytes()[:100])  # cut off mid-write
    again = compute(QUARTER, workspace.data, config, cache_dir=cache)
    assert again.bulletin == first.bulletin
    assert [r.quarter for r in again.reports] == [r.quarter for r in first.reports]
    assert evaluations.stat().st_size > 100  # rewritten whole


def test_the_saved_bulletin_is_json_and_rebuilds_exactly(workspace):
    from hcp_lib.present.io import load_bulletin

    saved = workspace.report / "bulletin.json"
    bulletin = load_bulletin(saved)
    assert json.loads(saved.read_text(encoding="utf-8"))["format"] == "hcp-bulletin"
    from hcp_lib.config import load_config
    from hcp_lib.pipeline import build_bulletin

    fresh = build_bulletin(QUARTER, workspace.data, load_config(),
                           issue_date=bulletin.issue_date)
    assert bulletin == fresh and bulletin.to_dict() == fresh.to_dict()
    changed = replace(bulletin, quarter="2022Q1")
    assert changed != bulletin
