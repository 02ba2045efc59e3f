"""A complete, hand-made 2022Q2-like Bulletin for presentation tests (no raw data needed).

Figures follow the printed 2022 Q2 bulletin where it gives them; the rest are plausible.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction as F

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

REGIONS = [
    ("厦门市直", "350200", 1063749, 1030300, (1, 0, 69, 218, 1063461)),
    ("思明区", "350203", 149946, 149506, (0, 0, 3, 24, 149919)),
    ("湖里区", "350206", 116527, 115351, (0, 0, 0, 6, 116521)),
    ("集美区", "350211", 157610, 157180, (0, 0, 2, 18, 157590)),
    ("海沧区", "350205", 119890, 118668, (0, 0, 4, 9, 119877)),
    ("同安区", "350212", 214612, 213962, (0, 0, 0, 4, 214608)),
    ("翔安区", "350213", 127972, 127399, (0, 0, 3, 21, 127948)),
]
ASC = ("非常不满意", "不满意", "基本满意", "满意", "非常满意")

UNITS = [
    "市测绘与基础地理信息中心", "市商务局", "市民政局", "市市政园林局", "市住房局", "市应急局",
    "市公安局", "市水利局", "市财政局", "市科技局", "厦门港口管理局", "市发改委", "市工信局",
    "市教育局", "市司法局", "市资源规划局", "市生态环境局", "市交通运输局", "市卫健委",
    "厦门海关", "国家外汇管理局厦门分局", "市社保中心", "市人社局", "市医保中心", "厦门税务",
    "市建设局",
]

STARS = [
    ("陈雅玲", "市市场监管局", "厦门市市场监督管理局"),
    ("杨海霞", "市市场监管局", "厦门市市场监督管理局"),
    ("倪艳云", "市民政局", "厦门市民政局"),
    ("任方", "市科技局", "厦门市科学技术局"),
    ("何晓琪", "市政务服务保障中心", "厦门市政务服务保障中心"),
    ("黄雨茜", "市政务服务保障中心", "厦门市政务服务保障中心"),
    ("林恩爽", "市政务服务保障中心", "厦门市政务服务保障中心"),
]

RED_FLAGS = [
    "厦门市交通运输局", "厦门市社会保险中心", "厦门市住房公积金中心", "厦门市市政园林局",
    "厦门市商务局", "国家税务总局厦门市税务局", "厦门市卫生健康委员会", "厦门港口管理局",
    "厦门市发展和改革委员会", "厦门市人民防空办公室",
]


def _activity(unit: str, cases: int, evaluations: int, rate: F) -> UnitActivity:
    return UnitActivity(unit, cases, evaluations, round(evaluations * rate), rate)


def make_bulletin() -> Bulletin:
    regions = [
        RegionRow(label, code, total, active, dict(zip(ASC, levels, strict=True)))
        for label, code, total, active, levels in REGIONS
    ]
    levels = {lv: sum(r.levels[lv] for r in regions) for lv in ASC}
    total = sum(r.total for r in regions)
    active = sum(r.active for r in regions)
    evaluations = EvaluationSummary(
        total=total,
        active=active,
        active_rate=F(active, total),
        levels=levels,
        satisfied_rate=F(levels["非常满意"] + levels["满意"] + levels["基本满意"], total),
        regions=regions,
        previous_levels={"非常满意": 1700000, "满意": 900, "基本满意": 150, "不满意": 3, "非常不满意": 1},
    )
    unit_scores = [ScoreEntry(u, Decimal("98.50") - Decimal(i) / 10) for i, u in enumerate(UNITS)]
    district_scores = [
        ScoreEntry(n, Decimal(s))
        for n, s in [("翔安区", "96.40"), ("湖里区", "96.10"), ("思明区", "95.80"),
                     ("集美区", "95.60"), ("海沧区", "95.20"), ("同安区", "95.04")]
    ]
    survey = Survey(
        units=SurveyGroup(54, F("96.25"), F("96.41"), UNITS[:11], UNITS[-7:], unit_scores),
        districts=SurveyGroup(6, F("95.69"), F("96.26"), ["翔安区", "湖里区"], ["海沧区", "同安区"],
                              district_scores),
    )
    below = [
        UnitRate("市商务局", F("0.97857"), 700), UnitRate("市海洋发展局", F("0.98400"), 125),
        UnitRate("厦门港口管理局", F("0.99718"), 2100), UnitRate("市住房局", F("0.99728"), 3300),
        UnitRate("市卫健委", F("0.99792"), 4800), UnitRate("市建设局", F("0.99868"), 5300),
    ]
    names = {u.unit for u in below}
    city_rates = below + [
        UnitRate(u, F(99990 - i, 100000), 1000 + 37 * i)
        for i, u in enumerate(UNITS[6:20]) if u not in names
    ]
    district_rates = [UnitRate(r.label, F(99996, 100000), r.total) for r in regions[1:]]
    satisfaction = Satisfaction(
        district_rates=district_rates,
        district_mean=F("0.99996"),
        district_mean_previous=F("0.99436"),
        city_rates=city_rates,
        city_mean=F("0.99912"),
        city_mean_previous=F("0.99974"),
        below_city_mean=below,
    )
    units = [
        BadReviewGroup("市市场监管局", 39, {"市市场监管局": 30, "思明市场监管所": 9}, True),
        BadReviewGroup("市生态环境局", 10),
        BadReviewGroup("市公安局", 7, {"市公安局": 5, "思明派出所": 2}, True),
        BadReviewGroup("市住房局", 7, {"住房局": 1, "市公积金中心": 6}),
        BadReviewGroup("市人社局", 4),
    ]
    districts = [BadReviewGroup("同安区", 3), BadReviewGroup("翔安区", 2), BadReviewGroup("湖里区", 1)]
    bad = BadReviews(
        total=90,
        verdicts={"属实": 0, "误差评": 71, "恶意差评": 19, "未核实": 0},
        units=units,
        districts=districts,
        listed_units=units[:4],
        listed_districts=districts[:2],
    )
    below_80 = [
        _activity(u, 300 + 10 * i, 250 + 10 * i, F(40 + 3 * i, 100))
        for i, u in enumerate(["市建筑废土站", "市科技局", "市城建档案馆", "市生态环境局", "市水利局",
                               "市资源规划局", "市市政园林局", "市残疾人就业服务中心", "市房屋事务中心",
                               "市工信局", "市通信管理局"])
    ]
    mechanism = Mechanism(
        late_push_districts=["同安区", "翔安区"],
        late_push_units=UNITS[:9],
        missing_eval_districts=[r.label for r in regions[1:]],
        missing_eval_units=UNITS[:9] + [f"单位{i}" for i in range(22)],
        below_active_threshold=below_80,
        repeat_items=[RepeatItem("350200-001", "食品经营许可", "市市场监管局", 4, 3)],
    )
    big = [
        _activity("市不动产登记中心", 120000, 110000, F("0.99998")),
        _activity("市人社局", 90000, 80000, F("0.99990")),
        _activity("市市场监管局", 80000, 70000, F("0.99984")),
        _activity("市公积金中心", 60000, 50000, F("0.99973")),
        _activity("市交通运输局", 40000, 30000, F("0.99398")),
        _activity("市公安局", 30000, 25000, F("0.97849")),
        _activity("市自然资源和不动产权属档案中心", 21000, 20000, F("0.94172")),
    ]
    leaders = [
        _activity(u, 500 + i, 400 + i, F(1)) for i, u in enumerate(
            ["市商务局", "市农业农村局", "市档案局", "市地方金融监管局", "市民政局", "市教育局",
             "市体育局", "市民宗局", "市侨办", "市文旅局", "市执法局"])
    ]
    active_rates = ActiveRates(
        hall_rate=F(9372, 10000),
        hall_active=93720,
        hall_total=100000,
        city_rate=F(1030300, 1063749),
        city_rate_previous=F("0.9490"),
        ranking=leaders + big + below_80[::-1],
        leaders=leaders,
        big_units=big,
        below_threshold=below_80,
    )
    banners = [
        CommendationGroup([4], ["市民政局"], "锦旗", [
            CommendationEntry("市民政局", None, "锦旗", "厦门市星谷卫星应用技术研究院", "服务贴心、办事暖心", 1, []),
            CommendationEntry("市民政局", None, "锦旗", "厦门市潜水协会", "尽职尽责、勤政高效", 1, []),
        ]),
        CommendationGroup([4], ["市建设局", "市城建档案馆"], "锦旗", [
            CommendationEntry("市建设局", None, "锦旗", "厦门万科", "一心一意为人民、尽心竭力办实事", 1, []),
            CommendationEntry("市城建档案馆", None, "锦旗", "厦门万科", "真诚服务、高效审批", 1, []),
        ]),
        CommendationGroup([4, 5], ["市资源规划局"], "锦旗", [
            CommendationEntry("市资源规划局", None, "锦旗", "厦门轨道建设发展集团有限责任公司",
                              "主动排忧解难又实、高效服务好又快", 1, []),
            CommendationEntry("市资源规划局", "直属分局", "锦旗", "西海湾邮轮城投资有限公司",
                              "主动服务心系企业、业务精湛务实高效", 1, []),
        ]),
    ]
    praised = [
        ("市政务服务保障中心", "陈锦园"), ("市不动产登记中心", "刘佳珍"), ("市市政园林局", "陈诗赞"),
        ("市医保局", "罗明雨"), ("市医保局", "林宸晖"), ("市人社局", "余卫强"), ("市商务局", "吴露萍"),
    ] + [(f"单位{i % 5}", f"人员{i}") for i in range(16)]
    commendations = Commendations(
        banners=banners,
        letters=23,
        letter_units=["市发改委", "市工信局", "市卫健委", "市财政局", "市执法局"] + [f"单位{i}" for i in range(7)],
        letter_sources=["厦门土地发展中心", "厦门轨道建设发展集团有限公司", "摩多科技",
                        "火炬同翔新城建设投资有限公司", "某公司"],
        letter_months=[4, 5, 6],
        praised_persons=praised,
        praise_units=[f"部门{i}" for i in range(12)],
        praise_months=[4, 5, 6],
    )
    return Bulletin(
        quarter="2022Q2",
        previous_quarter="2022Q1",
        issue_in_year=2,
        issue_overall=10,
        issue_date=date(2022, 7, 26),
        awards=Awards(RED_FLAGS, [Star(p, u, f, 2) for p, u, f in STARS]),
        evaluations=evaluations,
        survey=survey,
        satisfaction=satisfaction,
        bad_reviews=bad,
        mechanism=mechanism,
        active=active_rates,
        commendations=commendations,
    )
