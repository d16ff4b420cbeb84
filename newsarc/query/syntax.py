"""The syntax tree a query parses to, and its spelling back as a query string."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..slotted import FrozenRecord
from .lexer import BARE, OPERATORS, is_field_at

if TYPE_CHECKING:
    from datetime import datetime


# --- the syntax tree -------------------------------------------------------------------


# Frozen records, not dataclasses: every query command imports the tree, and @dataclass
# would compile its methods at each start (see `slotted`).


class TextTerm(FrozenRecord):
    """Words to find in the text (in one field with `field:`): a word, a phrase or a prefix."""

    __slots__ = ("words", "field", "phrase", "prefix", "position")
    words: tuple[str, ...]
    field: str | None
    phrase: bool
    prefix: bool
    position: int

    def __init__(self, words: tuple[str, ...], field: str | None = None, phrase: bool = False,
                 prefix: bool = False, position: int = 0) -> None:
        self._init(words, field, phrase, prefix, position)


class FieldFilter(FrozenRecord):
    """An exact field (`provider:`, `topic:`, ...) holding one of `values`."""

    __slots__ = ("field", "values", "position")
    field: str
    values: tuple[str, ...]
    position: int

    def __init__(self, field: str, values: tuple[str, ...], position: int = 0) -> None:
        self._init(field, values, position)


class RangeFilter(FrozenRecord):
    """A date or number field between two bounds (None: unbounded)."""

    __slots__ = ("field", "low", "high", "low_inclusive", "high_inclusive", "position", "expression")
    _uncompared = frozenset({"expression"})
    field: str
    low: datetime | int | None
    high: datetime | int | None
    low_inclusive: bool
    high_inclusive: bool
    position: int
    expression: str | None

    def __init__(self, field: str, low: datetime | int | None, high: datetime | int | None,
                 low_inclusive: bool = True, high_inclusive: bool = True, position: int = 0,
                 expression: str | None = None) -> None:
        self._init(field, low, high, low_inclusive, high_inclusive, position, expression)


class Not(FrozenRecord):
    """The articles `child` does not match."""

    __slots__ = ("child",)
    child: Node

    def __init__(self, child: Node) -> None:
        self._init(child)


class And(FrozenRecord):
    """The articles every child matches."""

    __slots__ = ("children",)
    children: tuple[Node, ...]

    def __init__(self, children: tuple[Node, ...]) -> None:
        self._init(children)


class Or(FrozenRecord):
    """The articles any child matches."""

    __slots__ = ("children",)
    children: tuple[Node, ...]

    def __init__(self, children: tuple[Node, ...]) -> None:
        self._init(children)


Node = TextTerm | FieldFilter | RangeFilter | Not | And | Or


class Query(FrozenRecord):
    """A parsed query: its tree (None: every article), its sort, whether it ranks by text, its source."""

    __slots__ = ("root", "sort", "text", "source")
    root: Node | None
    sort: str | None
    text: bool
    source: str

    def __init__(self, root: Node | None, sort: str | None = None, text: bool = False,
                 source: str = "") -> None:
        self._init(root, sort, text, source)

    def describe(self, *, resolve_dates: bool = False) -> str:
        """The query as a normalised query string that parses back to the same tree.

        Relative dates stay as written (`date:7d`) unless `resolve_dates` asks for the
        UTC range they stood for when parsed.
        """
        parts = [_render(self.root, resolve_dates)] if self.root is not None else []
        if self.sort is not None:
            parts.append(f"sort:{self.sort}")
        return " ".join(parts)

    def __str__(self) -> str:
        return self.describe()


# --- rendering -------------------------------------------------------------------------


def _render(node: Node, resolve_dates: bool) -> str:
    if isinstance(node, TextTerm):
        return _render_text(node)
    if isinstance(node, FieldFilter):
        return f"{node.field}:" + ",".join(_render_value(value) for value in node.values)
    if isinstance(node, RangeFilter):
        return _render_range(node, resolve_dates)
    if isinstance(node, Not):
        return "-" + _render_child(node.child, resolve_dates, (And, Or, Not))
    if isinstance(node, And):
        return " ".join(_render_child(child, resolve_dates, (And, Or)) for child in node.children)
    return " OR ".join(_render_child(child, resolve_dates, (And, Or)) for child in node.children)


def _render_child(node: Node, resolve_dates: bool, grouped: tuple[type, ...]) -> str:
    rendered = _render(node, resolve_dates)
    return f"({rendered})" if isinstance(node, grouped) else rendered


def _render_text(term: TextTerm) -> str:
    scope = f"{term.field}:" if term.field else ""
    star = "*" if term.prefix else ""
    if term.phrase or len(term.words) != 1 or _needs_quotes(term.words[0], star, scoped=bool(scope)):
        return f'{scope}"{" ".join(term.words)}"{star}'
    return f"{scope}{term.words[0]}{star}"


def _needs_quotes(word: str, star: str, scoped: bool) -> bool:
    """Whether a word written bare would parse as something else (a field value is never an operator)."""
    written = word + star
    if BARE.fullmatch(word) is None or word.endswith("*"):
        return True
    return not scoped and (written.startswith("-") or written in OPERATORS or is_field_at(written, 0))


def _render_value(value: str) -> str:
    return f'"{value}"' if not value or re.search(r'[\s,()"]', value) else value


def _render_range(node: RangeFilter, resolve_dates: bool) -> str:
    if node.field == "date":
        if node.expression is not None and not resolve_dates:
            return "date:" + _render_value(node.expression)
        from .. import dates  # only a query with dates pays for their rules

        return "date:" + dates.format_range(node.low, node.high)  # type: ignore[arg-type]
    low, high = node.low, node.high
    if low is not None and high is not None and node.low_inclusive and node.high_inclusive:
        return f"{node.field}:{low}" if low == high else f"{node.field}:{low}..{high}"
    bounds = []
    if low is not None:
        bounds.append(f"{node.field}:{'>=' if node.low_inclusive else '>'}{low}")
    if high is not None:
        bounds.append(f"{node.field}:{'<=' if node.high_inclusive else '<'}{high}")
    # Two bounds with other flags need two qualifiers; the parentheses keep them one term.
    return bounds[0] if len(bounds) == 1 else f"({' '.join(bounds)})" if bounds else f"{node.field}:.."
