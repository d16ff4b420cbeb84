"""Articles written as newsarc's JSON interchange record and read back are unchanged.

Also JSON pages as aggregator sites publish them: a `value` or `news` list, a single
object or a bare list, with string dates carrying offsets and explicit nulls.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from newsarc.model import Article, Image, Provider, RelatedItem
from newsarc.parsing import parse_bytes, parse_file
from newsarc.records import article_from_record, json_record

UTC = timezone.utc


def as_json_line(article: Article) -> bytes:
    return (json.dumps(json_record(article)) + "\n").encode("utf-8")


def read_back(article: Article) -> Article:
    result = parse_bytes(as_json_line(article), "roundtrip.jsonl")
    assert result.problems == []
    assert len(result.articles) == 1
    return result.articles[0]


def only_article(path: Path, name: str) -> Article:
    result = parse_file(path, name)
    assert result.problems == []
    assert len(result.articles) == 1
    return result.articles[0]


# --- seeds and corpus --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "000_9d4cac1fec7e3850.txt",
        "001_b48525c721f87d7b.txt",
        "002_dae551df292514b4.txt",
        "003_b66d24fd8a82dcf1.txt",
        "004_ebcaaf24fa9088d9.txt",
    ],
)
def test_seed_round_trips(seeds_dir: Path, name: str) -> None:
    article = only_article(seeds_dir / name, name)
    assert read_back(article) == article


def test_corpus_article_round_trips(corpus_file: Path) -> None:
    article = only_article(corpus_file, corpus_file.name)
    again = read_back(article)
    assert again == article
    assert again.original_text == article.original_text


def test_all_seeds_in_one_json_lines_file_come_back_in_order(seeds_dir: Path) -> None:
    articles = [only_article(path, path.name) for path in sorted(seeds_dir.iterdir())]
    data = b"".join(as_json_line(article) for article in articles)
    result = parse_bytes(data, "seeds.jsonl")
    assert result.problems == []
    assert result.articles == articles
    assert [article.index for article in result.articles] == [0, 1, 2, 3, 4]
    assert len({article.id for article in result.articles}) == 5


def test_the_record_keeps_the_mojibake_as_written(seeds_dir: Path) -> None:
    """Lossless: the export holds the file's text, and reading it repairs it again."""
    article = only_article(seeds_dir / "003_b66d24fd8a82dcf1.txt", "003.txt")
    record = json_record(article)
    assert "participate in Chinaâ€™s mass surveillance" in record["related"][0]["excerpt"]
    assert record["schema"] == "newsarc.article/1"
    assert (record["id"], record["path"]) == (article.id, "003.txt")
    again = read_back(article)
    assert "participate in China’s mass surveillance" in again.related[0].excerpt
    assert again.related[0].original_text == article.related[0].original_text


def test_the_record_spells_dates_in_utc(seeds_dir: Path) -> None:
    record = json_record(only_article(seeds_dir / "000_9d4cac1fec7e3850.txt", "000.txt"))
    assert record["publishedDateTime"] == "2021-09-28T23:01:00Z"
    assert record["related"][0]["publishedDateTime"] == "2021-09-30T16:21:00Z"


# --- unknown keys ------------------------------------------------------------------------


def test_unknown_keys_are_kept_at_every_level_and_round_trip(good_dir: Path) -> None:
    article = only_article(good_dir / "extra-keys.md", "extra-keys.md")
    assert article.extra == {
        "lastReviewed": "2022-01-05",  # a date under an unknown key stays the text written
        "layout": "post",
        "sponsor": {
            "name": "Example Fund",
            "tiers": ["gold", "silver"],
            "contact": {"email": "press@example.com", "phones": ["+1 555 0100", "+1 555 0101"]},
        },
        "id": "source-42",
        "body": "an unknown key named like newsarc's own field",
    }
    assert article.provider == Provider(name="Example News", domain="example.com", extra={"founded": 1999})
    assert article.images == [
        Image(
            url="https://example.com/a.jpg", width=640, height=360, extra={"credit": "Photographer, Agency"}
        )
    ]
    assert article.related == [
        RelatedItem(
            title="A related story with its own unknown key",
            published=datetime(2021, 12, 12, 10, 0, tzinfo=UTC),
            extra={"sentiment": {"score": 0.5, "label": "neutral"}},
        )
    ]
    assert article.body == ""

    again = read_back(article)
    assert again == article
    assert again.extra == article.extra


def test_source_keys_named_like_newsarc_metadata_do_not_replace_it(good_dir: Path) -> None:
    """An `id` key of the source must not become the article's id in the exported record."""
    article = only_article(good_dir / "extra-keys.md", "extra-keys.md")
    record = json_record(article)
    assert record["id"] == article.id != "source-42"
    assert "body" not in record or record["body"] != article.extra["body"]
    assert read_back(article).extra["id"] == "source-42"


