"""The index: incremental refresh, rebuilds, and every query qualifier against the seeds."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsarc.archive import Archive
from newsarc.errors import NotFoundError, StoreError
from newsarc.parsing import article_id
from newsarc.query import parse_query

NOW = datetime(2021, 12, 20, 12, 0, tzinfo=timezone.utc)

FT = "000_9d4cac1fec7e3850.txt"
PLAIN = "001_b48525c721f87d7b.txt"
CAIXIN = "002_dae551df292514b4.txt"
SCMP_DEC = "003_b66d24fd8a82dcf1.txt"
SCMP_AUG = "004_ebcaaf24fa9088d9.txt"
ALL = {FT, PLAIN, CAIXIN, SCMP_DEC, SCMP_AUG}


@pytest.fixture(scope="module")
def seeds_archive(seeds_dir: Path) -> Archive:
    archive = Archive.open(seeds_dir, in_memory=True)
    yield archive
    archive.close()


def paths(archive: Archive, text: str) -> list[str]:
    """The files of the matching articles, in the query's order."""
    page = archive.search(parse_query(text, NOW))
    assert page.total == len(page.hits)
    return [hit.article.path for hit in page.hits]


# --- the examples the issue names --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sensetime", ALL),
        ("provider:scmp.com", {SCMP_DEC, SCMP_AUG}),
        ('topic:"AI in Healthcare"', {SCMP_AUG}),
        ("date:2021-11", {CAIXIN}),
        ("date:2021-12-01..", {SCMP_DEC}),
        ("ipo -provider:scmp.com", {CAIXIN}),
        ("title:ipo", set()),
    ],
)
def test_issue_examples(seeds_archive: Archive, text: str, expected: set[str]) -> None:
    assert set(paths(seeds_archive, text)) == expected


def test_ids_are_the_stable_ids_of_the_files(seeds_archive: Archive) -> None:
    page = seeds_archive.search(parse_query("provider:scmp.com", NOW))
    assert {hit.article.id for hit in page.hits} == {article_id(SCMP_DEC), article_id(SCMP_AUG)}


# --- every qualifier -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"facial recognition"', {FT, PLAIN, CAIXIN, SCMP_AUG}),
        ("sense*", ALL),
        ("hsbc OR weride", {CAIXIN, SCMP_DEC}),
        ("(hsbc OR weride) provider:scmp.com", {SCMP_DEC}),
        ("NOT sensetime", set()),
        ("-title:sensetime", set()),
        ("-title:champion", ALL - {FT}),
        ("title:champion", {FT}),
        ("excerpt:softbank", {FT}),
        ("body:alibaba", {PLAIN}),
        ("related:weride", {SCMP_DEC}),
        ("weride", {SCMP_DEC}),
        ('provider:"South China Morning Post"', {SCMP_DEC, SCMP_AUG}),
        ("provider:ft.com,caixinglobal.com", {FT, CAIXIN}),
        ("provider:WWW.FT.COM", {FT}),
        ("domain:scmp.com", {SCMP_DEC, SCMP_AUG}),
        ("topic:ai", {FT, CAIXIN, SCMP_DEC, SCMP_AUG}),
        ('topic:"AI Hardware","Computer Vision"', {CAIXIN, SCMP_AUG}),
        ("type:article", {FT, CAIXIN, SCMP_DEC, SCMP_AUG}),
        ("category:news", {FT, CAIXIN, SCMP_DEC, SCMP_AUG}),
        ("url:https://amp.ft.com/content/c735e0f3-5704-47b5-a76f-7a02d53a1525", {FT}),
        ("url:ft.com/content/c735e0f3-5704-47b5-a76f-7a02d53a1525/", {FT}),
        (f"id:{article_id(CAIXIN)[:6]}", {CAIXIN}),
        ("path:003_*", {SCMP_DEC}),
        (f"path:{PLAIN}", {PLAIN}),
        ("published:yes", {SCMP_AUG}),
        ("published:no", {FT, CAIXIN, SCMP_DEC}),
        ("has:body", {PLAIN}),
        ("has:related", {FT, CAIXIN, SCMP_DEC, SCMP_AUG}),
        ("has:images", {FT, CAIXIN, SCMP_DEC, SCMP_AUG}),
        ("has:secured", {FT, CAIXIN, SCMP_DEC, SCMP_AUG}),
        ("-has:date", {PLAIN}),
        ("quality:>60", {SCMP_DEC, SCMP_AUG}),
        ("quality:>=57", {FT, SCMP_DEC, SCMP_AUG}),
        ("quality:<40", {CAIXIN}),
        ("quality:39..57", {FT, CAIXIN}),
        ("heat:-1", {CAIXIN, SCMP_DEC}),
        ("heat:..0", {CAIXIN, SCMP_DEC}),
        ("heat:60..", {FT, SCMP_AUG}),
        ("-heat:-1", {FT, PLAIN, SCMP_AUG}),
        ("date:2021", {FT, CAIXIN, SCMP_DEC, SCMP_AUG}),
        ("date:2021-11-23", {CAIXIN}),
        ("date:2021-08..2021-09", {FT, SCMP_AUG}),
        ("date:..2021-08", {SCMP_AUG}),
        ("date:>2021-11", {SCMP_DEC}),
        ("date:<2021-11", {FT, SCMP_AUG}),
        ("date:30d", {CAIXIN, SCMP_DEC}),
        ("date:7d", {SCMP_DEC}),
        ('date:"this month"', {SCMP_DEC}),
        ('date:"last month"', {CAIXIN}),
    ],
)
def test_qualifiers(seeds_archive: Archive, text: str, expected: set[str]) -> None:
    assert set(paths(seeds_archive, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [SCMP_DEC, CAIXIN, FT, SCMP_AUG, PLAIN]),
        ("sort:date-asc", [SCMP_AUG, FT, CAIXIN, SCMP_DEC, PLAIN]),
        ("sort:-date", [SCMP_AUG, FT, CAIXIN, SCMP_DEC, PLAIN]),
        ("sort:quality", [SCMP_AUG, SCMP_DEC, FT, CAIXIN, PLAIN]),
        ("sort:heat", [SCMP_AUG, FT, SCMP_DEC, CAIXIN, PLAIN]),
        ("sort:title", [FT, PLAIN, SCMP_DEC, SCMP_AUG, CAIXIN]),
        ("sort:provider", [CAIXIN, SCMP_DEC, SCMP_AUG, FT, PLAIN]),
    ],
)
def test_sort_orders(seeds_archive: Archive, text: str, expected: list[str]) -> None:
    assert paths(seeds_archive, text) == expected


