"""The same answers from both backends: the query-language cases of test_store.py and
the terminal runs pinned in tests/golden/cli/, against a SQLite index and a PostgreSQL
index of the same archive, and a set of queries over the shared corpus.

Cases the two backends do not define the same way are left out, each with its reason
(see LEFT_OUT); an expected difference that stops being one fails the test, so the
list cannot go stale.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import test_cli
import test_store
from click.testing import CliRunner

from newsarc.archive import Archive
from newsarc.cli import cli
from newsarc.query import parse_query

NOW = test_store.NOW


def _cases(function: object) -> list[str]:
    """The query texts of a test's first parametrize mark."""
    marks = [mark for mark in getattr(function, "pytestmark", []) if mark.name == "parametrize"]
    return [case[0] for case in marks[0].args[1]]


QUALIFIER_CASES = _cases(test_store.test_qualifiers) + _cases(test_store.test_issue_examples)
SORT_CASES = _cases(test_store.test_sort_orders)
# Search results show a snippet: FTS5's snippet() and PostgreSQL's ts_headline pick
# their windows of text by different rules, so the pinned search pages are left out
# (their hits and highlighted words are compared above and in test_postgres.py).
GOLDEN_LEFT_OUT = {"search-sensetime", "search-ipo"}
GOLDEN_CASES = [case for mark in test_cli.test_terminal_output.pytestmark if mark.name == "parametrize"
                for case in mark.args[1] if case[0] not in GOLDEN_LEFT_OUT]

# Queries over the 782 real articles of the shared corpus: words, phrases, prefixes,
# scopes, booleans and filters; compared as sets, and in order where the sort has no ties.
CORPUS_QUERIES = [
    "sensetime", "facebook", "google OR microsoft", '"machine learning"', '"deep learning" -google',
    "robot*", "title:ai", "excerpt:data", "body:vision", "related:chip*", "ai -title:ai",
    "provider:venturebeat.com", "topic:Robotics", "has:images", "date:2020", "quality:>80",
    "(nvidia OR amd) chip*", "NOT ai", "covid-19", "heat:10..50 ai", "tesla sort:date",
    "autonomous sort:date-asc", "sort:title", "sort:provider date:2019", "sort:quality", "sort:heat",
    "robots", "learn",
]
# Query texts whose answers differ by design, with why.
LEFT_OUT: dict[str, str] = {}


def _paths(archive: Archive, text: str) -> list[str]:
    page = archive.search(parse_query(text, NOW))
    return [hit.article.path for hit in page.hits]


@pytest.fixture(scope="module")
def seeds_url(pg_server) -> str:  # type: ignore[no-untyped-def]
    """One server index of the seeds for the module (each test reads it, none writes)."""
    return str(pg_server.new_database())


@pytest.fixture(scope="module")
def seeds_pair(seeds_url: str, seeds_dir: Path):  # type: ignore[no-untyped-def]
    sqlite = Archive.open(seeds_dir, in_memory=True)
    server = Archive.open(seeds_dir, index=seeds_url)
    yield sqlite, server
    sqlite.close()
    server.close()


@pytest.mark.parametrize("text", QUALIFIER_CASES)
def test_the_qualifier_cases_match_the_same_articles(seeds_pair, text: str) -> None:  # type: ignore[no-untyped-def]
    sqlite, server = seeds_pair
    assert sorted(_paths(server, text)) == sorted(_paths(sqlite, text))


@pytest.mark.parametrize("text", SORT_CASES)
def test_the_sort_cases_give_the_same_order(seeds_pair, text: str) -> None:  # type: ignore[no-untyped-def]
    sqlite, server = seeds_pair
    assert _paths(server, text) == _paths(sqlite, text)


def test_ranking_puts_the_title_match_first_on_both(seeds_pair) -> None:  # type: ignore[no-untyped-def]
    sqlite, server = seeds_pair
    assert _paths(server, "champion OR alibaba")[0] == _paths(sqlite, "champion OR alibaba")[0]


def test_snippets_highlight_the_matched_word(seeds_pair) -> None:  # type: ignore[no-untyped-def]
    _, server = seeds_pair
    (hit,) = server.search(parse_query("weride", NOW)).hits
    assert any(matched and text.lower() == "weride" for text, matched in hit.snippet_spans)
    assert not any(matched for _, matched in hit.title_spans)


@pytest.mark.parametrize(("name", "args", "code"), GOLDEN_CASES)
def test_terminal_output_is_the_golden_output(seeds_url: str, seeds_dir: Path, name: str, args: list[str],
                                              code: int, isolated_environment: None) -> None:
    arguments = ["--archive", str(seeds_dir), "--index", seeds_url, "--fresh", "full", "--color", "never",
                 *args]
    result = CliRunner().invoke(cli, arguments, obj=test_cli.TERMINAL)
    assert result.exit_code == code, result.output
    assert result.stdout == (test_cli.GOLDEN / f"{name}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def corpus_pair(pg_server, corpus_dir: Path):  # type: ignore[no-untyped-def]
    sqlite = Archive.open(corpus_dir, in_memory=True)
    server = Archive.open(corpus_dir, index=pg_server.new_database())
    yield sqlite, server
    sqlite.close()
    server.close()


@pytest.mark.parametrize("text", CORPUS_QUERIES)
def test_corpus_queries_match_the_same_articles(corpus_pair, text: str) -> None:  # type: ignore[no-untyped-def]
    sqlite, server = corpus_pair
    query = parse_query(text, NOW)
    ours, theirs = server.search(query), sqlite.search(query)
    ours_ids = [hit.article.id for hit in ours.hits]
    theirs_ids = [hit.article.id for hit in theirs.hits]
    if text in LEFT_OUT:
        # More matches (the stems), the exact forms among them ranked first.
        assert set(theirs_ids) < set(ours_ids), f"{text!r} no longer differs: take it off LEFT_OUT"
        assert set(ours_ids[: len(theirs_ids)]) == set(theirs_ids)
        return
    assert sorted(ours_ids) == sorted(theirs_ids)
    assert ours.total == theirs.total
    if query.sort is not None and query.sort != "relevance" or not query.text:
        # The order where the sort key decides it: ties (same date) may fall either way.
        key = {"title": lambda a: a.title.lower(), "provider": lambda a: (a.provider.name or "").lower()
               if a.provider else ""}.get(query.sort or "date")
        if key is None:
            key = {"heat": lambda a: a.heat, "quality": lambda a: a.quality}.get(
                query.sort or "date", lambda a: a.published)
        assert [key(hit.article) for hit in ours.hits] == [key(hit.article) for hit in theirs.hits]


@pytest.mark.parametrize("by", ["provider", "domain", "topic", "month", "year", "type"])
def test_corpus_stats_are_the_same(corpus_pair, by: str) -> None:  # type: ignore[no-untyped-def]
    sqlite, server = corpus_pair
    query = parse_query("ai", NOW)
    ours, theirs = server.stats(query, by), sqlite.stats(query, by)
    assert ours.total == theirs.total
    assert sorted(ours.counts) == sorted(theirs.counts)
    assert ours.timeline == theirs.timeline


def test_corpus_duplicates_are_the_same(corpus_pair) -> None:  # type: ignore[no-untyped-def]
    sqlite, server = corpus_pair
    query = parse_query("", NOW)

    def groups(archive: Archive) -> list[tuple[str, list[str]]]:
        return [(group.reason, [article.id for article in group.articles])
                for group in archive.duplicates(query)]

    assert groups(server) == groups(sqlite)
