"""Written dates and times -> aware datetimes: the one set of rules records and queries share.

Nothing here reads the clock, the time zone or the locale of the run, so a text always
means the same moment. Accepted, in English and case-insensitively:

- ISO 8601: `2021`, `2021-12`, `2021-12-14`, `2021-12-14T08:00`, `…T08:00:00.5`, with a
  zone `Z`, `+08:00`, `+0800` or `+08` (a space may replace the `T`), and the basic
  format `20211214T080000Z`;
- a month name: `14 December 2021`, `14 Dec 2021`, `14-Dec-2021`, `December 14, 2021`,
  `Dec. 14th 2021`, `Dec 2021`, optionally after a weekday (`Tue, `) and before a time
  (`08:00`, `08:00:00`, `8am`, `8:30 p.m.`) and a zone, as RFC 2822 (`Tue, 14 Dec 2021
  08:00:00 +0800`) and JavaScript (`Tue Dec 14 2021 08:00:00 GMT+0800 (Hong Kong
  Standard Time)`) write them;
- numbers: year first is ISO order (`2021/12/14`, `2021.12.14`); with the year last the
  day and month are read only when a single order gives a date, or both give the same
  (`13/6/2021`, `6/13/2021`, `5/5/2021`; never `5/6/2021`).

A time without a zone is UTC. Zone names are read only from `ZONES`, each a fixed offset;
names with more than one meaning (`CST`, `IST`, `BST`) or none known are refused, as are
a time without a date, a date without a year, a two-digit year and a day/month order that
would have to be guessed: `TimestampError` says which. Impossible values (`2021-02-30`)
raise a plain ValueError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

UTC = timezone.utc

# Abbreviations with one fixed offset in English-language news. The US ones are those
# RFC 5322 (section 4.3) defines, less CST, which Chinese sources use for China Standard Time.
ZONES = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0,
    "EST": -5 * 60, "EDT": -4 * 60, "CDT": -5 * 60, "MST": -7 * 60, "MDT": -6 * 60,
    "PST": -8 * 60, "PDT": -7 * 60,
    "CET": 60, "CEST": 2 * 60, "HKT": 8 * 60, "SGT": 8 * 60, "JST": 9 * 60, "KST": 9 * 60,
}  # fmt: skip
# Zones an offset may follow (`GMT+0800`), meaning that offset from UTC.
_OFFSET_BASES = ("UTC", "GMT", "UT")

PRECISIONS = ("year", "month", "day", "hour", "minute", "second", "fraction")

_MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december"),
), start=1) for name in names}  # fmt: skip
_WEEKDAYS = ("mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur",
             "thurs", "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday")  # fmt: skip
_WEEKDAY_NUMBERS = (0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6)
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# re.ASCII throughout: `\d`, `\s` and IGNORECASE must not stretch to other scripts' digits
# or to look-alike letters (the Kelvin sign matches `k` otherwise).
_FLAGS = re.IGNORECASE | re.ASCII | re.VERBOSE
_OFFSET = r"[+-][0-9]{1,2}(?::?[0-9]{2})?"
_ISO = re.compile(
    r"""(?P<year>[0-9]{4})
    (?:-(?P<month>[0-9]{1,2})
     (?:-(?P<day>[0-9]{1,2})
      (?:[T\ ](?P<hour>[0-9]{1,2})
       (?::(?P<minute>[0-9]{2})
        (?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]{1,9}))?)?)?
       \s*(?P<zone>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?)?)?""",
    _FLAGS,
)
# The other forms are compiled on first use (re keeps them): the records of the index
# hold ISO dates only, and compiling these costs every command about 5 ms.
_ISO_BASIC = (  # `20211214T080000Z`
    r"""(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})
    (?:T(?P<hour>[0-9]{2})(?:(?P<minute>[0-9]{2})(?:(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]{1,9}))?)?)?
     (?P<zone>Z|[+-][0-9]{2}(?:[0-9]{2})?)?)?"""
)
_MONTH_NAME = r"[a-z]{3,9}\.?"
_DAY = r"[0-9]{1,2}(?:st|nd|rd|th)?"
_DATE = rf"""(?:
    (?P<d1>{_DAY})[\s-]+(?P<m1>{_MONTH_NAME})[\s,-]+(?P<y1>[0-9]+)       # 14 Dec 2021
  | (?P<m2>{_MONTH_NAME})\s+(?P<d2>{_DAY}),?\s+(?P<y2>[0-9]+)           # December 14, 2021
  | (?P<m3>{_MONTH_NAME}),?\s+(?P<y3>[0-9]{{3,}})                         # Dec 2021
  | (?P<a>[0-9]+)(?P<sep>[/.-])(?P<b>[0-9]+)(?P=sep)(?P<c>[0-9]+)       # 5/6/2021, 2021/12/14
)"""
_PARTIAL_DATE = rf"""(?:
    {_DAY}[\s-]+{_MONTH_NAME} | {_MONTH_NAME}(?:\s+{_DAY})? | [0-9]{{1,2}}[/.][0-9]{{1,2}}
)"""
_TIME = r"""(?P<hour>[0-9]{1,2})
    (?::(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,6}))?)?)?
    (?:\s*(?P<half>[ap])\.?m\.?)?"""
_ZONE = rf"""(?P<zone>(?P<name>[a-z]{{1,5}})?\s*(?P<offset>{_OFFSET})?)
    (?:\s*\((?P<comment>[^()]*)\))?"""  # a comment such as `(Hong Kong Standard Time)`, as RFC 2822 allows
_WEEKDAY = r"(?P<weekday>[a-z]{3,9})\.?,?\s+"
_NATURAL = rf"(?:{_WEEKDAY})?{_DATE}(?:(?:\s*,\s*|\s+at\s+|\s+|T){_TIME}(?:\s*{_ZONE})?)?"
_TIME_ONLY = rf"(?:{_WEEKDAY})?{_TIME}(?:\s*{_ZONE})?"
_NO_YEAR = (
    rf"(?:{_WEEKDAY})?(?:{_PARTIAL_DATE}|[a-z]{{3,9}})(?:(?:\s*,\s*|\s+at\s+|\s+){_TIME}(?:\s*{_ZONE})?)?"
)


class TimestampError(ValueError):
    """A text that names a date only with a guess: `reason` completes "'key' …", `hint` advises."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


