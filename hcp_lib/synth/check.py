"""Check a generated dataset against the bulletin, recomputing every figure from the files.

Deliberately independent of the generator: it reads only the written files, the registry and
the configuration, and computes each figure with plain pandas as ``docs/rules.md`` defines it.
``check_against_targets(out_dir)`` returns the discrepancies (empty when all figures hold).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..config import load_config
from . import targets as T

LEVELS = T.LEVELS
BAD = ("不满意", "非常不满意")


def pct(value: Fraction, decimals: int) -> str:
    """A fraction of 1 printed as a percentage, half-up."""
    v = Decimal(value.numerator) / Decimal(value.denominator) * 100
    return str(v.quantize(Decimal(10) ** -decimals, ROUND_HALF_UP))


def pct_trunc(value: Fraction, decimals: int) -> str:
    scaled = value * 100 * 10**decimals
    whole = scaled.numerator // scaled.denominator
    s = f"{whole:0{decimals + 1}d}"
    return f"{s[:-decimals]}.{s[-decimals:]}"


def isin(series: pd.Series, values) -> pd.Series:
    """Series.isin for large string columns (pyarrow's hash set; pandas' is slow for them)."""
    value_set = pa.array(pd.Series(list(values) if not isinstance(values, pd.Series) else values,
                                   dtype="str"))
    mask = pc.is_in(pa.array(series.astype("str")), value_set=value_set)
    return pd.Series(mask.to_numpy(zero_copy_only=False), index=series.index)


class Data:
    """One period's tables, normalised (labels decoded, units resolved, times parsed)."""

    def __init__(self, folder: Path, cfg) -> None:
        reg = cfg.registry
        self.folder = folder
        ev = pd.read_parquet(folder / "评价明细.parquet")
        for col in ("实施单位", "评价等级", "评价渠道", "评价方式", "行政区划代码", "事项编码"):
            ev[col] = ev[col].astype("category")
        codes = {str(5 - i): lv for i, lv in enumerate(LEVELS)}
        if cfg.input.level_codes == "ascending":
            codes = {str(i + 1): lv for i, lv in enumerate(LEVELS)}
        ev["level"] = ev["评价等级"].map(lambda x: codes.get(x, x))
        ev["channel"] = ev["评价渠道"].map(lambda x: cfg.input.channel_codes.get(x, x))
        ev["evaluated"] = pd.to_datetime(ev["评价时间"])
        ev["pushed"] = pd.to_datetime(ev["汇聚时间"])
        resolved = {n: reg.resolve(n) for n in ev["实施单位"].cat.categories}
        ev["unit"] = ev["实施单位"].map(resolved)
        tops = {u: reg.top(u) for u in set(resolved.values()) if u}
        ev["top"] = ev["unit"].map(tops)
        ev["group"] = ev["unit"].map({u: reg.bad_review_group(u) for u in tops})
        ev["active"] = (ev["评价方式"] == "主动评价").to_numpy()
        ev["eval_id"] = ev["评价编号"]
        ev["case_id"] = ev["办件编号"]
        self.ev = ev
        cs = pd.read_parquet(folder / "办件明细.parquet")
        cs["实施单位"] = cs["实施单位"].astype("category")
        cs["completed"] = pd.to_datetime(cs["办结时间"])
        cres = {n: reg.resolve(n) for n in cs["实施单位"].cat.categories}
        cs["unit"] = cs["实施单位"].map(cres)
        cs["top"] = cs["unit"].map({u: reg.top(u) for u in set(cres.values()) if u})
        cs["case_id"] = cs["办件编号"]
        self.cases = cs
        led = pd.read_excel(folder / "差评核实台账.xlsx", dtype=str, engine="calamine")
        self.ledger = led.fillna("")
        self.unresolved = sorted({n for n, r in {**resolved, **cres}.items() if r is None})

    def read(self, title: str, **kw) -> pd.DataFrame:
        return pd.read_excel(self.folder / f"{title}.xlsx", engine="calamine", **kw)

    def after_verification(self) -> pd.Series:
        corrected = self.ledger.set_index("评价编号")["更正后等级"]
        corrected = corrected[corrected != ""]
        after = self.ev["level"].astype("str").copy()
        hit = isin(self.ev["eval_id"], corrected.index)
        after[hit] = self.ev.loc[hit, "eval_id"].map(corrected).to_numpy()
        return after