def test_text_queries_rank_title_matches_first(seeds_archive: Archive) -> None:
    ranked = paths(seeds_archive, "champion OR alibaba")
    # FT has "champion" in its title; the plain-text article has "Alibaba" only in its body.
    assert ranked[0] == FT
    assert set(ranked) == {FT, PLAIN}


def test_search_hits_carry_highlighted_snippets(seeds_archive: Archive) -> None:
    page = seeds_archive.search(parse_query("weride", NOW))
    (hit,) = page.hits
    assert any(matched and text.lower() == "weride" for text, matched in hit.snippet_spans)
    assert not any(matched for _, matched in hit.title_spans)


def test_paging_reports_the_total(seeds_archive: Archive) -> None:
    page = seeds_archive.search(parse_query("", NOW), limit=2, offset=1)
    assert page.total == 5
    assert [hit.article.path for hit in page.hits] == [CAIXIN, FT]


def test_fts_operators_typed_by_a_user_stay_words(seeds_archive: Archive) -> None:
    for text in ('"NEAR(a b)"', "title:AND*", "^sensetime", '"sensetime:"', "a-b-c", "{title}"):
        seeds_archive.search(parse_query(text, NOW))  # runs; never an FTS syntax error


# --- get, related, stats, duplicates ------------------------------------------------------


def test_get_by_prefix_path_and_url(seeds_archive: Archive) -> None:
    assert seeds_archive.get(article_id(FT)[:5]).path == FT
    assert seeds_archive.get(SCMP_DEC).path == SCMP_DEC
    assert seeds_archive.get("https://amp.scmp.com/business/companies/article/3145739/"
                             "sensetime-parlays-academic-bona-fides-worlds-largest-platform").path == SCMP_AUG


def test_get_unknown_reference_names_it(seeds_archive: Archive) -> None:
    with pytest.raises(NotFoundError, match="no article matches 'ffff0000'"):
        seeds_archive.get("ffff0000")


def test_ambiguous_prefix_lists_candidates(tmp_path: Path, seeds_dir: Path) -> None:
    # Find two file names whose ids share their first four hex digits.
    first_seen: dict[str, str] = {}
    for number in range(100_000):
        name = f"copy-{number}.txt"
        prefix = article_id(name)[:4]
        if prefix in first_seen:
            pair = (first_seen[prefix], name)
            break
        first_seen[prefix] = name
    archive_dir = tmp_path / "archive"
    archive_dir.mkdir()
    for name in pair:
        shutil.copy(seeds_dir / FT, archive_dir / name)
    with Archive.open(archive_dir, in_memory=True) as archive:
        with pytest.raises(NotFoundError, match="matches 2 articles") as raised:
            archive.get(prefix)
        assert all(name in str(raised.value) for name in pair)
        assert archive.get(article_id(pair[0])[:8]).path == pair[0]


