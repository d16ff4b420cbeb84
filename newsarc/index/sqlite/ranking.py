"""The relevance orders: BM25 picks the candidates, then exact forms and recency rerank them.

SQL orders every match by BM25 over the ranking table (the stemmed one, with the field
weights of `schema.FTS_WEIGHTS`). The best CANDIDATES of them are then reranked here:

- exact first: an article that matches the query's words as written (in `articles_fts`)
  comes before one that matches only through their stems (`investors` for `investor`);
- then, for `sort:relevance`, (1 - RECENCY_SHARE) * text + RECENCY_SHARE * recency,
  where text is the article's BM25 score (over the stems) over the best one's of its tier
  (0..1) and recency halves every HALF_LIFE_DAYS of age, counted from the newest candidate
  (so an archive of old stories is not all equally stale), undated articles 0;
  `sort:text` leaves recency out. Either way a value is exact (0 or 1) plus at most 1.

Recency breaks near ties only: with a share of 0.002 it can lift a story above another
whose text score is at most 0.002 (0.2% of the best match's BM25) higher, never above a
clearly better match. Larger shares (0.2, as first built, then 0.05 down to 0.005) let
newer issues of near-identical newsletters, 0.35% worse by BM25, push the one searched
for off the first page: benchmarks/quality.py and docs/benchmarks.md.

Ties fall to the newer article, then to the path and the place in the file (as the
other sorts' do: not the rowid, which two builds of one archive give out in different
orders). Matches past the candidates follow in BM25 order.
"""

from __future__ import annotations

from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from ...results import Score
from .compile import CompiledQuery
from .schema import EXACT_TABLE, STEM_TABLE

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator, Sequence

CANDIDATES = 500
HALF_LIFE_DAYS = 90.0
# Recency's share of a score: about the width of the near ties it may reorder.
RECENCY_SHARE = 0.002
_DAY = 86400.0
# Rowids per statement: SQLite caps the parameters of one statement.
_CHUNK = 256

Row = tuple[int, float | None, int | None, str, int | None]
"""rowid, bm25 (negative: lower is better; None when matched only outside the ranking table),
published, path, position: what the order reads of a match."""
_ORDERED = 5
"""The columns of a Row, which every row read here starts with."""


def ranked_rowids(connection: sqlite3.Connection, compiled: CompiledQuery, limit: int | None,
                  offset: int) -> list[tuple[int, Score | None]]:
    """The rowids of one page of matches in the query's order, with their scores when ranked."""
    if not compiled.ranked:
        return [(row[0], None) for row in _rows(connection, compiled, limit, offset)]
    page, past = _ranked(connection, compiled, limit, offset, "")
    return [(row[0], score) for row, score in page] + [(row[0], _bm25_only(row[1])) for row in past]


def ranked_rows(connection: sqlite3.Connection, compiled: CompiledQuery, limit: int | None, offset: int,
                columns: str = "") -> Iterator[tuple[Any, ...]]:
    """One page of matches in the query's order as (rowid, bm25, published, *columns) rows,
    streamed past the candidates (bm25 and published are None unless ranked); `columns`
    are more columns of `articles a` to read in the same statement."""
    if not compiled.ranked:
        return iter(_rows(connection, compiled, limit, offset, columns))
    page, past = _ranked(connection, compiled, limit, offset, columns)
    return (row[:3] + row[_ORDERED:] for row in chain((row for row, _ in page), past))


def _ranked(connection: sqlite3.Connection, compiled: CompiledQuery, limit: int | None, offset: int,
            columns: str) -> tuple[list[tuple[tuple[Any, ...], Score | None]], Iterator[Any]]:
    """The page's share of the reranked candidates as (row, score), and its matches past
    the candidates as rows in BM25 order, read as they are asked for; rows are
    (rowid, bm25, published, path, position, *columns)."""
    end = None if limit is None else offset + limit
    # One sort by BM25 for the candidates and whatever the page needs past them.
    count = None if end is None else max(end, CANDIDATES)
    best = None
    if count is not None and compiled.selects_by_text_alone:
        best = _best_by_bm25(connection, compiled, count, columns)
    rows = iter(best if best is not None else _rows(connection, compiled, count, 0, columns))
    window = list(islice(rows, CANDIDATES))
    by_rowid = {row[0]: row for row in window}
    scored = [row[:_ORDERED] for row in window]
    reranked = rerank(scored, _exact(connection, compiled, scored), compiled.sort)[offset:end]
    page = [(by_rowid[rowid], score) for rowid, score in reranked]
    # The rows left in `rows` start at CANDIDATES: the page's part of them is [offset, end).
    past = islice(rows, max(offset - CANDIDATES, 0), None if end is None else max(end - CANDIDATES, 0))
    return page, past


