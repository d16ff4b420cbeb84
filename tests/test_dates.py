"""Date expressions -> UTC periods and ranges, with a fixed `now` (Monday 2021-12-20 12:00 UTC)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from newsarc import timestamps
from newsarc.dates import date_range, format_end, format_range, format_start, period, since_bound, until_bound
from newsarc.errors import ParseError, QueryError
from newsarc.records import parse_datetime

UTC = timezone.utc
NOW = datetime(2021, 12, 20, 12, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- ISO forms: a vague date covers its whole period -----------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2021", utc(2021, 1, 1), utc(2022, 1, 1)),
        ("2021-11", utc(2021, 11, 1), utc(2021, 12, 1)),
        ("2021-12", utc(2021, 12, 1), utc(2022, 1, 1)),
        ("2021-2", utc(2021, 2, 1), utc(2021, 3, 1)),
        ("2021-11-23", utc(2021, 11, 23), utc(2021, 11, 24)),
        ("2021-11-30", utc(2021, 11, 30), utc(2021, 12, 1)),
        ("2021-11-23T10", utc(2021, 11, 23, 10), utc(2021, 11, 23, 11)),
        ("2021-11-23T10:00", utc(2021, 11, 23, 10), utc(2021, 11, 23, 10, 1)),
        ("2021-11-23 10:00", utc(2021, 11, 23, 10), utc(2021, 11, 23, 10, 1)),
        ("2021-11-23t10:00z", utc(2021, 11, 23, 10), utc(2021, 11, 23, 10, 1)),
        ("2021-11-23T10:00:30", utc(2021, 11, 23, 10, 0, 30), utc(2021, 11, 23, 10, 0, 31)),
        ("2021-11-23T10:00:30.5", utc(2021, 11, 23, 10, 0, 30, 500000), utc(2021, 11, 23, 10, 0, 30, 600000)),
        (
            "2021-11-23T10:00:30.123456",
            utc(2021, 11, 23, 10, 0, 30, 123456),
            utc(2021, 11, 23, 10, 0, 30, 123457),
        ),
        ("2021-11-23T10:00+08:00", utc(2021, 11, 23, 2), utc(2021, 11, 23, 2, 1)),
        ("2021-11-23T01:30-0200", utc(2021, 11, 23, 3, 30), utc(2021, 11, 23, 3, 31)),
        ("2021-W47", utc(2021, 11, 22), utc(2021, 11, 29)),
        ("  2021-11  ", utc(2021, 11, 1), utc(2021, 12, 1)),
    ],
)
def test_iso_dates_cover_their_whole_period(text: str, start: datetime, end: datetime) -> None:
    assert period(text, NOW) == (start, end)


# --- relative forms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("7d", utc(2021, 12, 13, 12), NOW),
        ("7 days", utc(2021, 12, 13, 12), NOW),
        ("1day", utc(2021, 12, 19, 12), NOW),
        ("2w", utc(2021, 12, 6, 12), NOW),
        ("2 weeks", utc(2021, 12, 6, 12), NOW),
        ("3m", utc(2021, 9, 20, 12), NOW),
        ("1 month", utc(2021, 11, 20, 12), NOW),
        ("1y", utc(2020, 12, 20, 12), NOW),
        ("2 years", utc(2019, 12, 20, 12), NOW),
        ("24h", utc(2021, 12, 19, 12), NOW),
        ("7D", utc(2021, 12, 13, 12), NOW),
        ("3d ago", utc(2021, 12, 17, 12), utc(2021, 12, 17, 12)),
        ("2 weeks ago", utc(2021, 12, 6, 12), utc(2021, 12, 6, 12)),
        ("now", NOW, NOW),
        ("today", utc(2021, 12, 20), utc(2021, 12, 21)),
        ("yesterday", utc(2021, 12, 19), utc(2021, 12, 20)),
        ("this week", utc(2021, 12, 20), utc(2021, 12, 27)),
        ("last week", utc(2021, 12, 13), utc(2021, 12, 20)),
        ("this month", utc(2021, 12, 1), utc(2022, 1, 1)),
        ("last month", utc(2021, 11, 1), utc(2021, 12, 1)),
        ("this year", utc(2021, 1, 1), utc(2022, 1, 1)),
        ("last year", utc(2020, 1, 1), utc(2021, 1, 1)),
        ("Last-Week", utc(2021, 12, 13), utc(2021, 12, 20)),
        ("last_month", utc(2021, 11, 1), utc(2021, 12, 1)),
        ("  this   year ", utc(2021, 1, 1), utc(2022, 1, 1)),
    ],
)
def test_relative_dates_count_back_from_now(text: str, start: datetime, end: datetime) -> None:
    assert period(text, NOW) == (start, end)


def test_a_month_back_clamps_to_the_shorter_month() -> None:
    assert period("1m", utc(2021, 3, 31, 8)) == (utc(2021, 2, 28, 8), utc(2021, 3, 31, 8))
    assert period("1m", utc(2020, 3, 31, 8))[0] == utc(2020, 2, 29, 8)


def test_last_month_and_last_week_cross_the_year_boundary() -> None:
    new_year = utc(2022, 1, 2, 9)  # a Sunday
    assert period("last month", new_year) == (utc(2021, 12, 1), utc(2022, 1, 1))
    assert period("this week", new_year) == (utc(2021, 12, 27), utc(2022, 1, 3))
    assert period("last week", new_year) == (utc(2021, 12, 20), utc(2021, 12, 27))


def test_days_are_utc_days_whatever_the_zone_of_now() -> None:
    evening_in_new_york = datetime(2021, 12, 19, 21, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert period("today", evening_in_new_york) == (utc(2021, 12, 20), utc(2021, 12, 21))


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        period("today", datetime(2021, 12, 20, 12))


# --- natural forms ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Nov 2021", utc(2021, 11, 1), utc(2021, 12, 1)),
        ("november 2021", utc(2021, 11, 1), utc(2021, 12, 1)),
        ("23 Nov 2021", utc(2021, 11, 23), utc(2021, 11, 24)),
        ("November 23, 2021", utc(2021, 11, 23), utc(2021, 11, 24)),
        ("2021/11/23", utc(2021, 11, 23), utc(2021, 11, 24)),
        ("23.11.2021", utc(2021, 11, 23), utc(2021, 11, 24)),
        ("23 Nov 2021 10am", utc(2021, 11, 23, 10), utc(2021, 11, 23, 11)),
        ("23 Nov 2021 10:30 +0800", utc(2021, 11, 23, 2, 30), utc(2021, 11, 23, 2, 31)),
        ("2021/01/02", utc(2021, 1, 2), utc(2021, 1, 3)),  # year first is ISO order
        ("13/6/2021", utc(2021, 6, 13), utc(2021, 6, 14)),
        ("6/13/2021", utc(2021, 6, 13), utc(2021, 6, 14)),
        ("5/5/2021", utc(2021, 5, 5), utc(2021, 5, 6)),
        ("23 Nov 2021 10:00 HKT", utc(2021, 11, 23, 2), utc(2021, 11, 23, 2, 1)),
    ],
)
def test_unambiguous_natural_dates_are_read(text: str, start: datetime, end: datetime) -> None:
    assert period(text, NOW) == (start, end)


def test_a_date_whose_day_and_month_could_swap_is_refused_with_both_readings() -> None:
    with pytest.raises(QueryError) as caught:
        period("01/02/2021", NOW)
    assert caught.value.message == "cannot read the date `01/02/2021`"
    assert "2021-01-02 or 2021-02-01" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("Nov 23", "write the year too"),
        ("November", "write the year too"),
        ("Monday", "write the year too"),
        ("10:30", "write the date too"),
        ("23 Nov 21", "write the whole year"),
        ("23 Nov 2021 10:00 XYZT", "write the offset instead"),
        ("23 Nov 2021 10:00 CST", "write the offset instead"),
    ],
)
def test_natural_dates_without_a_year_or_with_a_guessed_zone_are_refused(text: str, hint: str) -> None:
    with pytest.raises(QueryError) as caught:
        period(text, NOW)
    assert caught.value.message == f"cannot read the date `{text}`"
    assert hint in (caught.value.hint or "")


# --- errors ----------------------------------------------------------------------------


def test_an_unreadable_date_names_itself_and_shows_valid_forms() -> None:
    with pytest.raises(QueryError) as caught:
        period("soonish", NOW, offset=5)
    error = caught.value
    assert (error.message, error.position) == ("cannot read the date `soonish`", 5)
    assert "2021-11-23" in (error.hint or "") and "last week" in (error.hint or "")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("2021-13", "month must be in 1..12"),
        ("2021-02-30", "day is out of range for month"),
        ("2021-11-23T25:00", "hour must be in 0..23"),
    ],
)
def test_an_impossible_date_says_why(text: str, hint: str) -> None:
    with pytest.raises(QueryError) as caught:
        period(text, NOW)
    assert caught.value.message == f"`{text}` is not a valid date"
    assert caught.value.hint == hint


@pytest.mark.parametrize("text", ["9999", "9999-12-31T23:59", "999999y", "2021-11-23T10:00+99:00"])
def test_dates_beyond_the_calendar_are_query_errors(text: str) -> None:
    with pytest.raises(QueryError) as caught:
        period(text, NOW)
    assert caught.value.message == f"`{text}` is not a valid date"


def test_the_error_position_skips_leading_blanks() -> None:
    with pytest.raises(QueryError) as caught:
        period("  soonish", NOW, offset=3)
    assert caught.value.position == 5


def test_an_empty_date_is_missing() -> None:
    with pytest.raises(QueryError) as caught:
        period("  ", NOW, offset=4)
    assert (caught.value.message, caught.value.position) == ("a date is missing", 6)


# --- ranges and comparisons ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("2021-11", utc(2021, 11, 1), utc(2021, 12, 1)),
        ("2021-11..2021-12", utc(2021, 11, 1), utc(2022, 1, 1)),
        ("2021-11-23..2021-11-23", utc(2021, 11, 23), utc(2021, 11, 24)),
        ("2021-12-01..", utc(2021, 12, 1), None),
        ("..2021", None, utc(2022, 1, 1)),
        ("2021-11 .. 2021-12", utc(2021, 11, 1), utc(2022, 1, 1)),
        ("7d..", utc(2021, 12, 13, 12), None),
        ("..yesterday", None, utc(2021, 12, 20)),
        ("3w ago..1w ago", utc(2021, 11, 29, 12), utc(2021, 12, 13, 12)),
        (">2021-11", utc(2021, 12, 1), None),
        (">=2021-11", utc(2021, 11, 1), None),
        ("<2021-11", None, utc(2021, 11, 1)),
        ("<=2021-11", None, utc(2021, 12, 1)),
        ("> 2021-11", utc(2021, 12, 1), None),
        ("<7d", None, utc(2021, 12, 13, 12)),
        (">=last week", utc(2021, 12, 13), None),
    ],
)
def test_date_range_is_half_open(text: str, low: datetime | None, high: datetime | None) -> None:
    assert date_range(text, NOW) == (low, high)


def test_a_reversed_range_is_refused() -> None:
    with pytest.raises(QueryError) as caught:
        date_range("2021-12..2021-10", NOW, offset=5)
    error = caught.value
    assert (error.message, error.position, error.hint) == (
        "the date range `2021-12..2021-10` ends before it starts",
        5,
        "put the earlier date first",
    )


def test_a_range_that_ends_where_it_starts_is_refused() -> None:
    with pytest.raises(QueryError) as caught:
        date_range("2021-12..2021-11", NOW)
    assert caught.value.message == "the date range `2021-12..2021-11` is empty"


@pytest.mark.parametrize("text", ["now", "3d ago", "0d"])
def test_an_instant_is_no_date_filter_but_can_be_compared_with(text: str) -> None:
    with pytest.raises(QueryError) as caught:
        date_range(text, NOW, offset=5)
    error = caught.value
    assert (error.message, error.position) == (f"`{text}` is an instant, not a period", 5)
    assert error.hint == f"compare with it: >={text} or ..{text}"
    instant = period(text, NOW)[0]
    assert date_range(f">={text}", NOW) == (instant, None)
    assert date_range(f"..{text}", NOW) == (None, instant)


def test_a_range_with_no_ends_is_refused() -> None:
    with pytest.raises(QueryError) as caught:
        date_range("..", NOW)
    assert caught.value.message == "a date range needs at least one end"


def test_a_bad_end_of_a_range_is_located() -> None:
    with pytest.raises(QueryError) as caught:
        date_range("2021-11..2021-13", NOW, offset=5)
    assert caught.value.position == 14


def test_a_comparison_with_nothing_to_compare_is_refused() -> None:
    with pytest.raises(QueryError) as caught:
        date_range(">=", NOW, offset=5)
    assert (caught.value.message, caught.value.position) == ("a date is missing", 7)


def test_a_range_is_not_a_single_period() -> None:
    with pytest.raises(QueryError):
        period("2021-11..2021-12", NOW)


# --- --since / --until -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("2021-11", utc(2021, 11, 1), utc(2021, 12, 1)),
        ("2021", utc(2021, 1, 1), utc(2022, 1, 1)),
        ("7d", utc(2021, 12, 13, 12), NOW),
        ("3d ago", utc(2021, 12, 17, 12), utc(2021, 12, 17, 12)),
        ("yesterday", utc(2021, 12, 19), utc(2021, 12, 20)),
        ("Nov 2021", utc(2021, 11, 1), utc(2021, 12, 1)),
    ],
)
def test_since_is_the_start_and_until_the_exclusive_end(text: str, since: datetime, until: datetime) -> None:
    assert since_bound(text, NOW) == since
    assert until_bound(text, NOW) == until


def test_since_with_a_bad_date_points_into_the_option_value() -> None:
    with pytest.raises(QueryError) as caught:
        since_bound("  later", NOW)
    assert caught.value.position == 2


# --- formatting back -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        (utc(2021, 11, 1), utc(2021, 12, 1), "2021-11"),
        (utc(2021, 1, 1), utc(2022, 1, 1), "2021"),
        (utc(2021, 11, 1), utc(2022, 1, 1), "2021-11..2021-12"),
        (utc(2021, 11, 23), utc(2021, 11, 24), "2021-11-23"),
        (utc(2021, 11, 22), utc(2021, 11, 29), "2021-11-22..2021-11-28"),
        (utc(2021, 12, 13, 12), utc(2021, 12, 20, 12), "2021-12-13T12:00..2021-12-20T11:59"),
        (utc(2021, 12, 1), None, "2021-12.."),
        (None, utc(2022, 1, 1), "..2021"),
        (utc(2021, 11, 23, 10, 0, 30), utc(2021, 11, 23, 10, 0, 31), "2021-11-23T10:00:30"),
        (utc(2021, 11, 23, 10, 0, 0, 5), None, "2021-11-23T10:00:00.000005.."),
        (utc(999, 1, 1), utc(1000, 1, 1), "0999"),
    ],
)
def test_format_range_writes_the_shortest_equivalent(
    low: datetime | None, high: datetime | None, text: str
) -> None:
    assert format_range(low, high) == text
    assert date_range(text, NOW) == (low, high)


def test_format_start_and_end_use_utc() -> None:
    eight_am_in_hong_kong = datetime(2021, 11, 23, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    assert format_start(eight_am_in_hong_kong) == "2021-11-23"
    assert format_end(eight_am_in_hong_kong) == "2021-11-22"


_MOMENTS = st.datetimes(
    min_value=datetime(1000, 1, 2), max_value=datetime(9998, 12, 30), timezones=st.just(UTC)
)


@given(_MOMENTS, _MOMENTS)
def test_any_range_formats_to_text_that_reads_back_exactly(first: datetime, second: datetime) -> None:
    assume(first != second)  # an empty range is refused, so it has no text
    low, high = sorted((first, second))
    assert date_range(format_range(low, high), NOW) == (low, high)
    assert date_range(format_range(low, None), NOW) == (low, None)
    assert date_range(format_range(None, high), NOW) == (None, high)


@given(st.text(max_size=40))
def test_any_text_is_a_range_or_a_query_error(text: str) -> None:
    try:
        low, high = date_range(text, NOW)
    except QueryError as error:
        assert error.position is not None and 0 <= error.position <= len(text)
        return
    for bound in (low, high):
        assert bound is None or bound.tzinfo == UTC


def _imports(module: object) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    return {
        node.module or "" if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }


def test_timestamps_sees_no_clock_zone_or_locale() -> None:
    """No `time`, `locale`, dateutil or `datetime.now`: nothing of the run can reach a reading."""
    assert _imports(timestamps) <= {"__future__", "re", "dataclasses", "datetime"}
    names = {node.attr for node in ast.walk(ast.parse(Path(timestamps.__file__).read_text(encoding="utf-8")))
             if isinstance(node, ast.Attribute)}
    assert not names & {"now", "today", "utcnow", "astimezone", "localtime", "tzname", "timestamp"}


# --- one set of rules: records read a written date as queries do -----------------------

# Text -> the UTC moment both readers take it for.
WRITTEN = [
    ("2021-12-14T08:00:00Z", utc(2021, 12, 14, 8)),
    ("2021-12-14T08:00:00.250+08:00", utc(2021, 12, 14, 0, 0, 0, 250000)),
    ("2021-12-14T08:00:00+0800", utc(2021, 12, 14)),
    ("2021-12-14T08:00-05", utc(2021, 12, 14, 13)),
    ("2021-12-14T08:00:00.123456789Z", utc(2021, 12, 14, 8, 0, 0, 123456)),
    ("20211214T080000Z", utc(2021, 12, 14, 8)),
    ("2021-12-14", utc(2021, 12, 14)),
    ("2021-12-14 08:00", utc(2021, 12, 14, 8)),
    ("Tue, 14 Dec 2021 08:00:00 +0800", utc(2021, 12, 14)),
    ("Tue, 14 Dec 2021 08:00:00 GMT", utc(2021, 12, 14, 8)),
    ("Tue Dec 14 2021 08:00:00 GMT+0800 (Hong Kong Standard Time)", utc(2021, 12, 14)),
    ("14 December 2021", utc(2021, 12, 14)),
    ("December 14, 2021", utc(2021, 12, 14)),
    ("Dec. 14th, 2021, 8:30 p.m. EST", utc(2021, 12, 15, 1, 30)),
    ("14-Dec-2021 08:00 HKT", utc(2021, 12, 14)),
    ("14 Dec 2021 08:00 UTC+8", utc(2021, 12, 14)),
    ("2021/12/14", utc(2021, 12, 14)),
    ("14/12/2021", utc(2021, 12, 14)),
    ("12/14/2021", utc(2021, 12, 14)),
    ("14.12.2021 08:00", utc(2021, 12, 14, 8)),
    ("12/12/2021", utc(2021, 12, 12)),
]
# Text a reader could take only by guessing -> what a file's problem says after the key.
GUESSES = [
    ("10:00", "has a time but no date"),
    ("10am HKT", "has a time but no date"),
    ("5/6/2021", "could be 2021-05-06 or 2021-06-05 (day and month in either order)"),
    ("01.02.2021 08:00", "could be 2021-01-02 or 2021-02-01 (day and month in either order)"),
    ("14 Dec 2021 08:00 IST", "has the time zone 'IST', which has no one offset newsarc knows"),
    ("14 Dec 2021 08:00 CST", "has the time zone 'CST', which has no one offset newsarc knows"),
    ("14 Dec 2021 08:00 EST+1", "has the time zone 'EST+1', which has no one offset newsarc knows"),
    ("Dec 14", "has no year"),
    ("Tuesday 08:00", "has a time but no date"),
    ("14 Dec 21", "has a two-digit year"),
    ("Dec 2021 08:00", "has a time but no day"),
    ("Wed, 14 Dec 2021", "says Wed but 2021-12-14 is a Tuesday"),
]


@pytest.mark.parametrize(("text", "moment"), WRITTEN)
def test_records_and_queries_read_a_written_date_alike(text: str, moment: datetime) -> None:
    assert parse_datetime(text, "publishedDateTime") == moment
    assert period(text, NOW)[0] == moment


@pytest.mark.parametrize(("text", "reason"), GUESSES)
def test_a_date_that_needs_a_guess_is_refused_by_records_and_queries(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_datetime(text, "publishedDateTime")
    assert (caught.value.message, caught.value.hint) == (
        f"'publishedDateTime' {reason}: {text!r}", "publishedDateTime"
    )
    with pytest.raises(QueryError) as refused:
        period(text, NOW)
    assert refused.value.message == f"cannot read the date `{text}`"


@pytest.mark.parametrize("text", ["2021", "2021-12", "Dec 2021"])
def test_a_record_date_names_a_day(text: str) -> None:
    """A query may name a month; a publication date that does would be put on its 1st by a guess."""
    with pytest.raises(ParseError) as caught:
        parse_datetime(text, "updatedDateTime")
    assert caught.value.message == f"'updatedDateTime' has no day: {text!r}"


ARABIC_INDIC_2021 = "\u0662\u0660\u0662\u0661"


@pytest.mark.parametrize(
    "text", ["2021-02-29", "31/4/2021", "14 Dec 2021 25:00", "8:00 pm", "soon", f"{ARABIC_INDIC_2021}-12-14"]
)
def test_what_is_no_date_is_not_a_date(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_datetime(text, "publishedDateTime")
    assert caught.value.message.startswith("'publishedDateTime' ")


@given(st.text(max_size=60))
def test_any_text_is_a_date_or_one_problem(text: str) -> None:
    try:
        moment = parse_datetime(text, "publishedDateTime")
    except ParseError as error:
        assert error.message.startswith("'publishedDateTime' ") and error.hint == "publishedDateTime"
        return
    assert moment is None or moment.tzinfo == UTC


# The same texts, read in a fresh interpreter under a zone and locale that differ from UTC/C.
_READ_ALL = """
import json, locale, sys
try:
    locale.setlocale(locale.LC_ALL, "")
