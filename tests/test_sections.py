"""Sections from a source's categories: dates and housekeeping tags are not sections."""

from __future__ import annotations

import pytest

from indexer.records import from_record
from indexer.sections import is_date, section


@pytest.mark.parametrize("tag", ["December 27, 2004", "27 December 2004", "December 2004", "2004",
                                 "2004-12-27", "27 декабря 2004", "27 декабря 2004 года",
                                 "Декабрь 2004", "декабрь 2004 года", "27. Dezember 2004"])
def test_dates_in_english_russian_and_other_languages(tag):
    assert is_date(tag)


@pytest.mark.parametrize("tag", ["Politics and conflicts", "2004 Indian Ocean earthquake and tsunami",
                                 "Apollo 11", "Windows 95", "G8 summit 2005", "Football (soccer)",
                                 "Oslo, Norway", "Политика", "Россия"])
def test_real_sections_are_not_dates(tag):
    assert not is_date(tag)


def test_the_first_real_section_of_a_wikinews_category_list():
    assert section(["December 3, 2004", "Democratic Republic of the Congo", "Rwanda",
                    "Politics and conflicts", "Published", "Africa"]) == "Democratic Republic of the Congo"
    assert section(["Published", " December 29, 2004", "Asia"]) == "Asia"
    assert section(["Опубликовано", "27 декабря 2004", "Архив", "Политика"]) == "Политика"
    assert section(["Archived", "December 2004", "2004"]) == ""
    assert section(["Science and technology"]) == "Science and technology"


def test_records_read_categories_as_a_section():
    record = {"title": "T", "body": "B", "categories": ["December 27, 2004", "Published", "Europe"]}
    assert from_record(record, "s").category == "Europe"
    assert from_record({"title": "T", "body": "B", "section": "December 27, 2004"}, "s").category == ""
    assert from_record({"title": "T", "body": "B", "section": "WORLD"}, "s").category == "WORLD"