def test_related_items_resolve_to_archive_articles(tmp_path: Path, seeds_dir: Path) -> None:
    archive_dir = tmp_path / "archive"
    shutil.copytree(seeds_dir, archive_dir)
    # An article of the archive whose URL is the AMP form of a related item of the Caixin seed.
    (archive_dir / "techcrunch.md").write_text(
        '---\ntitle: "China’s AI giant SenseTime readies Hong Kong IPO"\n'
        'publishedDateTime: 2021-11-23T08:11:00Z\n'
        'webUrl: "https://techcrunch.com/2021/11/23/sensetime-ipo/amp/"\n---\n',
        encoding="utf-8",
    )
    with Archive.open(archive_dir, in_memory=True) as archive:
        view = archive.related(archive.get(CAIXIN))
        resolved = {item.position: item.article_id for item in view.items}
        assert resolved[0] == article_id("techcrunch.md")
        assert [resolved[n] for n in (1, 2, 3)] == [None, None, None]
        reverse = archive.related(archive.get("techcrunch.md"))
        assert [article.path for article in reverse.linked_from] == [CAIXIN]


def test_stats_by_provider_topic_month(seeds_archive: Archive) -> None:
    query = parse_query("", NOW)
    by_provider = seeds_archive.stats(query, "provider")
    assert by_provider.counts[0] == ("South China Morning Post", 2)
    assert dict(by_provider.counts)["(none)"] == 1
    assert by_provider.total == 5
    assert dict(seeds_archive.stats(query, "topic").counts)["AI"] == 4
    # October has no article: it shows as 0, not left out.
    assert seeds_archive.stats(query, "month").counts == [
        ("2021-08", 1), ("2021-09", 1), ("2021-10", 0), ("2021-11", 1), ("2021-12", 1), ("(none)", 1)]
    assert seeds_archive.stats(query, "month", top=3).counts == [
        ("2021-08", 1), ("2021-09", 1), ("2021-10", 0)]
    assert by_provider.timeline == [
        ("2021-08", 1), ("2021-09", 1), ("2021-10", 0), ("2021-11", 1), ("2021-12", 1)]


def test_duplicates_by_url_and_by_title(tmp_path: Path, seeds_dir: Path) -> None:
    archive_dir = tmp_path / "archive"
    shutil.copytree(seeds_dir, archive_dir)
    shutil.copy(archive_dir / FT, archive_dir / "ft-again.md")
    with Archive.open(archive_dir, in_memory=True) as archive:
        groups = archive.duplicates(parse_query("", NOW))
    assert [(group.reason, sorted(a.path for a in group.articles)) for group in groups] == [
        ("same URL", [FT, "ft-again.md"])
    ]


# --- refreshing ------------------------------------------------------------------------


def test_changes_additions_and_deletions_show_in_the_next_query(tmp_path: Path, seeds_dir: Path) -> None:
    archive_dir = tmp_path / "archive"
    shutil.copytree(seeds_dir, archive_dir)
    index = tmp_path / "index.sqlite"
    with Archive.open(archive_dir, index=index) as archive:
        assert archive.report.added == 5
        assert paths(archive, "zebrafish") == []

    ft = archive_dir / FT
    text = ft.read_text(encoding="utf-8").replace("Can SenseTime become", "Can zebrafish become")
    ft.write_text(text, encoding="utf-8")
    (archive_dir / "new.md").write_text('---\ntitle: "A zebrafish story"\n---\n', encoding="utf-8")
    (archive_dir / SCMP_AUG).unlink()

    with Archive.open(archive_dir, index=index) as archive:
        report = archive.report
        assert (report.added, report.changed, report.removed, report.unchanged) == (1, 1, 1, 3)
        assert set(paths(archive, "zebrafish")) == {FT, "new.md"}
        assert paths(archive, "provider:scmp.com") == [SCMP_DEC]

    with Archive.open(archive_dir, index=index) as archive:
        assert not archive.report.touched


def test_dirs_mode_sees_added_and_removed_files_but_trusts_unchanged_folders(
    tmp_path: Path, seeds_dir: Path
) -> None:
    archive_dir = tmp_path / "archive"
    shutil.copytree(seeds_dir, archive_dir)
    index = tmp_path / "index.sqlite"
    Archive.open(archive_dir, index=index).close()
    folder_time = os.stat(archive_dir).st_mtime_ns

    ft = archive_dir / FT
    ft.write_text(ft.read_text(encoding="utf-8").replace("champion", "zebrafish"), encoding="utf-8")
    os.utime(archive_dir, ns=(folder_time, folder_time))  # an in-place edit leaves the folder alone
    with Archive.open(archive_dir, index=index, fresh="dirs") as archive:
        assert paths(archive, "zebrafish") == []  # trusted: seen at the next full refresh
    (archive_dir / "added.md").write_text('---\ntitle: "zebrafish again"\n---\n', encoding="utf-8")
    with Archive.open(archive_dir, index=index, fresh="dirs") as archive:
        assert set(paths(archive, "zebrafish")) == {FT, "added.md"}


