"""The charts' names and captions, without matplotlib: configuration checks chart names
against these, and loading a configuration must not pay for the plotting library."""

from __future__ import annotations

from collections.abc import Iterable

CAPTIONS: dict[str, str] = {
    "region_levels": "各地区评价等级分布",
    "unit_satisfaction": "市直部门政务服务满意率与全市平均分",
    "active_rates": "市直部门综合主动评价率与考核要求",
    "bad_reviews": "差评件分布",
    "survey_scores": "第三方满意度调查得分",
    "trends": "与上季度对比",
}
"""File stem → caption, in the order the report shows them."""


def drawing_order(leadership: Iterable[str], *, rest_from_last: bool = False) -> list[str]:
    """Every chart: the leadership copy's first (the notebook shows them first), then the
    rest in the report's order, or from the last (``hcp run``'s thread, whose charts then
    meet the notebook's 附图 in the middle)."""
    first = [n for n in leadership if n in CAPTIONS]
    rest = [n for n in CAPTIONS if n not in first]
    return first + (rest[::-1] if rest_from_last else rest)
