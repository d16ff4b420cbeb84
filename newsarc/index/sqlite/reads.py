"""Every question asked of the SQLite index, answered with model and result objects
(never cursors): pages of hits with snippets, counts, streamed records, look-ups by
id, path or URL, related links, statistics, duplicates, field examples and problems.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ...model import Article, Problem, record_index
from ...records import article_from_record
from ...results import DuplicateGroup, Hit, Page, Stats
from .compile import CompiledQuery, compile_query
from .ranking import ranked_rowids, ranked_rows
from .schema import MONTH_KEY, PROVIDER_KEY, meta
from .snippets import add_snippets

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Generator, Iterable, Iterator, Sequence

    from ...query import Query

# Rowids per statement: SQLite caps the parameters of one statement.
_CHUNK = 256
# (path, position) of a ranked row (rowid, bm25, published, path, position): one a match,
# in C, for the tens of thousands a path list may hold.
_PATH_POSITION = itemgetter(3, 4)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_PROVIDER, _MONTH = PROVIDER_KEY.format(a="a."), MONTH_KEY.format(a="a.")
# What `stats` groups by, and the join it needs; month and year are both read from the
# grouping by month (the timeline's).
_STATS_KEYS = {
    "provider": (_PROVIDER, ""),
    "domain": ("a.provider_domain", ""),
    "type": ("a.type", ""),
    "topic": ("l.value", "JOIN labels l ON l.article = a.rowid AND l.kind = 'topic'"),
}
_TIME_KEYS = ("month", "year")

_MOST_COMMON = "SELECT {column} FROM {table}{where} GROUP BY {column} ORDER BY count(*) DESC LIMIT ?"
_EXAMPLE_SQL = {
    "provider": _MOST_COMMON.format(column="provider_domain", table="articles", where=""),
    "domain": _MOST_COMMON.format(column="provider_domain", table="articles", where=""),
    "topic": _MOST_COMMON.format(column="value", table="labels", where=" WHERE kind = 'topic'"),
    "category": _MOST_COMMON.format(column="value", table="labels", where=" WHERE kind = 'category'"),
    "type": _MOST_COMMON.format(column="type", table="articles", where=""),
    "locale": _MOST_COMMON.format(column="locale", table="articles", where=""),
    "quality": _MOST_COMMON.format(column="quality", table="articles", where=" WHERE quality IS NOT NULL"),
    "heat": _MOST_COMMON.format(column="heat", table="articles", where=" WHERE heat IS NOT NULL"),
    "date": "SELECT strftime('%Y-%m-%d', published, 'unixepoch') FROM articles WHERE published IS NOT NULL "
    "ORDER BY published DESC LIMIT ?",
    "id": "SELECT substr(id, 1, 8) FROM articles ORDER BY published DESC LIMIT ?",
    "path": "SELECT path FROM articles ORDER BY published DESC LIMIT ?",
}


# --- records ------------------------------------------------------------------------------


def article_from_record_json(record_json: str) -> Article:
    """The article stored in a row's `record` column, with its id, path and index."""
    record = json.loads(record_json)
    article = article_from_record(record)
    article.id = record["id"]
    article.path = record["path"]
    number = record.get("index")
    article.index = None if number is None else record_index(number)
    return article


def records_in_order(connection: sqlite3.Connection, rowids: Sequence[int]) -> Iterator[str]:
    """The stored records (JSON text) of `rowids`, in that order, read a chunk at a time."""
    for start in range(0, len(rowids), _CHUNK):
        part = rowids[start : start + _CHUNK]
        found = dict(connection.execute(
            f"SELECT rowid, record FROM records WHERE rowid IN ({_marks(part)})", part))
        for rowid in part:
            if rowid in found:
                yield found[rowid]


def articles_in_order(connection: sqlite3.Connection, rowids: Sequence[int]) -> list[Article]:
    return [article_from_record_json(record_json) for record_json in records_in_order(connection, rowids)]


def articles_by_rowid(connection: sqlite3.Connection, rowids: Iterable[int]) -> dict[int, Article]:
    found: dict[int, Article] = {}
    rowids = list(rowids)
    for start in range(0, len(rowids), 500):
        part = rowids[start : start + 500]
        for rowid, record_json in connection.execute(
            f"SELECT rowid, record FROM records WHERE rowid IN ({_marks(part)})", part
        ):
            found[rowid] = article_from_record_json(record_json)
    return found