def test_problems_are_kept_with_their_file_and_cleared_when_fixed(tmp_path: Path, seeds_dir: Path) -> None:
    archive_dir = tmp_path / "archive"
    shutil.copytree(seeds_dir, archive_dir)
    broken = archive_dir / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    index = tmp_path / "index.sqlite"
    with Archive.open(archive_dir, index=index) as archive:
        (problem,) = archive.problems()
        assert (problem.path, problem.line) == ("broken.md", 3)
        assert "started on line 2" in problem.message
        assert archive.report.articles == 5
    broken.write_text('---\ntitle: "fixed"\n---\n', encoding="utf-8")
    with Archive.open(archive_dir, index=index) as archive:
        assert archive.problems() == []
        assert archive.report.articles == 6


@pytest.mark.parametrize("damage", ["truncated", "other-version"])
def test_a_damaged_index_is_rebuilt_with_a_notice(tmp_path: Path, seeds_dir: Path, damage: str) -> None:
    index = tmp_path / "index.sqlite"
    Archive.open(seeds_dir, index=index).close()
    if damage == "truncated":
        data = index.read_bytes()
        index.write_bytes(data[: len(data) // 3])
    else:
        with sqlite3.connect(index) as connection:
            connection.execute("PRAGMA user_version = 999")
    with Archive.open(seeds_dir, index=index) as archive:
        assert archive.report.rebuilt
        assert any("rebuilding" in notice for notice in archive.report.notices)
        assert set(paths(archive, "sensetime")) == ALL


def test_rebuild_starts_over(tmp_path: Path, seeds_dir: Path) -> None:
    index = tmp_path / "index.sqlite"
    Archive.open(seeds_dir, index=index).close()
    with Archive.open(seeds_dir, index=index, rebuild=True) as archive:
        assert archive.report.added == 5


def test_the_index_is_never_written_inside_the_archive(tmp_path: Path, seeds_dir: Path) -> None:
    archive_dir = tmp_path / "archive"
    shutil.copytree(seeds_dir, archive_dir)
    with pytest.raises(StoreError, match="inside the archive"):
        Archive.open(archive_dir, index=archive_dir / "index.sqlite")
    assert sorted(p.name for p in archive_dir.iterdir()) == sorted(ALL)


def test_parallel_parsing_gives_the_same_index(tmp_path: Path, corpus_dir: Path) -> None:
    with Archive.open(corpus_dir, in_memory=True, workers=1) as serial, \
            Archive.open(corpus_dir, in_memory=True, workers=2) as parallel:
        query = parse_query("sensetime", NOW)
        assert [h.article.id for h in serial.search(query).hits] == \
            [h.article.id for h in parallel.search(query).hits]
        assert serial.report.articles == parallel.report.articles == 782


def test_an_export_under_way_sees_one_index_while_another_refresh_commits(tmp_path: Path, seeds_dir: Path) -> None:
    archive_dir = tmp_path / "archive"
    archive_dir.mkdir()
    for number in range(600):
        shutil.copy(seeds_dir / FT, archive_dir / f"copy-{number:03}.md")
    index = tmp_path / "index.sqlite"
    with Archive.open(archive_dir, index=index) as reader:
        stream = reader.iter_json_records(parse_query("", NOW))
        first = [next(stream) for _ in range(10)]
        for path in archive_dir.iterdir():  # every file edited, then refreshed by another reader
            path.write_text(path.read_text(encoding="utf-8").replace("champion", "zebrafish"), encoding="utf-8")
        with Archive.open(archive_dir, index=index) as writer:
            assert writer.report.changed == 600
        rest = list(stream)
    assert len(first) + len(rest) == 600


def test_the_timeline_spans_years_with_empty_months_as_zero() -> None:
    from newsarc.results import with_empty_months

    assert with_empty_months([("2021-11", 2), ("2022-02", 1), ("(none)", 4)]) == [
        ("2021-11", 2), ("2021-12", 0), ("2022-01", 0), ("2022-02", 1), ("(none)", 4)]
    assert with_empty_months([("2021-11", 2)]) == [("2021-11", 2)]
    assert with_empty_months([("(none)", 4)]) == [("(none)", 4)]
    assert with_empty_months([]) == []
