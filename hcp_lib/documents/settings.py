"""Which copies and formats a run makes, and how they look: the ``documents`` configuration.

Defaults reproduce the issued bulletin, so a city file without a ``documents`` section keeps
working. The leadership copy is the bulletin as issued; the analyst copy adds the appendices.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Section = Literal["masthead", "awards", "evaluations", "survey", "satisfaction", "mechanism",
                  "active_rates", "commendations", "charts", "data_notes", "tables", "figures",
                  "trends", "reconciliation"]
"""Parts of a copy, in the bulletin's order; ``charts`` is the leadership copy's few charts;
``trends`` (earlier quarters, 环比 and 同比) is shown in HTML copies only."""

BODY: tuple[Section, ...] = ("masthead", "awards", "evaluations", "survey", "satisfaction",
                             "mechanism", "active_rates", "commendations")
Format = Literal["html", "pdf", "docx"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CopySettings(_Model):
    """One copy: the sections it holds and the formats it is made in."""

    sections: tuple[Section, ...]
    formats: tuple[Format, ...] = ("html",)


class ChartSettings(_Model):
    """How charts are drawn: where value axes start, and the source line under each chart."""

    rate_axis_start: float = Field(
        90.0, ge=0, lt=100,
        description="where the 满意率 dot chart's axis starts (%), stated on the axis")
    score_axis_start: float = Field(
        80.0, ge=0, lt=100, description="where the survey-score dot chart's axis starts (points)")
    source: str = Field("数据来源：政务服务“好差评”系统评价数据，{quarter}",
                        description="the line under every chart; {quarter} is 2022年第二季度")


class FontSettings(_Model):
    """Font families in order of preference; the shipped Noto CJK font is the last resort."""

    body: tuple[str, ...] = ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong")
    title: tuple[str, ...] = ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S",
                              "FZXiaoBiaoSong-B05", "小标宋")
    heading: tuple[str, ...] = ("黑体", "SimHei", "方正黑体_GBK", "方正黑体简体")


class DocumentSettings(_Model):
    """The ``documents`` section of a city's configuration."""

    leadership: CopySettings = CopySettings(sections=(*BODY, "charts"),
                                            formats=("html", "pdf", "docx"))
    analyst: CopySettings | None = CopySettings(
        sections=(*BODY, "data_notes", "tables", "figures", "reconciliation"), formats=("html",))
    leadership_charts: tuple[str, ...] = Field(
        ("unit_satisfaction",), description="charts (hcp_lib.present.charts.CHARTS names) the "
                                            "leadership copy shows after 五、")
    provisional_mark: str = Field("征求意见稿", description="printed on every copy of a "
                                                          "provisional (incomplete) run")
    charts: ChartSettings = ChartSettings()
    fonts: FontSettings = FontSettings()

    @field_validator("leadership")
    @classmethod
    def _leadership_html(cls, v: CopySettings) -> CopySettings:
        if "html" not in v.formats:  # the report itself and the e-mail body
            raise ValueError("the leadership copy is always made as html")
        return v

    @field_validator("leadership_charts")
    @classmethod
    def _known_charts(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        from ..present.chart_names import CAPTIONS

        unknown = [name for name in v if name not in CAPTIONS]
        if unknown:
            raise ValueError(f"unknown charts {unknown}; choose from {list(CAPTIONS)}")
        return v
