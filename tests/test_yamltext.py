"""YAML read by libyaml where available: the same values, and the Python parser's error text."""

from __future__ import annotations

import pytest
import yaml

from hcp_lib.config import DEFAULT_CONFIG
from hcp_lib.yamltext import safe_load


def test_the_configuration_reads_as_the_python_parser_reads_it():
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert safe_load(text) == yaml.safe_load(text)
    assert safe_load("a: 2022-07-26\nb: '010'\nc: [1, 2.5, null]") == {
        "a": yaml.safe_load("a: 2022-07-26")["a"], "b": "010", "c": [1, 2.5, None]}


def test_a_broken_document_fails_with_the_line_shown():
    with pytest.raises(yaml.YAMLError) as caught:
        safe_load("city:\n  name: [厦门, 思明\n")
    assert "^" in str(caught.value)  # the excerpt under the mark, as the Python parser words it
    assert "line 3" in str(caught.value)


def test_only_safe_tags_are_read():
    with pytest.raises(yaml.YAMLError):
        safe_load("!!python/object/apply:os.system ['true']")
