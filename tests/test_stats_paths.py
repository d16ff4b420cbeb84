"""`stats` reads its counts through indexes on the provider and month keys (schema 9) and
takes the total and the timeline from one grouping by month: the counts must stay what
the plain three-query SQL gave, with and without filters, and an index of schema 8 gets
the indexes in place."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsarc.archive import Archive
from newsarc.cli import cli
from newsarc.index.sqlite import reads
from newsarc.index.sqlite.compile import compile_query
from newsarc.query import parse_query
from newsarc.results import Stats

NOW = datetime(2021, 12, 20, 12, 0, tzinfo=timezone.utc)
PIPE = {"stdout_tty": False, "stderr_tty": False, "now": NOW, "local_zone": timezone.utc}
DIMENSIONS = ("provider", "domain", "type", "topic", "month", "year")
QUERIES = ("", "ai", "-ai", "provider:forbes.com", "date:2021", "heat:>50", "sensetime OR forbes",
           "topic:AI", "type:video", "ai date:2021 -heat:>80", "nothingmatchesthis")

# The SQL of stats before schema 9, kept as the reference the new path must equal.
_OLD_KEYS = {
    "provider": ("coalesce(a.provider_name, a.provider_domain)", ""),
    "domain": ("a.provider_domain", ""),
    "type": ("a.type", ""),
    "month": ("strftime('%Y-%m', a.published, 'unixepoch')", ""),
    "year": ("strftime('%Y', a.published, 'unixepoch')", ""),
    "topic": ("l.value", "JOIN labels l ON l.article = a.rowid AND l.kind = 'topic'"),
}


def old_stats(connection: sqlite3.Connection, text: str, by: str, top: int | None) -> Stats:
    compiled = compile_query(parse_query(text, NOW))
    source, source_parameters = compiled.from_clause(counting=True)
    parameters = source_parameters + compiled.parameters
    key, join = _OLD_KEYS[by]
    order = "k IS NULL, k" if by in ("month", "year") else "n DESC, k"
    sql = (f"SELECT {key} AS k, count(*) AS n FROM {source} {join} WHERE {compiled.where} "
           f"GROUP BY k ORDER BY {order}")
    if top is not None:
        sql += f" LIMIT {int(top)}"
    counts = [(label if label is not None else "(none)", number)
              for label, number in connection.execute(sql, parameters)]
    total = connection.execute(f"SELECT count(*) FROM {source} WHERE {compiled.where}",
                               parameters).fetchone()[0]
    timeline = list(connection.execute(
        f"SELECT {_OLD_KEYS['month'][0]} AS k, count(*) FROM {source} WHERE {compiled.where} "
        "AND a.published IS NOT NULL GROUP BY k ORDER BY k", parameters))
    return Stats(by, total, counts, timeline)


def write_article(folder: Path, name: str, provider: str, day: str | None, topics: list[str],
                  kind: str = "article") -> None:
    lines = ["---", f'title: "{name} story"', f'excerpt: "About {name}, ai and more"', f"type: {kind}"]
    if day is not None:
        lines.append(f"publishedDateTime: {day}T08:00:00Z")
    if provider:
        lines += ["provider:", provider]
    lines += ["topics:", *(f"  - {topic}" for topic in topics), "---", f"The body of {name}.", ""]
    (folder / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def edge_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Providers that differ only in case or have only a domain, no provider, no date, gaps
    of months and of years."""
    folder = tmp_path_factory.mktemp("edges")
    write_article(folder, "forbes1", "  name: Forbes\n  domain: forbes.com", "2019-03-02", ["AI"])
    write_article(folder, "forbes2", "  name: FORBES\n  domain: forbes.com", "2019-03-30", ["ai", "Tech"])
    write_article(folder, "forbes3", "  domain: Forbes", "2019-05-01", ["Tech"])  # stored as `forbes`
    write_article(folder, "forbes4", "  name: forbes", "2019-05-20", [])
    write_article(folder, "nobody", "", "2021-11-11", [], kind="video")
    write_article(folder, "undated", "  name: Zeta News\n  domain: zeta.example", None, ["AI"])
    write_article(folder, "later", "  name: Äpfel Zeitung\n  domain: apfel.example", "2021-12-01", ["AI"])
    return folder


@pytest.fixture(scope="module")
def connections(edge_archive: Path, corpus_dir: Path) -> dict[str, sqlite3.Connection]:
    opened = {name: Archive.open(folder, in_memory=True)
              for name, folder in (("edges", edge_archive), ("corpus", corpus_dir))}
    yield {name: archive.index.connection for name, archive in opened.items()}  # type: ignore[attr-defined,misc]
    for archive in opened.values():
        archive.close()


