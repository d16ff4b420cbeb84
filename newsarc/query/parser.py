"""Tokens -> the syntax tree: a recursive-descent parser, and the nodes built from tokens."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import QueryError
from .fields import EXACT_FIELDS, HAS_VALUES, SORT_KEYS, TEXT_FIELDS, did_you_mean, example_hint
from .lexer import query_source, tokenize
from .syntax import And, FieldFilter, Not, Or, Query, RangeFilter, TextTerm

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from .lexer import Segment, Token
    from .syntax import Node

# Beyond these a query is no longer something a person typed; refusing it keeps
# parsing linear and recursion bounded.
MAX_QUERY_LENGTH = 10_000
MAX_DEPTH = 50

_YES = ("yes", "true", "1")
_NO = ("no", "false", "0")
_SORT_ALIASES = {"-date": "date-asc", "date-desc": "date", "newest": "date", "oldest": "date-asc"}
_INT_LIMIT = 2**63 - 1  # SQLite's integer range
_NUMBER = re.compile(r"[+-]?[0-9]{1,19}")


def parse_query(text: str | Sequence[str], now: datetime) -> Query:
    """The syntax tree of a query given as one string or as shell words.

    Raises QueryError, whose `position` is an offset into `query_source(text)`.
    """
    source = query_source(text)
    if len(source) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is too long ({len(source)} characters)", position=MAX_QUERY_LENGTH,
                         hint=f"the limit is {MAX_QUERY_LENGTH}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("`now` must be an aware datetime")
    parser = _Parser(tokenize(source), now)
    root = parser.parse()
    return Query(root, parser.sort, _ranks(root), source)


# --- the grammar -----------------------------------------------------------------------


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary ([AND] unary)*; unary := (NOT|-)* atom."""

    def __init__(self, tokens: list[Token], now: datetime) -> None:
        self.tokens = tokens
        self.index = 0
        self.now = now
        self.depth = 0
        self.scope: str | None = None  # the text field of an enclosing `title:( ... )`
        self.sort: str | None = None
        self.sorts: list[Token] = []  # every sort: read, to check where each one stood

    def parse(self) -> Node | None:
        root = self._any_of()
        token = self._peek()
        if token is not None:  # only a `)` stops `_any_of` early
            raise QueryError("`)` has no matching `(`", position=token.position,
                             hint="remove it or add a `(`")
        return root

    def _peek(self, offset: int = 0) -> Token | None:
        index = self.index + offset
        return self.tokens[index] if 0 <= index < len(self.tokens) else None

    def _peek_kind(self, offset: int = 0) -> str | None:
        token = self._peek(offset)
        return token.kind if token else None

    def _advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _any_of(self) -> Node | None:
        sorts_before = len(self.sorts)
        alternatives = [self._all_of()]
        while self._peek_kind() == "OR":
            operator = self._advance()
            alternatives.append(self._all_of())
            self._refuse_sorts_since(sorts_before)
            if alternatives[-2] is None or alternatives[-1] is None:
                raise QueryError("`OR` needs a term on each side", position=operator.position,
                                 hint="write a OR b; a lower-case `or` is a plain word")
        if len(alternatives) == 1:
            return alternatives[0]
        return _combine(Or, [node for node in alternatives if node is not None])

    def _all_of(self) -> Node | None:
        children: list[Node] = []
        while self._peek_kind() not in (None, ")", "OR"):
            if self._peek_kind() == "AND":
                self._check_and()
                self._advance()
                continue
            node = self._unary()
            if node is not None:
                children.append(node)
        return _combine(And, children) if children else None

    def _check_and(self) -> None:
        if self._peek_kind(-1) in (None, "(", "OR", "AND") or self._peek_kind(1) in (None, ")", "OR", "AND"):
            raise QueryError("`AND` needs a term on each side", position=self._advance().position,
                             hint="write a AND b, or just a b")

    def _unary(self) -> Node | None:
        negations: list[Token] = []
        while self._peek_kind() in ("NOT", "-"):
            negations.append(self._advance())
            if self._peek_kind() in (None, ")", "OR", "AND"):
                operator = negations[-1]
                raise QueryError(f"`{operator.kind}` needs a term after it", position=operator.position,
                                 hint="write NOT word or -word; a lower-case `not` is a plain word")
        sorts_before = len(self.sorts)
        node = self._atom()
        if negations:
            self._refuse_sorts_since(sorts_before)
        return _negate(node) if node is not None and len(negations) % 2 else node

    def _refuse_sorts_since(self, count: int) -> None:
        """`sort:` orders the whole result, so it cannot be one alternative or be negated."""
        if len(self.sorts) > count:
            raise QueryError("`sort:` cannot be negated or part of an OR",
                             position=self.sorts[count].position, hint="put sort:key beside the other terms")

    def _atom(self) -> Node | None:
        token = self._advance()
        if token.kind == "(":
            return self._group(token)
        if token.kind == "term":
            return _text_term(token.segments, self.scope, token.position)
        return self._field(token)

    def _group(self, opening: Token) -> Node | None:
        sorts_before = len(self.sorts)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError("the query nests too deeply", position=opening.position,
                             hint=f"use at most {MAX_DEPTH} levels of parentheses")
        inner = self._any_of()
        if self._peek_kind() != ")":
            raise QueryError("`(` is not closed", position=opening.position, hint="add a `)`")
        self._advance()
        self.depth -= 1
        if inner is None and len(self.sorts) == sorts_before:  # `(sort:heat)` is a saved sort
            raise QueryError("the parentheses are empty", position=opening.position, hint="put terms inside")
        return inner

    def _field(self, token: Token) -> Node | None:
        if self.scope is not None:
            raise QueryError(f"`{self.scope}:( ... )` takes words, not `{token.field}:`",
                             position=token.position, hint=f'write {self.scope}:(a OR "b c")')
        if not token.segments:
            return self._field_group(token)
        if token.field == "sort":
            self.sorts.append(token)
            self.sort = _sort_key(token)  # the last one wins, so an option can override a saved query
            return None
        if token.field in TEXT_FIELDS:
            return _text_term(token.segments, token.field, token.position)
        if token.field in EXACT_FIELDS:
            return _field_filter(token)
        return _any_range(token, self.now)

    def _field_group(self, token: Token) -> Node | None:
        if token.field not in TEXT_FIELDS:
            raise QueryError(f"`{token.field}:` takes values, not a group", position=token.position,
                             hint=f"use a comma list: {token.field}:a,b")
        self.scope = token.field  # the terms of the group take the field as they are built
        group = self._group(self._advance())
        self.scope = None
        return group


