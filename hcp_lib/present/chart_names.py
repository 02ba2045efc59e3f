"""The charts' names and captions, without matplotlib: configuration checks chart names
against these, and loading a configuration must not pay for the plotting library."""

from __future__ import annotations

CAPTIONS: dict[str, str] = {
    "region_levels": "各地区评价等级分布",
    "unit_satisfaction": "市直部门政务服务满意率与全市平均分",
    "active_rates": "市直部门综合主动评价率与考核要求",
    "bad_reviews": "差评件分布",
    "survey_scores": "第三方满意度调查得分",
    "trends": "与上季度对比",
}
"""File stem → caption, in the order the report shows them."""
