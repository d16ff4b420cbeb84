"""A record's values -> the Python values of an article, or a ParseError naming the key.

Each `as_*` helper is given the key it reads (`provider.name`) for its message; the hint
names the top-level key, the line of the file an error points at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timezone
from typing import TYPE_CHECKING

from ..errors import ParseError

if TYPE_CHECKING:
    from typing import Any

# UTF-8 read as Windows-1252 or Latin-1 leaves a lead byte (Â..ô) followed by a
# continuation byte shown as a C1 control, a Latin-1 symbol or a cp1252 punctuation mark.
# Compiled on first use (re keeps it): ASCII text never needs it.
_MOJIBAKE_HINT = (
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def repair_mojibake(text: str) -> str:
    """`text` with UTF-8-read-as-Windows-1252 damage undone (`Chinaâ€™s` -> `China’s`)."""
    if text.isascii() or not re.search(_MOJIBAKE_HINT, text):
        return text
    import ftfy  # only files that look damaged pay for the import

    return ftfy.fix_encoding(text)


def as_list(value: Any, key: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    raise ParseError(f"'{key}' should be a list, got {kind_of(value)}", hint=key)


def as_text(value: Any, key: str) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ParseError(f"'{key}' should be text, got {kind_of(value)}", hint=key.split(".")[0])


def as_text_list(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ParseError(f"'{key}' should be a list of text, got {kind_of(value)}", hint=key)
    return [as_text(item, key) for item in value if item is not None]


def as_integer(value: Any, key: str) -> int | None:
    if value is None:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 10**18:  # as for text below: beyond what an index column holds
            raise ParseError(f"'{key}' is too large a number: {value}", hint=key.split(".")[0])
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,18}\s*", value):
        return int(value)
    raise ParseError(f"'{key}' should be a whole number, got {kind_of(value)}", hint=key.split(".")[0])


def as_boolean(value: Any, key: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ParseError(f"'{key}' should be true or false, got {kind_of(value)}", hint=key.split(".")[0])


def parse_datetime(value: Any, key: str = "date") -> datetime | None:
    """A timestamp as an aware UTC datetime, read by the rules of `timestamps` (naive means UTC).

    Text must name a day: a time without a date, a date without a year or a day, a
    day/month order that could go either way and an unknown zone name are ParseErrors.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        moment = _datetime_from_text(value, key)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value > 10**8:
        try:
            moment = datetime.fromtimestamp(value / 1000 if value > 10**11 else value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ParseError(f"'{key}' is out of the range of dates: {value}", hint=key) from None
    else:
        raise ParseError(f"'{key}' should be a date and time, got {kind_of(value)}", hint=key)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        raise ParseError(f"'{key}' is out of the range of dates: {moment.isoformat()}", hint=key) from None


# How the files aggregators write give nearly every date: read without the general rules,
# which give the same moment for it (an impossible one is left to them, for their message).
_UTC_SECONDS = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")


def _datetime_from_text(text: str, key: str) -> datetime:
    plain = _UTC_SECONDS.fullmatch(text)
    if plain is not None:
        year, month, day, hour, minute, second = map(int, plain.groups())
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
        except ValueError:
            pass
    # The general rules only for a date not in that form: most commands never load them.
    from ..timestamps import TimestampError, read_timestamp

    try:
        found = read_timestamp(text)
    except TimestampError as error:
        raise ParseError(f"'{key}' {error.reason}: {text[:60]!r}", hint=key) from None
    except (ValueError, OverflowError):
        found = None
    if found is None:
        raise ParseError(f"'{key}' is not a date: {text[:60]!r}", hint=key)
    if found.precision in ("year", "month"):
        # A publication date names a day; its first would be a guess.
        raise ParseError(f"'{key}' has no day: {text[:60]!r}", hint=key)
    return found.start


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (datetime, date)):
        return "a date"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return type(value).__name__
