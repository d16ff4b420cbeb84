"""Importing exports and feeds into an archive folder: every readable format,
idempotence, rejections with reasons, and never writing outside the folder."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsarc import exporters
from newsarc.errors import ArchiveError
from newsarc.exporters import ExportOptions
from newsarc.importing import ImportSummary, duplicate_key, import_sources, read_source
from newsarc.model import Article, Problem, Provider
from newsarc.parsing import MAX_FILE_BYTES, parse_file

OPTIONS = ExportOptions(now=datetime(2021, 12, 20, 12, tzinfo=timezone.utc))
# The columns a CSV row carries back; the rest of an article (body, images,
# related items) is not in a table and cannot come back from one.
TABLE_FIELDS = (
    "title",
    "excerpt",
    "published",
    "provider_name",
    "provider_domain",
    "topics",
    "original_url",
    "web_url",
    "amp_web_url",
    "quality",
    "heat",
    "type",
)


@pytest.fixture(scope="module")
def seed_articles(seeds_dir: Path) -> list[Article]:
    return [
        article for path in sorted(seeds_dir.iterdir()) for article in parse_file(path, path.name).articles
    ]


def export_file(folder: Path, name: str, articles: Iterable[Article], format_name: str) -> Path:
    path = folder / name
    with open(path, "w", encoding="utf-8", newline="") as stream:
        exporters.get(format_name).write(articles, stream, OPTIONS)
    return path


def articles_in(folder: Path) -> list[Article]:
    found = []
    for path in sorted(folder.iterdir()):
        result = parse_file(path, path.name)
        assert not result.problems, result.problems
        found.extend(result.articles)
    return found


def same_articles(actual: list[Article], expected: list[Article]) -> bool:
    remaining = list(actual)
    for article in expected:
        if article not in remaining:
            return False
        remaining.remove(article)
    return not remaining


def table_view(article: Article) -> tuple[object, ...]:
    return tuple(getattr(article, name) for name in TABLE_FIELDS)


@pytest.mark.parametrize("format_name", ["jsonl", "json", "frontmatter-file"])
def test_import_is_lossless_and_idempotent(
    seed_articles: list[Article], tmp_path: Path, format_name: str
) -> None:
    if format_name == "frontmatter-file":
        exporters.get("frontmatter").write(seed_articles, tmp_path, OPTIONS)
        sources = sorted(tmp_path.iterdir())
    else:
        sources = [export_file(tmp_path, f"seeds.{format_name}", seed_articles, format_name)]
    archive = tmp_path / "new" / "archive"  # created, parents too
    first = import_sources(sources, archive)
    assert (first.added, first.skipped, first.rejected) == (5, 0, [])
    assert same_articles(articles_in(archive), seed_articles)
    second = import_sources(sources, archive)
    assert (second.added, second.skipped, second.rejected) == (0, 5, [])
    assert len(list(archive.iterdir())) == 5


@pytest.mark.parametrize("format_name", ["csv", "tsv"])
def test_tables_come_back(seed_articles: list[Article], tmp_path: Path, format_name: str) -> None:
    source = export_file(tmp_path, f"seeds.{format_name}", seed_articles, format_name)
    archive = tmp_path / "archive"
    summary = import_sources([source], archive)
    assert (summary.added, summary.rejected) == (5, [])
    imported = sorted(map(table_view, articles_in(archive)), key=repr)
    assert imported == sorted(map(table_view, seed_articles), key=repr)
    assert import_sources([source], archive).skipped == 5


def test_formats_agree_on_what_is_a_duplicate(seed_articles: list[Article], tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    import_sources([export_file(tmp_path, "seeds.jsonl", seed_articles, "jsonl")], archive)
    again = [export_file(tmp_path, f"seeds.{name}", seed_articles, name) for name in ("csv", "tsv", "json")]
    summary = import_sources(again, archive)
    assert (summary.added, summary.skipped, summary.rejected) == (0, 15, [])


def test_an_existing_archive_counts(seed_articles: list[Article], seeds_dir: Path, tmp_path: Path) -> None:
    """Articles already in the folder, in any file format, are not imported again."""
    archive = tmp_path / "archive"
    archive.mkdir()
    for path in seeds_dir.iterdir():
        (archive / path.name).write_bytes(path.read_bytes())
    source = export_file(tmp_path, "seeds.jsonl", seed_articles, "jsonl")
    assert import_sources([source], archive) == ImportSummary(added=0, skipped=5, rejected=[])


def test_duplicates_within_one_import_are_skipped(tmp_path: Path) -> None:
    records = [
        {"title": "One", "webUrl": "https://www.example.com/a/", "publishedDateTime": "2021-01-01T10:00:00Z"},
        {
            "title": "One again",
            "ampWebUrl": "https://amp.example.com/a?utm_source=x",
            "publishedDateTime": "2021-01-01T11:00:00+01:00",
        },  # the same story and moment
        {
            "title": "One, later",
            "webUrl": "https://example.com/a",
            "publishedDateTime": "2021-01-02T10:00:00Z",
        },
        {"title": "No link"},
        {"title": "no  LINK"},
    ]
    source = tmp_path / "feed.jsonl"
    source.write_text("\n".join(json.dumps(record) for record in records) + "\n")
    summary = import_sources([source], tmp_path / "archive")
    assert (summary.added, summary.skipped) == (3, 2)


def test_same_title_different_articles_get_numbered_names(tmp_path: Path) -> None:
    records = [{"title": "Same", "webUrl": f"https://example.com/{number}"} for number in range(3)]
    source = tmp_path / "feed.json"
    source.write_text(json.dumps(records, indent=2))
    archive = tmp_path / "archive"
    (archive).mkdir()
    (archive / "undated-same.md").write_text("not an article, but its name is taken")
    assert import_sources([source], archive).added == 3
    assert sorted(path.name for path in archive.iterdir()) == [
        "undated-same-2.md",
        "undated-same-3.md",
        "undated-same-4.md",
        "undated-same.md",
    ]
    assert (archive / "undated-same.md").read_text() == "not an article, but its name is taken"


def test_json_pages_and_single_objects(tmp_path: Path) -> None:
    page = {
        "value": [
            {"title": "A", "webUrl": "https://a.example/1"},
            {"title": "B", "webUrl": "https://a.example/2"},
        ]
    }
    pretty_page = tmp_path / "page.json"
    pretty_page.write_text(json.dumps(page, indent=2))
    one_line_pages = tmp_path / "pages.jsonl"
    one_line_pages.write_text(
        json.dumps({"news": [{"title": "C", "webUrl": "https://a.example/3"}]})
        + "\n"
        + json.dumps({"title": "D", "webUrl": "https://a.example/4"})
        + "\n"
    )
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"title": "E", "excerpt": "e"}, indent=1))
    summary = import_sources([pretty_page, one_line_pages, single], tmp_path / "archive")
    assert (summary.added, summary.rejected) == (5, [])
    assert sorted(article.title for article in articles_in(tmp_path / "archive")) == ["A", "B", "C", "D", "E"]


def test_rejections_say_where_and_why(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"title": "good", "webUrl": "https://a.example/1"}\n{"title": \n\n{"excerpt": ""}\n'
        '{"title": "bad heat", "heat": "hot"}\n'
    )
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some notes\nmore notes\n")
    empty = tmp_path / "empty.json"
    empty.write_text("")
    binary = tmp_path / "photo.json"
    binary.write_bytes(b"\x89PNG\x00\x00")
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text('title,url\r\nonly one cell\r\n"x",https://a.example/2\r\n')
    sources = [feed, unknown, empty, binary, bad_csv, tmp_path / "missing.jsonl", tmp_path]
    summary = import_sources(sources, tmp_path / "out")
    assert summary.added == 2
    reasons = [(Path(problem.path).name, problem.line, problem.message) for problem in summary.rejected]
    assert reasons[0][:2] == ("feed.jsonl", 2) and reasons[0][2].startswith("invalid JSON")
    assert reasons[1] == ("feed.jsonl", 4, "the record has no title, name, excerpt or URL")
    assert reasons[2][:2] == ("feed.jsonl", 5) and "heat" in reasons[2][2]
    assert reasons[3] == ("notes.txt", 1, "not a JSON, JSON Lines, front-matter or newsarc CSV/TSV file")
    assert reasons[4] == ("empty.json", None, "empty file")
    assert reasons[5] == ("photo.json", None, "binary file, not articles (it contains NUL bytes)")
    assert reasons[6] == ("bad.csv", 2, "row has 1 cells, the header names 2")
    assert reasons[7][0] == "missing.jsonl" and "cannot read" in reasons[7][2]
    assert reasons[8][2] == "is a folder; give the files to import"
    assert len(reasons) == 9
    assert all(isinstance(problem, Problem) for problem in summary.rejected)


def test_neutralised_cells_come_back_as_written(tmp_path: Path) -> None:
    article = Article(
        title='=HYPERLINK("http://evil","x")',
        excerpt="-not a number",
        web_url="https://a.example/x",
        provider=Provider(name="'quoted"),
        heat=-1,
        topics=["+1", "@me"],
    )
    source = export_file(tmp_path, "one.csv", [article], "csv")
    assert "'=HYPERLINK" in source.read_text()
    import_sources([source], tmp_path / "archive")
    [imported] = articles_in(tmp_path / "archive")
    assert table_view(imported) == table_view(article)


def test_never_writes_outside_the_folder(tmp_path: Path) -> None:
    titles = ["../../escape", "/etc/passwd", "..", "C:\\Windows\\system32", "a/../../b", "\x00", "~root", ""]
    records = [
        {"title": title, "excerpt": "x", "webUrl": f"https://a.example/{n}"} for n, title in enumerate(titles)
    ]
    source = tmp_path / "src" / "feed.jsonl"
    source.parent.mkdir()
    source.write_text("\n".join(json.dumps(record) for record in records))
    archive = tmp_path / "deep" / "archive"
    summary = import_sources([source], archive)
    assert summary.added == len(titles)
    everything = sorted(
        path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.is_file()
    )
    assert len(everything) == len(titles) + 1
    assert all(
        name.startswith("deep/archive/") and name.count("/") == 2 for name in everything if "src/" not in name
    )


def test_json_lines_stream_past_the_file_size_limit(tmp_path: Path) -> None:
    """JSON Lines are read a line at a time, so a source larger than an article file
    may be (parse_file's limit) still imports."""
    body = "word " * (MAX_FILE_BYTES // 15)
    source = tmp_path / "big.jsonl"
    with open(source, "w", encoding="utf-8") as stream:
        for number in range(3):
            stream.write(
                json.dumps({"title": f"Big {number}", "webUrl": f"https://a.example/{number}", "body": body})
            )
            stream.write("\n")
    assert source.stat().st_size > MAX_FILE_BYTES
    summary = import_sources([source], tmp_path / "archive")
    assert (summary.added, summary.rejected) == (3, [])


def test_the_archive_folder_must_be_usable(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(ArchiveError, match="cannot use"):
        import_sources([], tmp_path / "file")


def test_read_source_yields_as_it_reads(tmp_path: Path) -> None:
    source = tmp_path / "feed.jsonl"
    source.write_text('{"title": "first"}\n{"title": "second"}\n')
    found = read_source(source)
    first = next(found)
    assert isinstance(first, Article) and first.title == "first"
    assert [article.title for article in found] == ["second"]  # type: ignore[union-attr]


def test_duplicate_key_ignores_url_spelling_and_offsets() -> None:
    one = Article(title="x", web_url="https://www.example.com/story/?utm_source=feed")
    two = Article(title="y", amp_web_url="https://amp.example.com/story/amp")
    assert duplicate_key(one) == duplicate_key(two)
    three = Article(title="no url", web_url="javascript:alert(1)")  # a URL canonical_url cannot parse
    assert duplicate_key(three)[0] == "javascript:alert(1)"


def test_import_reads_what_the_csv_exporter_writes_with_chosen_fields(
    seed_articles: list[Article], tmp_path: Path
) -> None:
    text = io.StringIO(newline="")
    exporters.get("csv").write(seed_articles, text, ExportOptions(fields=("url", "title", "published")))
    source = tmp_path / "few.csv"
    source.write_text(text.getvalue(), newline="")
    summary = import_sources([source], tmp_path / "archive")
    assert (summary.added, summary.rejected) == (5, [])
    imported = {article.title: article for article in articles_in(tmp_path / "archive")}
    for article in seed_articles:
        assert imported[article.title].url == article.url
        assert imported[article.title].published == article.published


def test_every_crasher_imports_or_is_rejected_with_a_reason(tmp_path: Path) -> None:
    crashers = sorted((Path(__file__).parent / "data" / "crashers").iterdir())
    assert crashers
    for crasher in crashers:
        summary = import_sources([crasher], tmp_path / crasher.name)
        assert summary.added + len(summary.rejected) >= 1, crasher.name
        assert all(problem.message for problem in summary.rejected)