def test_body_round_trips_beside_an_unknown_body_key() -> None:
    text = b'---\ntitle: "Both"\nbody: "a key"\n---\n\nThe real body.\n'
    article = parse_bytes(text, "both.md").articles[0]
    assert (article.body, article.extra) == ("The real body.", {"body": "a key"})
    assert read_back(article) == article


def test_front_matter_body_after_the_closing_line(good_dir: Path) -> None:
    article = only_article(good_dir / "front-matter-with-markdown-body.md", "body.md")
    assert article.title == "An article with a Markdown body"
    assert article.body == (
        "# A heading in the body\n\n"
        "A paragraph, then a horizontal rule that must stay in the body:\n\n"
        "---\n\n"
        "title: this line is body text, not a key"
    )
    assert article.extra == {}
    assert read_back(article) == article


def test_plain_text_note(good_dir: Path) -> None:
    article = only_article(good_dir / "plain-text-note.txt", "note.txt")
    assert article.title == "A plain note without front matter"
    assert article.excerpt == "Its first paragraph is the excerpt, wrapped over two lines."
    assert article.body == (
        "Its first paragraph is the excerpt,\nwrapped over two lines.\n\n"
        "A second paragraph stays in the body."
    )
    assert read_back(article) == article


# --- JSON pages --------------------------------------------------------------------------


RECORD_WITH_OFFSET = {
    "title": "Seven hours behind UTC",
    "excerpt": "Dated with an offset.",
    "publishedDateTime": "2021-11-23T14:42:00-07:00",
    "webUrl": "https://example.com/offset",
    "quality": 12,
    "heat": None,
    "published": True,
    "provider": {"name": "Example", "domain": "example.com", "images": None},
    "topics": ["AI"],
    "images": [{"url": "https://example.com/i.jpg", "width": 10, "height": 5, "isCached": None}],
}
EXPECTED_OFFSET_ARTICLE = Article(
    title="Seven hours behind UTC",
    excerpt="Dated with an offset.",
    published=datetime(2021, 11, 23, 21, 42, tzinfo=UTC),
    web_url="https://example.com/offset",
    quality=12,
    heat=None,
    is_published=True,
    provider=Provider(name="Example", domain="example.com"),
    topics=["AI"],
    images=[Image(url="https://example.com/i.jpg", width=10, height=5)],
)
RECORD_WITH_NULLS = {
    "title": "Nulls everywhere",
    "excerpt": None,
    "publishedDateTime": "2021-11-24T00:30:00+05:30",
    "originalUrl": None,
    "webUrl": None,
    "type": None,
    "quality": None,
    "published": None,
    "provider": None,
    "topics": None,
    "images": None,
    "related": None,
    "secured": None,
}
EXPECTED_NULLS_ARTICLE = Article(
    title="Nulls everywhere", published=datetime(2021, 11, 23, 19, 0, tzinfo=UTC)
)


@pytest.mark.parametrize(
    ("shape", "document", "indexes"),
    [
        ("value page", {"value": [RECORD_WITH_OFFSET, RECORD_WITH_NULLS]}, [0, 1]),
        ("news page", {"news": [RECORD_WITH_OFFSET, RECORD_WITH_NULLS]}, [0, 1]),
        ("bare list", [RECORD_WITH_OFFSET, RECORD_WITH_NULLS], [0, 1]),
        ("single object", RECORD_WITH_OFFSET, [None]),
    ],
)
def test_json_page_shapes(shape: str, document: object, indexes: list[int | None]) -> None:
    result = parse_bytes(json.dumps(document, indent=2).encode("utf-8"), "page.json")
    assert result.problems == []
    expected = [EXPECTED_OFFSET_ARTICLE, EXPECTED_NULLS_ARTICLE][: len(indexes)]
    assert result.articles == expected
    assert [article.index for article in result.articles] == indexes
    for article in result.articles:
        assert read_back(article) == article


def test_news_page_file_with_nulls_and_offsets(good_dir: Path) -> None:
    result = parse_file(good_dir / "json-page-news.json", "news.json")
    assert result.problems == []
    assert result.articles == [
        Article(
            title="A story from a JSON page",
            published=datetime(2021, 11, 23, 21, 42, tzinfo=UTC),
            web_url="https://example.com/news/1",
            heat=-1,
            provider=Provider(name="Example News", domain="example.com"),
            topics=["AI"],
        ),
        Article(
            excerpt="A record with only an excerpt and a link",
            published=datetime(2021, 11, 24, 3, 30, tzinfo=UTC),
            web_url="https://example.com/news/2",
        ),
    ]
    for article in result.articles:
        assert read_back(article) == article


