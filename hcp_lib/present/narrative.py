"""The bulletin's paragraphs, in its order and register, from the computed figures.

Python decides *what* to say (which figures, which comparison word, how lists are joined);
the Jinja2 templates in ``hcp_lib/templates/narrative`` hold *how* it is said. A template's
output is a list of blocks: ``## `` lines are section headings (【…】), ``### `` lines are
numbered headings (一、…), blank lines separate paragraphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jinja2

from ..config import Config
from ..contract import LEVELS
from ..figures import BadReviewGroup, Bulletin, CommendationEntry, CommendationGroup
from ..percent import format_number, format_percent
from ..quarters import Quarter
from . import words

BlockKind = Literal["section", "heading", "paragraph"]
SATISFIED_LEVELS = LEVELS[:3]  # 非常满意, 满意, 基本满意: the ones the headline lists
MEASURES = {"锦旗": "面", "感谢信": "封"}


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str


class NarrativeTemplateError(ValueError):
    """A narrative template (usually a city's or quarter's override) that cannot be used;
    the message names the file and line."""


def override_dirs(config: Config, quarter: str | Quarter | None = None) -> list[Path]:
    """Where a city's own copies of the narrative templates live, most specific first:
    ``<config dir>/<config name>/narrative/<QUARTER>/`` then ``…/narrative/``."""
    if config.source is None:
        return []
    base = config.source.parent / config.source.stem / "narrative"
    return ([base / str(quarter)] if quarter else []) + [base]


@cache
def _env(search: tuple[str, ...] = ()) -> jinja2.Environment:
    package = jinja2.PackageLoader("hcp_lib", "templates/narrative")
    loader = (jinja2.ChoiceLoader([jinja2.FileSystemLoader(list(search)), package])
              if search else package)
    return jinja2.Environment(
        loader=loader,
        autoescape=False,  # plain text; html.py escapes when it wraps blocks in tags
        trim_blocks=False,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _line_in(exc: BaseException, filename: str | None) -> int | None:
    """The template line an error was raised at (Jinja maps its frames to template lines)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if filename and tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _render_text(template: str, search: tuple[str, ...], context: dict[str, Any]) -> str:
    try:
        found = _env(search).get_template(template)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or template
        raise NarrativeTemplateError(
            f"narrative template {where}, line {exc.lineno}: {exc.message}") from None
    try:
        return found.render(**context)
    except Exception as exc:  # an override may use names or filters the figures do not offer
        line = _line_in(exc, found.filename)
        at = f", line {line}" if line else ""
        raise NarrativeTemplateError(
            f"narrative template {found.filename or template}{at}: {type(exc).__name__}: {exc}"
        ) from None


def render(template: str, search: Sequence[str | Path] = (), **context: Any) -> list[Block]:
    """Render one narrative template into blocks; a copy in one of the ``search`` folders
    (a city's or quarter's override) wins over the packaged one."""
    text = _render_text(template, tuple(str(p) for p in search), context)
    blocks: list[Block] = []
    for chunk in text.split("\n\n"):
        chunk = "".join(line.strip() for line in chunk.strip().splitlines())
        if not chunk:
            continue
        if chunk.startswith("## "):
            blocks.append(Block("section", chunk[3:].strip()))
        elif chunk.startswith("### "):
            blocks.append(Block("heading", chunk[4:].strip()))
        else:
            blocks.append(Block("paragraph", chunk))
    return blocks