def rerank(rows: Sequence[Row], exact: set[int], sort: str) -> list[tuple[int, Score | None]]:
    """The candidates `rows` (in BM25 order) in the order of `sort`, each with its score;
    `exact` holds those that match with the words as written."""
    best = {tier: max((-row[1] for row in rows if row[1] is not None and (row[0] in exact) == tier),
                      default=0.0) or 1.0 for tier in (False, True)}
    newest = max((row[2] for row in rows if row[2] is not None), default=None)
    scored = []
    for rowid, bm25, published, path, position in rows:
        is_exact = rowid in exact
        text = 0.0 if bm25 is None else -bm25 / best[is_exact]
        if sort == "text":
            recency = None
            value = is_exact + text
        else:
            recency = recency_of(published, newest)
            value = is_exact + (1 - RECENCY_SHARE) * text + RECENCY_SHARE * recency
        score = Score(round(value, 6), 0.0 if bm25 is None else bm25, round(text, 6), is_exact,
                      None if recency is None else round(recency, 6))
        scored.append((-score.value, -(published or 0), path, _position_key(position), rowid, score))
    scored.sort(key=lambda entry: entry[:5])
    return [(entry[4], entry[5]) for entry in scored]


def recency_of(published: int | None, newest: int | None) -> float:
    """1 for the newest candidate, halving every HALF_LIFE_DAYS before it; 0 undated."""
    if published is None or newest is None:
        return 0.0
    return float(0.5 ** (max(newest - published, 0) / _DAY / HALF_LIFE_DAYS))


def _bm25_only(bm25: float | None) -> Score:
    return Score(0.0 if bm25 is None else -bm25, 0.0 if bm25 is None else bm25)


def _rows(connection: sqlite3.Connection, compiled: CompiledQuery, limit: int | None,
          offset: int, columns: str = "") -> sqlite3.Cursor:
    source, source_parameters = compiled.from_clause()
    # Ranked rows carry what Python sorts them by (`Row`); SQL alone orders the others.
    ordered = "m.score, a.published, a.path, a.position" if compiled.ranked else "NULL, NULL"
    more = f", {columns}" if columns else ""
    return connection.execute(
        f"SELECT a.rowid, {ordered}{more} FROM {source} "
        f"WHERE {compiled.where} ORDER BY {compiled.order_by()} LIMIT ? OFFSET ?",
        [*source_parameters, *compiled.parameters, -1 if limit is None else limit, offset],
    )


def _best_by_bm25(connection: sqlite3.Connection, compiled: CompiledQuery, count: int,
                  columns: str) -> list[Any] | None:
    """The first `count` rows of `_rows`' order, for a query whose text alone selects the
    matches: the ranking table sorted alone, then the articles rows of those it kept, so
    the articles row of every other match is never read (a third of the statement at
    100,000 articles). None when the BM25 ties at the cut run past what was read."""
    read = 2 * count
    best = connection.execute(
        f"SELECT rowid, {compiled.bm25()} FROM {compiled.rank_table} WHERE {compiled.rank_table} MATCH ? "
        "ORDER BY 2 LIMIT ?", [compiled.rank_match, read]).fetchall()
    if len(best) == read and best[count - 1][1] == best[-1][1]:
        return None
    if len(best) > count:
        # Rows tying with the count-th are kept: the date decides which of them make the cut.
        best = [row for row in best if row[1] <= best[count - 1][1]]
    more = f", {columns}" if columns else ""
    articles: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(best), _CHUNK):
        part = [rowid for rowid, _ in best[start : start + _CHUNK]]
        articles.update((row[0], row[1:]) for row in connection.execute(
            f"SELECT a.rowid, a.published, a.path, a.position{more} FROM articles a "
            f"WHERE a.rowid IN ({_marks(len(part))})", part))
    if len(articles) < len(best):
        return None  # a text row without its article: the join leaves it out, let it decide
    rows = [(rowid, bm25, *articles[rowid]) for rowid, bm25 in best]
    # As `_rows` orders them: BM25, then the newer (undated last), then path and position.
    rows.sort(key=lambda row: (row[1], row[2] is None, -(row[2] or 0), row[3], _position_key(row[4]), row[0]))
    return rows[:count]


def _exact(connection: sqlite3.Connection, compiled: CompiledQuery, rows: Sequence[Row]) -> set[int]:
    """The candidates that match the ranking expression with the words as written."""
    rowids = sorted({row[0] for row in rows})
    if compiled.rank_table != STEM_TABLE or not rowids:
        return set(rowids)  # prefix and CJK terms are matched as written already
    # One pass over the exact table's matches in the candidates' rowid range, which FTS5
    # applies as it reads; the candidates are picked out by SQLite (`+rowid`: a filter on
    # the rows read, not one lookup per candidate, which runs the whole match each time),
    # so only they come back to Python. CANDIDATES stays below SQLite's 999 parameters.
    matches = connection.execute(
        f"SELECT rowid FROM {EXACT_TABLE} WHERE {EXACT_TABLE} MATCH ? AND rowid BETWEEN ? AND ? "
        f"AND +rowid IN ({_marks(len(rowids))})",
        [compiled.rank_match, rowids[0], rowids[-1], *rowids])
    return {rowid for (rowid,) in matches}


def _position_key(position: int | None) -> int:
    """A record's place in its file as SQLite orders it: a file of one article (None) first."""
    return -1 if position is None else position


def _marks(count: int) -> str:
    return ", ".join("?" * count)
