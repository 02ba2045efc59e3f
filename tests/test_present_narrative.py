import dataclasses
from fractions import Fraction as F

import pytest
from present_fixtures import make_bulletin

from hcp_lib.config import load_config
from hcp_lib.present.narrative import Narrator


@pytest.fixture(scope="module")
def config():
    return load_config()


def _text(blocks):
    return "\n".join(b.text for b in blocks)


def test_sections_in_the_bulletins_order(config):
    blocks = Narrator(make_bulletin(), config).all_blocks()
    heads = [b.text for b in blocks if b.kind in ("section", "heading")]
    assert heads == [
        "【评优评先】", "一、第二季度市行政服务中心“红旗窗口”",
        "二、第二季度市行政服务中心获评两次以上“服务之星”", "【“好差评”】", "一、企业群众评价情况",
        "二、第三方评估", "三、政务服务满意率情况", "四、机制体制落实情况", "五、主动评价率情况",
        "【优质服务】",
    ]


def test_headline_paragraph(config):
    text = _text(Narrator(make_bulletin(), config).evaluations())
    assert ("二季度我市全部评价数为 1950306 件，主动评价 1912366 件，线上线下综合主动评价率为 98.05%。"
            "其中：非常满意 1949924 件，占比 99.98%，相比一季度有所提高；满意 300 件，占比 0.01%；"
            "基本满意 81 件，占比 0.01%，电子评价综合满意率 99.99%。") in text


@pytest.mark.parametrize(("others", "word"), [(1000, "有所提高"), (0, "有所下降")])
def test_headline_comparison_follows_the_data(config, others, word):
    b = make_bulletin()
    prev = {"非常满意": 1700000, "满意": others, "基本满意": 0, "不满意": 0, "非常不满意": 0}
    b = dataclasses.replace(b, evaluations=dataclasses.replace(b.evaluations, previous_levels=prev))
    assert f"相比一季度{word}" in _text(Narrator(b, config).evaluations())


def test_headline_flat(config):
    b = make_bulletin()
    e = b.evaluations
    b = dataclasses.replace(b, evaluations=dataclasses.replace(e, previous_levels=dict(e.levels)))
    assert "相比一季度基本持平" in _text(Narrator(b, config).evaluations())


def test_awards_lines(config):
    text = _text(Narrator(make_bulletin(), config).awards())
    assert "厦门市交通运输局、厦门市社会保险中心、" in text
    assert "厦门市人民防空办公室。" in text
    assert "陈雅玲、杨海霞（厦门市市场监督管理局），倪艳云（厦门市民政局），" in text
    assert "何晓琪、黄雨茜、林恩爽（厦门市政务服务保障中心）。" in text


def test_survey_comparisons(config):
    text = _text(Narrator(make_bulletin(), config).survey())
    assert "平均成绩为96.25分，相比上一季度略有下降" in text
    assert "6个区平均成绩为95.69分，相比上一季度下降近0.6个百分点" in text
    assert "市科技局以及厦门港口管理局等企事业单位" in text


def test_survey_rise_reads_as_rise(config):
    b = make_bulletin()
    s = b.survey
    districts = dataclasses.replace(s.districts, previous_mean=F("94.70"))
    b = dataclasses.replace(b, survey=dataclasses.replace(s, districts=districts))
    assert "相比上一季度提高近1个百分点" in _text(Narrator(b, config).survey())


def test_satisfaction_and_bad_reviews(config):
    text = _text(Narrator(make_bulletin(), config).satisfaction())
    assert "平均得分从99.436%提升到99.996%" in text
    assert "但由于个别市直部门得分不高，全市政务服务满意率的平均得分从99.974%回落到99.912%" in text
    assert "市商务局（97.857%）、市海洋发展局（98.400%）" in text
    assert "共有90件“不满意”和“非常不满意”件，均核实为误差评或恶意差评" in text
    assert "市公安局（含基层所站）7件以及市住房局7件（其中市住房局1件、市公积金中心6件）" in text
    assert "较多的区有：同安区3件、翔安区2件。" in text


def test_city_mean_rise_reads_as_rise(config):
    b = make_bulletin()
    s = dataclasses.replace(b.satisfaction, city_mean_previous=F("0.998"))
    text = _text(Narrator(dataclasses.replace(b, satisfaction=s), config).satisfaction())
    assert "全市政务服务满意率的平均得分从99.800%提升到99.912%" in text
    assert "回落" not in text