# --- queries ------------------------------------------------------------------------------


def search_page(connection: sqlite3.Connection, query: Query, limit: int | None, offset: int) -> Page:
    """One page of the articles matching `query`, in its sort order, with snippets for text."""
    compiled = compile_query(query)
    total = _count(connection, compiled)
    return Page(list(_hits(connection, compiled, limit, offset)), total, offset, limit)


def hit_stream(connection: sqlite3.Connection, query: Query, limit: int | None,
               offset: int) -> Iterator[Hit]:
    """The matching articles as hits (snippets and scores), in sort order, a chunk at a time."""
    yield from _hits(connection, compile_query(query), limit, offset)


def _hits(connection: sqlite3.Connection, compiled: CompiledQuery, limit: int | None,
          offset: int) -> Iterator[Hit]:
    # Sort rowids only, then read the records of the page: sorting whole records
    # would drag every matching article through SQLite's sorter.
    ranked = ranked_rowids(connection, compiled, limit, offset)
    for start in range(0, len(ranked), _CHUNK):
        part = ranked[start : start + _CHUNK]
        rowids = [rowid for rowid, _ in part]
        scores = dict(part)
        hits = [Hit(article) for article in articles_in_order(connection, rowids)]
        for rowid, hit in zip(rowids, hits, strict=False):
            hit.score = scores[rowid]
        if compiled.rank_match:
            add_snippets(connection, compiled, rowids, hits)
        yield from hits


def count(connection: sqlite3.Connection, query: Query) -> int:
    return _count(connection, compile_query(query))


def record_json_page(connection: sqlite3.Connection, query: Query, limit: int | None,
                     offset: int) -> Iterator[str]:
    """The records (JSON text) of the matching articles, in sort order."""
    ranked = ranked_rows(connection, compile_query(query), limit, offset)
    yield from records_in_order(connection, [row[0] for row in ranked])


def path_page(connection: sqlite3.Connection, query: Query, limit: int | None,
              offset: int) -> Generator[tuple[str, int | None], None, None]:
    """(path, index within the file) of the matching articles, in sort order."""
    compiled = compile_query(query)
    if not compiled.ranked:
        yield from _select_page(connection, compiled, "a.path, a.position", limit, offset)
        return
    yield from map(_PATH_POSITION, ranked_rows(connection, compiled, limit, offset, "a.path, a.position"))


def _select_page(connection: sqlite3.Connection, compiled: CompiledQuery, columns: str,
                 limit: int | None, offset: int) -> sqlite3.Cursor:
    source, source_parameters = compiled.from_clause()
    return connection.execute(
        f"SELECT {columns} FROM {source} WHERE {compiled.where} ORDER BY {compiled.order_by()} "
        "LIMIT ? OFFSET ?",
        [*source_parameters, *compiled.parameters, -1 if limit is None else limit, offset],
    )


def _count(connection: sqlite3.Connection, compiled: CompiledQuery) -> int:
    source, source_parameters = compiled.from_clause(counting=True)
    row = connection.execute(
        f"SELECT count(*) FROM {source} WHERE {compiled.where}", source_parameters + compiled.parameters
    ).fetchone()
    return int(row[0])


# --- look-ups -----------------------------------------------------------------------------


def articles_with_id_prefix(connection: sqlite3.Connection, prefix: str) -> list[Article]:
    """Up to 20 articles whose id starts with `prefix` (lower-case hexadecimal)."""
    return _articles(connection, "SELECT rowid FROM articles WHERE id GLOB ? LIMIT 20", [prefix + "*"])


def articles_at_path(connection: sqlite3.Connection, path: str) -> list[Article]:
    return _articles(connection, "SELECT rowid FROM articles WHERE path = ? ORDER BY position", [path])


def articles_with_url(connection: sqlite3.Connection, canonical: str) -> list[Article]:
    return _articles(connection, "SELECT a.rowid FROM urls u JOIN articles a ON a.rowid = u.article "
                                 "WHERE u.canonical = ?", [canonical])


