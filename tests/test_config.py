import pytest

from hcp_lib.config import ConfigError, load_config


def test_default_config_loads_every_section():
    cfg = load_config()
    assert cfg.city.title == "厦门市政务服务“好差评”情况通报"
    assert [d.name for d in cfg.city.districts][0] == "思明区"
    assert cfg.satisfaction.weights["非常满意"] == 100
    assert cfg.display.policy_for("region_level_share").total_100


def test_bad_config_names_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("city: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.yaml"):
        load_config(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")