except locale.Error:
    pass
from newsarc.records import parse_datetime
from newsarc.errors import ParseError
out = []
for text in json.loads(sys.argv[1]):
    try:
        out.append(parse_datetime(text, "publishedDateTime").isoformat())
    except ParseError as error:
        out.append(error.message)
print(json.dumps(out))
"""


def _read_in_process(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        try:
            found.append(parse_datetime(text, "publishedDateTime").isoformat())  # type: ignore[union-attr]
        except ParseError as error:
            found.append(error.message)
    return found


@pytest.mark.parametrize(
    "environment",
    [
        {"TZ": "Asia/Hong_Kong", "LC_ALL": "zh_HK.UTF-8"},  # its zone name is HKT
        {"TZ": "IST-5:30", "LC_ALL": "tr_TR.UTF-8"},  # a POSIX zone named IST; a dotless-i locale
        {"TZ": "EST+5EDT,M3.2.0,M11.1.0", "LC_ALL": "en_US.UTF-8"},
    ],
)
def test_record_dates_do_not_depend_on_the_zone_or_locale_of_the_run(environment: dict[str, str]) -> None:
    texts = [text for text, _ in WRITTEN] + [text for text, _ in GUESSES] + [
        "14 Dec 2021 08:00 HKT", "14 Dec 2021 08:00 EST", "14 Dec 2021 08:00 EDT", "14 Dec 2021 08:00",
    ]
    env = {**os.environ, **environment, "LANG": environment["LC_ALL"]}
    run = subprocess.run([sys.executable, "-c", _READ_ALL, json.dumps(texts)], env=env,
                         capture_output=True, text=True, check=True)
    assert json.loads(run.stdout) == _read_in_process(texts)