@dataclass(frozen=True)
class Timestamp:
    """A moment as written: `start` in the zone written (UTC when none), `precision` its finest unit."""

    start: datetime
    precision: str  # one of PRECISIONS
    fraction_digits: int = 0


def read_timestamp(text: str) -> Timestamp | None:
    """The moment `text` writes, or None when it is no form of date at all.

    Raises TimestampError where reading it would take a guess, ValueError (or
    OverflowError) where the date or time cannot exist.
    """
    text = " ".join(text.split())
    if len(text) > 100:  # no date is written this long; keeps the patterns on short input
        return None
    match = _ISO.fullmatch(text) or re.fullmatch(_ISO_BASIC, text, _FLAGS)
    if match:
        return _from_iso(match)
    match = re.fullmatch(_NATURAL, text, _FLAGS)
    if match and _is_weekday(match["weekday"]):
        return _from_natural(match)
    _diagnose(text)
    return None


# --- the forms -------------------------------------------------------------------------


def _from_natural(match: re.Match[str]) -> Timestamp | None:
    month: int | None
    day: int | None
    if match["a"] is not None:
        year, month, day = _numeric_date(match["a"], match["b"], match["c"])
    else:
        month_name = match["m1"] or match["m2"] or match["m3"]
        month = _MONTHS.get(month_name.rstrip(".").lower())
        if month is None:
            return None
        year = _year(match["y1"] or match["y2"] or match["y3"])
        day_text = match["d1"] or match["d2"]
        day = int(day_text.rstrip("stndrh")) if day_text else None
    if match["hour"] is not None and match["minute"] is None and match["half"] is None:
        return None  # `14 Dec 2021 10`: a bare number is no time
    if match["comment"] is not None and not match["offset"]:
        raise _unknown_zone(match["zone"] + f"({match['comment']})")
    zone = _zone(match["zone"])
    hour = _hour(match["hour"], match["half"]) if match["hour"] is not None else None
    found = _timestamp(year, month, day, hour, match["minute"], match["second"], match["fraction"], zone)
    _check_weekday(match["weekday"], found.start)
    return found


def _numeric_date(first: str, second: str, third: str) -> tuple[int, int, int]:
    if len(first) == 4:  # year first: ISO order, whatever the separator
        return int(first), int(second), int(third)
    year = _year(third)
    if len(first) > 2 or len(second) > 2:
        raise ValueError("a day or month has at most two digits")
    readings = sorted({(month, day) for month, day in ((int(first), int(second)), (int(second), int(first)))
                       if _exists(year, month, day)})
    if not readings:
        raise ValueError(f"neither {first}/{second} nor {second}/{first} is a day of {year}")
    if len(readings) > 1:
        choices = " or ".join(f"{year:04d}-{month:02d}-{day:02d}" for month, day in readings)
        raise TimestampError(f"could be {choices} (day and month in either order)",
                             f"day and month could be read in either order: write {choices}")
    month, day = readings[0]
    return year, month, day