class Narrator:
    """Formats a bulletin's figures by the city's display policies and renders each section."""

    def __init__(self, bulletin: Bulletin, config: Config) -> None:
        self.b = bulletin
        self.config = config
        quarter = Quarter.parse(bulletin.quarter)
        self.search = [d for d in override_dirs(config, quarter) if d.is_dir()]
        previous = Quarter.parse(bulletin.previous_quarter)
        self.q = {
            "short": quarter.short_cn,
            "ordinal": quarter.ordinal_cn,
            "previous_short": previous.short_cn,
            "next_short": quarter.next().short_cn,
        }

    def render(self, template: str, **context: Any) -> list[Block]:
        """A section's template: the quarter's or the city's copy when there is one."""
        return render(template, self.search, **context)

    # -- formatting -------------------------------------------------------------------------
    def pct(self, value: Fraction, figure: str) -> str:
        return format_percent(value, self.config.display.policy_for(figure))

    def score(self, value: Fraction) -> str:
        policy = self.config.display.policy_for("survey_mean")
        return format_number(value, policy.decimals, policy.method)

    # -- sections ---------------------------------------------------------------------------
    def awards(self) -> list[Block]:
        a = self.b.awards
        stars = words.group_people((s.person, s.unit_full_name) for s in a.stars)
        return self.render("awards.j2", q=self.q, red_flags=a.red_flags, stars=stars)

    def evaluations(self) -> list[Block]:
        e = self.b.evaluations
        levels = []
        for i, name in enumerate(SATISFIED_LEVELS):
            word = None
            if i == 0 and e.previous_levels and sum(e.previous_levels.values()):
                prev = Fraction(e.previous_levels.get(name, 0), sum(e.previous_levels.values()))
                c = words.change(e.share(name), prev, flat_below=Fraction(1, 100))
                word = c.word() if c else None
            levels.append(
                {
                    "name": name,
                    "count": e.levels.get(name, 0),
                    "share": self.pct(e.share(name), "level_share"),
                    "change": word,
                }
            )
        return self.render(
            "evaluations.j2",
            q=self.q,
            total=e.total,
            active=e.active,
            active_rate=self.pct(e.active_rate, "active_rate_all"),
            levels=levels,
            satisfied_rate=self.pct(e.satisfied_rate, "satisfied_rate"),
        )

    def region_table_title(self) -> str:
        return self.config.city.table_title.format(ordinal=self.q["ordinal"])

    def survey(self) -> list[Block]:
        s = self.b.survey
        if s is None:
            return []

        def view(group, top_last: str | None) -> dict[str, Any] | None:
            if not group.count:
                return None
            c = words.change(group.mean, group.previous_mean, scale=1)
            if c is None:
                phrase = None
            elif c.direction == "flat":
                phrase = c.word()
            elif c.slight():
                phrase = c.word(up="略有提高", down="略有下降")
            else:
                verb = "提高" if c.direction == "up" else "下降"
                phrase = f"{verb}{c.approx}个百分点"
            return {
                "count": group.count,
                "mean": self.score(group.mean),
                "change": phrase,
                "top": words.join(group.top, last=top_last),
                "bottom": words.join(group.bottom),
            }

        return self.render(
            "survey.j2", q=self.q, units=view(s.units, "以及"), districts=view(s.districts, None)
        )

    def satisfaction(self) -> list[Block]:
        s = self.b.satisfaction
        fmt = lambda v: self.pct(v, "mean_satisfaction") if v is not None else None  # noqa: E731
        return self.render(
            "satisfaction.j2",
            q=self.q,
            claim=self.improvement_claim(),
            district=self._district_means(),
            city=self._city_means(fmt),
            below=[
                {"unit": u.unit, "rate": self.pct(u.rate, "unit_satisfaction")}
                for u in s.below_city_mean
            ],
            bad=self._bad_reviews_view(),
        )

    def _district_means(self) -> dict[str, Any]:
        """The district means, compared like with like: when a district has no evaluations in
        one of the quarters, the comparison is over the districts rated in both."""
        s = self.b.satisfaction
        fmt = lambda v: self.pct(v, "mean_satisfaction") if v is not None else None  # noqa: E731
        previous_names = ({r.unit for r in s.district_rates_previous}
                          if s.district_rates_previous is not None else None)
        unrated_before = ([r.unit for r in s.district_rates if r.unit not in previous_names]
                          if previous_names is not None else [])
        view: dict[str, Any] = {
            "n": words.cn_number(len(s.district_rates)) + "个区",
            "rated": bool(s.district_rates),
            "mean": fmt(s.district_mean),
            "unrated": words.join(s.districts_unrated),
            "unrated_before": words.join(unrated_before),
            "compared": None,
            "previous": None,
            "direction": None,
            "marked": False,
        }
        if s.districts_comparable:
            d = words.change(s.district_mean, s.district_mean_previous, flat_below=Fraction(1, 1000))
            view.update(previous=fmt(s.district_mean_previous), direction=d.direction if d else None,
                        marked=bool(d and d.direction == "up" and d.points >= Fraction(1, 10)))
            return view
        both = s.districts_comparison
        if both is not None:
            d = words.change(both.mean, both.previous, flat_below=Fraction(1, 1000))
            view["compared"] = {
                "n": words.cn_number(len(both.units)) + "个区",
                "mean": fmt(both.mean),
                "previous": fmt(both.previous),
                "direction": d.direction if d else None,
            }
        return view

    def _city_means(self, fmt) -> dict[str, Any]:
        s = self.b.satisfaction
        c = words.change(s.city_mean, s.city_mean_previous, flat_below=Fraction(1, 1000))
        return {
            "rated": bool(s.city_rates),
            "mean": fmt(s.city_mean),
            "previous": fmt(s.city_mean_previous),
            "direction": c.direction if c and s.city_rates else None,
        }

    def improvement_claim(self) -> str:
        """Which units' rates the text may say rose on the previous quarter: every district
        (各区) and / or more than ``satisfaction.majority_above`` of the city units (多数);
        "" when neither holds or the previous quarter's rates are unknown."""
        s = self.b.satisfaction
        districts = s.districts_improvement
        units = s.city_improvement
        all_districts = districts is not None and districts.all
        most_units = units is not None and units.most(self.config.satisfaction.majority)
        if all_districts:
            return "districts_and_units" if most_units else "districts"
        return "units" if most_units else ""

    def _bad_reviews_view(self) -> dict[str, Any]:
        r = self.b.bad_reviews
        v = r.verdicts
        if r.total == 0:
            verdict = ""
        elif v.get("属实", 0) == 0 and v.get("未核实", 0) == 0:
            verdict = "均核实为误差评或恶意差评。"
        else:
            parts = [f"{k} {v[k]} 件" for k in ("属实", "误差评", "恶意差评", "未核实") if v.get(k)]
            verdict = "其中核实为" + "、".join(parts) + "。"
        return {
            "total": r.total,
            "verdict": verdict,
            "units": words.join((_bad_group(g) for g in r.listed_units), last="以及"),
            "districts": words.join(_bad_group(g) for g in r.listed_districts),
        }

    def mechanism(self) -> list[Block]:
        m = self.b.mechanism
        mc = self.config.mechanism
        q = self.q["short"]
        n_all = len(self.config.city.districts)
        items: list[str] = []
        late = _count_phrase(len(m.late_push_districts), len(m.late_push_units), n_all)
        missing_units = [u for u in m.missing_eval_units if u not in set(m.late_push_units)]
        other = "其他 " if m.late_push_units and missing_units else ""
        missing = _count_phrase(len(m.missing_eval_districts), len(missing_units), n_all, other)
        if late or missing:
            sentences = [
                f"日常工作落实不到位，数据汇聚质量有待提高。{q}，个别部门对评价数据汇聚把关不够严格，"
                "存在数据汇聚不够及时、事项覆盖度存在差距等问题。"
            ]
            hours = format_number(Fraction(mc.push_limit_hours), 0)
            found = []
            if late:
                found.append(f"共有{late}不同程度存在超过{hours}小时未及时向省网汇聚评价数据的问题")
            if missing:
                found.append(f"{'此外，' if late else ''}{missing}均不同程度存在个别事项办件无评价信息的情况")
            sentences.append("经数据比对，发现" + "；".join(found) + "。")
            items.append("".join(sentences))
        if m.below_active_threshold:
            threshold = format_number(Fraction(mc.active_rate_threshold) * 100, 0)
            items.append(
                f"个别单位线上线下综合主动评价率有待提升。{q}全市还有 {len(m.below_active_threshold)} "
                f"家市直部门线上线下综合主动评价率尚未达到 {threshold}%的考核要求，需进一步优化提升。"
            )
        if m.repeat_items:
            v = self.b.bad_reviews.verdicts
            mostly_wrong = v.get("误差评", 0) + v.get("恶意差评", 0) > self.b.bad_reviews.total / 2
            though = "虽大部分均核实为误差评或恶意差评，但" if mostly_wrong else ""
            items.append(
                f"对同一事项连续出现差评原因分析不够，整改提升不明显。{q}，部分事项连续出现多起差评，"
                f"{though}审批服务部门未针对该事项连续出现差评的原因进行综合分析，及时打通事项可能存在的"
                f"堵点难点问题，导致个别事项进入{self.q['next_short']}后仍然多次出现差评。"
            )
        numbered = [{"number": words.cn_number(i), "text": t} for i, t in enumerate(items, 1)]
        return self.render("mechanism.j2", q=self.q, items=numbered)

    def active(self) -> list[Block]:
        a = self.b.active
        ac = self.config.active_rate
        c = words.change(a.city_rate, a.city_rate_previous)
        if c is None:
            phrase = None
        elif c.direction == "flat":
            phrase = "基本持平"
        else:
            phrase = f"{'提升' if c.direction == 'up' else '下降'}了{c.approx} 个百分点"
            phrase = phrase.replace("了近", "了近 ").replace("了约", "了约 ")
        unit_rate = lambda u: self.pct(u.rate, "unit_active_rate")  # noqa: E731
        threshold = format_number(Fraction(self.config.mechanism.active_rate_threshold) * 100, 0)
        min_rate = format_number(Fraction(ac.big_unit_min_rate) * 100, 0)
        items = []
        if a.leaders:
            items.append("综合主动评价率排名靠前的单位：" + words.join(u.unit for u in a.leaders) + "等。")
        if a.big_units:
            items.append(
                f"办件量超过 {words.wan(ac.big_unit_cases)}件且综合主动评价率在 {min_rate}%以上的单位："
                + "，".join(f"{u.unit} {unit_rate(u)}" for u in a.big_units)
                + "。"
            )
        if a.below_threshold:
            items.append(
                f"综合主动评价率低于 {threshold}% 的单位："
                + words.join((u.unit for u in a.below_threshold), last="以及")
                + "。"
            )
        return self.render(
            "active.j2",
            q=self.q,
            hall_rate=self.pct(a.hall_rate, "hall_active_rate") if a.hall_total else None,
            city_rate=(self.pct(a.city_rate, "active_rate_city")
                       if self.b.evaluations.regions and self.b.evaluations.regions[0].total else None),
            change=phrase,
            items=items,
        )

    def commendations(self, praised_shown: int = 7) -> list[Block]:
        c = self.b.commendations
        if c is None:
            return []
        texts = [f"{words.months_label(g.months)}，{_banner_text(g)}。" for g in c.banners]
        if c.letters:
            texts.append(_letters_text(c))
        if c.praised_persons:
            texts.append(_praise_text(c, praised_shown))
        paragraphs = [{"number": words.cn_number(i), "text": t} for i, t in enumerate(texts, 1)]
        return self.render("commendations.j2", paragraphs=paragraphs)

    def all_blocks(self) -> list[Block]:
        """Every section in the bulletin's order (the region table goes after 一)."""
        return [
            *self.awards(),
            *self.evaluations(),
            *self.survey(),
            *self.satisfaction(),
            *self.mechanism(),
            *self.active(),
            *self.commendations(),
        ]


