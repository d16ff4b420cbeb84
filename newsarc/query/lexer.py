"""Query text -> tokens: shell words joined into one string, then terms, values and operators."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import QueryError
from ..slotted import FrozenRecord
from .fields import ALL_FIELDS, did_you_mean, example_hint

if TYPE_CHECKING:
    from collections.abc import Sequence

OPERATORS = ("OR", "AND", "NOT")
_FIELD_NAME = re.compile(r"[A-Za-z]+:")
BARE = re.compile(r'[^\s()"]+')


def query_source(text: str | Sequence[str]) -> str:
    """The query text `parse_query` reads (and `Query.source` holds), e.g. to point at an error.

    A shell word holding whitespace had its quotes removed by the shell, so it is quoted
    again (`provider:South China Morning Post` -> `provider:"South China Morning Post"`),
    unless it already holds query syntax: a quote, a parenthesis or an OR/AND/NOT.
    """
    return text if isinstance(text, str) else " ".join(_shell_word(word) for word in text)


def _shell_word(word: str) -> str:
    if not any(char.isspace() for char in word) or _holds_syntax(word):
        return word
    negation = "-" if word.startswith("-") else ""
    body = word[len(negation):]
    # A trailing `*` inside quotes would be text; outside, it keeps meaning "prefix".
    star = "*" if body.endswith("*") else ""
    body = body[: len(body) - len(star)]
    name = _FIELD_NAME.match(body)
    if name and is_field_at(body, 0):
        return f'{negation}{name.group()}"{body[name.end():]}"{star}'
    return f'{negation}"{body}"{star}'


def _holds_syntax(word: str) -> bool:
    """Whether a shell word was a query typed as one string (`'sensetime -provider:x'`): it holds
    quotes, parentheses or an operator, or a later part is a qualifier or an exclusion."""
    if any(char in word for char in '"()') or any(part in OPERATORS for part in word.split()):
        return True
    return any(is_field_at(part.removeprefix("-"), 0) or (part.startswith("-") and part[1:2].isalnum())
               for part in word.split()[1:])


def is_field_at(source: str, position: int) -> bool:
    """A word of letters and a colon is a field name, except a URL's scheme (`https://`)."""
    name = _FIELD_NAME.match(source, position)
    return name is not None and not source.startswith("//", name.end())


# --- tokens ----------------------------------------------------------------------------


class Segment(FrozenRecord):
    """A run of a term or value: bare text, or the inside of a quote."""

    __slots__ = ("text", "quoted", "position")
    text: str
    quoted: bool
    position: int

    def __init__(self, text: str, quoted: bool, position: int) -> None:
        self._init(text, quoted, position)


class Token(FrozenRecord):
    """An operator, a parenthesis, a term or a `field:` of the query text, and where it starts."""

    __slots__ = ("kind", "position", "segments", "field")
    kind: str  # "(", ")", "OR", "AND", "NOT", "-", "term" or "field"
    position: int
    segments: tuple[Segment, ...]
    field: str  # for "field": the lower-cased name; no segments means a group follows

    def __init__(self, kind: str, position: int, segments: tuple[Segment, ...] = (), field: str = "") -> None:
        self._init(kind, position, segments, field)


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        char = source[position]
        if char.isspace():
            position += 1
        elif char in "()":
            tokens.append(Token(char, position))
            position += 1
        elif char == "-":
            _check_negation_target(source, position)
            tokens.append(Token("-", position))
            position += 1
        elif is_field_at(source, position):
            token, position = _field_token(source, position)
            tokens.append(token)
        else:
            segments, position = _segments(source, position)
            tokens.append(_term_token(segments))
    return tokens


def _check_negation_target(source: str, position: int) -> None:
    following = source[position + 1: position + 2]
    if not following or following.isspace() or following == ")":
        raise QueryError("`-` needs a term right after it", position=position,
                         hint="write -word, -provider:x or -(a OR b)")


def _term_token(segments: tuple[Segment, ...]) -> Token:
    first = segments[0]
    if len(segments) == 1 and not first.quoted and first.text in OPERATORS:
        return Token(first.text, first.position)
    opening_quote = 1 if first.quoted else 0
    return Token("term", first.position - opening_quote, segments)


def _field_token(source: str, position: int) -> tuple[Token, int]:
    name_match = _FIELD_NAME.match(source, position)
    assert name_match is not None
    name = name_match.group()[:-1].lower()
    if name not in ALL_FIELDS:
        raise QueryError(f"unknown field `{name_match.group()}`", position=position,
                         hint=did_you_mean(name, ALL_FIELDS, ":") or "fields: " + ", ".join(ALL_FIELDS))
    value_start = name_match.end()
    following = source[value_start: value_start + 1]
    if not following or following.isspace() or following == ")":
        raise QueryError(f"`{name}:` needs a value", position=position, hint=example_hint(name))
    if following == "(":
        return Token("field", position, field=name), value_start
    segments, end = _segments(source, value_start)
    return Token("field", position, segments, name), end


def _segments(source: str, position: int) -> tuple[tuple[Segment, ...], int]:
    """The bare and quoted runs that make one term or value, up to whitespace or a parenthesis."""
    segments: list[Segment] = []
    while position < len(source) and not source[position].isspace() and source[position] not in "()":
        if source[position] == '"':
            close = source.find('"', position + 1)
            if close < 0:
                raise QueryError("a quote is not closed", position=position, hint='add the closing `"`')
            segments.append(Segment(source[position + 1: close], True, position + 1))
            position = close + 1
        else:
            bare = BARE.match(source, position)
            assert bare is not None
            segments.append(Segment(bare.group(), False, position))
            position = bare.end()
    return tuple(segments), position
