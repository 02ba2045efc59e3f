"""A city's or quarter's copy of a narrative template, next to the city's YAML, wins;
a broken one fails with the template's file and line."""

from __future__ import annotations

import pytest
from present_fixtures import make_bulletin

from hcp_lib.config import load_config
from hcp_lib.present.narrative import NarrativeTemplateError, Narrator, override_dirs

PACKAGED = "市级政务中心大厅窗口主动电子评价率为"


@pytest.fixture()
def city(tmp_path):
    """The default configuration as if its YAML lived in ``tmp_path``."""
    config = load_config()
    return config.model_copy(update={"source": tmp_path / "xiamen.yaml"}), tmp_path / "xiamen" / "narrative"


def _active_text(config) -> str:
    return "\n".join(b.text for b in Narrator(make_bulletin(), config).active())


def test_without_override_the_packaged_wording(city):
    config, _ = city
    assert PACKAGED in _active_text(config)


def test_city_override_changes_the_sentence_and_quarter_override_wins(city):
    config, folder = city
    folder.mkdir(parents=True)
    (folder / "active.j2").write_text(
        "### 五、主动评价率情况\n\n本市{{ q.short }}大厅窗口主动评价率 {{ hall_rate }}。\n", encoding="utf-8")
    text = _active_text(config)
    assert "本市二季度大厅窗口主动评价率 93.72%。" in text and PACKAGED not in text
    (folder / "2022Q2").mkdir()
    (folder / "2022Q2" / "active.j2").write_text(
        "### 五、主动评价率情况\n\n本季度特别说明：{{ city_rate }}。\n", encoding="utf-8")
    assert "本季度特别说明：96.86%。" in _active_text(config)
    assert override_dirs(config, "2022Q2") == [folder / "2022Q2", folder]


def test_broken_override_names_template_and_line(city):
    config, folder = city
    folder.mkdir(parents=True)
    (folder / "active.j2").write_text("### 五\n\n第一行\n{% if hall_rate %}没有结束\n", encoding="utf-8")
    with pytest.raises(NarrativeTemplateError) as found:
        _active_text(config)
    message = str(found.value)
    assert str(folder / "active.j2") in message and "line 4" in message and "endif" in message
    (folder / "active.j2").write_text("### 五\n\n{{ hall_rate }}\n{{ no_such_figure }}\n", encoding="utf-8")
    with pytest.raises(NarrativeTemplateError, match=r"active\.j2, line 4: UndefinedError.*no_such_figure"):
        _active_text(config)
