"""The index's own vocabulary, for typo rescue and "did you mean": how many articles
hold a word, and which words of the index are a few edits away from one.

The vocabulary is read through FTS5's `fts5vocab` over the exact (unicode61) table,
made as TEMP tables: they live in this connection only, so reading it never writes
the index file and needs no schema version. A word's neighbours are found by
asking for every spelling one edit away (a few hundred look-ups of the vocabulary's
term b-tree, a millisecond or two) rather than by reading the vocabulary: a scan
would read every posting list of the index, seconds at 100,000 articles.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from .. import WordNeighbour

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable, Sequence

# What a substitution or an insertion may put in: the tokenizer folds to lower case,
# so these and the word's own letters cover the spellings worth trying.
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# Terms per statement: SQLite caps the parameters of one statement.
_CHUNK = 400
# Text fields of the query language that are FTS columns of their own.
_FIELD_COLUMNS = ("title", "excerpt", "body", "related")


def fold(word: str) -> str:
    """`word` as the unicode61 tokenizer (remove_diacritics 2) stores it: lower case,
    without combining marks."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def article_counts(connection: sqlite3.Connection, words: Iterable[str], field: str | None) -> dict[str, int]:
    """How many articles hold each folded word in the text field `field` (None: any text);
    a word the index does not hold is missing from the answer."""
    words = sorted(set(words))
    table, column_filter, parameters = _source(connection, field)
    found: dict[str, int] = {}
    for start in range(0, len(words), _CHUNK):
        part = words[start : start + _CHUNK]
        marks = ", ".join("?" * len(part))
        rows = connection.execute(
            f"SELECT term, doc FROM {table} WHERE term IN ({marks}){column_filter}", [*part, *parameters])
        found.update(rows)
    return found


def neighbours(connection: sqlite3.Connection, word: str, field: str | None) -> list[WordNeighbour]:
    """The words of the index one edit (a letter dropped, added, changed, or two swapped)
    away from the folded `word` in `field`, most frequent first."""
    candidates = one_edit_away(word)
    counts = article_counts(connection, candidates, field)
    found = [WordNeighbour(term, 1, articles) for term, articles in counts.items() if articles > 0]
    return sorted(found, key=lambda neighbour: (-neighbour.articles, neighbour.word))


def one_edit_away(word: str) -> set[str]:
    """Every spelling one Damerau-Levenshtein edit away from `word` (not `word` itself)."""
    letters = sorted(set(_ALPHABET) | set(word))
    splits = [(word[:cut], word[cut:]) for cut in range(len(word) + 1)]
    deleted = {left + right[1:] for left, right in splits if right}
    swapped = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    changed = {left + letter + right[1:] for left, right in splits if right for letter in letters}
    inserted = {left + letter + right for left, right in splits for letter in letters}
    return (deleted | swapped | changed | inserted) - {word, ""}


def _source(connection: sqlite3.Connection, field: str | None) -> tuple[str, str, Sequence[str]]:
    """The vocabulary table for `field`, a filter on its column, and the filter's parameters."""
    if field is None:
        _ensure(connection, "articles_vocab_rows", "row")
        return "temp.articles_vocab_rows", "", ()
    if field not in _FIELD_COLUMNS:
        raise ValueError(f"no vocabulary for the field {field!r}")
    _ensure(connection, "articles_vocab_columns", "col")
    return "temp.articles_vocab_columns", " AND col = ?", (field,)


def _ensure(connection: sqlite3.Connection, name: str, kind: str) -> None:
    # fts5vocab reads the table it names at query time, so one made before a refresh
    # still answers with the refreshed index.
    connection.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{name} USING fts5vocab(main, articles_fts, {kind})")
