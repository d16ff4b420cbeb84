"""Date expressions -> UTC ranges. `now` is passed in, never read from the clock.

Every expression names a period, a half-open UTC range [start, end): `2021` is the
whole year, `2021-11-23T10:00` one minute, `7d` the last seven days up to `now`,
`"7d ago"` the instant seven days before `now`. A range `a..b` runs from the start
of `a` to the end of `b`; comparisons (`>x`, `>=x`, `<x`, `<=x`) use the period's
edges, so `>2021-11` means "from December on".
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from .errors import QueryError
from .timestamps import Timestamp, TimestampError, read_timestamp

UTC = timezone.utc

DATE_EXAMPLES = (
    '2021, 2021-11, 2021-11-23, 2021-11-23T10:00, "Nov 2021", 7d, 2w, 3m, 1y, "3d ago", '
    'today, yesterday, "last week", "this month", 2021-11..2021-12, 2021-12-01.., >=2021-11'
)

# A period's length: calendar units vary in length, the rest are fixed steps.
Step = str | timedelta

_ISO_WEEK = re.compile(r"(?P<year>[0-9]{4})-?W(?P<week>[0-9]{1,2})", re.IGNORECASE)
_RELATIVE = re.compile(
    r"(?P<count>[0-9]{1,6})\s*(?P<unit>h|hours?|d|days?|w|weeks?|m|months?|y|years?)"
    r"(?P<ago>\s+ago)?",
    re.IGNORECASE,
)
_NAMED = ("now", "today", "yesterday", "this week", "last week", "this month", "last month",
          "this year", "last year")  # fmt: skip
_COMPARISONS = (">=", "<=", ">", "<")


# --- public API ------------------------------------------------------------------------


def period(text: str, now: datetime, *, offset: int = 0) -> tuple[datetime, datetime]:
    """The [start, end) UTC period one date expression names (no ranges, no comparisons).

    `offset` is where `text` starts in the query, for the position of a QueryError.
    """
    now = _utc(now)
    stripped, offset = _strip(text, offset)
    if not stripped:
        raise QueryError("a date is missing", position=offset, hint=f"use e.g. {DATE_EXAMPLES}")
    try:
        found = _week(stripped) or _relative(stripped, now) or _written(stripped)
    except TimestampError as error:  # a date that could be read only by guessing
        raise QueryError(f"cannot read the date `{stripped}`", position=offset, hint=error.hint) from None
    except (ValueError, OverflowError) as error:
        raise QueryError(f"`{stripped}` is not a valid date", position=offset, hint=str(error)) from None
    if found is None:
        raise QueryError(f"cannot read the date `{stripped}`", position=offset,
                         hint=f"use e.g. {DATE_EXAMPLES}")
    return found


def date_range(text: str, now: datetime, *, offset: int = 0) -> tuple[datetime | None, datetime | None]:
    """The [low, high) UTC range of a `date:` value; None is an open end.

    Accepts one expression (its period), `a..b`, `a..`, `..b`, and `>x`, `>=x`, `<x`, `<=x`.
    """
    stripped, offset = _strip(text, offset)
    for operator in _COMPARISONS:
        if stripped.startswith(operator):
            return _comparison(operator, stripped[len(operator):], now, offset + len(operator))
    if ".." in stripped:
        return _span(stripped, now, offset)
    start, end = period(stripped, now, offset=offset)
    if start == end:
        raise QueryError(f"`{stripped}` is an instant, not a period", position=offset,
                         hint=f'compare with it: >={stripped} or ..{stripped}')
    return start, end


def since_bound(text: str, now: datetime) -> datetime:
    """The start of the period `text` names: what `--since text` means."""
    return period(text, now)[0]


def until_bound(text: str, now: datetime) -> datetime:
    """The exclusive end of the period `text` names: what `--until text` means."""
    return period(text, now)[1]


def format_start(moment: datetime) -> str:
    """The shortest ISO expression whose period starts at `moment` (UTC)."""
    moment = moment.astimezone(UTC)
    return _format_period(moment, _coarsest_unit(moment))


def format_end(moment: datetime, *, finest: str = "year") -> str:
    """The shortest ISO expression whose period ends (exclusively) at `moment` (UTC).

    `finest` asks for at least that precision ("month" gives `2021-12`, not `2021`).
    """
    moment = moment.astimezone(UTC)
    unit = max(_coarsest_unit(moment), finest, key=_FORMAT_UNITS.index)
    return _format_period(_step_back(moment, unit), unit)


def format_range(low: datetime | None, high: datetime | None) -> str:
    """A `date:` value that parses back to exactly [low, high); both ends get the same precision."""
    if low is None:
        return ".." + format_end(high) if high is not None else ".."
    start = format_start(low)
    if high is None:
        return start + ".."
    end = format_end(high, finest=_coarsest_unit(low.astimezone(UTC)))
    return start if start == end else f"{start}..{end}"


# --- ranges and comparisons ------------------------------------------------------------


def _comparison(
    operator: str, text: str, now: datetime, offset: int
) -> tuple[datetime | None, datetime | None]:
    start, end = period(text, now, offset=offset)
    bounds: dict[str, tuple[datetime | None, datetime | None]] = {
        ">": (end, None), ">=": (start, None), "<": (None, start), "<=": (None, end),
    }
    return bounds[operator]


def _span(text: str, now: datetime, offset: int) -> tuple[datetime | None, datetime | None]:
    left, right = text.split("..", 1)
    right_offset = offset + len(left) + 2
    if not left.strip() and not right.strip():
        raise QueryError("a date range needs at least one end", position=offset,
                         hint="use e.g. 2021-11..2021-12, 2021-12-01.. or ..2021")
    low = period(left, now, offset=offset)[0] if left.strip() else None
    high = period(right, now, offset=right_offset)[1] if right.strip() else None
    if low is not None and high is not None and low >= high:
        problem = "ends before it starts" if low > high else "is empty"
        raise QueryError(f"the date range `{text}` {problem}", position=offset,
                         hint="put the earlier date first")
    return low, high


# --- the forms of one expression -------------------------------------------------------


def _week(text: str) -> tuple[datetime, datetime] | None:
    week = _ISO_WEEK.fullmatch(text)
    if not week:
        return None
    monday = datetime.fromisocalendar(int(week["year"]), int(week["week"]), 1)
    return _period_of(monday.replace(tzinfo=UTC), timedelta(weeks=1))


def _written(text: str) -> tuple[datetime, datetime] | None:
    """The period a written date names (the rules records are read by, in `timestamps`)."""
    found = read_timestamp(text)
    return None if found is None else _period_of(found.start, _step(found))


def _step(found: Timestamp) -> Step:
    if found.precision == "fraction":
        return timedelta(microseconds=10 ** (6 - found.fraction_digits))
    return _UNIT_STEPS[found.precision]


def _relative(text: str, now: datetime) -> tuple[datetime, datetime] | None:
    named = re.sub(r"[\s_-]+", " ", text.lower())
    if named in _NAMED:
        return _named_period(named, now)
    match = _RELATIVE.fullmatch(text)
    if not match:
        return None
    start = _go_back(now, int(match["count"]), match["unit"].lower())
    return (start, start) if match["ago"] else (start, now)


def _go_back(now: datetime, count: int, unit: str) -> datetime:
    if unit.startswith("m"):
        return _add_months(now, -count)
    if unit.startswith("y"):
        return _add_months(now, -12 * count)
    hours = {"h": 1, "d": 24, "w": 24 * 7}[unit[0]]
    return now - timedelta(hours=hours * count)


def _named_period(name: str, now: datetime) -> tuple[datetime, datetime]:
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    first_of_year = first_of_month.replace(month=1)
    periods: dict[str, tuple[datetime, Step]] = {
        "today": (today, timedelta(days=1)),
        "yesterday": (today - timedelta(days=1), timedelta(days=1)),
        "this week": (monday, timedelta(weeks=1)),
        "last week": (monday - timedelta(weeks=1), timedelta(weeks=1)),
        "this month": (first_of_month, "month"),
        "last month": (_add_months(first_of_month, -1), "month"),
        "this year": (first_of_year, "year"),
        "last year": (first_of_year.replace(year=first_of_year.year - 1), "year"),
    }
    if name == "now":
        return now, now
    start, step = periods[name]
    return _period_of(start, step)


# --- periods ---------------------------------------------------------------------------

_UNIT_STEPS: dict[str, Step] = {
    "year": "year",
    "month": "month",
    "day": timedelta(days=1),
    "hour": timedelta(hours=1),
    "minute": timedelta(minutes=1),
    "second": timedelta(seconds=1),
    "microsecond": timedelta(microseconds=1),
}
_UNIT_FLOOR = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0}


def _period_of(start: datetime, step: Step) -> tuple[datetime, datetime]:
    """[start, start + step) in UTC; `start` may be in any zone."""
    if step == "year":
        end = start.replace(year=start.year + 1)
    elif step == "month":
        end = _add_months(start, 1)
    else:
        assert isinstance(step, timedelta)
        end = start + step
    return start.astimezone(UTC), end.astimezone(UTC)


def _step_back(moment: datetime, unit: str) -> datetime:
    """The start of the `unit`-long period that ends at `moment`."""
    if unit in ("year", "month"):
        return _add_months(moment, -12 if unit == "year" else -1)
    step = _UNIT_STEPS[unit]
    assert isinstance(step, timedelta)
    return moment - step


def _add_months(moment: datetime, months: int) -> datetime:
    """`moment` moved by whole months, the day clamped to the target month's length."""
    year, month_index = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    first = moment.replace(year=year, month=month_index + 1, day=1)
    following = date(year + (month_index + 1) // 12, (month_index + 1) % 12 + 1, 1)
    return first.replace(day=min(moment.day, (following - first.date()).days))


def _is_midnight(moment: datetime) -> bool:
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


# Hours are written as minutes (`T10:00`): a start is the same, and it reads better.
_FORMAT_UNITS = ("year", "month", "day", "minute", "second", "microsecond")


def _coarsest_unit(moment: datetime) -> str:
    """The coarsest unit whose periods can start at `moment`."""
    if moment.microsecond:
        return "microsecond"
    if moment.second:
        return "second"
    if not _is_midnight(moment):
        return "minute"
    if moment.day != 1:
        return "day"
    return "month" if moment.month != 1 else "year"


def _format_period(moment: datetime, unit: str) -> str:
    formats = {
        "year": "",
        "month": "-%m",
        "day": "-%m-%d",
        "minute": "-%m-%dT%H:%M",
        "second": "-%m-%dT%H:%M:%S",
        "microsecond": "-%m-%dT%H:%M:%S.%f",
    }
    # strftime pads years below 1000 inconsistently across platforms; pad by hand.
    return f"{moment.year:04d}" + moment.strftime(formats[unit])


def _strip(text: str, offset: int) -> tuple[str, int]:
    stripped = text.lstrip()
    return stripped.rstrip(), offset + len(text) - len(stripped)


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("`now` must be an aware datetime")
    return now.astimezone(UTC)
