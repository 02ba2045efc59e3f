import pytest

from hcp_lib.config import load_config
from hcp_lib.registry import Registry, RegistryError, Unit


@pytest.fixture(scope="module")
def registry():
    return load_config().registry


def test_resolves_full_short_and_alias_names(registry):
    assert registry.resolve("厦门市市场监督管理局") == "市市场监管局"
    assert registry.resolve("市市场监管局") == "市市场监管局"
    assert registry.resolve("国家税务总局厦门市税务局") == "厦门税务"
    assert registry.resolve(" 厦门市 住房公积金中心 ") == "市公积金中心"
    assert registry.resolve("不存在的单位") is None


def test_rollups(registry):
    assert registry.top("市市场监管局思明分局") == "市市场监管局"
    assert registry.top("思明区人社局") == "思明区"
    assert registry.bad_review_group("市公积金中心") == "市住房局"
    assert registry.bad_review_group("市公积金中心") != registry.top("市公积金中心")
    assert registry.is_district("湖里区民政局")
    assert not registry.is_district("市公积金中心")


def test_registry_counts_the_bulletins_window_units(registry):
    assert sum(u.in_service_centre for u in registry.units.values()) == 54
    assert [d.short_name for d in registry.districts()] == [
        "思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区"]


def _unit(name, parent=None, full=None):
    return Unit(name, full or f"厦门{name}", "市直部门", parent, None, "350200", False)


def test_rejects_ambiguous_and_dangling_names():
    with pytest.raises(RegistryError, match="names both"):
        Registry([_unit("甲", full="同名"), _unit("乙", full="同名")])
    with pytest.raises(RegistryError, match="unknown"):
        Registry([_unit("甲", parent="丙")])
    with pytest.raises(RegistryError, match="duplicate"):
        Registry([_unit("甲"), _unit("甲")])


def test_resolve_series_marks_unknown_as_missing(registry):
    import pandas as pd

    out = registry.resolve_series(pd.Series(["厦门市民政局", "无名局", "市民政局"]))
    assert out.tolist()[0] == "市民政局"
    assert pd.isna(out.tolist()[1])