def _bad_group(g: BadReviewGroup) -> str:
    text = f"{g.unit}{'（含基层所站）' if g.includes_stations else ''}{g.count}件"
    if not g.includes_stations and len(g.parts) > 1:
        text += "（其中" + "、".join(f"{k}{v}件" for k, v in g.parts.items()) + "）"
    return text


def _count_phrase(districts: int, units: int, all_districts: int, other: str = "") -> str:
    """2个区和9家市直单位 / 六区和其他 22 家市直单位."""
    parts = []
    if districts:
        parts.append(
            f"{words.cn_number(districts)}区" if districts == all_districts else f"{districts}个区"
        )
    if units:
        parts.append(f"{other}{units}{' ' if other else ''}家市直单位")
    return "和".join(parts)


def _banner_text(group: CommendationGroup) -> str:
    clauses = []
    current: tuple[str, str | None] | None = None
    for i, e in enumerate(group.entries):
        if current == (e.unit, e.subunit):
            who = ""
        elif current and current[0] == e.unit and e.subunit:
            who = e.subunit
        else:
            who = e.unit + (e.subunit or "")
            if i == 0:
                who += "窗口"
        current = (e.unit, e.subunit)
        clauses.append(who + _received(e))
    return "，".join(clauses)


def _received(e: CommendationEntry) -> str:
    source = f"{e.source}赠送的" if e.source else ""
    wording = f"“{e.wording}”" if e.wording else ""
    return f"收到{source}{wording}{e.kind}{words.count_cn(e.count, MEASURES.get(e.kind, '份'))}"


