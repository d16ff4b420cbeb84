"""Search that finds what people mean (issue 13): stemmed words with exact forms first,
substrings of scripts written without spaces, the news ranking, and the `match` object
of `search --json`."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarc.archive import Archive
from newsarc.cli import cli
from newsarc.parsing import article_id
from newsarc.query import parse_query

NOW = datetime(2021, 12, 20, 12, 0, tzinfo=timezone.utc)
PIPE = {"stdout_tty": False, "stderr_tty": False, "now": NOW, "local_zone": timezone.utc}

ARTICLES = {
    "plural.md": ("Investors flock to SenseTime listing", "Shares rose as markets opened.", "2021-12-10"),
    "singular.md": ("An investor speaks about the market", "One investor said companies wait.", "2021-06-01"),
    "other.md": ("Robots in the kitchen", "A sense of change in cooking.", "2021-11-01"),
    "chinese.md": ("SenseTime delays listing", "Chinese AI start-up SenseTime 商汤科技 postponed its IPO.",
                   "2021-12-11"),
    "japanese.md": ("Tokyo robots", "ソニーグループは東京でロボットを発表した。", "2021-10-01"),
    "korean.md": ("Seoul chips", "삼성전자는 새로운 반도체를 공개했다.", "2021-10-02"),
    "thai.md": ("Bangkok markets", "ตลาดหุ้นไทยปรับตัวขึ้นในวันนี้", "2021-10-03"),
    # Equal text, two dates: the recent story wins the default order.
    "old-equal.md": ("Quantum widget launch", "Quantum widget.", "2019-01-01"),
    "new-equal.md": ("Quantum widget launch", "Quantum widget.", "2021-12-01"),
}


def write_article(folder: Path, name: str, title: str, excerpt: str, day: str) -> None:
    (folder / name).write_text(
        f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
        f"excerpt: {json.dumps(excerpt, ensure_ascii=False)}\n"
        f"publishedDateTime: {day}T08:00:00Z\nprovider:\n  name: Example\n  domain: example.com\n---\n",
        encoding="utf-8")


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("text-archive")
    for name, (title, excerpt, day) in ARTICLES.items():
        write_article(folder, name, title, excerpt, day)
    return folder


@pytest.fixture(scope="module")
def archive(archive_dir: Path) -> Archive:
    opened = Archive.open(archive_dir, in_memory=True)
    yield opened
    opened.close()


def names(archive: Archive, text: str) -> list[str]:
    page = archive.search(parse_query(text, NOW))
    assert page.total == len(page.hits)
    return [hit.article.path for hit in page.hits]


def marked(spans: list[tuple[str, bool]] | None) -> list[str]:
    return [text for text, matched in spans or () if matched]


# --- stemming, exact forms first ----------------------------------------------------------


def test_a_singular_finds_the_plural_and_the_exact_form_comes_first(archive: Archive) -> None:
    assert names(archive, "investor") == ["singular.md", "plural.md"]
    assert names(archive, "investors") == ["plural.md", "singular.md"]


def test_stemmed_phrases_prefixes_and_field_scopes(archive: Archive) -> None:
    assert names(archive, '"investors speak"') == ["singular.md"]
    assert names(archive, "title:market") == ["singular.md", "thai.md"]
    assert names(archive, "title:investor -title:speaks") == ["plural.md"]
    # A prefix keeps to the words as written: `sense*` is not the stem `sens*`.
    assert set(names(archive, "sense*")) == {"plural.md", "other.md", "chinese.md"}
    assert names(archive, "(investor OR robots) sort:date") == ["plural.md", "other.md", "japanese.md",
                                                             "singular.md"]


def test_snippets_mark_the_stemmed_matches(archive: Archive) -> None:
    hit = archive.search(parse_query("investor", NOW)).hits[1]
    assert hit.article.path == "plural.md"
    assert marked(hit.title_spans) == ["Investors"]


def test_a_changed_article_leaves_no_stemmed_words_behind(tmp_path: Path) -> None:
    write_article(tmp_path, "a.md", "Investors gather", "Text.", "2021-01-01")
    index = tmp_path.parent / f"{tmp_path.name}-index.sqlite"
    with Archive.open(tmp_path, index=index, fresh="full") as archive:
        assert names(archive, "investor") == ["a.md"]
    write_article(tmp_path, "a.md", "Robots gather", "Text, longer now.", "2021-01-01")
    with Archive.open(tmp_path, index=index, fresh="full") as archive:
        assert names(archive, "investor") == []
        assert names(archive, "robot") == ["a.md"]
    connection = sqlite3.connect(index)
    assert connection.execute("INSERT INTO articles_stem(articles_stem) VALUES ('integrity-check')")
    connection.close()


# --- scripts without spaces ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("商汤", ["chinese.md"]), ("商汤科技", ["chinese.md"]), ("技", ["chinese.md"]),
        ("汤科", ["chinese.md"]), ("科技商汤", []),
        ("ロボット", ["japanese.md"]), ("東京", ["japanese.md"]), ("ソニー", ["japanese.md"]),
        ("삼성", ["korean.md"]), ("반도체", ["korean.md"]), ("성전자", ["korean.md"]),
        ("หุ้น", ["thai.md"]), ("ตลาด", ["thai.md"]),
        ("excerpt:商汤 sensetime", ["chinese.md"]), ("title:商汤", []),
    ],
)
def test_spaceless_scripts_match_substrings(archive: Archive, text: str, expected: list[str]) -> None:
    assert names(archive, text) == expected


def test_a_spaceless_match_is_marked_in_the_snippet(archive: Archive) -> None:
    (hit,) = archive.search(parse_query("商汤", NOW)).hits
    assert marked(hit.snippet_spans) == ["商汤"]


# --- ranking ------------------------------------------------------------------------------


def test_among_equal_matches_the_recent_story_wins(archive: Archive) -> None:
    assert names(archive, "quantum widget") == ["new-equal.md", "old-equal.md"]
    page = archive.search(parse_query("quantum widget sort:text", NOW))
    assert [hit.score.text for hit in page.hits] == [1.0, 1.0]
    assert [hit.score.recency for hit in page.hits] == [None, None]


def test_recency_never_lifts_a_story_above_a_clearly_better_match(tmp_path: Path) -> None:
    # Both titles hold the words; the shorter one matches better by BM25 (about 4%), a
    # year older: recency only breaks near ties, so the better match stays first.
    write_article(tmp_path, "old-better.md", "Zephyr turbines", "Zephyr turbines.", "2021-01-01")
    write_article(tmp_path, "new-weaker.md", "Zephyr turbines reach the harbour",
                  "Zephyr turbines reach the harbour towns.", "2021-12-01")
    with Archive.open(tmp_path, in_memory=True) as opened:
        page = opened.search(parse_query("zephyr turbines", NOW))
    assert [hit.article.path for hit in page.hits] == ["old-better.md", "new-weaker.md"]
    older, newer = (hit.score for hit in page.hits)
    assert newer.recency == 1.0 and older.recency < 0.1 and newer.text < older.text < 1.0 + 1e-9


def test_recency_reorders_near_ties_only() -> None:
    from newsarc.index.sqlite.ranking import RECENCY_SHARE, rerank

    old, new = 1_000_000_000, 1_000_000_000 + 365 * 86400
    # The newer story is a hair worse by text (within the share): it comes first.
    close = [(1, -1.0, old, "a.md", None), (2, -(1.0 - RECENCY_SHARE / 2), new, "b.md", None)]
    assert [rowid for rowid, _ in rerank(close, {1, 2}, "relevance")] == [2, 1]
    assert [rowid for rowid, _ in rerank(close, {1, 2}, "text")] == [1, 2]
    # Worse by more than the share: text decides, however new it is.
    apart = [(1, -1.0, old, "a.md", None), (2, -(1.0 - 2 * RECENCY_SHARE), new, "b.md", None)]
    assert [rowid for rowid, _ in rerank(apart, {1, 2}, "relevance")] == [1, 2]
    # The weakest exact match still comes before the best, newest stemmed-only one.
    tiers = [(3, -1.0, new, "c.md", None), (1, -1.0, old, "a.md", None), (2, -0.0001, old, "b.md", None)]
    assert [rowid for rowid, _ in rerank(tiers, {1, 2}, "relevance")] == [1, 2, 3]
    # Each value is the sum of its parts, so `--json` explains the order.
    for _, score in rerank(close, {1, 2}, "relevance"):
        assert score is not None and score.recency is not None and score.text is not None
        expected = score.exact + (1 - RECENCY_SHARE) * score.text + RECENCY_SHARE * score.recency
        assert score.value == pytest.approx(expected)


def test_the_order_is_explained_by_the_scores_and_stable(archive: Archive) -> None:
    for text in ("investor", "sensetime OR quantum", "listing", "market sort:text"):
        first = archive.search(parse_query(text, NOW))
        scores = [hit.score.value for hit in first.hits]
        assert scores == sorted(scores, reverse=True)
        pages = [archive.search(parse_query(text, NOW), limit=1, offset=offset).hits[0].article.path
                 for offset in range(first.total)]
        assert pages == [hit.article.path for hit in first.hits]


def test_recency_halves_every_half_life() -> None:
    from newsarc.index.sqlite.ranking import HALF_LIFE_DAYS, recency_of

    newest = 1_000_000_000
    assert recency_of(newest, newest) == 1.0
    assert recency_of(newest - int(HALF_LIFE_DAYS * 86400), newest) == pytest.approx(0.5)
    assert recency_of(None, newest) == 0.0


# --- search --json ------------------------------------------------------------------------


def search_json(archive_dir: Path, *words: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["--archive", str(archive_dir), "--no-cache", "search", "--json",
                                      *words], obj=PIPE)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_search_json_carries_a_match_object(archive_dir: Path) -> None:
    records = search_json(archive_dir, "investor")
    assert [record["id"] for record in records] == [article_id("singular.md"), article_id("plural.md")]
    plural = records[1]
    assert plural["schema"] == "newsarc.article/1"
    assert plural["title"] == "Investors flock to SenseTime listing"
    match = plural["match"]
    assert set(match) == {"score", "parts", "snippet", "highlights", "title_highlights"}
    assert match["parts"]["exact"] is False and records[0]["match"]["parts"]["exact"] is True
    assert match["score"] < records[0]["match"]["score"]
    assert [plural["title"][start:end] for start, end in match["title_highlights"]] == ["Investors"]
    assert match["snippet"] == "Shares rose as markets opened."
    assert match["highlights"] == []


def test_search_json_offsets_point_into_the_snippet(archive_dir: Path) -> None:
    (record,) = search_json(archive_dir, "商汤")
    match = record["match"]
    assert [match["snippet"][start:end] for start, end in match["highlights"]] == ["商汤"]
    (record,) = search_json(archive_dir, "opened")
    match = record["match"]
    assert [match["snippet"][start:end] for start, end in match["highlights"]] == ["opened"]


def test_search_json_in_date_order_has_no_score(archive_dir: Path) -> None:
    records = search_json(archive_dir, "investor", "sort:date")
    assert [record["match"]["score"] for record in records] == [None, None]
    del records[0]["match"]
    listed = CliRunner().invoke(cli, ["--archive", str(archive_dir), "--no-cache", "list", "--json",
                                      "investor", "sort:date"], obj=PIPE)
    assert json.loads(listed.stdout.splitlines()[0]) == records[0]


def test_pages_past_the_reranked_candidates_follow_in_bm25_order(archive: Archive,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from newsarc.index.sqlite import ranking

    monkeypatch.setattr(ranking, "CANDIDATES", 2)
    text = "sensetime OR quantum OR investor OR robots"
    full = archive.search(parse_query(text, NOW))
    assert full.total == len(full.hits) == 7
    assert all(hit.score.exact is not None for hit in full.hits[:2])
    assert all(hit.score.exact is None for hit in full.hits[2:])
    past = [hit.score.bm25 for hit in full.hits[2:]]
    assert past == sorted(past)
    pages = [archive.search(parse_query(text, NOW), limit=3, offset=offset).hits for offset in (0, 3, 6)]
    assert [hit.article.path for page in pages for hit in page] == [hit.article.path for hit in full.hits]


def test_search_paths_come_in_the_ranked_order(archive_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["--archive", str(archive_dir), "--no-cache", "search", "--format",
                                      "paths", "investor"], obj=PIPE)
    assert result.exit_code == 0, result.output
    assert [Path(line).name for line in result.stdout.splitlines()] == ["singular.md", "plural.md"]


# --- the ranked path's shortcuts give the join's answers --------------------------------------


@pytest.fixture(scope="module")
def tied_archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """Runs of articles with the same text (equal BM25), dated and undated, beside others."""
    folder = tmp_path_factory.mktemp("tied-archive")
    for number in range(24):
        words = ["Harbour cranes", "Harbour cranes idle", "Cranes over the harbour at night"][number % 3]
        day = f"2021-{number % 12 + 1:02d}-{number % 27 + 1:02d}"
        write_article(folder, f"a{number:02d}.md", words, f"{words}.", day)
    for number in range(4):  # undated: last among equals
        text = "---\ntitle: Harbour cranes\nexcerpt: Harbour cranes.\n---\n"
        (folder / f"undated{number}.md").write_text(text, encoding="utf-8")
    opened = Archive.open(folder, in_memory=True)
    yield opened
    opened.close()


@pytest.mark.parametrize("text", ["harbour cranes", "harbour cranes sort:text", "harbour OR nothing"])
def test_equal_matches_rank_by_path_whatever_order_they_were_indexed_in(tmp_path: Path, text: str) -> None:
    """Two builds of one archive number its articles differently (a cold build as its
    workers finish, a refresh as files come): equal matches must still come in one order."""
    folder = tmp_path / "archive"
    folder.mkdir()
    index = tmp_path / "index.sqlite"
    body = "---\ntitle: Harbour cranes\nexcerpt: Harbour cranes.\n---\n"
    orders = []
    for names in (["b.md", "c.md"], ["a.md"]):  # a.md comes last, with the highest rowid
        for name in names:
            (folder / name).write_text(body, encoding="utf-8")
        with Archive.open(folder, index=index) as opened:
            orders.append([hit.article.path for hit in opened.search(parse_query(text, NOW)).hits])
    assert orders == [["b.md", "c.md"], ["a.md", "b.md", "c.md"]]


@pytest.mark.parametrize("text", ["harbour", "harbour cranes", "cranes sort:text", '"harbour cranes"',
                                  "idle"])
def test_the_ranking_table_read_alone_orders_as_the_join_does(tied_archive: Archive, text: str) -> None:
    from newsarc.index.sqlite import ranking
    from newsarc.index.sqlite.compile import compile_query

    connection = tied_archive.index.connection  # type: ignore[attr-defined]
    compiled = compile_query(parse_query(text, NOW))
    assert compiled.selects_by_text_alone
    answered = 0
    for count in range(1, 30):
        joined = ranking._rows(connection, compiled, count, 0, "a.path").fetchall()
        alone = ranking._best_by_bm25(connection, compiled, count, "a.path")
        # None only where a run of equal scores reaches past the rows read (then the join runs).
        assert alone == joined or alone is None and len(joined) == count
        answered += alone is not None
    assert answered >= 10


@pytest.mark.parametrize("text", ["harbour", "harbour cranes", "cranes sort:text", "harbour -idle",
                                  "harbour OR idle", "date:2021-03..2021-09 cranes"])
def test_pages_are_the_same_with_and_without_the_shortcuts(tied_archive: Archive, text: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from newsarc.index.sqlite import ranking

    query = parse_query(text, NOW)

    def page_by_page() -> tuple[list[tuple[str, object]], list[str]]:
        hits = [(hit.article.path, hit.score) for offset in range(0, 28, 5)
                for hit in tied_archive.search(query, limit=5, offset=offset).hits]
        paths = [path for offset in range(0, 28, 5)
                 for path, _ in tied_archive.iter_paths(query, limit=5, offset=offset)]
        return hits, paths

    monkeypatch.setattr(ranking, "CANDIDATES", 7)
    shortcut = page_by_page()
    monkeypatch.setattr(ranking, "_best_by_bm25", lambda *args: None)
    assert shortcut == page_by_page()
    hits, paths = shortcut
    assert hits == [(hit.article.path, hit.score) for hit in tied_archive.search(query).hits]
    # Path lists and records stream past the candidates, in the same order.
    assert paths == [path for path, _ in tied_archive.iter_paths(query)] == [path for path, _ in hits]
    records = tied_archive.iter_json_records(query, offset=3)
    assert [json.loads(record)["path"] for record in records] == paths[3:]
