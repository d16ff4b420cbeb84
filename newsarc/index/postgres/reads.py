"""Every question asked of the PostgreSQL index, answered with model and result objects
(never cursors), as `newsarc.index.sqlite.reads` answers them for SQLite.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...model import Article, Problem
from ...results import DuplicateGroup, Hit, Page, Stats
from .. import WordNeighbour
from ..sqlite.reads import article_from_record_json
from ..sqlite.schema import MARK_END, MARK_START
from ..sqlite.snippets import spans
from .compile import CompiledQuery, compile_query
from .schema import meta

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    import psycopg

    from ...query import Query

    Connection = psycopg.Connection[Any]

_CHUNK = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MONTH = "to_char(to_timestamp(a.published) AT TIME ZONE 'UTC', 'YYYY-MM')"
_YEAR = "to_char(to_timestamp(a.published) AT TIME ZONE 'UTC', 'YYYY')"
# Label columns compare without case, as SQLite's NOCASE columns do: grouped by their
# lower-case form, shown as one of their spellings.
_STATS_KEYS = {
    "provider": ("coalesce(a.provider_name, a.provider_domain)", "", True),
    "domain": ("a.provider_domain", "", True),
    "type": ("a.type", "", True),
    "month": (_MONTH, "", False),
    "year": (_YEAR, "", False),
    "topic": ("l.value", "JOIN labels l ON l.article = a.rowid AND l.kind = 'topic'", True),
}
_MOST_COMMON = ("SELECT min({column}) FROM {table} WHERE {column} IS NOT NULL{where} "
                "GROUP BY lower({column}::text) ORDER BY count(*) DESC, 1 LIMIT %s")
_EXAMPLE_SQL = {
    "provider": _MOST_COMMON.format(column="provider_domain", table="articles", where=""),
    "domain": _MOST_COMMON.format(column="provider_domain", table="articles", where=""),
    "topic": _MOST_COMMON.format(column="value", table="labels", where=" AND kind = 'topic'"),
    "category": _MOST_COMMON.format(column="value", table="labels", where=" AND kind = 'category'"),
    "type": _MOST_COMMON.format(column="type", table="articles", where=""),
    "locale": _MOST_COMMON.format(column="locale", table="articles", where=""),
    "quality": "SELECT quality FROM articles WHERE quality IS NOT NULL GROUP BY quality "
    "ORDER BY count(*) DESC, 1 DESC LIMIT %s",
    "heat": "SELECT heat FROM articles WHERE heat IS NOT NULL GROUP BY heat "
    "ORDER BY count(*) DESC, 1 DESC LIMIT %s",
    "date": "SELECT to_char(to_timestamp(published) AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM articles "
    "WHERE published IS NOT NULL ORDER BY published DESC LIMIT %s",
    "id": "SELECT substr(id, 1, 8) FROM articles ORDER BY published DESC NULLS LAST LIMIT %s",
    "path": "SELECT path FROM articles ORDER BY published DESC NULLS LAST LIMIT %s",
}
_HEADLINE = ("StartSel={start}, StopSel={stop}, MaxWords={words}, MinWords={least}, ShortWord=0, "
             "MaxFragments={parts}")


# --- records ------------------------------------------------------------------------------


def records_in_order(connection: Connection, rowids: Sequence[int]) -> Iterator[str]:
    for start in range(0, len(rowids), _CHUNK):
        part = list(rowids[start : start + _CHUNK])
        found = dict(connection.execute("SELECT rowid, record FROM records WHERE rowid = ANY(%s)", (part,)))
        for rowid in part:
            if rowid in found:
                yield found[rowid]


def articles_in_order(connection: Connection, rowids: Sequence[int]) -> list[Article]:
    return [article_from_record_json(record) for record in records_in_order(connection, rowids)]


def articles_by_rowid(connection: Connection, rowids: Iterable[int]) -> dict[int, Article]:
    wanted = list(rowids)
    return {rowid: article_from_record_json(record)
            for rowid, record in zip(wanted, records_in_order(connection, wanted), strict=False)}


# --- queries ------------------------------------------------------------------------------


_HIT_CHUNK = 200


def search_page(connection: Connection, query: Query, limit: int | None, offset: int) -> Page:
    compiled = compile_query(query)
    total = _count(connection, compiled)
    rowids = [rowid for (rowid,) in _select_page(connection, compiled, "a.rowid", limit, offset)]
    hits = [Hit(article) for article in articles_in_order(connection, rowids)]
    if compiled.any_words and hits:
        _add_snippets(connection, compiled.any_words, hits)
    return Page(hits, total, offset, limit)


def hit_stream(connection: Connection, query: Query, limit: int | None, offset: int) -> Iterator[Hit]:
    """Every match as a hit with its snippet spans, a page of rows at a time (no scores:
    the server's ranking has no parts to show)."""
    compiled = compile_query(query)
    rowids = [rowid for (rowid,) in _select_page(connection, compiled, "a.rowid", limit, offset)]
    for start in range(0, len(rowids), _HIT_CHUNK):
        hits = [Hit(article) for article in articles_in_order(connection, rowids[start : start + _HIT_CHUNK])]
        if compiled.any_words and hits:
            _add_snippets(connection, compiled.any_words, hits)
        yield from hits


def count(connection: Connection, query: Query) -> int:
    return _count(connection, compile_query(query))


def record_json_page(connection: Connection, query: Query, limit: int | None, offset: int) -> Iterator[str]:
    compiled = compile_query(query)
    rowids = [rowid for (rowid,) in _select_page(connection, compiled, "a.rowid", limit, offset)]
    yield from records_in_order(connection, rowids)


def path_page(connection: Connection, query: Query, limit: int | None,
              offset: int) -> Iterator[tuple[str, int | None]]:
    rows = _select_page(connection, compile_query(query), "a.path, a.position", limit, offset)
    yield from ((path, position) for path, position in rows)


def _select_page(connection: Connection, compiled: CompiledQuery, columns: str,
                 limit: int | None, offset: int) -> list[tuple[Any, ...]]:
    order, order_parameters = compiled.order()
    return connection.execute(
        f"SELECT {columns} FROM {compiled.source()} WHERE {compiled.where} ORDER BY {order} "
        "LIMIT %s OFFSET %s",
        [*compiled.parameters, *order_parameters, limit, offset],
    ).fetchall()


def _count(connection: Connection, compiled: CompiledQuery) -> int:
    row = connection.execute(f"SELECT count(*) FROM {compiled.source()} WHERE {compiled.where}",
                             compiled.parameters).fetchone()
    return int(row[0]) if row else 0


def _add_snippets(connection: Connection, any_words: str, hits: list[Hit]) -> None:
    """Highlighted title and snippet of each hit, by ts_headline, in one statement for
    the page (the texts travel as bound arrays)."""
    title_options = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"
    snippet_options = _HEADLINE.format(start=MARK_START, stop=MARK_END, words=24, least=12, parts=1)
    columns: list[list[str]] = [[], [], [], []]
    for hit in hits:
        article = hit.article
        related = "\n".join(f"{item.title}\n{item.excerpt}" for item in article.related)
        texts = (article.title, article.excerpt, article.body, related)
        for column, text in zip(columns, texts, strict=True):
            column.append(_unmarked(text))
    rows = connection.execute(
        "SELECT ts_headline('simple', t, q, %s), ts_headline('simple', e, q, %s), "
        "ts_headline('simple', b, q, %s), ts_headline('simple', r, q, %s) "
        "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) WITH ORDINALITY AS x(t, e, b, r, n), "
        "CAST(%s AS tsquery) AS q "
        "ORDER BY n",
        [title_options, snippet_options, snippet_options, snippet_options, *columns, any_words],
    ).fetchall()
    for hit, (title, *snippets) in zip(hits, rows, strict=True):
        hit.title_spans = spans(title) if MARK_START in title else []
        marked = next((snippet for snippet in snippets if MARK_START in snippet), snippets[0])
        hit.snippet_spans = spans(marked)


def _unmarked(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "") if text else ""


# --- look-ups -----------------------------------------------------------------------------


def articles_with_id_prefix(connection: Connection, prefix: str) -> list[Article]:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return _articles(connection, "SELECT rowid FROM articles WHERE id LIKE %s ORDER BY id LIMIT 20",
                     [escaped + "%"])


def articles_at_path(connection: Connection, path: str) -> list[Article]:
    return _articles(connection, "SELECT rowid FROM articles WHERE path = %s ORDER BY position", [path])


def articles_with_url(connection: Connection, canonical: str) -> list[Article]:
    return _articles(connection, "SELECT a.rowid FROM urls u JOIN articles a ON a.rowid = u.article "
                                 "WHERE u.canonical = %s ORDER BY a.rowid", [canonical])


def article_id_for_url(connection: Connection, canonical: str) -> str | None:
    row = connection.execute(
        "SELECT a.id FROM urls u JOIN articles a ON a.rowid = u.article WHERE u.canonical = %s "
        "ORDER BY a.published DESC NULLS LAST LIMIT 1", (canonical,)).fetchone()
    return row[0] if row else None


def linked_from(connection: Connection, canonicals: list[str], article_id: str) -> list[Article]:
    if not canonicals:
        return []
    return _articles(
        connection,
        "SELECT a.rowid FROM articles a WHERE a.id != %s AND a.rowid IN "
        "(SELECT article FROM related_links WHERE canonical = ANY(%s)) ORDER BY a.published DESC NULLS LAST",
        [article_id, canonicals],
    )


def _articles(connection: Connection, sql: str, parameters: list[Any]) -> list[Article]:
    rowids = [rowid for (rowid,) in connection.execute(sql, parameters)]
    return articles_in_order(connection, rowids)


# --- reports ------------------------------------------------------------------------------


def stats(connection: Connection, query: Query, by: str, top: int | None) -> Stats:
    compiled = compile_query(query)
    source, where, parameters = compiled.source(), compiled.where, compiled.parameters
    key, join, folded = _STATS_KEYS[by]
    if folded:
        select, group, order = f'min({key}) COLLATE "C" AS k', f"lower({key})", "n DESC, k NULLS FIRST"
    else:
        select, group, order = f"{key} AS k", "k", "k NULLS LAST"
    sql = (f"SELECT {select}, count(*) AS n FROM {source} {join} WHERE {where} "
           f"GROUP BY {group} ORDER BY {order}")
    if top is not None:
        sql += " LIMIT %s"
    rows = connection.execute(sql, [*parameters, *([top] if top is not None else [])]).fetchall()
    counted = [(label if label is not None else "(none)", int(number)) for label, number in rows]
    total_row = connection.execute(f"SELECT count(*) FROM {source} WHERE {where}", parameters).fetchone()
    timeline = [
        (label, int(number))
        for label, number in connection.execute(
            f"SELECT {_MONTH} AS k, count(*) FROM {source} WHERE {where} "
            "AND a.published IS NOT NULL GROUP BY k ORDER BY k", parameters)
    ]
    return Stats(by, int(total_row[0]) if total_row else 0, counted, timeline)


def duplicates(connection: Connection, query: Query) -> list[DuplicateGroup]:
    compiled = compile_query(query)
    groups: list[DuplicateGroup] = []
    grouped: set[int] = set()
    for reason, key in (("same URL", "a.canonical_url"),
                        ("same provider and title",
                         "lower(a.provider_domain) || '|' || lower(trim(a.title))")):
        rows = connection.execute(
            f'SELECT {key} COLLATE "C" AS k, array_agg(a.rowid ORDER BY a.rowid) FROM {compiled.source()} '
            f"WHERE {compiled.where} AND {key} IS NOT NULL GROUP BY k HAVING count(*) > 1 ORDER BY k",
            compiled.parameters,
        ).fetchall()
        for _, rowids in rows:
            if set(rowids) <= grouped:
                continue
            grouped.update(rowids)
            found = articles_by_rowid(connection, rowids)
            articles = sorted(found.values(), key=lambda a: (a.published or _EPOCH, a.path))
            groups.append(DuplicateGroup(reason, articles))
    return groups


def field_examples(connection: Connection, field_name: str, limit: int) -> list[str]:
    sql = _EXAMPLE_SQL.get(field_name)
    if sql is None:
        return []
    return [str(value) for (value,) in connection.execute(sql, (limit,)) if value is not None]


def similar_words(connection: Connection, word: str, limit: int) -> list[str]:
    """Indexed words sharing trigrams with `word`, most similar first (pg_trgm's `%`
    operator uses the vocabulary's trigram index; its threshold is pg_trgm's, 0.3)."""
    from .text import words

    found = words(word)
    if len(found) != 1:
        return []
    (wanted,) = found
    rows = connection.execute(
        "SELECT word FROM vocabulary WHERE word %% %s AND word <> %s "
        "ORDER BY similarity(word, %s) DESC, word LIMIT %s", (wanted, wanted, wanted, limit))
    return [value for (value,) in rows]


def problems(connection: Connection) -> list[Problem]:
    rows = connection.execute("SELECT path, problems FROM files WHERE problems IS NOT NULL ORDER BY path")
    found = [Problem(path, line, message) for path, text in rows for line, message in json.loads(text)]
    found += [Problem(path, None, message) for path, message in _unreadable(connection)]
    return sorted(found, key=lambda problem: problem.path)


def counts(connection: Connection) -> tuple[int, int]:
    articles, problem_count = meta(connection, "articles"), meta(connection, "problems")
    if articles is not None and problem_count is not None:
        return int(articles), int(problem_count)
    return computed_counts(connection)


def computed_counts(connection: Connection) -> tuple[int, int]:
    row = connection.execute("SELECT count(*) FROM articles").fetchone()
    problem_row = connection.execute(
        "SELECT coalesce(sum(json_array_length(problems::json)), 0) FROM files WHERE problems IS NOT NULL"
    ).fetchone()
    articles = int(row[0]) if row else 0
    problem_count = int(problem_row[0]) if problem_row else 0
    return articles, problem_count + len(_unreadable(connection))


def _unreadable(connection: Connection) -> list[tuple[str, str]]:
    text = meta(connection, "unreadable")
    return [(path, message) for path, message in json.loads(text)] if text else []


def skipped_files(connection: Connection) -> list[tuple[str, str]]:
    """(path, reason) of each text file the walk found that is not an article."""
    rows = connection.execute("SELECT path, skipped FROM files WHERE skipped IS NOT NULL ORDER BY path")
    return [(path, reason) for path, reason in rows]


def skipped_count(connection: Connection) -> int:
    row = connection.execute("SELECT count(*) FROM files WHERE skipped IS NOT NULL").fetchone()
    return int(row[0]) if row else 0


def folders(connection: Connection) -> list[str]:
    """The folders of the last full walk, relative to the archive (`""` is the root)."""
    return [path for (path,) in connection.execute("SELECT path FROM folders ORDER BY path")]


def word_articles(connection: Connection, words: Iterable[str], field: str | None,
                  at_most: int) -> dict[str, int]:
    """How many articles a search for each word alone in `field` (None: any text) finds,
    counted up to `at_most`, asked of the GIN indexes as a search asks them."""
    from ...query import TextTerm
    from .compile import lexemes, words_tsquery

    found: dict[str, int] = {}
    for word in dict.fromkeys(words):
        term = TextTerm((word,), field)
        if not lexemes(term):
            found[word] = 0
            continue
        column = "related" if field == "related" else "words"
        condition = f"{column} @@ %s::tsquery"
        parameters: list[object] = [words_tsquery(term)]
        if field is None:  # any text: the related items' too, as the SQLite backend counts them
            condition = f"({condition} OR related @@ %s::tsquery)"
            parameters.append(words_tsquery(term, weighted=False))
        row = connection.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM search WHERE {condition} LIMIT %s) AS hits",
            (*parameters, at_most)).fetchone()
        found[word] = int(row[0]) if row else 0
    return found


def word_neighbours(connection: Connection, word: str, field: str | None) -> list[WordNeighbour]:
    """The indexed words one edit away from `word`, most frequent first (the same
    candidates as the SQLite backend's, looked up in the vocabulary table)."""
    from ..sqlite.vocabulary import fold, one_edit_away

    candidates = sorted(one_edit_away(fold(word)))
    held = [value for (value,) in connection.execute(
        "SELECT word FROM vocabulary WHERE word = ANY(%s)", (candidates,))]
    counts = word_articles(connection, held, field, 1_000_000)
    found = [WordNeighbour(term, 1, articles) for term, articles in counts.items() if articles > 0]
    return sorted(found, key=lambda neighbour: (-neighbour.articles, neighbour.word))
