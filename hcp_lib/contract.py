"""The input contract: each table a quarter's folder holds and each of its columns.

The Chinese header is what the provincial 好差评 system exports; ``name`` is the internal
English name every later stage uses. ``aliases`` lists other headers seen in the wild
(provincial interface field names) that load as the same column. docs/data-contract.md
is the human-readable form of this module; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DType = Literal["str", "int", "float", "datetime", "date", "month", "region", "level", "bool"]

LEVELS: tuple[str, ...] = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
"""The five levels, best first (GB/T 39046 order)."""

MODES: tuple[str, ...] = ("主动评价", "默认评价")
VERDICTS: tuple[str, ...] = ("属实", "误差评", "恶意差评")
HANDLING_CHANNELS: tuple[str, ...] = ("网上", "窗口")
COMMENDATION_KINDS: tuple[str, ...] = ("锦旗", "感谢信", "表扬")
SURVEY_GROUPS: tuple[str, ...] = ("窗口单位", "区")


@dataclass(frozen=True)
class Column:
    header: str
    name: str
    dtype: DType
    required: bool = True
    enum: tuple[str, ...] | None = None
    personal: bool = False
    aliases: tuple[str, ...] = ()
    note: str = ""
    vocabulary: str | None = None
    """Allowed values come from configuration: ``config.input.<vocabulary>s``, codes decoded
    through ``config.input.<vocabulary>_codes`` (e.g. ``channel``)."""
    categorical: bool = False
    """Few distinct values: loaded as a pandas Categorical to keep memory modest."""
    bounds: str | None = None
    """A number's plausible range comes from ``config.input.checks``: ``score`` (finite,
    ``score_min``–``score_max``) or ``count`` (a whole number, 0–``count_max``)."""

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, self.name, *self.aliases)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    period_column: str | None = None
    unit_columns: tuple[str, ...] = ()
    required: bool = True
    note: str = ""
    file_prefixes: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def prefixes(self) -> tuple[str, ...]:
        """File-name prefixes that belong to this table (``评价明细_1.csv``, ``evaluations.parquet``)."""
        return self.file_prefixes or (self.title, self.name)

    @property
    def personal_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.personal)


EVALUATIONS = Table(
    name="evaluations",
    title="评价明细",
    key=("eval_id",),
    period_column="evaluated_at",
    unit_columns=("unit",),
    columns=(
        Column("评价编号", "eval_id", "str", aliases=("id", "assessId")),
        Column("办件编号", "case_id", "str", aliases=("projectNo",)),
        Column("事项编码", "item_code", "str", aliases=("taskCode",), categorical=True),
        Column("事项名称", "item_name", "str", aliases=("taskName",), categorical=True),
        Column("实施单位", "unit", "str", aliases=("deptName",)),
        Column("行政区划代码", "region_code", "region", aliases=("areaCode",)),
        Column("评价渠道", "channel", "str", aliases=("pf",), vocabulary="channel",
               note="label, or the configured channel code"),
        Column("评价等级", "level", "level", enum=LEVELS, aliases=("satisfaction", "满意度"),
               note="label, or a code whose direction is configured"),
        Column("评价方式", "mode", "str", enum=MODES, aliases=("evaluationType",)),
        Column("评价时间", "evaluated_at", "datetime", aliases=("assessTime",)),
        Column("汇聚时间", "pushed_at", "datetime", aliases=("pushTime",)),
        Column("评价内容", "comment", "str", required=False, personal=True,
               aliases=("writingEvaluation",)),
        Column("评价人", "rater", "str", required=False, personal=True),
        Column("联系方式", "contact", "str", required=False, personal=True),
    ),
)

CASES = Table(
    name="cases",
    title="办件明细",
    key=("case_id",),
    period_column="completed_at",
    unit_columns=("unit",),
    columns=(
        Column("办件编号", "case_id", "str", aliases=("projectNo",)),
        Column("事项编码", "item_code", "str", aliases=("taskCode",), categorical=True),
        Column("事项名称", "item_name", "str", aliases=("taskName",), categorical=True),
        Column("实施单位", "unit", "str", aliases=("deptName",)),
        Column("行政区划代码", "region_code", "region", aliases=("areaCode",)),
        Column("办理渠道", "handling_channel", "str", enum=HANDLING_CHANNELS),
        Column("办理地点", "place", "str", required=False, categorical=True,
               note="the hall or service point; tells the city centre's windows apart"),
        Column("办结时间", "completed_at", "datetime"),
    ),
)

BAD_REVIEWS = Table(
    name="bad_reviews",
    title="差评核实台账",
    required=False,
    key=("eval_id",),
    columns=(
        Column("评价编号", "eval_id", "str"),
        Column("核实结果", "verdict", "str", enum=VERDICTS),
        Column("更正后等级", "corrected_level", "level", enum=LEVELS, required=False,
               note="the level that stands after verification; empty when 属实"),
        Column("核实时间", "verified_at", "datetime"),
        Column("整改情况", "rectification", "str", required=False),
        Column("整改完成时间", "rectified_at", "datetime", required=False),
    ),
)

SURVEY = Table(
    name="survey",
    title="第三方评估",
    required=False,
    key=("quarter", "unit"),
    unit_columns=("unit",),
    columns=(
        Column("季度", "quarter", "str", note="e.g. 2022Q2 or 2022年第二季度"),
        Column("单位", "unit", "str"),
        Column("类别", "group", "str", enum=SURVEY_GROUPS),
        Column("得分", "score", "float", bounds="score", note="finite, 0–100 (configurable)"),
    ),
)

STARS = Table(
    name="stars",
    title="服务之星",
    required=False,
    key=("month", "person", "unit"),
    unit_columns=("unit",),
    columns=(
        Column("月份", "month", "month", note="YYYY-MM"),
        Column("姓名", "person", "str"),
        Column("单位", "unit", "str"),
    ),
)

RED_FLAGS = Table(
    name="red_flags",
    title="红旗窗口",
    required=False,
    key=("quarter", "unit"),
    unit_columns=("unit",),
    columns=(
        Column("季度", "quarter", "str"),
        Column("单位", "unit", "str"),
    ),
)

COMMENDATIONS = Table(
    name="commendations",
    title="表扬台账",
    required=False,
    unit_columns=("unit",),
    columns=(
        Column("月份", "month", "month"),
        Column("单位", "unit", "str"),
        Column("受表扬部门", "subunit", "str", required=False,
               note="a part of the unit named in the text, e.g. 直属分局; empty for its window"),
        Column("类型", "kind", "str", enum=COMMENDATION_KINDS),
        Column("来自", "source", "str", required=False),
        Column("内容", "wording", "str", required=False),
        Column("数量", "count", "int", required=False, bounds="count",
               note="letters or banners; 1 when empty; a whole number 0–1000 (configurable)"),
        Column("受表扬人员", "persons", "str", required=False, note="names separated by 、"),
        Column("条目", "entry", "int", required=False, bounds="count",
               note="rows with the same number print as one paragraph; default one per unit"),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (EVALUATIONS, CASES, BAD_REVIEWS, SURVEY, STARS, RED_FLAGS, COMMENDATIONS)
}