# --- nodes from tokens -----------------------------------------------------------------


def _text_term(segments: tuple[Segment, ...], text_field: str | None, position: int) -> TextTerm:
    # A trailing `*` outside quotes makes the last word a prefix; inside quotes it is text.
    last = segments[-1]
    prefix = not last.quoted and last.text.endswith("*")
    texts = [segment.text for segment in segments]
    if prefix:
        texts[-1] = texts[-1].rstrip("*")
    words = tuple("".join(texts).split())
    if not words:
        message = "`*` needs a word before it" if prefix else "the quotes are empty"
        raise QueryError(message, position=position, hint='write sense* or "exact words"')
    return TextTerm(words, text_field, any(s.quoted for s in segments), prefix, position)


def _values(token: Token) -> list[tuple[str, int]]:
    """The comma-separated items of a value (commas inside quotes are text), with positions."""
    items: list[list] = [["", None]]
    for segment in token.segments:
        parts = [segment.text] if segment.quoted else segment.text.split(",")
        offset = segment.position
        for number, part in enumerate(parts):
            if number:
                items.append(["", None])
            if items[-1][1] is None and part.strip():
                items[-1][1] = offset + len(part) - len(part.lstrip())
            items[-1][0] += part
            offset += len(part) + 1
    found = [(text.strip(), position) for text, position in items if text.strip()]
    if not found:
        raise QueryError(f"`{token.field}:` needs a value", position=token.position,
                         hint=example_hint(token.field))
    return found