def _letters_text(c) -> str:
    units = c.letter_units
    shown_units = words.join(units[:5])
    units_phrase = f"{shown_units}等{len(units)}个窗口部门" if len(units) > 5 else f"{shown_units}窗口部门"
    sources = c.letter_sources
    if len(sources) > 4:
        sources_phrase = words.join(sources[:4], last="以及") + "等多家企事业单位和办事群众"
    else:
        sources_phrase = words.join(sources, last="以及")
    months = words.months_label(c.letter_months)
    lead = f"{months}，" if months else ""
    return f"{lead}{units_phrase}分别收到{sources_phrase}发来的感谢信共计 {c.letters} 封。"


def _praise_text(c, shown: int) -> str:
    pairs = [(person, unit) for unit, person in c.praised_persons[:shown]]
    groups = [unit + "、".join(people) for unit, people in words.group_people(pairs)]
    if len(groups) > 2:
        head = "，".join(groups[:-2]) + "，以及" + "、".join(groups[-2:])
    else:
        head = words.join(groups, sep="，", last="以及")
    units = len(c.praise_units)
    more = len(c.praised_persons) > shown or units > len(groups)
    tail = f"等 {units} 个窗口服务部门" if more else ""
    return (
        f"{head}{tail}共计{words.person_times(len(c.praised_persons))}因为主动靠前、服务热情、"
        "办事高效等原因受到办事企业群众或 12345 平台的表扬。"
    )
