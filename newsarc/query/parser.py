"""The query language -> a syntax tree. No SQL here: `store.py` compiles the tree.

CONTRACT (the store compiles exactly these nodes):

    Query(root: Node | None, sort: str | None, text: bool, source: str)
        root   None means "every article"
        sort   None, or one of SORT_KEYS
        text   True when the tree holds a TextTerm outside a Not (ranking applies)
    Node = TextTerm | FieldFilter | RangeFilter | Not | And | Or

    TextTerm(words: tuple[str, ...], field: str | None, phrase: bool, prefix: bool, position: int)
        field  None (all text), or one of TEXT_FIELDS
        words  the word(s) of the term; a phrase keeps its words in order; prefix means
               the last word is a prefix (`sense*`)
    FieldFilter(field: str, values: tuple[str, ...], position: int)
        field in EXACT_FIELDS; any of `values` matches (comma lists); compared
        case-insensitively; for `path` each value is a glob; for `published` the values
        are "yes"/"no"; for `has` one of HAS_VALUES
    RangeFilter(field: str, low, high, low_inclusive: bool, high_inclusive: bool, position: int)
        field "date" (low/high aware UTC datetimes or None) or "quality"/"heat" (ints or None)
    Not(child), And(children: tuple), Or(children: tuple)

ADDITIONS (defaults, so the contract above still holds):

    RangeFilter.expression  the `date:` value as written (`7d`, `"last week"`), kept so a
                            saved query stays relative; not compared.
    And/Or hold two children or more and never directly hold their own kind (nested
    groups are flattened); a Not never directly holds a Not (`--x` is `x`).
    For "date" the range is always half-open: low_inclusive=True, high_inclusive=False.
    For "quality"/"heat" the flag of a missing bound is True.
    `position` is the offset in Query.source of the term's first character: a field's
    name, a phrase's opening quote (for a `-term`, the character after the `-`).

ALSO PUBLIC: parse_query(text, now), query_source(text), fields_help() -> [FieldHelp],
Query.describe(resolve_dates=False) (str(query) is the same), the constants below.

THE LANGUAGE (see `fields_help()` for the fields):

    words, "exact phrases", prefix*     implicit AND; `AND` also accepted
    a OR b, -term, NOT term, ( ... )    NOT binds tightest, then AND, then OR
    title:word  title:"a phrase"  title:(a OR b)
    provider:scmp.com  topic:"AI in Healthcare",Robotics  (a comma list: any of them)
    quality:>=5  heat:-1..5  date:2021-11  date:>=2021-11  date:7d
    sort:heat    not a node: sets Query.sort; the last one wins; never negated or in an OR
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime

from .. import dates
from ..errors import QueryError

TEXT_FIELDS = ("title", "excerpt", "body", "related")
EXACT_FIELDS = (
    "provider", "domain", "topic", "type", "category", "locale", "url", "id", "path",
    "published", "has",
)  # fmt: skip
RANGE_FIELDS = ("date", "quality", "heat")
HAS_VALUES = ("images", "related", "body", "date", "secured")
SORT_KEYS = ("date", "date-asc", "relevance", "heat", "quality", "title", "provider")
# Every qualifier a user can type, `sort:` included (it is not a node but is typed like one).
ALL_FIELDS = (*TEXT_FIELDS, *EXACT_FIELDS, *RANGE_FIELDS, "sort")

# Beyond these a query is no longer something a person typed; refusing it keeps
# parsing linear and recursion bounded.
MAX_QUERY_LENGTH = 10_000
MAX_DEPTH = 50

_OPERATORS = ("OR", "AND", "NOT")
_YES = ("yes", "true", "1")
_NO = ("no", "false", "0")
_SORT_ALIASES = {"-date": "date-asc", "date-desc": "date", "newest": "date", "oldest": "date-asc"}
_INT_LIMIT = 2**63 - 1  # SQLite's integer range
_FIELD_NAME = re.compile(r"[A-Za-z]+:")
_BARE = re.compile(r'[^\s()"]+')
_NUMBER = re.compile(r"[+-]?[0-9]{1,19}")


# --- the syntax tree -------------------------------------------------------------------


@dataclass(frozen=True)
class TextTerm:
    words: tuple[str, ...]
    field: str | None = None
    phrase: bool = False
    prefix: bool = False
    position: int = 0


@dataclass(frozen=True)
class FieldFilter:
    field: str
    values: tuple[str, ...]
    position: int = 0


@dataclass(frozen=True)
class RangeFilter:
    field: str
    low: datetime | int | None
    high: datetime | int | None
    low_inclusive: bool = True
    high_inclusive: bool = True
    position: int = 0
    expression: str | None = dataclass_field(default=None, compare=False)


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = TextTerm | FieldFilter | RangeFilter | Not | And | Or


@dataclass(frozen=True)
class Query:
    root: Node | None
    sort: str | None = None
    text: bool = False
    source: str = ""

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


@dataclass(frozen=True)
class FieldHelp:
    """One line of `newsarc fields`: a qualifier, the kind of value it takes, what it matches."""

    name: str
    type: str
    description: str
    example: str


def fields_help() -> list[FieldHelp]:
    """Every qualifier, in the order `newsarc fields` lists them."""
    return [FieldHelp(*entry) for entry in _FIELDS_HELP]


_FIELDS_HELP = (
    ("title", "text", "words in the title", 'title:ipo  title:"hong kong"'),
    ("excerpt", "text", "words in the excerpt", "excerpt:sensetime"),
    ("body", "text", "words in the article body", "body:listing"),
    ("related", "text", "words in related items' titles and excerpts", "related:tencent"),
    ("provider", "exact", "provider name or domain",
     'provider:scmp.com  provider:"South China Morning Post"'),
    ("domain", "exact", "provider domain", "domain:scmp.com"),
    ("topic", "exact", "a topic; a comma list means any of them", 'topic:"AI in Healthcare",Robotics'),
    ("type", "exact", "article type", "type:story"),
    ("category", "exact", "category", "category:news"),
    ("locale", "exact", "locale", "locale:en-us"),
    ("url", "exact", "the article's URL", "url:https://www.scmp.com/tech/article/3157056"),
    ("id", "exact", "newsarc's article id", "id:3f2a9c"),
    ("path", "glob", "file path in the archive (* and ? wildcards)", "path:2021/11/*"),
    ("published", "yes/no", "the source's published flag (yes/no, true/false, 1/0)", "published:yes"),
    ("has", "flag", "has " + ", ".join(HAS_VALUES), "has:images"),
    ("date", "date", "publication date (UTC); a vague date covers its whole period",
     'date:2021-11  date:2021-12-01..  date:>=2021-11  date:7d  date:"last week"'),
    ("quality", "number", "quality score: exact, >, >=, <, <=, a..b", "quality:>=5"),
    ("heat", "number", "heat score: exact, >, >=, <, <=, a..b", "heat:-1..5"),
    ("sort", "sort", "result order: " + ", ".join(SORT_KEYS) + " (-date is date-asc)", "sort:heat"),
)


# --- parsing ---------------------------------------------------------------------------


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
    parser = _Parser(_tokens(source), now)
    root = parser.parse()
    return Query(root, parser.sort, _ranks(root), source)


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
    if name and _is_field_at(body, 0):
        return f'{negation}{name.group()}"{body[name.end():]}"{star}'
    return f'{negation}"{body}"{star}'


def _holds_syntax(word: str) -> bool:
    """Whether a shell word was a query typed as one string (`'sensetime -provider:x'`): it holds
    quotes, parentheses or an operator, or a later part is a qualifier or an exclusion."""
    if any(char in word for char in '"()') or any(part in _OPERATORS for part in word.split()):
        return True
    return any(_is_field_at(part.removeprefix("-"), 0) or (part.startswith("-") and part[1:2].isalnum())
               for part in word.split()[1:])


def _is_field_at(source: str, position: int) -> bool:
    """A word of letters and a colon is a field name, except a URL's scheme (`https://`)."""
    name = _FIELD_NAME.match(source, position)
    return name is not None and not source.startswith("//", name.end())