def _field_filter(token: Token) -> FieldFilter:
    values: list[str] = []
    for text, position in _values(token):
        value = _exact_value(token.field, " ".join(text.split()), position)
        if value not in values:
            values.append(value)
    return FieldFilter(token.field, tuple(values), token.position)


def _exact_value(name: str, value: str, position: int) -> str:
    if name == "published":
        if value.lower() in _YES + _NO:
            return "yes" if value.lower() in _YES else "no"
        raise QueryError(f"`published:{value}` is neither yes nor no", position=position,
                         hint="write published:yes or published:no")
    if name == "has":
        if value.lower() in HAS_VALUES:
            return value.lower()
        raise QueryError(f"`has:{value}` is not something an article has", position=position,
                         hint=did_you_mean(value.lower(), HAS_VALUES, "", "has:")
                         or "has: takes " + ", ".join(HAS_VALUES))
    return value


def _any_range(token: Token, now: datetime) -> Node:
    ranges = [_range(token, text, position, now) for text, position in _values(token)]
    return ranges[0] if len(ranges) == 1 else Or(tuple(ranges))


def _range(token: Token, text: str, position: int, now: datetime) -> RangeFilter:
    if token.field == "date":
        from .. import dates  # only a query with dates pays for their rules

        start, end = dates.date_range(text, now, offset=position)
        return RangeFilter("date", start, end, True, False, token.position, expression=text)
    low, high, low_inclusive, high_inclusive = _number_range(token.field, text, position)
    return RangeFilter(token.field, low, high, low_inclusive, high_inclusive, token.position)


def _number_range(name: str, text: str, position: int) -> tuple[int | None, int | None, bool, bool]:
    for operator in (">=", "<=", ">", "<"):
        if text.startswith(operator):
            number = _number(name, text[len(operator):], position + len(operator))
            if operator[0] == ">":
                return number, None, operator == ">=", True
            return None, number, True, operator == "<="
    if ".." not in text:
        number = _number(name, text, position)
        return number, number, True, True
    left, right = text.split("..", 1)
    low = _number(name, left, position) if left.strip() else None
    high = _number(name, right, position + len(left) + 2) if right.strip() else None
    if low is None and high is None:
        raise QueryError(f"`{name}:..` needs at least one end", position=position, hint=example_hint(name))
    if low is not None and high is not None and low > high:
        raise QueryError(f"the range `{text}` ends before it starts", position=position,
                         hint="put the smaller number first")
    return low, high, True, True


def _number(name: str, text: str, position: int) -> int:
    stripped = text.strip()
    if not stripped:
        raise QueryError(f"a number is missing for `{name}:`", position=position, hint=example_hint(name))
    if not _NUMBER.fullmatch(stripped) or abs(int(stripped)) > _INT_LIMIT:
        raise QueryError(f"`{stripped}` is not a whole number for `{name}:`", position=position,
                         hint=example_hint(name))
    return int(stripped)


def _sort_key(token: Token) -> str:
    text = "".join(segment.text for segment in token.segments).strip().lower()
    key = _SORT_ALIASES.get(text, text)
    if key in SORT_KEYS:
        return key
    keys = "sort keys: " + ", ".join(SORT_KEYS)
    suggestion = did_you_mean(text, SORT_KEYS, "", "sort:")
    raise QueryError(f"cannot sort by `{text}`", position=token.position,
                     hint=f"{suggestion} {keys}" if suggestion else keys)


# --- tree helpers ----------------------------------------------------------------------


def _combine(kind: type[And] | type[Or], children: list[Node]) -> Node:
    """One node for several: a lone child stands alone; same-kind groups are flattened."""
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, kind) else (child,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _negate(node: Node) -> Node:
    return node.child if isinstance(node, Not) else Not(node)


def _ranks(node: Node | None) -> bool:
    """Whether a text term applies positively, so results can be ranked by relevance."""
    if isinstance(node, TextTerm):
        return True
    if isinstance(node, And | Or):
        return any(_ranks(child) for child in node.children)
    return False
