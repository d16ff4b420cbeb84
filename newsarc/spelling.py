"""Typo rescue and "did you mean": when a query's words are looked at again, and what
they become. The vocabulary comes from the index (`Index.word_articles`,
`Index.word_neighbours`); the decisions are made here, above it.

Rescue: a query that finds nothing because some of its words are in no article is run
again with each such word replaced by a neighbour in the index's own vocabulary (a word
one edit away: a letter dropped, added, changed, or two swapped): of the RESCUE_CHOICES
most frequent neighbours of each, the combination with which the query finds the most
articles. When none finds anything, the query stays as typed.

Did you mean: a query that finds at most FEW_ARTICLES articles, one of whose words is in
at most FEW_ARTICLES articles while a neighbour is in MORE_TIMES as many (and at least
MORE_TIMES), gets the neighbour suggested; the query itself runs as typed.

Only words of the text the query searches for are looked at: never the values of exact
fields (`provider:`, `topic:` ...), never excluded words (`-word`), never the word of a
prefix (`sense*`), never words shorter than MIN_LENGTH letters or holding digits or
characters of scripts written without spaces (an edit there is another word).
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from .query import And, Or, TextTerm
from .slotted import FrozenRecord, replace

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .index import Index
    from .query import Node, Query

MIN_LENGTH = 4
"""Shorter words have too many neighbours one edit away to guess which was meant."""
RESCUE_CHOICES = 3
"""Rescue: the most frequent neighbours of a missing word that are tried."""
RESCUE_TRIES = 27
"""Rescue: at most this many combinations of them are counted (3 missing words' worth)."""
FEW_ARTICLES = 3
"""Did you mean: a query (and a word of it) in at most this many articles is looked at."""
MORE_TIMES = 10
"""Did you mean: a neighbour must be in this many times as many articles as the word."""

# The tokens of a word as the index splits them (`covid-19` is `covid` and `19`).
_TOKEN = re.compile(r"\w+", re.UNICODE)
# Han, kana, Hangul, Thai and the like: no edit distance between such words means anything.
# Compiled on first use (re keeps it): an ASCII word never needs it, and compiling its
# ranges costs about 7 ms.
_UNSPACED = "[\u0e00-\u0e7f\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"


class Correction(FrozenRecord):
    """A word as typed, the index's word put in its place, and how many articles hold that."""

    __slots__ = ("field", "typed", "word", "articles")
    field: str | None
    typed: str
    word: str
    articles: int

    def __init__(self, field: str | None, typed: str, word: str, articles: int) -> None:
        self._init(field, typed, word, articles)


class Spelling(FrozenRecord):
    """What to run for a query, and what to tell the user about its spelling.

    `query` is the query to run: the one typed, or the rescued one when `rescued` is
    set. `suggested` holds the "did you mean" neighbours, `suggested_total` how many
    articles the query with them finds.
    """

    __slots__ = ("query", "rescued", "suggested", "suggested_total")
    query: Query
    rescued: tuple[Correction, ...]
    suggested: tuple[Correction, ...]
    suggested_total: int

    def __init__(self, query: Query, rescued: tuple[Correction, ...] = (),
                 suggested: tuple[Correction, ...] = (), suggested_total: int = 0) -> None:
        self._init(query, rescued, suggested, suggested_total)

    @property
    def rescue_notice(self) -> str | None:
        """`no match for "sensetim"; showing results for "sensetime"`, or None."""
        if not self.rescued:
            return None
        typed = ", ".join(_quoted(correction.typed) for correction in self.rescued)
        words = ", ".join(_quoted(correction.word) for correction in self.rescued)
        return f"no match for {typed}; showing results for {words}"

    @property
    def suggestion_notice(self) -> str | None:
        """`did you mean "sensetime"? (9 articles)`, or None."""
        if not self.suggested:
            return None
        words = ", ".join(_quoted(correction.word) for correction in self.suggested)
        plural = "" if self.suggested_total == 1 else "s"
        return f"did you mean {words}? ({self.suggested_total} article{plural})"


def check_spelling(index: Index, query: Query) -> Spelling:
    """The query to run for `query` (rescued when its words match nothing), and its notices.

    Costs a look at the first few matches of each word when every word is common; a
    count when one is rare or missing; a rescue or a suggestion a few hundred look-ups
    of the vocabulary and a count per combination tried.
    """
    words = searched_words(query.root)
    if not words:
        return Spelling(query)
    articles = _word_articles(index, words)
    missing = [key for key in words if articles[key] == 0]
    rare = [key for key in words if 0 < articles[key] <= FEW_ARTICLES]
    if not missing and not rare:
        return Spelling(query)
    total = index.count(query)
    if total == 0 and missing:
        return _rescued(index, query, missing)
    if 0 < total <= FEW_ARTICLES and rare:
        return _suggested(index, query, rare, articles)
    return Spelling(query)


def searched_words(root: Node | None) -> list[tuple[str | None, str]]:
    """(field, token) of every word the query looks for that rescue may change, in order."""
    found: dict[tuple[str | None, str], None] = {}
    for term in _positive_terms(root):
        tokens = [token for word in term.words for token in _TOKEN.findall(word)]
        if term.prefix:
            tokens = tokens[:-1]
        for token in tokens:
            if _rescuable(token):
                found[(term.field, token)] = None
    return list(found)


def _rescued(index: Index, query: Query, missing: list[tuple[str | None, str]]) -> Spelling:
    """The query with the missing words replaced, choosing among the most frequent
    neighbours of each the combination that finds the most articles with the other words
    (`maket share` is `market share`, though `make` is the more frequent word)."""
    choices = []
    for field, token in missing:
        neighbours = index.word_neighbours(token, field)[:RESCUE_CHOICES]
        if neighbours:
            choices.append([Correction(field, token, neighbour.word, neighbour.articles)
                            for neighbour in neighbours])
    if not choices:
        return Spelling(query)
    best: tuple[int, Query, tuple[Correction, ...]] | None = None
    for corrections in itertools.islice(itertools.product(*choices), RESCUE_TRIES):
        rescued = replace_words(query, corrections)
        total = index.count(rescued)
        if total and (best is None or total > best[0]):
            best = (total, rescued, corrections)
    if best is None:
        return Spelling(query)
    return Spelling(best[1], rescued=best[2])


def _suggested(index: Index, query: Query, rare: list[tuple[str | None, str]],
               articles: dict[tuple[str | None, str], int]) -> Spelling:
    corrections = []
    for field, token in rare:
        needed = max(MORE_TIMES, MORE_TIMES * articles[(field, token)])
        neighbours = index.word_neighbours(token, field)
        frequent = [neighbour for neighbour in neighbours if neighbour.articles >= needed]
        if frequent:
            corrections.append(Correction(field, token, frequent[0].word, frequent[0].articles))
    if not corrections:
        return Spelling(query)
    total = index.count(replace_words(query, corrections))
    if total <= index.count(query):
        return Spelling(query)
    return Spelling(query, suggested=tuple(corrections), suggested_total=total)


def replace_words(query: Query, corrections: Sequence[Correction]) -> Query:
    """`query` with each corrected word of its searched text put right (excluded words stay)."""
    replacements = {(correction.field, correction.typed): correction.word for correction in corrections}

    def rewrite(node: Node) -> Node:
        if isinstance(node, TextTerm):
            def replaced(token: re.Match[str], field: str | None = node.field) -> str:
                return replacements.get((field, token.group()), token.group())

            words = tuple(_TOKEN.sub(replaced, word) for word in node.words)
            if node.prefix and words:  # the prefix word was not looked at; leave it as typed
                words = (*words[:-1], node.words[-1])
            return replace(node, words=words)
        if isinstance(node, And):
            return And(tuple(rewrite(child) for child in node.children))
        if isinstance(node, Or):
            return Or(tuple(rewrite(child) for child in node.children))
        return node  # a Not, or a field filter: never rewritten

    root = None if query.root is None else rewrite(query.root)
    return replace(query, root=root)


def _positive_terms(node: Node | None) -> list[TextTerm]:
    if isinstance(node, TextTerm):
        return [node]
    if isinstance(node, (And, Or)):
        return [term for child in node.children for term in _positive_terms(child)]
    return []  # Not, field filters, nothing


def _word_articles(index: Index, words: list[tuple[str | None, str]]) -> dict[tuple[str | None, str], int]:
    articles: dict[tuple[str | None, str], int] = {}
    for field in dict.fromkeys(field for field, _ in words):
        tokens = [token for token_field, token in words if token_field == field]
        for token, count in index.word_articles(tokens, field, FEW_ARTICLES + 1).items():
            articles[(field, token)] = count
    return articles


def _rescuable(token: str) -> bool:
    return (len(token) >= MIN_LENGTH and token.isalpha()
            and (token.isascii() or not re.search(_UNSPACED, token)))


def _quoted(word: str) -> str:
    return '"' + word.replace('"', "'") + '"'
