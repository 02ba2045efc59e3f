"""Every section's figures as a DataFrame with Chinese headers, printed as the bulletin prints.

Counts stay integers; percentages are strings formatted by the city's display policies, so a
table, the narrative and the workbook always agree. The region table has the bulletin's
two-level header (level, then 评价数/百分比).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd

from ..config import Config
from ..contract import LEVELS
from ..figures import Bulletin, UnitActivity
from ..percent import format_number, format_percent, format_shares
from . import words

LEVELS_ASCENDING = tuple(reversed(LEVELS))  # the table reads 非常不满意 … 非常满意
NO_EVALUATIONS = "无评价"  # printed instead of rates for a region or unit without evaluations


def _pct(config: Config, figure: str, value: Fraction) -> str:
    return format_percent(value, config.display.policy_for(figure))


def region_table(b: Bulletin, config: Config) -> pd.DataFrame:
    """厦门市省网上办事大厅“好差评”第N季度服务评价情况, one row per region."""
    label = config.city.region_column_label
    columns = [(label, ""), ("总评价数", ""), ("用户评价", "")]
    columns += [(lv, sub) for lv in LEVELS_ASCENDING for sub in ("评价数", "百分比")]
    policy = config.display.policy_for("region_level_share")
    rows = []
    for r in b.evaluations.regions:
        if not r.total:  # no shares to print: say so rather than 0 … 0.00%
            rows.append([r.label, NO_EVALUATIONS] + [""] * (len(columns) - 2))
            continue
        counts = [r.levels.get(lv, 0) for lv in LEVELS_ASCENDING]
        shares = format_shares(counts, policy)
        row: list[object] = [r.label, r.total, r.active]
        for count, share in zip(counts, shares, strict=True):
            row += [count, share]
        rows.append(row)
    return pd.DataFrame(rows, columns=pd.MultiIndex.from_tuples(columns))


def red_flags_table(b: Bulletin, config: Config) -> pd.DataFrame:
    return pd.DataFrame({"序号": range(1, len(b.awards.red_flags) + 1), "单位": b.awards.red_flags})


def stars_table(b: Bulletin, config: Config) -> pd.DataFrame:
    return pd.DataFrame(
        [(s.person, s.unit_full_name, s.awards) for s in b.awards.stars],
        columns=["姓名", "单位", "获评次数"],
    )


def _score(config: Config, score: Decimal) -> Decimal:
    """A score at the configured decimals, exact (prints 98.50, and stays a number in Excel)."""
    policy = config.display.policy_for("survey_mean")
    return Decimal(format_number(score, policy.decimals, policy.method))


def survey_table(b: Bulletin, config: Config) -> pd.DataFrame:
    rows = []
    if b.survey:
        for group_name, group in (("窗口单位", b.survey.units), ("区", b.survey.districts)):
            for rank, entry in enumerate(group.scores, 1):
                rows.append((group_name, rank, entry.unit, _score(config, entry.score)))
    return pd.DataFrame(rows, columns=["类别", "排名", "单位", "得分"])


def satisfaction_table(b: Bulletin, config: Config) -> pd.DataFrame:
    """City units' 政务服务满意率, lowest first, marked against the city mean."""
    s = b.satisfaction
    rows = [
        (u.unit, u.evaluations, _pct(config, "unit_satisfaction", u.rate),
         "低于全市平均" if u.rate < s.city_mean else "")
        for u in sorted(s.city_rates, key=lambda u: (u.rate, u.unit))
    ]
    return pd.DataFrame(rows, columns=["单位", "评价数", "政务服务满意率", "与全市平均分比较"])


def district_satisfaction_table(b: Bulletin, config: Config) -> pd.DataFrame:
    s = b.satisfaction
    rated = {u.unit: u for u in s.district_rates}
    unrated = set(s.districts_unrated)
    order = [d.name for d in config.city.districts]
    order += [name for name in rated if name not in order]
    rows = [(name, rated[name].evaluations, _pct(config, "unit_satisfaction", rated[name].rate))
            if name in rated else (name, 0, NO_EVALUATIONS)
            for name in order if name in rated or name in unrated]
    return pd.DataFrame(rows, columns=["区", "评价数", "政务服务满意率"])


