"""The cold build's shortcuts answer exactly as the general code they stand in front of.

Each shortcut (the subset reader's line cache, dates in the aggregators' one spelling,
the front matter's closing line, CJK grams of ASCII text) changes no result: what a
user sees from a file read through it is pinned here against the general path.
"""

from __future__ import annotations

from datetime import timezone

import pytest

from newsarc.errors import ParseError
from newsarc.index.sqlite import cjk
from newsarc.parsing import yamlsubset
from newsarc.parsing.dispatch import parse_bytes
from newsarc.parsing.yamlsubset import load_subset
from newsarc.records import parse_datetime
from newsarc.timestamps import read_timestamp

DOCUMENT = 'title: "SenseTime"\ntype: article\ntopics:\n  - AI\n  - Robotics\nprovider:\n  name: SCMP\n'


def test_a_document_read_again_from_the_line_cache_reads_the_same() -> None:
    first = load_subset(DOCUMENT)
    again = load_subset(DOCUMENT)
    assert first == again == {
        "title": "SenseTime", "type": "article", "topics": ["AI", "Robotics"], "provider": {"name": "SCMP"},
    }
    assert list(again) == ["title", "type", "topics", "provider"]


@pytest.mark.parametrize("text", [
    "  - AI\n",  # a cached list item, with no key above it
    "type: article\n  - AI\n",  # under a key that has a value already
    "type: article\ntype: article\n",  # a cached line twice: a duplicate key
    "provider:\n  name: SCMP\n    - AI\n",  # deeper than the mapping it would end
])  # fmt: skip
def test_cached_lines_in_the_wrong_place_are_still_left_to_pyyaml(text: str) -> None:
    load_subset(DOCUMENT)  # every line of `text` is now in the cache
    assert load_subset(text) is None


def test_the_line_cache_stays_bounded() -> None:
    for number in range(yamlsubset._CACHE_SIZE + 100):
        load_subset(f"key{number}: value\n")
    assert len(yamlsubset._LINE_CACHE) <= yamlsubset._CACHE_SIZE
    assert load_subset(DOCUMENT) is not None


@pytest.mark.parametrize("text", [
    "2021-11-23T08:05:09Z", "2000-02-29T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
])
def test_dates_in_the_aggregators_spelling_are_the_moment_the_general_rules_read(text: str) -> None:
    found = read_timestamp(text)
    assert found is not None
    moment = parse_datetime(text, "publishedDateTime")
    assert moment == found.start and moment.tzinfo is timezone.utc


@pytest.mark.parametrize("text", ["2021-02-30T10:00:00Z", "2021-06-01T24:00:00Z", "2021-06-01T10:61:00Z"])
def test_impossible_dates_in_that_spelling_are_reported_as_before(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_datetime(text, "publishedDateTime")
    assert caught.value.message == f"'publishedDateTime' is not a date: {text!r}"
    assert caught.value.hint == "publishedDateTime"


@pytest.mark.parametrize(("data", "body"), [
    (b"---\ntitle: a\n---  \nbody\n---\nmore", "body\n---\nmore"),  # the first closing line counts
    (b"---\ntitle: a\n...\n\nbody", "body"),
    (b"---\ntitle: a\n---", ""),
])  # fmt: skip
def test_front_matter_closes_at_its_first_closing_line(data: bytes, body: str) -> None:
    result = parse_bytes(data, "a.md")
    assert [(article.title, article.body) for article in result.articles] == [("a", body)]


@pytest.mark.parametrize("data", [b"---\ntitle: a\n", b"---\ntitle: a\n----\nx", b"---"])
def test_front_matter_never_closed_is_reported_on_line_1(data: bytes) -> None:
    problems = [str(problem) for problem in parse_bytes(data, "a.md").problems]
    assert problems == ["a.md:1: front matter opened with '---' is never closed by a '---' line"]


def test_ascii_text_has_no_cjk_grams_and_other_text_keeps_them() -> None:
    assert not cjk.has_cjk("SenseTime IPO") and cjk.runs("SenseTime IPO") == []
    assert cjk.has_cjk("SenseTime’s 商汤科技") and cjk.grams("SenseTime’s 商汤科技") == "商汤 汤科 科技 技"
