"""JSON (a page with a `value` or `news` list, one article object or a list of them) and
JSON Lines (one article object per line)."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from ..errors import ParseError
from ..model import Problem, record_number
from ..records import SCHEMA, article_from_record
from .result import ParseResult, one_line, placed, problem
from .surrogates import SURROGATE_ESCAPE, without_lone_surrogates


def parse_json(text: str, path: str) -> ParseResult:
    """The articles of a text that opens like JSON; JSON Lines when it is one object a line."""
    try:
        document = load_json(text)
    except json.JSONDecodeError as error:
        if _looks_like_json_lines(text, error):
            return _parse_json_lines(text, path)
        return problem(path, error.lineno, f"invalid JSON: {error.msg} (column {error.colno})")
    except ValueError as error:
        return problem(path, None, json_error_message(error))
    if isinstance(document, dict):
        # newsarc's own record is one article, even when it keeps a `value` or `news` list.
        if document.get("schema") != SCHEMA:
            for key in ("value", "news"):
                if isinstance(document.get(key), list):
                    return _parse_records(document[key], path)
        return _parse_records([document], path, single=True)
    if isinstance(document, list):
        return _parse_records(document, path)
    return problem(path, 1, "JSON holds no article object")


def load_json(text: str) -> Any:
    """`json.loads` for article files: lone surrogates (`"\\ud800"`) become U+FFFD, since no
    output can hold them. Raises ValueError (JSONDecodeError for bad syntax, a bare
    ValueError for an integer of more than 4300 digits); `json_error_message` words either."""
    value = json.loads(text)
    return without_lone_surrogates(value) if SURROGATE_ESCAPE.search(text) else value


def json_error_message(error: ValueError) -> str:
    """The problem message for an error of `load_json`."""
    if isinstance(error, json.JSONDecodeError):
        return f"invalid JSON: {error.msg} (column {error.colno})"
    if "digits" in str(error):  # Python's limit on converting long integers
        limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
        return f"invalid JSON: a number has more than {limit} digits"
    return f"invalid JSON: {one_line(str(error))}"


def _looks_like_json_lines(text: str, error: json.JSONDecodeError) -> bool:
    """One object per line: a first object followed by more, or (when the first line
    is the broken one) several lines opening an object at their first column."""
    if not text.lstrip().startswith("{"):
        return False
    return error.msg == "Extra data" or len(re.findall(r"^\{", text, re.MULTILINE)) > 1


def _parse_records(records: list[Any], path: str, *, single: bool = False) -> ParseResult:
    result = ParseResult()
    for index, record in enumerate(records):
        try:
            article = article_from_record(record)
        except ParseError as error:
            where = "" if single else f"record {record_number(index)}: "
            result.problems.append(Problem(path, None, where + error.message))
            continue
        result.articles.append(placed(article, path, None if single else index))
    return result


def _parse_json_lines(text: str, path: str) -> ParseResult:
    result = ParseResult()
    index = 0
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            article = article_from_record(load_json(line))
        except json.JSONDecodeError as error:
            result.problems.append(Problem(path, number, f"invalid JSON: {error.msg} (column {error.colno})"))
        except ValueError as error:
            result.problems.append(Problem(path, number, json_error_message(error)))
        except ParseError as error:
            result.problems.append(Problem(path, number, error.message))
        else:
            result.articles.append(placed(article, path, index))
        index += 1
    return result