def test_epoch_dates_and_naive_dates_are_utc() -> None:
    page = [
        {"title": "seconds", "publishedDateTime": 1637678520},
        {"title": "milliseconds", "publishedDateTime": 1637678520000},
        {"title": "naive", "publishedDateTime": "2021-11-23T14:42:00"},
    ]
    result = parse_bytes(json.dumps(page).encode(), "epochs.json")
    assert result.problems == []
    assert [article.published for article in result.articles] == [
        datetime(2021, 11, 23, 14, 42, tzinfo=UTC),
        datetime(2021, 11, 23, 14, 42, tzinfo=UTC),
        datetime(2021, 11, 23, 14, 42, tzinfo=UTC),
    ]


# --- any record --------------------------------------------------------------------------

# Text of any kind, mixed with mojibake the parser repairs (and must write back as it was).
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["Chinaâ€™s", "â€˜Sensitive Dataâ€™", "cafÃ©", "Ã", "â€", "plain"]
)
headline = text.filter(lambda value: value != "")
maybe_text = st.none() | text
whole = st.none() | st.integers(min_value=-(10**17), max_value=10**17)
json_scalar = st.none() | st.booleans() | st.integers(min_value=-(10**17), max_value=10**17) | text
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
KNOWN_KEYS = {
    "title", "excerpt", "publishedDateTime", "updatedDateTime", "originalUrl", "webUrl", "ampWebUrl",
    "cdnAmpWebUrl", "sourceUrl", "type", "category", "categories", "quality", "heat", "published", "locale",
    "featuredContent", "provider", "topics", "tags", "images", "related", "secured", "body",
}  # fmt: skip
# Unknown keys, among them names newsarc's own record uses for its metadata.
unknown_key = st.sampled_from(["id", "path", "index", "schema", "newsarc.extra"]) | st.text(
    min_size=1, max_size=8
).filter(lambda key: key not in KNOWN_KEYS)
unknown = st.dictionaries(unknown_key, json_value, max_size=3)
moment = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC))
image = st.fixed_dictionaries(
    {"url": text}, optional={"width": whole, "height": whole, "isCached": st.booleans(), "credit": json_value}
)
story_fields = {
    "excerpt": maybe_text,
    "publishedDateTime": moment.map(lambda value: value.isoformat()),
    "webUrl": maybe_text,
    "type": maybe_text,
    "quality": whole,
    "heat": whole,
    "published": st.none() | st.booleans(),
    "provider": st.none() | st.fixed_dictionaries({"name": maybe_text, "domain": maybe_text}),
    "topics": st.lists(text, max_size=3),
    "images": st.lists(image, max_size=2),
}
related = st.builds(
    lambda fields, extra: {**extra, **fields},
    st.fixed_dictionaries({"title": headline}, optional=story_fields),
    unknown,
)
record = st.builds(
    lambda fields, extra: {**extra, **fields},
    st.fixed_dictionaries(
        {"title": headline},
        optional={**story_fields, "related": st.lists(related, max_size=2), "secured": text, "body": text},
    ),
    unknown,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record)
def test_any_record_round_trips(source: dict) -> None:
    article = article_from_record(source)
    assert read_back(article) == article


def test_a_kept_value_or_news_list_does_not_turn_the_record_into_a_page() -> None:
    """An unknown `value`/`news` key of an article is data; its exported record is still one article."""
    article = parse_bytes(b'---\ntitle: "Holds a list"\nvalue: [1, 2]\nnews: []\n---\n', "list.md").articles[
        0
    ]
    assert article.extra == {"value": [1, 2], "news": []}
    assert read_back(article) == article


front_matter_record = st.builds(
    lambda fields, extra: {**extra, **fields},
    st.fixed_dictionaries(
        {"title": headline},
        optional={**story_fields, "related": st.lists(related, max_size=2), "secured": text},
    ),
    unknown,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter_record, st.booleans())
def test_any_record_written_as_front_matter_reads_as_the_record_does(source: dict, raw_unicode: bool) -> None:
    """YAML written by a program (PyYAML's own dumper) reads like the same record as JSON."""
    # PyYAML does not read back raw U+0085/U+2028/U+2029 as it wrote them (YAML 1.1 line breaks).
    assume(not raw_unicode or not re.search("[\x85\u2028\u2029]", json.dumps(source, ensure_ascii=False)))
    front_matter = yaml.safe_dump(source, allow_unicode=raw_unicode, sort_keys=False)
    result = parse_bytes(f"---\n{front_matter}---\n".encode("utf-8"), "dumped.md")
    assert result.problems == []
    assert result.articles == [article_from_record(source)]