def _rates(data: Data, weights: dict[str, float]) -> pd.DataFrame:
    ev = data.ev.assign(after=data.after_verification())
    ev["w"] = ev["after"].map(weights)
    g = ev.groupby("top")
    out = pd.DataFrame({"n": g.size(), "points": g["w"].sum(), "active": g["active"].sum()})
    out["sat"] = [Fraction(int(p), int(n)) / 100 for p, n in zip(out["points"], out["n"], strict=True)]
    out["act"] = [Fraction(int(a), int(n)) for a, n in zip(out["active"], out["n"], strict=True)]
    return out


def _means(data: Data, cfg) -> tuple[Fraction, Fraction, pd.DataFrame]:
    reg = cfg.registry
    rates = _rates(data, {k: int(v) for k, v in cfg.satisfaction.weights.items()})
    districts = [d.name for d in cfg.city.districts]
    dmean = sum(rates.loc[d, "sat"] for d in districts) / len(districts)
    kinds = set(cfg.satisfaction.city_mean_kinds)
    city = rates[[reg.units[u].kind in kinds for u in rates.index]]
    cmean = sum(city["sat"]) / len(city)
    return dmean, cmean, city


def check_against_targets(out_dir: Path, config_path: Path | None = None) -> list[str]:
    """Every figure of the 2022 Q2 bulletin (and what it says of Q1 and July), recomputed
    from the files in ``out_dir``; returns the discrepancies."""
    cfg = load_config(config_path)
    reg = cfg.registry
    out_dir = Path(out_dir)
    problems: list[str] = []

    def expect(what: str, got, want) -> None:
        if got != want:
            problems.append(f"{what}: got {got!r}, want {want!r}")

    q1, q2, q3 = (Data(out_dir / p, cfg) for p in ("2022Q1", "2022Q2", "2022Q3"))
    for d in (q1, q2, q3):
        expect(f"{d.folder.name} unknown unit names", d.unresolved, [])
    ev = q2.ev
    start, end = datetime(2022, 4, 1), datetime(2022, 7, 1)
    expect("Q2 evaluations outside the quarter",
           int(((ev["evaluated"] < start) | (ev["evaluated"] >= end)).sum()), 0)

    # 一、totals and the region table (levels after verification)
    after = q2.after_verification()
    expect("total evaluations", len(ev), T.TOTAL_EVALUATIONS)
    expect("active evaluations", int(ev["active"].sum()), T.TOTAL_ACTIVE)
    for label, code, total, active, levels in T.REGION_TABLE:
        m = (ev["行政区划代码"] == code).to_numpy()
        expect(f"{label} total", int(m.sum()), total)
        expect(f"{label} 用户评价", int(ev.loc[m, "active"].sum()), active)
        counts = after[m].value_counts()
        for lv, want in levels.items():
            expect(f"{label} {lv}", int(counts.get(lv, 0)), want)

    # bad reviews
    raw_bad = ev[ev["level"].isin(BAD).to_numpy()].copy()
    raw_bad["level"] = raw_bad["level"].astype("str")
    expect("raw bad reviews", len(raw_bad), T.BAD_REVIEWS_TOTAL)
    led = q2.ledger.set_index("评价编号")
    in_led = isin(raw_bad["eval_id"], led.index)
    expect("bad reviews missing from the ledger", int((~in_led).sum()), 0)
    verdicts = led.reindex(raw_bad["eval_id"])["核实结果"]
    expect("bad-review verdicts", sorted(set(verdicts)), ["恶意差评", "误差评"])
    corrected = led.reindex(raw_bad["eval_id"])["更正后等级"]
    expect("bad reviews with a corrected level", int((corrected != "").sum()), 89)
    kept = raw_bad[(corrected == "").to_numpy()]
    expect("uncorrected bad review", [(r.level, r.行政区划代码, v) for r, v in
                                      zip(kept.itertuples(), verdicts[(corrected == "").to_numpy()], strict=True)],
           [("非常不满意", "350200", "恶意差评")])
    is_d = raw_bad["top"].map(lambda u: reg.units[u].kind == "区")
    city_g = raw_bad[~is_d].groupby("group").size()
    listed = {g: int(c) for g, c in city_g.items() if c >= cfg.bad_reviews.list_min_units}
    expect("bad-review groups listed", listed, T.BAD_REVIEW_GROUPS_LISTED)
    parts = raw_bad[raw_bad["group"] == "市住房局"].groupby("top").size().to_dict()
    expect("市住房局 parts", {k: int(v) for k, v in parts.items()}, T.BAD_REVIEW_PARTS["市住房局"])
    for g in T.BAD_REVIEW_WITH_STATIONS:
        sub = raw_bad[raw_bad["group"] == g]
        expect(f"{g} 含基层所站", bool((sub["unit"].map(lambda u: reg.units[u].kind) == "基层所站").any()), True)
    dist_g = raw_bad[is_d].groupby("top").size()
    expect("districts listed", {d: int(c) for d, c in dist_g.items() if c >= cfg.bad_reviews.list_min_districts},
           T.BAD_REVIEW_DISTRICTS_LISTED)

    # 三、政务服务满意率
    dmean, cmean, city = _means(q2, cfg)
    expect("district mean", pct(dmean, 3), T.DISTRICT_MEAN)
    expect("city mean", pct(cmean, 3), T.CITY_MEAN)
    expect("city mean (truncated)", pct_trunc(cmean, 3), T.CITY_MEAN)
    below = city[city["sat"] < cmean].sort_values("sat")
    expect("units below the city mean", [(u, pct(r, 3)) for u, r in below["sat"].items()],
           list(T.BELOW_CITY_MEAN))
    for u, r in below["sat"].items():
        expect(f"{u} rate (truncated)", pct_trunc(r, 3), pct(r, 3))

    # 四、late pushes and cases without evaluation
    late = ev[(ev["pushed"] - ev["evaluated"]) > pd.Timedelta(hours=cfg.mechanism.push_limit_hours)]
    late_tops = set(late["top"])
    late_d = {u for u in late_tops if reg.units[u].kind == "区"}
    late_u = late_tops - late_d
    expect("late-push districts", len(late_d), T.LATE_PUSH_DISTRICTS)
    expect("late-push city units", len(late_u), T.LATE_PUSH_UNITS)
    cases = q2.cases
    expect("Q2 cases outside the quarter",
           int(((cases["completed"] < start) | (cases["completed"] >= end)).sum()), 0)
    for reading, evs, data_end in (("with July", pd.concat([q2.ev["case_id"], q3.ev["case_id"]]),
                                    datetime(2022, 7, 26)),
                                   ("quarter only", q2.ev["case_id"], end)):
        due = cases[cases["completed"] <= data_end - timedelta(days=7)]
        missing = set(due.loc[~isin(due["case_id"], evs).to_numpy(), "top"])
        miss_d = {u for u in missing if reg.units[u].kind == "区"}
        miss_u = missing - miss_d
        expect(f"districts with cases without evaluation ({reading})", len(miss_d), T.MISSING_EVAL_DISTRICTS)
        expect(f"city units with cases without evaluation ({reading})", len(miss_u),
               T.MISSING_EVAL_OTHER_UNITS)
        expect(f"… of which also late ({reading})", sorted(miss_u & late_u), [])

    # 五、active rates
    rates = _rates(q2, {k: int(v) for k, v in cfg.satisfaction.weights.items()})
    city_rates = rates[[reg.units[u].kind != "区" for u in rates.index]].copy()
    region_city = (ev["行政区划代码"] == cfg.city.city_region_code).to_numpy()
    expect("city units' combined active rate",
           Fraction(int(ev.loc[region_city, "active"].sum()), int(region_city.sum())), T.CITY_ACTIVE)
    # best first; ties: more evaluations first (exact fractions, no float ordering)
    ranked = sorted(city_rates.index, key=lambda u: (-city_rates.loc[u, "act"], -city_rates.loc[u, "n"]))
    expect("active-rate leaders", ranked[: cfg.active_rate.leaders_top_n], list(T.LEADERS))
    n_cases = cases.groupby("top").size()
    big = [u for u in ranked if n_cases.get(u, 0) > cfg.active_rate.big_unit_cases
           and city_rates.loc[u, "act"] >= Fraction(str(cfg.active_rate.big_unit_min_rate))]
    expect("units over 20,000 cases at >= 90%", [(u, pct(city_rates.loc[u, "act"], 3)) for u in big],
           list(T.BIG_UNITS))
    for u in big:
        expect(f"{u} active rate (truncated)", pct_trunc(city_rates.loc[u, "act"], 3),
               pct(city_rates.loc[u, "act"], 3))
    near = [u for u in city_rates.index if 19_000 <= n_cases.get(u, 0) <= 21_000]
    expect("units within 1,000 cases of the 20,000 line", near, [])
    low = sorted([u for u in city_rates.index
                  if city_rates.loc[u, "act"] < Fraction(str(cfg.mechanism.active_rate_threshold))],
                 key=lambda u: city_rates.loc[u, "act"])
    expect("units under 80%", low, list(T.BELOW_80))

    # hall windows
    for reading, pool in (("Q2 cases", cases),
                          ("all cases", pd.concat([q1.cases, cases, q3.cases]))):
        hall_cases = pool[(pool["办理渠道"] == cfg.active_rate.hall_handling_channel)
                          & pool["办理地点"].isin(cfg.active_rate.hall_places)]
        hall = ev[isin(ev["case_id"], hall_cases["case_id"]).to_numpy()]
        rate = Fraction(int(hall["active"].sum()), len(hall))
        expect(f"hall active rate ({reading})", pct(rate, 2), T.HALL_ACTIVE_RATE)
        expect(f"hall active rate truncated ({reading})", pct_trunc(rate, 2), T.HALL_ACTIVE_RATE)
    linked = isin(ev["case_id"], pd.concat([q1.cases["case_id"], cases["case_id"], q3.cases["case_id"]]))
    expect("Q2 evaluations whose case is in no cases file", int((~linked).sum()), 0)

    # 二、第三方评估
    sv2 = q2.read("第三方评估")
    sv1 = q1.read("第三方评估")
    for df in (sv1, sv2):
        df["unit"] = df["单位"].map(reg.resolve)

    def mean(df, group):
        s = df.loc[df["类别"] == group, "得分"]
        return sum(Fraction(Decimal(str(x))) for x in s) / len(s), len(s)

    (mu2, nu), (md2, nd) = mean(sv2, "窗口单位"), mean(sv2, "区")
    (mu1, _), (md1, _) = mean(sv1, "窗口单位"), mean(sv1, "区")
    expect("survey window units", nu, 54)
    expect("survey districts", nd, 6)
    expect("survey unit mean", pct(mu2 / 100, 2), T.SURVEY_UNITS_MEAN)
    expect("survey district mean", pct(md2 / 100, 2), T.SURVEY_DISTRICTS_MEAN)
    expect("survey Q1 unit mean slightly higher", Fraction(0) < mu1 - mu2 < Fraction(1, 2), True)
    expect("survey Q1 district mean ~0.6 higher", Fraction(55, 100) <= md1 - md2 < Fraction(60, 100), True)
    su = sv2[sv2["类别"] == "窗口单位"].sort_values("得分", ascending=False)
    expect("survey top units", su["unit"].head(11).tolist(), list(T.SURVEY_UNITS_TOP))
    expect("survey bottom units", su["unit"].tail(7).tolist()[::-1], list(T.SURVEY_UNITS_BOTTOM))
    sd = sv2[sv2["类别"] == "区"].sort_values("得分", ascending=False)
    expect("survey top districts", sd["unit"].head(2).tolist(), list(T.SURVEY_DISTRICTS_TOP))
    expect("survey bottom districts", sd["unit"].tail(2).tolist()[::-1], list(T.SURVEY_DISTRICTS_BOTTOM))
    for df, k, m, name in ((su, 11, 7, "units"), (sd, 2, 2, "districts")):
        sc = df["得分"].tolist()
        expect(f"survey {name}: no tie at the list edges", sc[k - 1] != sc[k] and sc[-m] != sc[-m - 1], True)

    # 评优评先
    st = q2.read("服务之星", dtype=str)
    counts = st.groupby(["姓名", "单位"], sort=False).size()
    repeat = [(p, u) for (p, u), c in counts.items() if c >= 2]
    expect("service stars (2+ awards)", repeat, list(T.STARS))
    expect("service-star months", sorted(st["月份"].unique()), ["2022-04", "2022-05", "2022-06"])
    rf = q2.read("红旗窗口", dtype=str)
    expect("red-flag windows", rf["单位"].tolist(), list(T.RED_FLAGS))

    # 【优质服务】
    cm = q2.read("表扬台账", dtype=str).fillna("")
    cm["unit"] = cm["单位"].map(reg.resolve)
    cm["数量"] = cm["数量"].replace("", "1").astype(float).astype(int)
    banners = cm[cm["类型"] == "锦旗"]
    got = [(int(r.条目), int(r.月份[-2:]), r.unit, r.受表扬部门, r.来自, r.内容) for r in banners.itertuples()]
    expect("banners", got, list(T.BANNERS))
    letters = cm[cm["类型"] == "感谢信"]
    expect("letters", int(letters["数量"].sum()), T.LETTERS_TOTAL)
    expect("letter units", letters["unit"].nunique(), T.LETTER_UNITS)
    expect("letter units named first", list(dict.fromkeys(letters["unit"]))[:5], list(T.LETTER_UNITS_FIRST))
    expect("letter senders named first", list(dict.fromkeys(letters["来自"]))[:4], list(T.LETTER_SOURCES_FIRST))
    praise = cm[cm["类型"] == "表扬"]
    persons = [(u, p) for u, ps in zip(praise["unit"], praise["受表扬人员"], strict=True) for p in ps.split("、") if p]
    lo, hi = T.PRAISE_PERSONS_RANGE
    expect("praised person-times in 20-29", lo <= len(persons) <= hi, True)
    expect("praised units", praise["unit"].nunique(), T.PRAISE_UNITS)
    expect("praised persons named first", persons[:7], list(T.PRAISE_FIRST))

    # what the bulletin says of Q1
    d1, c1, _ = _means(q1, cfg)
    w = {k: int(v) for k, v in cfg.satisfaction.weights.items()}
    r1, r2 = _rates(q1, w), _rates(q2, w)
    districts = [d.name for d in cfg.city.districts]
    expect("districts whose rate rose on Q1",
           [d for d in districts if r2.loc[d, "sat"] > r1.loc[d, "sat"]], districts)
    both = [u for u in r2.index.intersection(r1.index) if u not in districts]
    rose = sum(r2.loc[u, "sat"] > r1.loc[u, "sat"] for u in both)
    expect("most city units' rates rose on Q1 (多数)", rose * 2 > len(both), True)
    expect("Q1 district mean", pct(d1, 3), T.Q1_DISTRICT_MEAN)
    expect("Q1 city mean", pct(c1, 3), T.Q1_CITY_MEAN)
    expect("Q1 district mean (truncated)", pct_trunc(d1, 3), T.Q1_DISTRICT_MEAN)
    expect("Q1 city mean (truncated)", pct_trunc(c1, 3), T.Q1_CITY_MEAN)
    r1 = (q1.ev["行政区划代码"] == cfg.city.city_region_code).to_numpy()
    act1 = Fraction(int(q1.ev.loc[r1, "active"].sum()), int(r1.sum()))
    lo_drop, hi_drop = T.Q1_CITY_ACTIVE_DROP
    expect("Q1 city active rate ~2 points lower", lo_drop <= T.CITY_ACTIVE - act1 <= hi_drop, True)
    a1 = q1.after_verification()
    share1 = Fraction(int((a1 == "非常满意").sum()), len(a1))
    share2 = Fraction(int((after == "非常满意").sum()), len(after))
    expect("非常满意 share higher than Q1", share2 > share1, True)

    # items with bad reviews continuing into July
    b2 = raw_bad.groupby("事项编码", observed=True).size()
    b3 = q3.ev[q3.ev["level"].isin(BAD).to_numpy()].groupby("事项编码", observed=True).size()
    rep = sorted(set(b2[b2 >= cfg.mechanism.repeat_min_in_quarter].index)
                 & set(b3[b3 >= cfg.mechanism.repeat_min_after].index))
    expect("items with repeat bad reviews into July (at least one)", len(rep) >= 1, True)
    expect("July evaluations up to the bulletin's date",
           bool((q3.ev["evaluated"] < datetime(2022, 7, 26)).all() and (q3.ev["evaluated"] >= end).all()), True)
    return problems


def summary(out_dir: Path) -> dict:
    """A few figures for printing (not a check)."""
    cfg = load_config()
    q2 = Data(Path(out_dir) / "2022Q2", cfg)
    dmean, cmean, city = _means(q2, cfg)
    return {"district_mean": pct(dmean, 3), "city_mean": pct(cmean, 3), "evaluations": len(q2.ev)}