def article_id_for_url(connection: sqlite3.Connection, canonical: str) -> str | None:
    """The id of the newest article with the canonical URL `canonical`."""
    row = connection.execute(
        "SELECT a.id FROM urls u JOIN articles a ON a.rowid = u.article WHERE u.canonical = ? "
        "ORDER BY a.published DESC LIMIT 1",
        (canonical,),
    ).fetchone()
    return row[0] if row else None


def linked_from(connection: sqlite3.Connection, canonicals: list[str], article_id: str) -> list[Article]:
    """The articles (other than `article_id`) listing one of `canonicals` as related, newest first."""
    if not canonicals:
        return []
    return _articles(
        connection,
        f"SELECT DISTINCT a.rowid FROM related_links r JOIN articles a ON a.rowid = r.article "
        f"WHERE r.canonical IN ({_marks(canonicals)}) AND a.id != ? ORDER BY a.published DESC",
        [*canonicals, article_id],
    )


def _articles(connection: sqlite3.Connection, sql: str, parameters: list[str]) -> list[Article]:
    rowids = [rowid for (rowid,) in connection.execute(sql, parameters)]
    return articles_in_order(connection, rowids)


# --- reports ------------------------------------------------------------------------------


def stats(connection: sqlite3.Connection, query: Query, by: str, top: int | None) -> Stats:
    """Article counts per `by` (a key of _STATS_KEYS, or month or year), plus a monthly timeline."""
    compiled = compile_query(query)
    source, source_parameters = compiled.from_clause(counting=True)
    parameters = source_parameters + compiled.parameters
    filtered = compiled.where != "1" or bool(source_parameters)
    months = _month_counts(connection, source, compiled.where, parameters, filtered)
    # Every article has one month or none: the months add up to the total.
    total = sum(number for _, number in months)
    timeline = [(label, number) for label, number in months if label is not None]
    if by in _TIME_KEYS:
        counts = _by_year(months) if by == "year" else months
        if top is not None:
            counts = counts[:top]
    else:
        counts = _counts(connection, by, top, source, compiled.where, parameters, filtered)
    return Stats(by, total, [(label if label is not None else "(none)", number) for label, number in counts],
                 timeline)


def _month_counts(connection: sqlite3.Connection, source: str, where: str, parameters: list[Any],
                  filtered: bool) -> list[tuple[str | None, int]]:
    """(month or None, count) of the matching articles, months in order, None last."""
    key = _unindexed(_MONTH) if filtered else _MONTH
    rows = connection.execute(
        f"SELECT {key} AS k, count(*) FROM {source} WHERE {where} GROUP BY k", parameters).fetchall()
    return sorted(rows, key=_time_order)


def _by_year(months: list[tuple[str | None, int]]) -> list[tuple[str | None, int]]:
    years: dict[str | None, int] = {}
    for month, number in months:
        year = month[:4] if month is not None else None
        years[year] = years.get(year, 0) + number
    return sorted(years.items(), key=_time_order)


def _time_order(row: tuple[str | None, int]) -> tuple[bool, str]:
    # As SQLite's `ORDER BY k IS NULL, k` (BINARY: code point order, as Python's).
    return row[0] is None, row[0] or ""


def _counts(connection: sqlite3.Connection, by: str, top: int | None, source: str, where: str,
            parameters: list[Any], filtered: bool) -> list[tuple[str | None, int]]:
    key, join = _STATS_KEYS[by]
    if filtered and key == _PROVIDER:
        key = _unindexed(key)
    if by == "topic" and not filtered:
        # A label is written and deleted with its article (schema.ROW_TABLES), so counting
        # them all needs no look-up of the article: the index on (kind, value) alone.
        source, join = "labels l", ""
        where = "l.kind = 'topic'"
    sql = f"SELECT {key} AS k, count(*) AS n FROM {source} {join} WHERE {where} GROUP BY k ORDER BY n DESC, k"
    if top is not None:
        sql += f" LIMIT {int(top)}"
    return connection.execute(sql, parameters).fetchall()


