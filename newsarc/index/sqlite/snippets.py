"""Highlighted titles and snippets for hits: what matched, marked, in plain text spans.

Words come marked by FTS5 itself (`highlight`, `snippet` on the ranking table, so a
stemmed table marks `investors` for `investor`). Runs of spaceless scripts are indexed
as grams no snippet can be cut from, so they are found in the text here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .schema import CJK_TABLE, MARK_END, MARK_START

if TYPE_CHECKING:
    import sqlite3

    from ...results import Hit, Span
    from .compile import CompiledQuery

# Characters of context each side of a match found outside FTS5.
_CONTEXT = 60


def add_snippets(connection: sqlite3.Connection, compiled: CompiledQuery, rowids: list[int],
                 hits: list[Hit]) -> None:
    if compiled.rank_table != CJK_TABLE and compiled.rank_match:
        _add_fts_snippets(connection, compiled.rank_table, compiled.rank_match, rowids, hits)
    if compiled.cjk_runs:
        for hit in hits:
            _add_run_snippets(hit, compiled.cjk_runs)


def _add_fts_snippets(connection: sqlite3.Connection, table: str, rank_match: str, rowids: list[int],
                      hits: list[Hit]) -> None:
    rows = connection.execute(
        f"SELECT rowid, highlight({table}, 0, ?1, ?2), "
        f"snippet({table}, 2, ?1, ?2, '…', 24), snippet({table}, 3, ?1, ?2, '…', 24), "
        f"snippet({table}, 5, ?1, ?2, '…', 24) "
        f"FROM {table} WHERE {table} MATCH ?3 AND rowid IN ({', '.join('?' * len(rowids))})",
        [MARK_START, MARK_END, rank_match, *rowids],
    )
    by_rowid = {row[0]: row[1:] for row in rows}
    for rowid, hit in zip(rowids, hits, strict=False):
        if rowid not in by_rowid:
            continue
        title, *snippets = by_rowid[rowid]
        hit.title_spans = spans(title)
        marked = next((snippet for snippet in snippets if MARK_START in snippet), snippets[0])
        hit.snippet_spans = spans(marked)


def _add_run_snippets(hit: Hit, runs: tuple[str, ...]) -> None:
    article = hit.article
    if not _marked(hit.title_spans):
        title = _mark_runs(article.title, runs)
        if _marked(title):
            hit.title_spans = title
    if _marked(hit.snippet_spans):
        return
    related = "\n".join(f"{item.title}\n{item.excerpt}" for item in article.related)
    for text in (article.excerpt, article.body, related):
        found = [position for position in (text.find(run) for run in runs) if position >= 0]
        if found:
            start, end = max(min(found) - _CONTEXT, 0), min(min(found) + _CONTEXT, len(text))
            window = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
            hit.snippet_spans = _mark_runs(" ".join(window.split()), runs)
            return


def _mark_runs(text: str, runs: tuple[str, ...]) -> list[Span]:
    """`text` split into pieces, the occurrences of any of `runs` marked."""
    pieces: list[Span] = []
    position = plain_from = 0
    while position < len(text):
        run = next((run for run in runs if text.startswith(run, position)), None)
        if run is None:
            position += 1
            continue
        if position > plain_from:
            pieces.append((text[plain_from:position], False))
        pieces.append((run, True))
        position = plain_from = position + len(run)
    if plain_from < len(text):
        pieces.append((text[plain_from:], False))
    return pieces


def _marked(pieces: list[Span] | None) -> bool:
    return bool(pieces) and any(matched for _, matched in pieces or ())


def spans(marked: str) -> list[Span]:
    """Split FTS5-marked text into (text, matched) pieces."""
    pieces: list[Span] = []
    rest = marked
    while rest:
        start = rest.find(MARK_START)
        if start < 0:
            pieces.append((rest, False))
            break
        if start:
            pieces.append((rest[:start], False))
        end = rest.find(MARK_END, start)
        end = len(rest) if end < 0 else end
        pieces.append((rest[start + 1 : end], True))
        rest = rest[end + 1 :]
    return [(text, matched) for text, matched in pieces if text]
