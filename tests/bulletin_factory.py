"""A hand-built ``Bulletin`` whose figures are the published 2022 Q2 ones.

Counts are the bulletin's own; rates are Fractions built from counts (the region table) or
chosen to print as the bulletin prints them (where it gives only a rate). Lists are typed again
from the bulletin text, independently of data/published/2022Q2.yaml, so the reconciliation test
is a double entry of the transcription.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hcp_lib.config import Config
from hcp_lib.contract import LEVELS
from hcp_lib.figures import (
    ActiveRates,
    Awards,
    BadReviewGroup,
    BadReviews,
    Bulletin,
    CommendationEntry,
    CommendationGroup,
    Commendations,
    EvaluationSummary,
    Mechanism,
    RegionRow,
    RepeatItem,
    Satisfaction,
    ScoreEntry,
    Star,
    Survey,
    SurveyGroup,
    UnitActivity,
    UnitRate,
)

# label -> (total, active, {level: count}) as printed in the region table
REGION_TABLE: dict[str, tuple[int, int, dict[str, int]]] = {
    "厦门市直": (1063749, 1030300, {"非常不满意": 1, "不满意": 0, "基本满意": 69, "满意": 218, "非常满意": 1063461}),
    "思明区": (149946, 149506, {"非常不满意": 0, "不满意": 0, "基本满意": 3, "满意": 24, "非常满意": 149919}),
    "湖里区": (116527, 115351, {"非常不满意": 0, "不满意": 0, "基本满意": 0, "满意": 6, "非常满意": 116521}),
    "集美区": (157610, 157180, {"非常不满意": 0, "不满意": 0, "基本满意": 2, "满意": 18, "非常满意": 157590}),
    "海沧区": (119890, 118668, {"非常不满意": 0, "不满意": 0, "基本满意": 4, "满意": 9, "非常满意": 119877}),
    "同安区": (214612, 213962, {"非常不满意": 0, "不满意": 0, "基本满意": 0, "满意": 4, "非常满意": 214608}),
    "翔安区": (127972, 127399, {"非常不满意": 0, "不满意": 0, "基本满意": 3, "满意": 21, "非常满意": 127948}),
}


def pct(text: str) -> Fraction:
    """A printed percentage as an exact Fraction of 1 (it prints back as itself)."""
    return Fraction(Decimal(text)) / 100


def activity(unit: str, rate: Fraction, evaluations: int = 100000, cases: int | None = None) -> UnitActivity:
    active = rate * evaluations
    assert active.denominator == 1, (unit, rate)
    return UnitActivity(unit, cases if cases is not None else evaluations, evaluations,
                        int(active), rate)


def _awards() -> Awards:
    red_flags = ["厦门市交通运输局", "厦门市社会保险中心", "厦门市住房公积金中心", "厦门市市政园林局", "厦门市商务局", "国家税务总局厦门市税务局", "厦门市卫生健康委员会", "厦门港口管理局", "厦门市发展和改革委员会", "厦门市人民防空办公室"]
    stars = [
        ("陈雅玲", "市市场监管局", "厦门市市场监督管理局"), ("杨海霞", "市市场监管局", "厦门市市场监督管理局"),
        ("倪艳云", "市民政局", "厦门市民政局"), ("任方", "市科技局", "厦门市科学技术局"),
        ("庄玉琳", "市执法局", "厦门市城市管理行政执法局"), ("王韶琳", "市司法局", "厦门市司法局"),
        ("高亚招", "厦门海关", "厦门海关"), ("陈伊宁", "市资源规划局", "厦门市自然资源和规划局"),
        ("赵月", "市不动产登记中心", "厦门市不动产登记中心"),
        ("方卫燕", "市自然资源和不动产权属档案中心", "厦门市自然资源和不动产权属档案中心"),
        ("吴亚萍", "市住房置业担保公司", "厦门市住房置业融资担保有限公司"),
        ("何晓琪", "市政务服务保障中心", "厦门市政务服务保障中心"),
        ("黄雨茜", "市政务服务保障中心", "厦门市政务服务保障中心"),
        ("林恩爽", "市政务服务保障中心", "厦门市政务服务保障中心"),
    ]
    return Awards(red_flags, [Star(p, u, f, 2) for p, u, f in stars])


def _evaluations(config: Config) -> EvaluationSummary:
    codes = {config.city.city_row_label: config.city.city_region_code}
    codes |= {d.name: d.code for d in config.city.districts}
    regions = [RegionRow(label, codes[label], t, a, dict(lv)) for label, (t, a, lv) in REGION_TABLE.items()]
    total = sum(r.total for r in regions)
    active = sum(r.active for r in regions)
    levels = {lv: sum(r.levels[lv] for r in regions) for lv in LEVELS}
    satisfied = levels["非常满意"] + levels["满意"] + levels["基本满意"]
    return EvaluationSummary(
        total=total, active=active, active_rate=Fraction(active, total), levels=levels,
        satisfied_rate=Fraction(satisfied, total), regions=regions,
        previous_levels={"非常满意": 1499000, "满意": 700, "基本满意": 250, "不满意": 30, "非常不满意": 20},
    )


def _survey() -> Survey:
    top = ["市测绘与基础地理信息中心", "市商务局", "市民政局", "市市政园林局", "市住房局", "市应急局", "市公安局",
           "市水利局", "市财政局", "市科技局", "厦门港口管理局"]
    bottom = ["厦门海关", "国家外汇管理局厦门分局", "市社保中心", "市人社局", "市医保中心", "厦门税务", "市建设局"]
    units = SurveyGroup(
        count=54, mean=Fraction("96.25"), previous_mean=Fraction("96.41"), top=top, bottom=bottom,
        scores=[ScoreEntry(u, Decimal("99.00")) for u in top] + [ScoreEntry(u, Decimal("90.00")) for u in bottom],
    )
    d_scores = [("翔安区", "96.50"), ("湖里区", "96.20"), ("思明区", "95.80"), ("集美区", "95.60"),
                ("同安区", "95.14"), ("海沧区", "94.90")]
    districts = SurveyGroup(
        count=6, mean=sum(Fraction(s) for _, s in d_scores) / 6, previous_mean=Fraction("96.27"),
        top=["翔安区", "湖里区"], bottom=["海沧区", "同安区"],
        scores=[ScoreEntry(u, Decimal(s)) for u, s in d_scores],
    )
    return Survey(units, districts)


def _satisfaction(config: Config) -> Satisfaction:
    weights = {lv: Fraction(w) / 100 for lv, w in config.satisfaction.weights.items()}

    def rate(levels: dict[str, int], total: int) -> Fraction:
        return sum((weights[lv] * n for lv, n in levels.items()), Fraction(0)) / total

    districts = [UnitRate(label, rate(lv, t), t) for label, (t, _, lv) in REGION_TABLE.items()
                 if label != config.city.city_row_label]
    below = [UnitRate(u, pct(r), 1000) for u, r in [
        ("市商务局", "97.857"), ("市海洋发展局", "98.400"), ("厦门港口管理局", "99.718"),
        ("市住房局", "99.728"), ("市卫健委", "99.792"), ("市建设局", "99.868")]]
    # 48 other units share what keeps the 54-unit mean at exactly 99.912%.
    others_rate = (pct("99.912") * 54 - sum(u.rate for u in below)) / 48
    listed = {u.unit for u in below}
    others = [UnitRate(u.short_name, others_rate, 1000) for u in config.registry.units.values()
              if u.in_service_centre and u.short_name not in listed][:48]
    city = below + others
    district_mean = sum(u.rate for u in districts) / len(districts)
    # Q1: every district lower by the same step (mean exactly 99.436%); the six listed units
    # at 99.990%, the 48 others lower than now, so that the 54-unit mean is 99.974%.
    step = district_mean - pct("99.436")
    districts_q1 = [UnitRate(u.unit, u.rate - step, u.evaluations) for u in districts]
    others_q1 = (pct("99.974") * 54 - pct("99.990") * 6) / 48
    city_q1 = [UnitRate(u.unit, pct("99.990") if u in below else others_q1, 1000) for u in city]
    return Satisfaction(
        district_rates=districts, district_mean=district_mean,
        district_mean_previous=pct("99.436"),
        city_rates=city, city_mean=sum(u.rate for u in city) / len(city),
        city_mean_previous=pct("99.974"), below_city_mean=below,
        district_rates_previous=districts_q1, city_rates_previous=city_q1,
    )


def _bad_reviews() -> BadReviews:
    listed = [
        BadReviewGroup("市市场监管局", 39, {}, includes_stations=True),
        BadReviewGroup("市生态环境局", 10),
        BadReviewGroup("市公安局", 7, {}, includes_stations=True),
        BadReviewGroup("市住房局", 7, {"市住房局": 1, "市公积金中心": 6}),
    ]
    rest = [BadReviewGroup(u, n) for u, n in [("市人社局", 4), ("市交通运输局", 4), ("市卫健委", 4),
                                             ("市民政局", 4), ("市资源规划局", 3), ("市建设局", 3)]]
    districts = [BadReviewGroup("同安区", 3), BadReviewGroup("翔安区", 2)]
    return BadReviews(total=90, verdicts={"误差评": 61, "恶意差评": 29}, units=listed + rest,
                      districts=districts, listed_units=listed, listed_districts=districts)


BELOW_80 = ["市建筑废土站", "市科技局", "市城建档案馆", "市生态环境局", "市水利局", "市资源规划局", "市市政园林局",
            "市残疾人就业服务中心", "市房屋事务中心", "市工信局", "市通信管理局"]


def _below_80() -> list[UnitActivity]:
    return [activity(u, Fraction(50 + 2 * i, 100), 1000) for i, u in enumerate(BELOW_80)]


def _mechanism() -> Mechanism:
    late_units = ["市人社局", "市公安局", "市民政局", "市卫健委", "市交通运输局", "市建设局", "市住房局",
                  "市商务局", "市教育局"]
    missing_units = ["市发改委", "市工信局", "市科技局", "市民宗局", "市司法局", "市财政局", "市资源规划局",
                     "市生态环境局", "市农业农村局", "市水利局", "市海洋发展局", "市文旅局", "市应急局",
                     "市市场监管局", "市体育局", "市侨办", "市地方金融监管局", "市执法局", "市市政园林局",
                     "市人防办", "市档案局", "市医保局"]
    return Mechanism(
        late_push_districts=["同安区", "翔安区"], late_push_units=late_units,
        missing_eval_districts=["思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区"],
        missing_eval_units=missing_units, below_active_threshold=_below_80(),
        repeat_items=[RepeatItem("350200-000-XK-001", "食品经营许可", "市市场监管局", 3, 2)],
    )


def _active() -> ActiveRates:
    leaders = [activity(u, Fraction(1), 500) for u in
               ["市商务局", "市农业农村局", "市档案局", "市地方金融监管局", "市民政局", "市教育局", "市体育局",
                "市民宗局", "市侨办", "市文旅局", "市执法局"]]
    big = [activity(u, pct(r), 100000, cases=30000) for u, r in [
        ("市不动产登记中心", "99.998"), ("市人社局", "99.990"), ("市市场监管局", "99.984"),
        ("市公积金中心", "99.973"), ("市交通运输局", "99.398"), ("市公安局", "97.849"),
        ("市自然资源和不动产权属档案中心", "94.172")]]
    below = _below_80()
    return ActiveRates(
        hall_rate=Fraction(93720, 100000), hall_active=93720, hall_total=100000,
        city_rate=Fraction(1030300, 1063749), city_rate_previous=pct("94.92"),
        ranking=leaders + big + list(reversed(below)), leaders=leaders, big_units=big,
        below_threshold=below,
    )


def _banner(months: list[int], *entries: tuple[str, str | None, str, str]) -> CommendationGroup:
    units = list(dict.fromkeys(u for u, *_ in entries))
    return CommendationGroup(months, units, "锦旗", [
        CommendationEntry(u, sub, "锦旗", src, words, 1, []) for u, sub, src, words in entries])


def _commendations() -> Commendations:
    banners = [
        _banner([4], ("市民政局", None, "厦门市星谷卫星应用技术研究院", "服务贴心、办事暖心"),
                ("市民政局", None, "厦门市潜水协会", "尽职尽责、勤政高效")),
        _banner([4], ("市建设局", None, "厦门万科", "一心一意为人民、尽心竭力办实事"),
                ("市城建档案馆", None, "厦门万科", "真诚服务、高效审批")),
        _banner([4, 5], ("市应急局", None, "瑞霖（厦门）化工有限公司", "专业娴熟、服务热忱"),
                ("市应急局", None, "厦门善善能源有限公司", "贴心服务、热心为民"),
                ("市应急局", None, "中石油厦门鹭岭加油站", "工作尽职尽责、办事周到高效")),
        _banner([4], ("市交通运输局", None, "中铁三局集团有限公司", "靠前服务、严格把关"),
                ("市交通运输局", None, "象屿花园支部委员会、业主委员会", "解居民之所忧、美小区之佳境")),
        _banner([4], ("市科技局", None, "厦门九灵元科技有限公司", "高效办事、热情服务")),
        _banner([4], ("厦门港口管理局", None, "厦门延天祥海运有限公司", "廉洁高效、热情服务")),
        _banner([4, 5], ("市资源规划局", None, "厦门轨道建设发展集团有限责任公司", "主动排忧解难又实、高效服务好又快"),
                ("市资源规划局", "直属分局", "西海湾邮轮城投资有限公司", "主动服务心系企业、业务精湛务实高效")),
        _banner([5], ("市卫健委", None, "厦门金域医学检验实验室有限公司", "热情服务审批快捷、依规办事尽职尽责")),
        _banner([5], ("市市场监管局", None, "鼎丰集团", "贴心服务为企业、服务高效办实事")),
        _banner([5, 6], ("市市政园林局", None, "厦门新沿线联合置业有限公司", "热情服务、廉明高效"),
                ("市市政园林局", None, "钛永星（厦门）绳缆科技有限公司", "服务热情周到、工作快捷高效"),
                ("市市政园林局", None, "厦门兆旻隆房地产开发有限公司", "热情服务、廉明高效")),
    ]
    letter_units = ["市发改委", "市工信局", "市卫健委", "市财政局", "市执法局", "市教育局", "市司法局",
                    "市农业农村局", "市文旅局", "市体育局", "市档案局", "市退役军人局"]
    named = [("市政务服务保障中心", "陈锦园"), ("市不动产登记中心", "刘佳珍"), ("市市政园林局", "陈诗赞"),
             ("市医保局", "罗明雨"), ("市医保局", "林宸晖"), ("市人社局", "余卫强"), ("市商务局", "吴露萍")]
    more_units = ["市民政局", "市公安局", "市司法局", "市财政局", "市建设局", "市应急局"]
    more = [(more_units[i % 6], f"工作人员{i + 1}") for i in range(15)]
    return Commendations(
        banners=banners, letters=23, letter_units=letter_units,
        letter_sources=["厦门土地发展中心", "厦门轨道建设发展集团有限公司", "摩多科技",
                        "火炬同翔新城建设投资有限公司", "办事群众"],
        letter_months=[4, 5, 6], praised_persons=named + more,
        praise_units=list(dict.fromkeys(u for u, _ in named + more)), praise_months=[4, 5, 6],
    )


def published_2022q2(config: Config) -> Bulletin:
    """The 2022 Q2 bulletin as a correct computation would hold it."""
    return Bulletin(
        quarter="2022Q2", previous_quarter="2022Q1", issue_in_year=2, issue_overall=10,
        issue_date=date(2022, 7, 26), awards=_awards(), evaluations=_evaluations(config),
        survey=_survey(), satisfaction=_satisfaction(config), bad_reviews=_bad_reviews(),
        mechanism=_mechanism(), active=_active(), commendations=_commendations(),
    )
