from pathlib import Path

import pytest

from hcp_lib.locate import known_id
from hcp_lib.published import PublishedError, load_published, parse_published

PUBLISHED = Path(__file__).resolve().parent.parent / "data" / "published" / "2022Q2.yaml"


def doc(*entries):
    return {"quarter": "2022Q2", "entries": list(entries)}


def test_reference_transcription_loads_and_every_id_is_located():
    published = load_published(PUBLISHED)
    assert published.quarter == "2022Q2"
    assert len(published.entries) > 150
    unknown = [e.id for e in published.entries if not e.unmodelled and not known_id(e.id)]
    assert unknown == []


@pytest.mark.parametrize(("entry", "message"), [
    ({"id": "evaluations.active_rate", "figure": "percent", "display": "active_rate_all",
      "published": "98.05"}, "evaluations.active_rate.*12.34%"),
    ({"id": "evaluations.active_rate", "figure": "percent", "published": "98.05%"},
     "evaluations.active_rate.*display"),
    ({"id": "evaluations.total", "figure": "count", "published": "1950306"},
     "evaluations.total.*integer"),
    ({"id": "survey.districts.mean.change", "figure": "change", "published": "下降"},
     "survey.districts.mean.change.*claim"),
    ({"id": "commendations.praise.person_times", "figure": "range", "published": "20余人次",
      "claim": {"min": 29, "max": 20}}, "person_times.*above max"),
    ({"id": "awards.red_flags", "figure": "list", "published": []}, "awards.red_flags.*figure"),
    ({"id": "awards.red_flags", "figure": "names", "published": [], "colour": "red"},
     "awards.red_flags.*colour"),
    ({"figure": "count", "published": 1}, r"entry #1 \(no id\)"),
])
def test_schema_errors_name_the_entry(entry, message):
    with pytest.raises(PublishedError, match=message):
        parse_published(doc(entry), source="test.yaml")


def test_duplicate_id_is_an_error():
    e = {"id": "evaluations.total", "figure": "count", "published": 1}
    with pytest.raises(PublishedError, match="evaluations.total.*duplicate"):
        parse_published(doc(e, e))


def test_file_errors(tmp_path):
    with pytest.raises(PublishedError, match="cannot read"):
        load_published(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("quarter: [", encoding="utf-8")
    with pytest.raises(PublishedError, match="bad.yaml"):
        load_published(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("quarter: 2022Q2\n", encoding="utf-8")
    with pytest.raises(PublishedError, match="entries"):
        load_published(empty)
