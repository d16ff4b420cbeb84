"""The query language -> syntax tree, with a fixed `now` (Monday 2021-12-20 12:00 UTC)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarc.errors import QueryError
from newsarc.query import (
    ALL_FIELDS,
    EXACT_FIELDS,
    HAS_VALUES,
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    RANGE_FIELDS,
    SORT_KEYS,
    TEXT_FIELDS,
    And,
    FieldFilter,
    Node,
    Not,
    Or,
    Query,
    RangeFilter,
    TextTerm,
    fields_help,
    parse_query,
    query_source,
)
from newsarc.slotted import FrozenInstanceError, replace

UTC = timezone.utc
NOW = datetime(2021, 12, 20, 12, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def parse(text: str | list[str]) -> Query:
    return parse_query(text, NOW)


def tree(text: str | list[str]) -> Node | None:
    return parse(text).root


def word(text: str, position: int, field: str | None = None, *, prefix: bool = False) -> TextTerm:
    return TextTerm((text,), field, False, prefix, position)


def phrase(text: str, position: int, field: str | None = None, *, prefix: bool = False) -> TextTerm:
    return TextTerm(tuple(text.split()), field, True, prefix, position)


def dates(low: datetime | None, high: datetime | None, position: int = 0) -> RangeFilter:
    return RangeFilter("date", low, high, True, False, position)


def error_of(text: str | list[str]) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse(text)
    return caught.value


def without_positions(node: Node | None) -> Node | None:
    if isinstance(node, And | Or):
        return type(node)(tuple(without_positions(child) for child in node.children))  # type: ignore[misc]
    if isinstance(node, Not):
        return Not(without_positions(node.child))  # type: ignore[arg-type]
    return replace(node, position=0) if node is not None else None


# --- the examples of the issue ---------------------------------------------------------


def test_a_word_searches_all_text_and_ranks() -> None:
    assert parse("sensetime") == Query(word("sensetime", 0), None, True, "sensetime")


def test_provider_by_domain() -> None:
    assert parse("provider:scmp.com") == Query(
        FieldFilter("provider", ("scmp.com",), 0), None, False, "provider:scmp.com"
    )


def test_a_quoted_topic() -> None:
    assert tree('topic:"AI in Healthcare"') == FieldFilter("topic", ("AI in Healthcare",), 0)


def test_a_month_is_all_of_november_utc() -> None:
    assert tree("date:2021-11") == dates(utc(2021, 11, 1), utc(2021, 12, 1))


def test_an_open_date_range() -> None:
    assert tree("date:2021-12-01..") == dates(utc(2021, 12, 1), None)


def test_a_word_without_a_provider() -> None:
    assert parse("ipo -provider:scmp.com") == Query(
        And((word("ipo", 0), Not(FieldFilter("provider", ("scmp.com",), 5)))),
        None,
        True,
        "ipo -provider:scmp.com",
    )


def test_a_word_in_the_title() -> None:
    assert parse("title:ipo") == Query(word("ipo", 0, "title"), None, True, "title:ipo")


# --- free text -------------------------------------------------------------------------


def test_words_are_anded() -> None:
    assert tree("sensetime ipo") == And((word("sensetime", 0), word("ipo", 10)))


def test_an_explicit_and_is_the_same_as_none() -> None:
    assert tree("sensetime AND ipo") == And((word("sensetime", 0), word("ipo", 14)))


def test_a_phrase_keeps_its_words_in_order() -> None:
    assert tree('"hong kong"  listing') == And((phrase("hong kong", 0), word("listing", 13)))


def test_a_quoted_single_word_is_a_phrase() -> None:
    assert tree('"OR"') == phrase("OR", 0)


def test_a_prefix_word() -> None:
    assert tree("sense*") == word("sense", 0, prefix=True)


def test_a_phrase_with_a_prefix_last_word() -> None:
    assert tree('"sense ti"*') == phrase("sense ti", 0, prefix=True)


def test_a_star_inside_quotes_is_text() -> None:
    assert tree('"sense*"') == phrase("sense*", 0)


def test_text_keeps_punctuation_for_the_store_to_tokenise() -> None:
    assert tree("AT&T e-mail") == And((word("AT&T", 0), word("e-mail", 5)))


@pytest.mark.parametrize("text", ["10:30", "https://x.y/z", "http://scmp.com/a?b=c:d"])
def test_colons_that_follow_no_field_name_are_text(text: str) -> None:
    assert tree(text) == word(text, 0)


def test_a_quoted_field_is_text() -> None:
    assert tree('"provder:x"') == phrase("provder:x", 0)


@pytest.mark.parametrize("text", ["or", "and", "not"])
def test_lower_case_operators_are_plain_words(text: str) -> None:
    assert tree(f"a {text} b") == And((word("a", 0), word(text, 2), word("b", 3 + len(text))))


# --- operators and precedence ----------------------------------------------------------


def test_or() -> None:
    assert tree("sensetime OR megvii") == Or((word("sensetime", 0), word("megvii", 13)))


def test_and_binds_tighter_than_or() -> None:
    assert tree("a b OR c") == Or((And((word("a", 0), word("b", 2))), word("c", 7)))
    assert tree("a OR b c") == Or((word("a", 0), And((word("b", 5), word("c", 7)))))
    assert tree("a AND b OR c") == Or((And((word("a", 0), word("b", 6))), word("c", 11)))


def test_not_binds_tightest() -> None:
    assert tree("NOT a b") == And((Not(word("a", 4)), word("b", 6)))
    assert tree("a OR NOT b") == Or((word("a", 0), Not(word("b", 9))))
    assert tree("-a OR b") == Or((Not(word("a", 1)), word("b", 6)))


def test_parentheses_group() -> None:
    assert tree("(a OR b) c") == And((Or((word("a", 1), word("b", 6))), word("c", 9)))


def test_negating_a_group_a_phrase_and_a_field() -> None:
    assert tree('-(a OR b) -"c d" -heat:5') == And(
        (
            Not(Or((word("a", 2), word("b", 7)))),
            Not(phrase("c d", 11)),
            Not(RangeFilter("heat", 5, 5, True, True, 18)),
        )
    )


def test_nested_groups_of_one_kind_are_flattened() -> None:
    assert tree("a (b (c d))") == And((word("a", 0), word("b", 3), word("c", 6), word("d", 8)))
    assert tree("a OR (b OR c)") == Or((word("a", 0), word("b", 6), word("c", 11)))


def test_double_negation_cancels() -> None:
    assert tree("--a") == word("a", 2)
    assert tree("NOT -a") == word("a", 5)
    assert tree("-(-a)") == word("a", 3)


def test_a_negated_word_alone_is_every_article_without_it() -> None:
    assert parse("-ipo") == Query(Not(word("ipo", 1)), None, False, "-ipo")


# --- Query.text: rank only when a text term applies positively --------------------------


@pytest.mark.parametrize(
    ("text", "ranks"),
    [
        ("ipo", True),
        ("title:ipo", True),
        ("-ipo", False),
        ("NOT title:ipo", False),
        ("provider:scmp.com", False),
        ("provider:scmp.com -ipo", False),
        ("provider:scmp.com OR ipo", True),
        ("-(a OR b)", False),
        ("(a -b) heat:5", True),
        ("", False),
    ],
)
def test_query_text_flag(text: str, ranks: bool) -> None:
    assert parse(text).text is ranks


def test_an_empty_query_is_every_article() -> None:
    assert parse("   ") == Query(None, None, False, "   ")
    assert parse([]) == Query(None, None, False, "")


# --- field-scoped text -----------------------------------------------------------------


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_every_text_field_scopes_a_word(name: str) -> None:
    assert tree(f"{name}:ipo") == word("ipo", 0, name)


def test_a_phrase_in_a_field() -> None:
    assert tree('title:"two words"') == phrase("two words", 0, "title")


def test_a_prefix_in_a_field() -> None:
    assert tree("excerpt:sense*") == word("sense", 0, "excerpt", prefix=True)


def test_field_names_ignore_case() -> None:
    assert tree("Title:ipo") == word("ipo", 0, "title")


def test_a_field_value_may_look_like_an_operator_or_a_negation() -> None:
    assert tree("title:OR body:-x") == And((word("OR", 0, "title"), word("-x", 9, "body")))


def test_a_field_group_scopes_every_term_inside() -> None:
    assert tree('title:(ipo OR "hong kong")') == Or(
        (word("ipo", 7, "title"), phrase("hong kong", 14, "title"))
    )
    assert tree("related:(a -b)") == And((word("a", 9, "related"), Not(word("b", 12, "related"))))
    assert tree("title:(a (b OR c))") == And(
        (word("a", 7, "title"), Or((word("b", 10, "title"), word("c", 15, "title"))))
    )


def test_a_field_group_holds_only_words() -> None:
    error = error_of("title:(ipo provider:x)")
    assert (error.message, error.position) == ("`title:( ... )` takes words, not `provider:`", 11)
    assert error_of("title:(body:x)").position == 7


def test_an_exact_field_takes_no_group() -> None:
    error = error_of("provider:(a OR b)")
    assert (error.message, error.position, error.hint) == (
        "`provider:` takes values, not a group",
        0,
        "use a comma list: provider:a,b",
    )


# --- exact fields ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("provider:scmp.com", FieldFilter("provider", ("scmp.com",), 0)),
        ('provider:"South China Morning Post"', FieldFilter("provider", ("South China Morning Post",), 0)),
        ("domain:scmp.com", FieldFilter("domain", ("scmp.com",), 0)),
        ("topic:AI,Robotics", FieldFilter("topic", ("AI", "Robotics"), 0)),
        ('topic:"AI in Healthcare",Robotics', FieldFilter("topic", ("AI in Healthcare", "Robotics"), 0)),
        ('topic:Robotics,"AI, ML"', FieldFilter("topic", ("Robotics", "AI, ML"), 0)),
        ("topic:AI,,Robotics,", FieldFilter("topic", ("AI", "Robotics"), 0)),
        ("topic:AI,AI", FieldFilter("topic", ("AI",), 0)),
        ('provider:"  South   China "', FieldFilter("provider", ("South China",), 0)),
        ("type:story", FieldFilter("type", ("story",), 0)),
        ("category:news,tech", FieldFilter("category", ("news", "tech"), 0)),
        ("locale:en-US", FieldFilter("locale", ("en-US",), 0)),
        ("url:https://www.scmp.com/a?b=1", FieldFilter("url", ("https://www.scmp.com/a?b=1",), 0)),
        ("id:3f2a:9c", FieldFilter("id", ("3f2a:9c",), 0)),
        ("path:2021/11/*.md", FieldFilter("path", ("2021/11/*.md",), 0)),
        ('path:"my notes/a (1).md"', FieldFilter("path", ("my notes/a (1).md",), 0)),
        ("topic:-AI", FieldFilter("topic", ("-AI",), 0)),
    ],
)
def test_exact_fields(text: str, expected: FieldFilter) -> None:
    assert tree(text) == expected


@pytest.mark.parametrize(
    ("value", "normal"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("true", "yes"),
        ("false", "no"),
        ("1", "yes"),
        ("0", "no"),
        ("TRUE", "yes"),
        ("No", "no"),
    ],
)
def test_published_is_normalised_to_yes_or_no(value: str, normal: str) -> None:
    assert tree(f"published:{value}") == FieldFilter("published", (normal,), 0)


def test_published_rejects_anything_else() -> None:
    error = error_of("published:maybe")
    assert (error.message, error.position, error.hint) == (
        "`published:maybe` is neither yes nor no",
        10,
        "write published:yes or published:no",
    )


@pytest.mark.parametrize("value", HAS_VALUES)
def test_has(value: str) -> None:
    assert tree(f"has:{value.upper()}") == FieldFilter("has", (value,), 0)


def test_has_suggests_a_close_value() -> None:
    error = error_of("has:imags")
    assert (error.message, error.position, error.hint) == (
        "`has:imags` is not something an article has",
        4,
        "did you mean `has:images`?",
    )
    assert error_of("has:wings").hint == "has: takes images, related, body, date, secured"


def test_the_bad_value_of_a_list_is_located() -> None:
    assert error_of("has:body,wings").position == 9


# --- numeric ranges --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["quality", "heat"])
@pytest.mark.parametrize(
    ("value", "low", "high", "low_inclusive", "high_inclusive"),
    [
        ("5", 5, 5, True, True),
        ("-1", -1, -1, True, True),
        ("+3", 3, 3, True, True),
        (">5", 5, None, False, True),
        (">=5", 5, None, True, True),
        ("<5", None, 5, True, False),
        ("<=5", None, 5, True, True),
        (">-2", -2, None, False, True),
        ("1..5", 1, 5, True, True),
        ("-1..5", -1, 5, True, True),
        ("-5..-1", -5, -1, True, True),
        ("3..", 3, None, True, True),
        ("..3", None, 3, True, True),
        ("7..7", 7, 7, True, True),
    ],
)
def test_number_ranges(
    name: str, value: str, low: int | None, high: int | None, low_inclusive: bool, high_inclusive: bool
) -> None:
    assert tree(f"{name}:{value}") == RangeFilter(name, low, high, low_inclusive, high_inclusive, 0)


def test_a_comma_list_of_numbers_is_any_of_them() -> None:
    assert tree("heat:1,5..") == Or(
        (RangeFilter("heat", 1, 1, True, True, 0), RangeFilter("heat", 5, None, True, True, 0))
    )


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("heat:abc", "`abc` is not a whole number for `heat:`", 5),
        ("quality:4.5", "`4.5` is not a whole number for `quality:`", 8),
        ("heat:>x", "`x` is not a whole number for `heat:`", 6),
        ("heat:1..x", "`x` is not a whole number for `heat:`", 8),
        ("heat:>", "a number is missing for `heat:`", 6),
        ("heat:1,<=", "a number is missing for `heat:`", 9),
        ("heat:99999999999999999999", "`99999999999999999999` is not a whole number for `heat:`", 5),
        ("heat:5..1", "the range `5..1` ends before it starts", 5),
        ("heat:..", "`heat:..` needs at least one end", 5),
    ],
)
def test_bad_numbers(text: str, message: str, position: int) -> None:
    error = error_of(text)
    assert (error.message, error.position) == (message, position)


def test_a_bad_number_shows_an_example() -> None:
    assert error_of("heat:abc").hint == "e.g. heat:-1..5"


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [
        ("2021", utc(2021, 1, 1), utc(2022, 1, 1)),
        ("2021-11-23", utc(2021, 11, 23), utc(2021, 11, 24)),
        ("2021-11-23T10:00", utc(2021, 11, 23, 10), utc(2021, 11, 23, 10, 1)),
        ("2021-11..2021-12", utc(2021, 11, 1), utc(2022, 1, 1)),
        ("..2021", None, utc(2022, 1, 1)),
        (">2021-11", utc(2021, 12, 1), None),
        (">=2021-11", utc(2021, 11, 1), None),
        ("<2021-11", None, utc(2021, 11, 1)),
        ("<=2021-11", None, utc(2021, 12, 1)),
        ("7d", utc(2021, 12, 13, 12), NOW),
        ("2w", utc(2021, 12, 6, 12), NOW),
        ("3m", utc(2021, 9, 20, 12), NOW),
        ("1y", utc(2020, 12, 20, 12), NOW),
        ("today", utc(2021, 12, 20), utc(2021, 12, 21)),
        ("yesterday", utc(2021, 12, 19), utc(2021, 12, 20)),
        ('"last week"', utc(2021, 12, 13), utc(2021, 12, 20)),
        ('"this week"', utc(2021, 12, 20), utc(2021, 12, 27)),
        ('"this month"', utc(2021, 12, 1), utc(2022, 1, 1)),
        ('"last month"', utc(2021, 11, 1), utc(2021, 12, 1)),
        ('"this year"', utc(2021, 1, 1), utc(2022, 1, 1)),
        ('"last year"', utc(2020, 1, 1), utc(2021, 1, 1)),
        ("last-week", utc(2021, 12, 13), utc(2021, 12, 20)),
        ('"Nov 2021"', utc(2021, 11, 1), utc(2021, 12, 1)),
        ('"Nov 23, 2021"', utc(2021, 11, 23), utc(2021, 11, 24)),
        ('"3w ago".."1w ago"', utc(2021, 11, 29, 12), utc(2021, 12, 13, 12)),
    ],
)
def test_date_values(value: str, low: datetime | None, high: datetime | None) -> None:
    assert tree(f"date:{value}") == dates(low, high)


def test_a_date_keeps_its_expression_for_rendering_but_compares_by_range() -> None:
    relative = tree("date:7d")
    assert isinstance(relative, RangeFilter) and relative.expression == "7d"
    assert tree('date:"Nov 2021"') == tree("date:2021-11")


def test_a_comma_list_of_dates_is_any_of_them() -> None:
    assert tree("date:2021-11,2022-01") == Or(
        (dates(utc(2021, 11, 1), utc(2021, 12, 1)), dates(utc(2022, 1, 1), utc(2022, 2, 1)))
    )


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("date:soon", "cannot read the date `soon`", 5),
        ("ipo date:2021-13", "`2021-13` is not a valid date", 9),
        ("date:2021-11..2021-13", "`2021-13` is not a valid date", 14),
        ('date:"  soon"', "cannot read the date `soon`", 8),
        ("date:2021-12..2021-10", "the date range `2021-12..2021-10` ends before it starts", 5),
        ("date:now", "`now` is an instant, not a period", 5),
    ],
)
def test_bad_dates_are_located(text: str, message: str, position: int) -> None:
    error = error_of(text)
    assert (error.message, error.position) == (message, position)


def test_a_bad_date_shows_valid_forms() -> None:
    hint = error_of("date:soon").hint or ""
    assert "2021-11-23" in hint and "7d" in hint and "2021-11..2021-12" in hint


# --- sort ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("date", "date"),
        ("-date", "date-asc"),
        ("date-asc", "date-asc"),
        ("date-desc", "date"),
        ("newest", "date"),
        ("oldest", "date-asc"),
        ("relevance", "relevance"),
        ("heat", "heat"),
        ("quality", "quality"),
        ("title", "title"),
        ("provider", "provider"),
        ("HEAT", "heat"),
    ],
)
def test_sort_keys_are_normalised(value: str, key: str) -> None:
    assert parse(f"sort:{value}").sort == key
    assert key in SORT_KEYS


def test_sort_is_not_a_node() -> None:
    assert parse("ipo sort:heat provider:scmp.com") == Query(
        And((word("ipo", 0), FieldFilter("provider", ("scmp.com",), 14))),
        "heat",
        True,
        "ipo sort:heat provider:scmp.com",
    )
    assert parse("sort:date") == Query(None, "date", False, "sort:date")


def test_an_unknown_sort_key_suggests_one() -> None:
    error = error_of("ipo sort:qualty")
    assert (error.message, error.position) == ("cannot sort by `qualty`", 4)
    assert error.hint == (
        "did you mean `sort:quality`? sort keys: date, date-asc, relevance, text, heat, quality, title, "
        "provider"
    )


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("-sort:date", 1),
        ("NOT sort:date", 4),
        ("NOT (a sort:date)", 7),
        ("a OR sort:date", 5),
        ("sort:date OR a", 0),
        ("(a sort:date) OR b", 3),
        ("a OR (b (c sort:heat))", 11),
    ],
)
def test_sort_cannot_be_negated_or_an_alternative(text: str, position: int) -> None:
    error = error_of(text)
    assert (error.message, error.position, error.hint) == (
        "`sort:` cannot be negated or part of an OR",
        position,
        "put sort:key beside the other terms",
    )


def test_sort_may_sit_in_parentheses_as_a_saved_query_expands() -> None:
    assert parse("(a sort:heat) b") == Query(And((word("a", 1), word("b", 14))), "heat", True,
                                             "(a sort:heat) b")
    assert parse("(sort:heat) ipo") == Query(word("ipo", 12), "heat", True, "(sort:heat) ipo")


def test_the_last_sort_wins_so_an_option_can_override() -> None:
    assert parse("sort:date ipo sort:heat").sort == "heat"
    assert parse(["(sort:date ipo)", "sort:quality"]).sort == "quality"


# --- syntax errors ---------------------------------------------------------------------


def test_an_unknown_field_suggests_the_closest() -> None:
    error = error_of("ipo provder:scmp.com")
    assert (error.message, error.position, error.hint) == (
        "unknown field `provder:`",
        4,
        "did you mean `provider:`?",
    )
    assert str(error) == "unknown field `provder:` (did you mean `provider:`?)"


def test_an_unknown_field_with_no_close_name_lists_the_fields() -> None:
    assert error_of("zzz:1").hint == "fields: " + ", ".join(ALL_FIELDS)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ('ipo "hong kong', "a quote is not closed", 4),
        ('title:"hong kong', "a quote is not closed", 6),
        ("(a OR b", "`(` is not closed", 0),
        ("a (b (c)", "`(` is not closed", 2),
        ("a OR b)", "`)` has no matching `(`", 6),
        (")", "`)` has no matching `(`", 0),
        ("()", "the parentheses are empty", 0),
        ("a OR", "`OR` needs a term on each side", 2),
        ("OR a", "`OR` needs a term on each side", 0),
        ("a OR OR b", "`OR` needs a term on each side", 2),
        ("(a OR) b", "`OR` needs a term on each side", 3),
        ("a AND", "`AND` needs a term on each side", 2),
        ("AND a", "`AND` needs a term on each side", 0),
        ("a AND OR b", "`AND` needs a term on each side", 2),
        ("a NOT", "`NOT` needs a term after it", 2),
        ("NOT OR a", "`NOT` needs a term after it", 0),
        ("(NOT) a", "`NOT` needs a term after it", 1),
        ("a -", "`-` needs a term right after it", 2),
        ("a - b", "`-` needs a term right after it", 2),
        ("(a -)", "`-` needs a term right after it", 3),
        ("provider:", "`provider:` needs a value", 0),
        ("ipo provider: x", "`provider:` needs a value", 4),
        ('provider:""', "`provider:` needs a value", 0),
        ("topic:,", "`topic:` needs a value", 0),
        ("(title:)", "`title:` needs a value", 1),
        ("date:", "`date:` needs a value", 0),
        ('""', "the quotes are empty", 0),
        ('title:"  "', "the quotes are empty", 0),
        ("*", "`*` needs a word before it", 0),
        ("a **", "`*` needs a word before it", 2),
    ],
)
def test_syntax_errors_are_located(text: str, message: str, position: int) -> None:
    error = error_of(text)
    assert (error.message, error.position) == (message, position)


def test_errors_carry_a_hint() -> None:
    assert error_of("a OR").hint == "write a OR b; a lower-case `or` is a plain word"
    assert error_of('"a').hint == 'add the closing `"`'
    assert error_of("provider:").hint == 'e.g. provider:scmp.com  provider:"South China Morning Post"'


# --- shell words -----------------------------------------------------------------------


def test_shell_words_parse_like_the_quoted_string() -> None:
    words = parse(["provider:South China Morning Post", "ipo"])
    string = parse('provider:"South China Morning Post" ipo')
    assert words == string
    assert words.root == And((FieldFilter("provider", ("South China Morning Post",), 0), word("ipo", 36)))


@pytest.mark.parametrize(
    ("words", "source"),
    [
        (["hong kong", "ipo"], '"hong kong" ipo'),
        (["-hong kong"], '-"hong kong"'),
        (["title:hong kong"], 'title:"hong kong"'),
        (["-provider:South China"], '-provider:"South China"'),
        (["date:last week"], 'date:"last week"'),
        (["hong ko*"], '"hong ko"*'),
        (["https://x.y/a b"], '"https://x.y/a b"'),
        (["ipo", "sensetime"], "ipo sensetime"),
        (['title:"hong kong" ipo'], 'title:"hong kong" ipo'),
        (["(ipo OR ico) sensetime"], "(ipo OR ico) sensetime"),
        (["ipo OR ico"], "ipo OR ico"),
        (["title:(a b)"], "title:(a b)"),
    ],
)
def test_a_shell_word_with_spaces_is_quoted_unless_it_holds_syntax(words: list[str], source: str) -> None:
    assert parse(words) == parse(source)


def test_error_positions_point_into_the_joined_words() -> None:
    words = ["hong kong", "provder:x"]
    assert query_source(words) == '"hong kong" provder:x'
    assert error_of(words).position == len('"hong kong" ')
    assert query_source("as typed") == "as typed"


# --- limits ----------------------------------------------------------------------------


def test_a_query_may_nest_up_to_the_limit() -> None:
    nested = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    assert tree(nested) == word("a", MAX_DEPTH)


def test_deeper_nesting_is_refused() -> None:
    error = error_of("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    assert (error.message, error.position) == ("the query nests too deeply", MAX_DEPTH)
    assert error_of("(" * 5000).message == "the query nests too deeply"


def test_long_chains_of_negations_and_terms_need_no_recursion() -> None:
    assert tree("NOT " * 2001 + "a") == Not(word("a", 8004))
    assert tree("-" * 9000 + "a") == word("a", 9000)
    chain = tree(" OR ".join(["a"] * 2000))
    assert isinstance(chain, Or) and len(chain.children) == 2000


def test_a_query_longer_than_the_limit_is_refused() -> None:
    error = error_of("a" * (MAX_QUERY_LENGTH + 1))
    assert (error.message, error.position) == (
        f"the query is too long ({MAX_QUERY_LENGTH + 1} characters)",
        MAX_QUERY_LENGTH,
    )


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_query("ipo", datetime(2021, 12, 20))


# --- rendering back --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("sensetime", "sensetime"),
        ("  ipo   AND  sensetime ", "ipo sensetime"),
        ("a b OR c", "(a b) OR c"),
        ("(a OR b) c", "(a OR b) c"),
        ("NOT (a b)", "-(a b)"),
        ("NOT a", "-a"),
        ('"OR" "-x" "title:y" "a b"', '"OR" "-x" "title:y" "a b"'),
        ('sense* "hong ko"*', 'sense* "hong ko"*'),
        ("TITLE:ipo title:(a OR b)", "title:ipo (title:a OR title:b)"),
        ("title:-x body:OR", "title:-x body:OR"),
        ("provider:scmp.com", "provider:scmp.com"),
        ('topic:"AI in Healthcare",Robotics,"a,b"', 'topic:"AI in Healthcare",Robotics,"a,b"'),
        ("published:true has:IMAGES", "published:yes has:images"),
        (
            "heat:5 heat:-1..5 heat:>5 heat:>=5 heat:<5 heat:<=5 heat:3.. heat:..3",
            "heat:5 heat:-1..5 heat:>5 heat:>=5 heat:<5 heat:<=5 heat:>=3 heat:<=3",
        ),
        (
            'date:2021-11 date:7d date:"last week" date:last-week',
            'date:2021-11 date:7d date:"last week" date:last-week',
        ),
        ("date:2021,2022", "date:2021 OR date:2022"),
        ("ipo sort:-date", "ipo sort:date-asc"),
        ("", ""),
    ],
)
def test_str_renders_a_normalised_query(text: str, normal: str) -> None:
    parsed = parse(text)
    assert str(parsed) == normal
    assert without_positions(parse(normal).root) == without_positions(parsed.root)


def test_describe_can_resolve_relative_dates() -> None:
    parsed = parse('date:7d date:"last week" date:"Nov 2021"')
    assert parsed.describe(resolve_dates=True) == (
        "date:2021-12-13T12:00..2021-12-20T11:59 date:2021-12-13..2021-12-19 date:2021-11"
    )


def test_programmatic_nodes_render_too() -> None:
    built = Query(
        And(
            (TextTerm(("hong", "kong")), Not(Not(TextTerm(("x",)))), RangeFilter("heat", 1, 5, False, False))
        ),
        "heat",
        True,
    )
    assert str(built) == '"hong kong" -(-x) (heat:>1 heat:<5) sort:heat'


# --- the public surface ----------------------------------------------------------------


def test_field_constants() -> None:
    assert TEXT_FIELDS == ("title", "excerpt", "body", "related")
    assert RANGE_FIELDS == ("date", "quality", "heat")
    assert SORT_KEYS == ("date", "date-asc", "relevance", "text", "heat", "quality", "title", "provider")
    assert HAS_VALUES == ("images", "related", "body", "date", "secured")
    assert set(EXACT_FIELDS) == {
        "provider",
        "domain",
        "topic",
        "type",
        "category",
        "locale",
        "url",
        "id",
        "path",
        "published",
        "has",
    }
    assert (*TEXT_FIELDS, *EXACT_FIELDS, *RANGE_FIELDS, "sort") == ALL_FIELDS


def test_fields_help_describes_every_field_with_an_example_that_parses() -> None:
    help_ = fields_help()
    assert [entry.name for entry in help_] == list(ALL_FIELDS)
    assert {entry.type for entry in help_} == {
        "text",
        "exact",
        "glob",
        "yes/no",
        "flag",
        "date",
        "number",
        "sort",
    }
    for entry in help_:
        assert entry.description and "\n" not in entry.description
        parsed = parse(entry.example)
        assert parsed.root is not None or parsed.sort is not None


def test_nodes_are_frozen_and_hashable() -> None:
    node = parse("ipo -provider:scmp.com date:2021-11").root
    with pytest.raises(FrozenInstanceError):
        node.children = ()  # type: ignore[union-attr,misc]
    assert len({node, parse("ipo -provider:scmp.com date:2021-11").root}) == 1


# --- robustness ------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "a",
        "ipo",
        "hong kong",
        " ",
        " ",
        '"',
        "(",
        ")",
        "-",
        "*",
        ",",
        "..",
        ">",
        ">=",
        "<",
        ":",
        "OR",
        "AND",
        "NOT",
        "or",
        "title:",
        "body:",
        "provider:",
        "topic:",
        "has:",
        "published:",
        "date:",
        "heat:",
        "quality:",
        "sort:",
        "provder:",
        "https://",
        "10:30",
        "2021",
        "-11",
        "-23",
        "T10:00",
        "7d",
        "last week",
        "Nov",
        "-1",
        "5",
        "\t",
        "é",
        "\x00",
    ]
)
_QUERIES = st.one_of(st.text(max_size=60), st.lists(_PIECES, max_size=14).map("".join))


def _check_parses_or_reports(source: str, text: str | list[str]) -> None:
    try:
        parsed = parse(text)
    except QueryError as error:
        assert error.position is not None and 0 <= error.position <= len(source)
        return
    assert parsed.source == source
    again = parse(str(parsed))
    assert without_positions(again.root) == without_positions(parsed.root)
    assert (again.sort, again.text) == (parsed.sort, parsed.text)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(_QUERIES)
def test_any_text_parses_or_raises_a_query_error(text: str) -> None:
    _check_parses_or_reports(text, text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_QUERIES, max_size=4))
def test_any_shell_words_parse_or_raise_a_query_error(words: list[str]) -> None:
    _check_parses_or_reports(query_source(words), words)
