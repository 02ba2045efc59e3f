"""Reconciliation keys in words: ``evaluations.region.思明区.基本满意.share`` → 评价情况·各地区·思明区·基本满意·占比.

The appendix is read by people, so each dotted key is shown as its parts in Chinese; a part
with no entry (a unit or district name, a number) is shown as it is.
"""

from __future__ import annotations

import re

WORDS: dict[str, str] = {
    "header": "报头", "title": "标题", "issue_in_year": "年度期号", "issue_overall": "总期号",
    "issuer": "发文单位", "date": "日期", "quarter": "季度",
    "awards": "评优评先", "red_flags": "红旗窗口", "stars": "服务之星",
    "evaluations": "企业群众评价", "region": "地区表", "rows": "行数", "total": "评价总数",
    "active": "主动评价数", "active_rate": "主动评价率", "satisfied_rate": "满意率",
    "levels": "评价等级", "share": "占比", "count": "数量", "change": "较上季度变化",
    "survey": "第三方评估", "units": "市直部门", "districts": "各区", "mean": "平均成绩",
    "top": "前列", "bottom": "后列", "previous": "上季度",
    "satisfaction": "政务服务满意率", "city": "全市", "city_units": "市直部门",
    "all_improved": "均有提升", "most_improved": "多数提升", "below_city_mean": "低于全市平均",
    "bad_reviews": "差评", "includes_stations": "含派驻窗口", "parts": "分项",
    "all_mistaken_or_malicious": "均为误差评或恶意差评",
    "mechanism": "机制体制落实", "late_push": "超时推送", "missing_evals": "办件未评价",
    "other_than_late": "超时推送以外", "repeat_items": "重复差评事项",
    "continue_after_quarter": "季度后仍有差评", "below_active_threshold": "主动评价率未达标",
    "below_threshold": "未达标", "big_units": "办件量大的部门", "leaders": "前列部门",
    "hall_rate": "大厅主动评价率", "city_rate": "市直主动评价率",
    "commendations": "优质服务", "banners": "锦旗", "letters": "感谢信", "praise": "表扬",
    "sources": "来源", "months": "月份", "persons": "人员", "person_times": "人次",
    "entries": "条目",
}
_ORDINAL = re.compile(r"^\d+$")


def key_cn(key: str) -> str:
    """A dotted reconciliation key in Chinese words joined by ·; numbers become 第N项."""
    parts = []
    for i, token in enumerate(key.split(".")):
        if i == 0 and token == "active":
            parts.append("主动评价率")
        elif _ORDINAL.match(token):
            parts.append(f"第{int(token)}项")
        else:
            parts.append(WORDS.get(token, token))
    return "·".join(parts)
