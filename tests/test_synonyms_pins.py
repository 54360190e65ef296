"""Synonym expansion, pins and the editors' files, without the web layer."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from search.errors import SearchError
from search.features.editors import Editors
from search.features.pins import Pin, pin_first, pinned_for
from search.features.synonyms import Synonyms

SYNONYMS = Synonyms.parse("# places\nBaku, Бакы\nUN, United Nations  # bodies\nUS, United States, USA\n")


@pytest.mark.parametrize("query,expanded", [
    ("UN vote", "(UN OR \"United Nations\") vote"),
    ("united nations vote", "(UN OR \"United Nations\") vote"),
    ("бакы news", "(Baku OR Бакы) news"),
    ("US-backed", "US-backed"),  # whole words only
    ('"UN vote"', '"UN vote"'),  # inside quotes: as typed
    ("vote -UN", "vote -UN"),
    ("vote NOT UN", "vote NOT UN"),
    ("title:UN", "title:UN"),
    ("USA and UN", "(US OR \"United States\" OR USA) and (UN OR \"United Nations\")"),
    ("nothing here", "nothing here"),
])
def test_expansion(query, expanded):
    assert SYNONYMS.expand(query) == expanded


def test_file_format_round_trips():
    assert Synonyms.parse(SYNONYMS.to_text()).groups == SYNONYMS.groups
    assert SYNONYMS.groups[1] == ("UN", "United Nations")


def test_pins_apply_by_query_and_dates():
    pins = [Pin.from_dict({"query": "Elections ", "ids": ["a", "b"], "start": "2024-10-01",
                           "end": "2024-10-31"}),
            Pin.from_dict({"query": "elections", "ids": ["b", "c"]})]
    assert pinned_for(pins, "ELECTIONS", dt.date(2024, 10, 5)) == ("a", "b", "c")
    assert pinned_for(pins, "elections", dt.date(2024, 11, 1)) == ("b", "c")
    assert pinned_for(pins, "election", dt.date(2024, 10, 5)) == ()


def test_pinned_articles_lead_once():
    ranked = [(5, 0.9), (3, 0.5), (7, 0.2)]
    assert pin_first(ranked, np.asarray([7, 9])) == [(7, 0.9), (9, 0.9), (5, 0.9), (3, 0.5)]
    assert pin_first(ranked, np.zeros(0, dtype=np.int64)) == ranked


def test_editors_files_are_read_live_and_a_broken_file_keeps_the_last_good_one(tmp_path):
    editors = Editors(tmp_path / "editors")
    assert editors.synonyms().groups == () and editors.pins() == ()
    editors.save_pins((Pin("elections", ("a",)),))
    assert [p.ids for p in editors.pins()] == [("a",)]
    pins_file = tmp_path / "editors" / "pins.json"
    pins_file.write_text(json.dumps([{"query": "elections", "ids": ["b", "c"]}]))
    assert [p.ids for p in editors.pins()] == [("b", "c")]
    pins_file.write_text("[{broken")
    assert [p.ids for p in editors.pins()] == [("b", "c")]
    (tmp_path / "editors" / "synonyms.txt").write_text("just one term\n")
    assert editors.synonyms().groups == ()
    pins_file.unlink()
    assert editors.pins() == ()


def test_bad_groups_are_refused():
    for groups in ([["solo"]], [["a", "x:y"]], [["a", " ".join("w" * 7)]]):
        with pytest.raises(SearchError):
            Synonyms.of(groups)