def bad_reviews_table(b: Bulletin, config: Config) -> pd.DataFrame:
    r = b.bad_reviews
    rows = []
    for kind, groups in (("市直部门", r.units), ("区", r.districts)):
        for g in groups:
            parts = "、".join(f"{k}{v}件" for k, v in g.parts.items()) if len(g.parts) > 1 else ""
            rows.append((kind, g.unit, g.count, parts, "是" if g.includes_stations else ""))
    return pd.DataFrame(rows, columns=["类别", "单位", "差评件数", "其中", "含基层所站"])


def mechanism_table(b: Bulletin, config: Config) -> pd.DataFrame:
    """Late pushes and cases without evaluation, by region or unit."""
    m = b.mechanism
    hours = format_number(Fraction(config.mechanism.push_limit_hours), 0)
    late = f"超过{hours}小时未及时汇聚评价数据"
    rows = [(late, "区", u) for u in m.late_push_districts]
    rows += [(late, "市直单位", u) for u in m.late_push_units]
    rows += [("事项办件无评价信息", "区", u) for u in m.missing_eval_districts]
    rows += [("事项办件无评价信息", "市直单位", u) for u in m.missing_eval_units]
    return pd.DataFrame(rows, columns=["问题", "类别", "单位"])


def repeat_items_table(b: Bulletin, config: Config) -> pd.DataFrame:
    rows = [
        (i.item_code, i.item_name, i.unit, i.in_quarter, i.after_quarter)
        for i in b.mechanism.repeat_items
    ]
    return pd.DataFrame(rows, columns=["事项编码", "事项名称", "单位", "本季度差评", "季度后差评"])


def active_table(b: Bulletin, config: Config) -> pd.DataFrame:
    """City units ranked by 综合主动评价率, best first."""
    threshold = Fraction(config.mechanism.active_rate_threshold)

    def row(rank: int, u: UnitActivity) -> tuple:
        flag = "未达标" if u.rate < threshold else ""
        return (rank, u.unit, u.cases, u.evaluations, u.active,
                _pct(config, "unit_active_rate", u.rate), flag)

    rows = [row(i, u) for i, u in enumerate(b.active.ranking, 1)]
    return pd.DataFrame(
        rows, columns=["排名", "单位", "办件量", "评价数", "主动评价数", "综合主动评价率", "低于考核要求"]
    )


def commendations_table(b: Bulletin, config: Config) -> pd.DataFrame:
    rows = []
    c = b.commendations
    if c:
        for g in c.banners:
            for e in g.entries:
                rows.append((words.months_label(g.months).replace(" ", ""), e.unit + (e.subunit or ""),
                             e.kind, e.source or "", e.wording or "", e.count))
        if c.letters:
            rows.append((words.months_label(c.letter_months).replace(" ", ""),
                         "、".join(c.letter_units), "感谢信", "、".join(c.letter_sources), "", c.letters))
        for unit, person in c.praised_persons:
            rows.append((words.months_label(c.praise_months).replace(" ", ""), unit, "表扬", "", person, 1))
    return pd.DataFrame(rows, columns=["月份", "单位", "类别", "来源", "内容", "数量"])


REGION_SHEET = "区域评价情况"

TABLES = {
    REGION_SHEET: region_table,
    "红旗窗口": red_flags_table,
    "服务之星": stars_table,
    "第三方评估": survey_table,
    "政务服务满意率": satisfaction_table,
    "各区满意率": district_satisfaction_table,
    "差评情况": bad_reviews_table,
    "机制落实": mechanism_table,
    "连续差评事项": repeat_items_table,
    "主动评价率": active_table,
    "优质服务": commendations_table,
}
"""Sheet name → table builder, in the bulletin's order."""


def all_tables(b: Bulletin, config: Config) -> dict[str, pd.DataFrame]:
    return {name: build(b, config) for name, build in TABLES.items()}