def test_mechanism_and_active(config):
    n = Narrator(make_bulletin(), config)
    text = _text(n.mechanism())
    assert "共有2个区和9家市直单位不同程度存在超过24小时未及时向省网汇聚评价数据的问题" in text
    assert "此外，六区和其他 22 家市直单位均不同程度存在个别事项办件无评价信息的情况" in text
    assert "（二）个别单位线上线下综合主动评价率有待提升。二季度全市还有 11 家市直部门" in text
    assert "进入三季度后仍然多次出现差评" in text
    text = _text(n.active())
    assert "主动电子评价率为 93.72%" in text
    assert "综合主动评价率 96.86%，相比一季度提升了近 2 个百分点" in text
    assert "办件量超过 2 万件且综合主动评价率在 90%以上的单位：市不动产登记中心 99.998%，" in text
    assert "市工信局以及市通信管理局。" in text


def test_active_rate_drop(config):
    b = make_bulletin()
    a = dataclasses.replace(b.active, city_rate_previous=F("0.9720"))
    text = _text(Narrator(dataclasses.replace(b, active=a), config).active())
    assert "相比一季度下降了约 0.3 个百分点" in text


def test_commendations(config):
    blocks = Narrator(make_bulletin(), config).commendations()
    text = _text(blocks)
    assert blocks[1].text.startswith("一、4 月份，市民政局窗口收到厦门市星谷卫星应用技术研究院赠送的")
    assert "市城建档案馆收到厦门万科赠送的“真诚服务、高效审批”锦旗一面。" in text
    assert "七、4-5 月份，市资源规划局窗口收到" in text
    assert "直属分局收到西海湾邮轮城投资有限公司赠送的" in text
    assert "等12个窗口部门分别收到" in text and "感谢信共计 23 封。" in text
    assert "市医保局罗明雨、林宸晖，以及市人社局余卫强、市商务局吴露萍等 12 个窗口服务部门共计20余人次" in text


def _with_previous_rates(b, district_step: F, city_steps: list[F], config=None):
    """Previous-quarter rates: each district ``district_step`` lower, city unit i by step i."""
    s = b.satisfaction
    districts = [dataclasses.replace(r, rate=r.rate - district_step) for r in s.district_rates]
    steps = city_steps + [city_steps[-1]] * (len(s.city_rates) - len(city_steps))
    cities = [dataclasses.replace(r, rate=r.rate - d) for r, d in zip(s.city_rates, steps, strict=True)]
    s = dataclasses.replace(s, district_rates_previous=districts, city_rates_previous=cities)
    return dataclasses.replace(b, satisfaction=s)


def _satisfaction_lead(b, config) -> str:
    return Narrator(b, config).satisfaction()[1].text


def test_improvement_claims_follow_the_unit_rates(config):
    b = make_bulletin()
    n = len(b.satisfaction.city_rates)
    up, down = F(1, 10000), F(-1, 10000)
    most = _with_previous_rates(b, up, [down] * (n // 2 - 1) + [up])  # more than half rose
    assert ("我市各区和多数市直审批服务部门的政务服务满意率相比一季度均有所提高，"
            "尤其是六个区的政务服务满意率平均得分从99.436%提升到99.996%") in _satisfaction_lead(most, config)
    half = _with_previous_rates(b, up, [down] * (n - n // 2) + [up])  # exactly half rose: not 多数
    text = _satisfaction_lead(half, config)
    assert "我市各区的政务服务满意率相比一季度均有所提高，尤其是六个区" in text
    assert "多数" not in text


def test_no_improvement_claim_when_a_district_fell_or_no_rates(config):
    b = make_bulletin()
    n = len(b.satisfaction.city_rates)
    fell = _with_previous_rates(b, F(1, 10000), [F(-1, 10000)] * n)
    s = fell.satisfaction
    one_down = [dataclasses.replace(s.district_rates_previous[0], rate=F(1)),
                *s.district_rates_previous[1:]]
    fell = dataclasses.replace(fell, satisfaction=dataclasses.replace(s, district_rates_previous=one_down))
    plain = make_bulletin()
    unrated = dataclasses.replace(plain, satisfaction=dataclasses.replace(
        plain.satisfaction, district_rates_previous=None, city_rates_previous=None))
    for b_ in (fell, unrated):  # a district fell / no previous unit rates
        text = _satisfaction_lead(b_, config)
        assert "各区" not in text and "多数" not in text and "均有所提高" not in text
        assert "计算，六个区的政务服务满意率平均得分从99.436%提升到99.996%" in text


def test_majority_threshold_is_configured(config):
    b = make_bulletin()
    n = len(b.satisfaction.city_rates)
    up, down = F(1, 10000), F(-1, 10000)
    b = _with_previous_rates(b, up, [down] * (n // 3) + [up])  # two thirds rose
    assert "多数市直审批服务部门" in _satisfaction_lead(b, config)
    strict = config.model_copy(update={"satisfaction": config.satisfaction.model_copy(
        update={"majority_above": 0.75})})
    assert "多数" not in _satisfaction_lead(b, strict)