def _exists(year: int, month: int, day: int) -> bool:
    try:
        datetime(year, month, day)
    except ValueError:
        return False
    return True


def _year(text: str) -> int:
    if len(text) == 2:
        raise TimestampError("has a two-digit year", f"write the whole year, e.g. 20{text}")
    if len(text) != 4:
        raise ValueError("a year has four digits")
    return int(text)


def _hour(text: str, half: str | None) -> int:
    hour = int(text)
    if half is None:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError("an hour before am or pm must be in 1..12")
    return hour % 12 + (12 if half.lower() == "p" else 0)


def _is_weekday(word: str | None) -> bool:
    return word is None or word.rstrip(".").lower() in _WEEKDAYS


def _check_weekday(word: str | None, moment: datetime) -> None:
    if word is None:
        return
    written = _WEEKDAYS.index(word.rstrip(".").lower())
    if _WEEKDAY_NUMBERS[written] != moment.weekday():
        weekday = _DAY_NAMES[moment.weekday()]
        raise TimestampError(f"says {word.rstrip('.,')} but {moment:%Y-%m-%d} is a {weekday}",
                             "correct the weekday or the date")


def _from_iso(match: re.Match[str]) -> Timestamp:
    def number(unit: str) -> int | None:
        return None if match[unit] is None else int(match[unit])

    return _timestamp(int(match["year"]), number("month"), number("day"), number("hour"), match["minute"],
                      match["second"], match["fraction"], _zone(match["zone"]))


def _timestamp(year: int, month: int | None, day: int | None, hour: int | None, minute: str | None,
               second: str | None, fraction: str | None, zone: timezone) -> Timestamp:
    if day is None and hour is not None:
        raise TimestampError("has a time but no day", "write the day too, e.g. 23 Nov 2021 10:00")
    written = (year, month, day, hour, minute, second, fraction)
    precision = PRECISIONS[max(position for position, value in enumerate(written) if value is not None)]
    fraction = (fraction or "")[:6]  # finer than a microsecond is more than a datetime holds
    start = datetime(year, month or 1, day or 1, hour or 0, int(minute or 0), int(second or 0),
                     int(fraction.ljust(6, "0")) if fraction else 0, tzinfo=zone)
    return Timestamp(start, precision, len(fraction))


def _zone(text: str | None) -> timezone:
    """The fixed offset a zone designator names; UTC when there is none."""
    match = re.fullmatch(rf"(?P<name>[a-z]{{1,5}})?\s*(?P<offset>{_OFFSET})?", (text or "").strip(), _FLAGS)
    assert match is not None  # `text` matched the same pattern within a larger one
    name = (match["name"] or "").upper()
    if name and (name not in ZONES or (match["offset"] and name not in _OFFSET_BASES)):
        raise _unknown_zone(text or "")
    if not match["offset"]:
        return timezone(timedelta(minutes=ZONES.get(name, 0)))
    digits = match["offset"][1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    if int(minutes) > 59:
        raise ValueError("the minutes of an offset must be in 0..59")
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-offset if match["offset"][0] == "-" else offset)


def _unknown_zone(text: str) -> TimestampError:
    return TimestampError(
        f"has the time zone {text.strip()!r}, which has no one offset newsarc knows",
        "write the offset instead, e.g. +08:00; the names newsarc knows: " + ", ".join(ZONES),
    )


def _diagnose(text: str) -> None:
    """Raise TimestampError when `text` is a date or time short of what a date needs."""
    time_only = re.fullmatch(_TIME_ONLY, text, _FLAGS)
    if time_only and _is_weekday(time_only["weekday"]) and (time_only["minute"] or time_only["half"]):
        raise TimestampError("has a time but no date", "write the date too, e.g. 2021-11-23T10:00")
    no_year = re.fullmatch(_NO_YEAR, text, _FLAGS)
    if no_year and _is_weekday(no_year["weekday"]) and _names_a_month_or_day(text):
        raise TimestampError("has no year", "write the year too, e.g. 23 Nov 2021")


def _names_a_month_or_day(text: str) -> bool:
    words = [word.rstrip(".").lower() for word in re.findall(r"[a-z]+\.?", text, _FLAGS)]
    return any(word in _MONTHS or word in _WEEKDAYS for word in words) or bool(
        re.match(r"[0-9]{1,2}[/.][0-9]{1,2}(?:\s|$)", text)
    )
