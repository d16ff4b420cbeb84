"""The index's own vocabulary, for typo rescue and "did you mean": how many articles
a word finds, and which words of the index are one edit away from one.

The vocabulary is read through FTS5's `fts5vocab` over the exact (unicode61) table,
made as TEMP tables: they live in this connection only, so reading it never writes
the index file and needs no schema version. A word's neighbours are found by
asking for every spelling one edit away (400 to 600 look-ups for a word of 6 to 10
letters, about 0.25 ms each at 100,000 articles) rather than by reading the
vocabulary: fts5vocab counts each word's articles by reading its posting list, so a
scan reads the whole index, and even the words sharing a word's first three letters
can take 160 ms (`com...`).
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from ...query import TextTerm
from .. import WordNeighbour
from .compile import text_matches

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable, Sequence

# What a substitution or an insertion may put in: the tokenizer folds to lower case,
# so these and the word's own letters cover the spellings worth trying (only words of
# letters are rescued; each letter less is two look-ups less per position).
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
# Terms per statement: SQLite caps the parameters of one statement.
_CHUNK = 400
# Text fields of the query language that are FTS columns of their own.
_FIELD_COLUMNS = ("title", "excerpt", "body", "related")


def fold(word: str) -> str:
    """`word` as the unicode61 tokenizer (remove_diacritics 2) stores it: lower case,
    without combining marks."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def article_counts(connection: sqlite3.Connection, words: Iterable[str], field: str | None,
                   at_most: int) -> dict[str, int]:
    """How many articles the search finds for each word alone in the text field `field`
    (None: any text), counted up to `at_most`.

    Asked of the full-text table as a search asks it, not of the vocabulary: fts5vocab
    counts a word's articles by reading its whole posting list (50 ms for a word in
    every article of 100,000), where a match stops after `at_most` rows.
    """
    found: dict[str, int] = {}
    for word in dict.fromkeys(words):
        # The match a search makes of the word (through its stem, as `investor` finds
        # `investors`), so a word that finds articles is never taken for a typo.
        matches = text_matches(TextTerm((word,), field))
        if not matches:
            found[word] = 0
            continue
        table, expression = matches[0].table, matches[0].expression
        found[word] = connection.execute(
            f"SELECT count(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT ?)",
            (expression, at_most)).fetchone()[0]
    return found


def _vocabulary_counts(connection: sqlite3.Connection, terms: Iterable[str],
                       field: str | None) -> dict[str, int]:
    """How many articles hold each of `terms` (folded), from the vocabulary; a term the
    index does not hold is missing from the answer."""
    terms = sorted(set(terms))
    table, column_filter, parameters = _source(connection, field)
    found: dict[str, int] = {}
    for start in range(0, len(terms), _CHUNK):
        part = terms[start : start + _CHUNK]
        marks = ", ".join("?" * len(part))
        rows = connection.execute(
            f"SELECT term, doc FROM {table} WHERE term IN ({marks}){column_filter}", [*part, *parameters])
        found.update(rows)
    return found


def neighbours(connection: sqlite3.Connection, word: str, field: str | None) -> list[WordNeighbour]:
    """The words of the index one edit (a letter dropped, added, changed, or two swapped)
    away from `word` (folded as the tokenizer folds it) in `field`, most frequent first."""
    counts = _vocabulary_counts(connection, one_edit_away(fold(word)), field)
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