# --- tokens ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """A run of a term or value: bare text, or the inside of a quote."""

    text: str
    quoted: bool
    position: int


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "OR", "AND", "NOT", "-", "term" or "field"
    position: int
    segments: tuple[_Segment, ...] = ()
    field: str = ""  # for "field": the lower-cased name; no segments means a group follows


def _tokens(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        char = source[position]
        if char.isspace():
            position += 1
        elif char in "()":
            tokens.append(_Token(char, position))
            position += 1
        elif char == "-":
            _check_negation_target(source, position)
            tokens.append(_Token("-", position))
            position += 1
        elif _is_field_at(source, position):
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


def _term_token(segments: tuple[_Segment, ...]) -> _Token:
    first = segments[0]
    if len(segments) == 1 and not first.quoted and first.text in _OPERATORS:
        return _Token(first.text, first.position)
    opening_quote = 1 if first.quoted else 0
    return _Token("term", first.position - opening_quote, segments)


def _field_token(source: str, position: int) -> tuple[_Token, int]:
    name_match = _FIELD_NAME.match(source, position)
    assert name_match is not None
    name = name_match.group()[:-1].lower()
    if name not in ALL_FIELDS:
        raise QueryError(f"unknown field `{name_match.group()}`", position=position,
                         hint=_suggestion(name, ALL_FIELDS, ":") or "fields: " + ", ".join(ALL_FIELDS))
    value_start = name_match.end()
    following = source[value_start: value_start + 1]
    if not following or following.isspace() or following == ")":
        raise QueryError(f"`{name}:` needs a value", position=position, hint=_example_hint(name))
    if following == "(":
        return _Token("field", position, field=name), value_start
    segments, end = _segments(source, value_start)
    return _Token("field", position, segments, name), end


def _segments(source: str, position: int) -> tuple[tuple[_Segment, ...], int]:
    """The bare and quoted runs that make one term or value, up to whitespace or a parenthesis."""
    segments: list[_Segment] = []
    while position < len(source) and not source[position].isspace() and source[position] not in "()":
        if source[position] == '"':
            close = source.find('"', position + 1)
            if close < 0:
                raise QueryError("a quote is not closed", position=position, hint='add the closing `"`')
            segments.append(_Segment(source[position + 1: close], True, position + 1))
            position = close + 1
        else:
            bare = _BARE.match(source, position)
            assert bare is not None
            segments.append(_Segment(bare.group(), False, position))
            position = bare.end()
    return tuple(segments), position


# --- the grammar -----------------------------------------------------------------------


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary ([AND] unary)*; unary := (NOT|-)* atom."""

    def __init__(self, tokens: list[_Token], now: datetime) -> None:
        self.tokens = tokens
        self.index = 0
        self.now = now
        self.depth = 0
        self.scope: str | None = None  # the text field of an enclosing `title:( ... )`
        self.sort: str | None = None
        self.sorts: list[_Token] = []  # every sort: read, to check where each one stood

    def parse(self) -> Node | None:
        root = self._any_of()
        token = self._peek()
        if token is not None:  # only a `)` stops `_any_of` early
            raise QueryError("`)` has no matching `(`", position=token.position,
                             hint="remove it or add a `(`")
        return root

    def _peek(self, offset: int = 0) -> _Token | None:
        index = self.index + offset
        return self.tokens[index] if 0 <= index < len(self.tokens) else None

    def _peek_kind(self, offset: int = 0) -> str | None:
        token = self._peek(offset)
        return token.kind if token else None

    def _advance(self) -> _Token:
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
        negations: list[_Token] = []
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

    def _group(self, opening: _Token) -> Node | None:
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

    def _field(self, token: _Token) -> Node | None:
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

    def _field_group(self, token: _Token) -> Node | None:
        if token.field not in TEXT_FIELDS:
            raise QueryError(f"`{token.field}:` takes values, not a group", position=token.position,
                             hint=f"use a comma list: {token.field}:a,b")
        self.scope = token.field  # the terms of the group take the field as they are built
        group = self._group(self._advance())
        self.scope = None
        return group


# --- nodes from tokens -----------------------------------------------------------------


def _text_term(segments: tuple[_Segment, ...], text_field: str | None, position: int) -> TextTerm:
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


def _values(token: _Token) -> list[tuple[str, int]]:
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
                         hint=_example_hint(token.field))
    return found


def _field_filter(token: _Token) -> FieldFilter:
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
                         hint=_suggestion(value.lower(), HAS_VALUES, "", "has:")
                         or "has: takes " + ", ".join(HAS_VALUES))
    return value


def _any_range(token: _Token, now: datetime) -> Node:
    ranges = [_range(token, text, position, now) for text, position in _values(token)]
    return ranges[0] if len(ranges) == 1 else Or(tuple(ranges))


def _range(token: _Token, text: str, position: int, now: datetime) -> RangeFilter:
    if token.field == "date":
        low, high = dates.date_range(text, now, offset=position)
        return RangeFilter("date", low, high, True, False, token.position, expression=text)
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
        raise QueryError(f"`{name}:..` needs at least one end", position=position, hint=_example_hint(name))
    if low is not None and high is not None and low > high:
        raise QueryError(f"the range `{text}` ends before it starts", position=position,
                         hint="put the smaller number first")
    return low, high, True, True


def _number(name: str, text: str, position: int) -> int:
    stripped = text.strip()
    if not stripped:
        raise QueryError(f"a number is missing for `{name}:`", position=position, hint=_example_hint(name))
    if not _NUMBER.fullmatch(stripped) or abs(int(stripped)) > _INT_LIMIT:
        raise QueryError(f"`{stripped}` is not a whole number for `{name}:`", position=position,
                         hint=_example_hint(name))
    return int(stripped)


def _sort_key(token: _Token) -> str:
    text = "".join(segment.text for segment in token.segments).strip().lower()
    key = _SORT_ALIASES.get(text, text)
    if key in SORT_KEYS:
        return key
    keys = "sort keys: " + ", ".join(SORT_KEYS)
    suggestion = _suggestion(text, SORT_KEYS, "", "sort:")
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


def _suggestion(word: str, choices: Sequence[str], suffix: str, prefix: str = "") -> str | None:
    import difflib  # only a mistyped query pays for it

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean `{prefix}{close[0]}{suffix}`?" if close else None


def _example_hint(name: str) -> str:
    examples = {entry[0]: entry[3] for entry in _FIELDS_HELP}
    return "e.g. " + examples[name]


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
    if _BARE.fullmatch(word) is None or word.endswith("*"):
        return True
    return not scoped and (written.startswith("-") or written in _OPERATORS or _is_field_at(written, 0))


def _render_value(value: str) -> str:
    return f'"{value}"' if not value or re.search(r'[\s,()"]', value) else value


def _render_range(node: RangeFilter, resolve_dates: bool) -> str:
    if node.field == "date":
        if node.expression is not None and not resolve_dates:
            return "date:" + _render_value(node.expression)
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