def _unindexed(key: str) -> str:
    """`key` in a form SQLite matches to no index on it (unary + changes no value).

    A filter reads each article's row anyway; walking the key's index for its order would
    make that a random seek per article (`stats heat:>50` took 3-10x a scan at 100,000), so a
    filtered count scans as it did before the index existed.
    """
    return f"+{key}"


def duplicates(connection: sqlite3.Connection, query: Query) -> list[DuplicateGroup]:
    """Groups of articles that are the same story: same canonical URL, or same provider and title."""
    compiled = compile_query(query)
    source, source_parameters = compiled.from_clause(counting=True)
    parameters = source_parameters + compiled.parameters
    groups: list[DuplicateGroup] = []
    grouped: set[int] = set()
    # A record without a title (a profile without a name, say) is no evidence of a
    # duplicate: two of them from one provider are not "the same title".
    for reason, key, usable in (("same URL", "a.canonical_url", "1"),
                                ("same provider and title",
                                 "lower(a.provider_domain) || '|' || lower(trim(a.title))",
                                 "trim(a.title, char(32, 9, 10, 13)) != ''")):
        rows = connection.execute(
            f"SELECT {key} AS k, group_concat(a.rowid) FROM {source} WHERE {compiled.where} "
            f"AND {key} IS NOT NULL AND {usable} GROUP BY k HAVING count(*) > 1 ORDER BY k", parameters,
        ).fetchall()
        for _, rowid_list in rows:
            rowids = [int(rowid) for rowid in rowid_list.split(",")]
            if set(rowids) <= grouped:
                continue
            grouped.update(rowids)
            found = articles_by_rowid(connection, rowids)
            articles = sorted(found.values(), key=lambda a: (a.published or _EPOCH, a.path))
            groups.append(DuplicateGroup(reason, articles))
    return groups


def field_examples(connection: sqlite3.Connection, field_name: str, limit: int) -> list[str]:
    """The most common values of a field in the index ([] for a field without examples)."""
    sql = _EXAMPLE_SQL.get(field_name)
    if sql is None:
        return []
    return [str(value) for (value,) in connection.execute(sql, (limit,)) if value is not None]


def problems(connection: sqlite3.Connection) -> list[Problem]:
    rows = connection.execute("SELECT path, problems FROM files WHERE problems IS NOT NULL ORDER BY path")
    found = [Problem(path, line, message) for path, text in rows for line, message in json.loads(text)]
    found += [Problem(path, None, message) for path, message in _unreadable(connection)]
    return sorted(found, key=lambda problem: problem.path)


def skipped_files(connection: sqlite3.Connection) -> list[tuple[str, str]]:
    """(path, reason) of each file the last refresh found not to be an article, by path."""
    return list(connection.execute("SELECT path, skipped FROM files WHERE skipped IS NOT NULL ORDER BY path"))


def skipped_count(connection: sqlite3.Connection) -> int:
    """How many files are not articles (as the last refresh counted them)."""
    stored = meta(connection, "skipped")
    if stored is not None:
        return int(stored)
    return connection.execute("SELECT count(*) FROM files WHERE skipped IS NOT NULL").fetchone()[0]


def counts(connection: sqlite3.Connection) -> tuple[int, int]:
    """How many articles and problems the index holds (as the last refresh counted them)."""
    articles, problem_count = meta(connection, "articles"), meta(connection, "problems")
    if articles is not None and problem_count is not None:
        return int(articles), int(problem_count)
    return computed_counts(connection)


def computed_counts(connection: sqlite3.Connection) -> tuple[int, int]:
    """How many articles and problems the index holds, counted now."""
    articles = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    problem_count = connection.execute(
        "SELECT coalesce(sum(json_array_length(problems)), 0) FROM files WHERE problems IS NOT NULL"
    ).fetchone()[0]
    return articles, problem_count + len(_unreadable(connection))


def _unreadable(connection: sqlite3.Connection) -> list[tuple[str, str]]:
    """The folders and files the last walk could not look at: (path, message)."""
    text = meta(connection, "unreadable")
    return [(path, message) for path, message in json.loads(text)] if text else []


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def folders(connection: sqlite3.Connection) -> list[str]:
    """The folders of the last full walk, relative to the archive (`""` is the root, others end in `/`)."""
    return [path for (path,) in connection.execute("SELECT path FROM folders ORDER BY path")]
