"""The shared corpus of real article files (../shared/corpus) reads without a single problem.

Expected values come from the files' own lines, read with plain regular expressions
(an oracle independent of the YAML parser), and from corpus.md's list of oddities.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsarc.archive import Archive, load_archive
from newsarc.model import Article
from newsarc.parsing import parse_file
from newsarc.query import parse_query

UTC = timezone.utc


def parse_one(corpus_dir: Path, relative: str) -> Article:
    result = parse_file(corpus_dir / relative, relative)
    assert result.problems == []
    assert len(result.articles) == 1
    return result.articles[0]


def top_level(text: str, key: str) -> str | None:
    """The raw value of a top-level front-matter key, as written on its line."""
    match = re.search(rf"^{key}: (.*)$", text, re.MULTILINE)
    return match.group(1) if match else None


# --- every file -------------------------------------------------------------------------


def test_the_whole_corpus_loads_without_problems(corpus_dir: Path) -> None:
    result = load_archive(corpus_dir)
    assert [str(problem) for problem in result.problems] == []
    assert len(result.articles) == 782
    folders = [article.path.split("/")[0] for article in result.articles]
    assert folders.count("powerapps-news") == 674
    assert folders.count("ai-news") == 108
    # Duplicated stories under different dates stay separate articles with their own ids.
    assert len({article.id for article in result.articles}) == 782


def test_every_corpus_file_yields_one_dated_titled_article(corpus_file: Path) -> None:
    result = parse_file(corpus_file, corpus_file.name)
    assert result.problems == []
    assert len(result.articles) == 1
    article = result.articles[0]
    assert article.title.strip()
    assert article.published is not None
    assert article.published.tzinfo is not None
    assert article.published.utcoffset() == timedelta(0)


def test_every_corpus_file_matches_its_own_lines(corpus_file: Path) -> None:
    text = corpus_file.read_text("utf-8")
    article = parse_file(corpus_file, corpus_file.name).articles[0]

    written = top_level(text, "publishedDateTime")
    assert article.published == datetime.strptime(written, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    for key, value in (("quality", article.quality), ("heat", article.heat)):
        raw = top_level(text, key)
        assert value == (None if raw is None else int(raw))
    raw_published = top_level(text, "published")
    assert article.is_published == (None if raw_published is None else raw_published == "true")
    assert article.category == top_level(text, "category") == "news"
    assert article.type == top_level(text, "type")

    raw_title = top_level(text, "title")
    if "\\" not in raw_title and "â€" not in raw_title:  # no escapes or mojibake to undo
        assert f'"{article.title}"' == raw_title
    # Related items are the only list entries indented by two spaces that start with `title:`.
    assert len(article.related) == len(re.findall(r"^  - title: ", text, re.MULTILINE))
    assert all(
        item.title and item.published and item.published.utcoffset() == timedelta(0)
        for item in article.related
    )
    assert article.has_secured == ("\nsecured: " in text)
    assert article.extra == {}
    assert article.body == ""


# --- oddities listed in corpus.md ---------------------------------------------------------


def test_mojibake_title_is_repaired_and_the_original_kept(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir,
        "powerapps-news/2021-08-27-microsoft-makes-power-apps-changes-following-asensitive-dataa-exposure-"
        "upguard.md",
    )
    assert article.title == "Microsoft Makes Power Apps Changes Following ‘Sensitive Data’ Exposure: UpGuard"
    assert article.original_text == {
        "title": "Microsoft Makes Power Apps Changes Following â€˜Sensitive Dataâ€™ Exposure: UpGuard"
    }


def test_newline_escapes_in_an_excerpt_become_newlines(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir,
        "powerapps-news/2024-03-20-control-access-to-dataverse-with-ip-firewall-secure-your-data-with-"
        "ease.md",
    )
    assert article.excerpt.startswith("Key Benefits:\nAccess Control: With the IP firewall,")
    assert "\nRisk Mitigation: By restricting access to authorized" in article.excerpt
    assert "\\n" not in article.excerpt


def test_heat_minus_one_and_missing_keys(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir,
        "ai-news/2019-12-16-computer-vision-market-key-players-and-production-information-analysis-with-"
        "forecast-2026.md",
    )
    assert (article.quality, article.heat, article.is_published) == (10, -1, False)
    assert article.original_url is None  # the key is missing from this file
    assert article.images == []


def test_quality_and_heat_zero_are_numbers_not_missing(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir,
        "ai-news/2019-12-16-automotive-artificial-intelligence-market-analysis-in-electronics-segment-"
        "research-and-"
        "forecasts-2017-to-2024.md",
    )
    assert (article.quality, article.heat, article.is_published) == (0, 0, False)


def test_missing_quality_heat_and_published_are_none(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir,
        "ai-news/2021-03-01-core-scientific-achieves-aws-high-performance-computing-competency-status.md",
    )
    assert (article.quality, article.heat, article.is_published) == (None, None, None)
    assert article.topics == ["AWS AI", "AI"]
    assert article.type == "article"


def test_missing_web_url_falls_back_to_the_original_url(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir, "powerapps-news/2019-08-19-microsoft-power-apps-2019-release-wave-2-overview.md"
    )
    assert article.web_url is None
    assert article.original_url is not None
    assert article.url == article.original_url
    assert article.type == "video"
    assert article.title == "Microsoft Power Apps | 2019 release wave 2 overview"
    assert article.featured_content.startswith('<iframe width="800" height="500" frameborder="0" ')
    assert article.featured_content.endswith("allowfullscreen></iframe>")


def test_plain_urls_of_the_old_format(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir,
        "ai-news/2013-07-04-from-chess-to-ping-pong-how-pegasystems-is-capturing-the-fortune-500.md",
    )
    assert (
        article.web_url
        == "https://www.computerweekly.com/feature/How-Pegasystems-is-capturing-the-Fortune-500"
    )
    assert article.amp_web_url == (
        "https://www.computerweekly.com/feature/How-Pegasystems-is-capturing-the-Fortune-500?amp=1"
    )
    assert article.original_url is None
    assert article.published == datetime(2013, 7, 4, 16, 36, tzinfo=UTC)
    assert article.images[0].url == "https://cdn.ttgtmedia.com/rms/editorial/Alan-Pegasystems.jpg"
    assert article.images[0].title == "From chess to ping pong: How Pegasystems is capturing the Fortune 500"
    assert article.images[0].is_cached is None


def test_relative_provider_image_url_is_kept(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir,
        "ai-news/2017-05-01-a-list-of-artificial-intelligence-tools-you-can-use-today-for-personal-use-13.md",
    )
    assert article.provider.name == "Medium"
    assert article.provider.images[0].url == "/assets/images/organizations/medium.com-50x50.jpg"
    assert (article.provider.images[0].width, article.provider.images[0].height) == (50, 50)


def test_legacy_host_provider_image_url_is_kept(corpus_dir: Path) -> None:
    article = parse_one(corpus_dir, "ai-news/2020-04-10-how-ai-is-helping-in-the-fight-against-covid-19.md")
    assert article.provider.images[0].url == (
        "https://smartableai.github.io/artificial-intelligence/assets/images/organizations/pcmag.com-"
        "50x50.jpg"
    )


def test_an_article_with_28_related_items(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir, "ai-news/2020-12-01-deepmind-finds-biologys-holy-grail-with-answer-to-protein-problem.md"
    )
    assert len(article.related) == 28
    assert all(item.provider and item.provider.domain for item in article.related)


def test_korean_provider_name(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir,
        "ai-news/2021-03-11-worldwide-ai-in-computer-vision-industry-to-2027-rise-in-demand-for-automating-"
        "processes-"
        "across-industries-presents-opportunities-researchandmarke.md",
    )
    assert article.provider.name == "아크로팬"
    assert article.provider.domain == "acrofan.com"


def test_related_items_cjk_text_and_an_item_without_images(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir, "ai-news/2021-12-11-us-adds-chinese-ai-startup-sensetime-to-economic-blacklist.md"
    )
    assert any("SenseTime 商汤科技 postponed" in item.excerpt for item in article.related)
    law360 = next(item for item in article.related if item.provider.domain == "law360.com")
    assert law360.images == []
    assert law360.quality == 24
    assert law360.provider.name == "Law360"
    assert law360.amp_web_url == "https://www.law360.com/amp/articles/1448107"
    assert (law360.heat, law360.is_published, law360.original_url) == (None, None, None)


def test_a_related_item_may_be_dated_after_the_article(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir, "ai-news/2021-12-30-chinese-ai-giant-sensetimes-shares-pop-on-delayed-hong-kong-debut.md"
    )
    assert article.published == datetime(2021, 12, 30, 9, 48, tzinfo=UTC)
    assert [item.published for item in article.related][-1] == datetime(2022, 1, 1, 1, 29, tzinfo=UTC)


def test_escaped_pipe_in_a_related_excerpt(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir,
        "ai-news/2023-03-24-speech-and-voice-recognition-market-latest-innovations-and-future-expansion-2023-"
        "2029.md",
    )
    assert any("Market Analysis 2023 \\| by Product Type" in item.excerpt for item in article.related)


def test_image_title_instead_of_or_beside_is_cached(corpus_dir: Path) -> None:
    older = parse_one(
        corpus_dir,
        "ai-news/2015-02-17-meet-the-new-face-detection-algorithm-that-will-change-image-search.md",
    )
    assert older.images[0].title == "Meet the new face-detection algorithm that will change image search"
    assert older.images[0].is_cached is None
    both = parse_one(
        corpus_dir,
        "ai-news/2020-06-02-openai-announces-gpt-3-ai-language-model-with-175-billion-parameters.md",
    )
    assert both.images[0].is_cached is True
    assert both.images[0].title == "OpenAI Announces GPT-3 AI Language Model with 175 Billion Parameters"
    assert (both.images[0].width, both.images[0].height) == (1200, 630)


def test_html_entities_stay_as_written(corpus_dir: Path) -> None:
    article = parse_one(
        corpus_dir,
        "ai-news/2020-05-29-openai-debuts-gigantic-gpt-3-language-model-with-175-billion-parameters.md",
    )
    assert (
        article.images[0].url
        == "https://venturebeat.com/wp-content/uploads/2020/04/openai.jpg?w=1200&#038;strip=all"
    )


@pytest.mark.parametrize(
    ("relative", "title"),
    [
        (
            "ai-news/2019-12-24-artificial-intelligence-ai-robots-market-statistical-analysis-2020cagr-"
            "growth-of-2020-"
            "and-forecast-to-2023.md",
            "Artificial Intelligence (AI) Robots market statistical analysis 2020|CAGR growth of 2020 and "
            "forecast to 2023",
        ),
        (
            "ai-news/2016-02-23-trolls-vs-pirates-halostryker-oral-arguments.md",
            "Trolls vs Pirates: Halo/Stryker Oral Arguments",
        ),
    ],
)
def test_odd_characters_in_titles(corpus_dir: Path, relative: str, title: str) -> None:
    assert parse_one(corpus_dir, relative).title == title


def test_video_articles_are_typed(corpus_dir: Path) -> None:
    types = [
        parse_one(corpus_dir, f"powerapps-news/{path.name}").type
        for path in (corpus_dir / "powerapps-news").iterdir()
    ]
    assert types.count("video") == 12
    assert types.count("article") == 662


def test_a_link_with_a_tracking_parameter_is_the_same_story(corpus_dir: Path, tmp_path: Path) -> None:
    # Two Daily Mail copies of one story: one link ends in `?mid=1`, the other does not.
    story = "powerapps-news/2021-08-24-massive-microsoft-power-apps-data-breach-exposes-personal-details-of-"
    tracked = story + "38-million-people.md"
    plain = story + "38-million-people-american-airlines-and-nyc-schools-data-including-social.md"
    assert parse_one(corpus_dir, tracked).url.endswith("?mid=1")
    assert not parse_one(corpus_dir, plain).url.endswith("?mid=1")
    for relative in (tracked, plain):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(corpus_dir / relative, tmp_path / relative)
    with Archive.open(tmp_path, in_memory=True) as archive:
        groups = archive.duplicates(parse_query("", datetime(2021, 12, 20, tzinfo=UTC)))
    assert [(group.reason, sorted(a.path for a in group.articles)) for group in groups] == [
        ("same URL", sorted([tracked, plain]))]