@pytest.mark.parametrize("archive_name", ["edges", "corpus"])
@pytest.mark.parametrize("by", DIMENSIONS)
def test_stats_equal_the_plain_sql(connections: dict[str, sqlite3.Connection], archive_name: str,
                                   by: str) -> None:
    connection = connections[archive_name]
    seen_totals = set()
    for text in QUERIES:
        for top in (None, 1, 3):
            new = reads.stats(connection, parse_query(text, NOW), by, top)
            assert new == old_stats(connection, text, by, top), (text, by, top)
            seen_totals.add(new.total)
    assert len(seen_totals) > 3  # the queries do filter: the comparison is not of one set


def run(archive: Path, *arguments: str, index: Path | None = None) -> Result:
    where = ["--index", str(index)] if index is not None else ["--no-cache"]
    return CliRunner().invoke(cli, ["--archive", str(archive), *where, *arguments], obj=PIPE)


def counts(result: Result, by: str) -> list[tuple[str, int]]:
    return [(row[by], row["count"]) for row in map(json.loads, result.stdout.splitlines())]


def test_months_and_years_without_articles_are_zero_and_undated_last(edge_archive: Path) -> None:
    months = counts(run(edge_archive, "stats", "--by", "month"), "month")
    assert months[:3] == [("2019-03", 2), ("2019-04", 0), ("2019-05", 2)]
    assert months[-3:] == [("2021-11", 1), ("2021-12", 1), ("(none)", 1)]
    assert len(months) == 2 + 12 + 12 + 8 + 1
    assert counts(run(edge_archive, "stats", "--by", "year"), "year") == [
        ("2019", 4), ("2021", 2), ("(none)", 1)]
    # The first N periods with articles, then the empty months between them.
    assert counts(run(edge_archive, "stats", "--by", "month", "--top", "2"), "month") == [
        ("2019-03", 2), ("2019-04", 0)]


def test_providers_are_grouped_as_written_with_filters(edge_archive: Path) -> None:
    # A provider known by its domain alone counts with a name spelt the same way; case tells apart.
    assert counts(run(edge_archive, "stats"), "provider") == [
        ("forbes", 2), ("(none)", 1), ("FORBES", 1), ("Forbes", 1), ("Zeta News", 1), ("Äpfel Zeitung", 1)]
    assert counts(run(edge_archive, "stats", "provider:forbes.com"), "provider") == [
        ("FORBES", 1), ("Forbes", 1)]
    assert counts(run(edge_archive, "stats", "--by", "month", "topic:AI", "-provider:forbes.com"),
                  "month") == [("2021-12", 1), ("(none)", 1)]
    nothing = run(edge_archive, "stats", "date:2020")
    assert (nothing.exit_code, nothing.stdout) == (1, "")


def plans(connection: sqlite3.Connection, text: str, by: str) -> str:
    """The query plans of the statements `stats` runs, as one text."""
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    try:
        reads.stats(connection, parse_query(text, NOW), by, None)
    finally:
        connection.set_trace_callback(None)
    return "\n".join(str(row[3]) for sql in statements if sql.lstrip().upper().startswith("SELECT")
                     for row in connection.execute("EXPLAIN QUERY PLAN " + sql))


def test_an_unfiltered_count_walks_the_key_indexes_and_a_filtered_one_the_rows(
        connections: dict[str, sqlite3.Connection]) -> None:
    connection = connections["edges"]
    unfiltered = plans(connection, "", "provider")
    assert "articles_provider_key" in unfiltered and "articles_month" in unfiltered
    assert "SCAN a\n" not in unfiltered + "\n"
    # Every topic counted: the labels alone, no article looked up per label.
    assert "INTEGER PRIMARY KEY" not in plans(connection, "", "topic")
    # Walking an index for its order and reading each row at random costs 10x a scan.
    filtered = plans(connection, "heat:>50", "provider")
    assert "articles_provider_key" not in filtered and "articles_month" not in filtered


def test_an_index_from_before_the_key_indexes_gets_them_in_place(edge_archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    expected = run(edge_archive, "stats", "--by", "month", index=index).stdout
    with sqlite3.connect(index) as connection:  # as schema 8 left it, and a mark a rebuild would drop
        connection.execute("DROP INDEX articles_provider_key")
        connection.execute("DROP INDEX articles_month")
        connection.execute("PRAGMA user_version = 8")
        connection.execute("INSERT INTO meta VALUES ('left by the test', 1)")
    connection.close()
    refreshed = run(edge_archive, "index", index=index)
    assert "is from an earlier version of newsarc; added the indexes this one uses" in refreshed.stderr
    assert "rebuilding" not in refreshed.stderr
    assert "0 added, 0 changed, 0 removed" in refreshed.stderr  # no file read again
    again = run(edge_archive, "stats", "--by", "month", index=index)
    assert (again.exit_code, again.stdout, again.stderr) == (0, expected, "")
    with sqlite3.connect(index) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        names = {name for (name,) in rows}
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        mark = connection.execute("SELECT value FROM meta WHERE key = 'left by the test'").fetchone()
    connection.close()
    assert {"articles_provider_key", "articles_month"} <= names
    assert (version, mark) == (9, (1,))
