"""A fast reader for the plain subset of YAML that news aggregators write.

Indexing a large archive spends most of its time in PyYAML, whose constructor
runs in Python even with libyaml. The front matter of real article files uses a
small, regular subset: `key: value` lines, nested blocks by indentation, `- `
lists, double-quoted strings with JSON-style escapes, and plain scalars that are
integers, `true`/`false`, UTC timestamps or text. `load_subset` reads exactly that
subset and returns None the moment a line falls outside it, so the caller can hand
the text to PyYAML; when it does return a value, that value equals what newsarc's
article loader (PyYAML's safe loader, timestamps kept as written) returns: a
differential test over every real file and random documents checks this.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

_KEY_LINE = re.compile(r"( *)([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$")
_ITEM_LINE = re.compile(r"( *)- (.*)$")
_INTEGER = re.compile(r"(?:0|-?[1-9][0-9]*)$")
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# Characters that open something other than plain text at the start of a scalar
# (anchors, aliases, tags, flow collections, block scalars, quotes, comments, reserved).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")
# PyYAML's own rules for which plain scalars are not text, keyed by first character:
# using them (rather than a copy) keeps this reader's answers equal to PyYAML's.
_IMPLICIT_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_JSON_ESCAPE = re.compile(r'\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})')
# json.loads joins a \\uD83D\\uDE00 pair into one character; PyYAML keeps two.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# What PyYAML refuses in a stream, tabs (which change how YAML reads indentation), and the
# line breaks YAML 1.1 adds to \n (NEL, LS, PS), which PyYAML folds or splits lines at.
_UNSUPPORTED_CHARACTER = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
MAX_INTEGER_LENGTH = 1000
"""Longer integers are refused (by newsarc's YAML loader too): no article needs them, and Python
cannot write one of more than 4300 digits as text, which every output of newsarc does."""


class _NotSubset(Exception):
    """The text uses YAML this reader does not handle; PyYAML must read it."""


def load_subset(text: str) -> dict[str, Any] | None:
    """The mapping `text` describes, or None when it is not in the supported subset."""
    if _UNSUPPORTED_CHARACTER.search(text):
        return None
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return None
    try:
        value, end = _block(lines, 0, 0)
    except _NotSubset:
        return None
    if end != len(lines) or not isinstance(value, dict):
        return None
    return value


def _block(lines: list[str], start: int, indent: int) -> tuple[Any, int]:
    """The mapping or list whose lines start at `start`, indented by `indent` spaces."""
    first = lines[start]
    if _indent_of(first) != indent:
        raise _NotSubset
    if first.startswith("- ", indent) or first[indent:] == "-":
        return _sequence(lines, start, indent)
    return _mapping(lines, start, indent)


def _mapping(
    lines: list[str], start: int, indent: int, first_key_line: str | None = None
) -> tuple[dict, int]:
    mapping: dict[str, Any] = {}
    position = start
    count = len(lines)
    while position < count:
        line = first_key_line if (first_key_line is not None and position == start) else lines[position]
        match = _KEY_LINE.match(line)
        line_indent = len(match.group(1)) if match is not None else _indent_of(line)
        if line_indent < indent:
            break
        if line_indent > indent or match is None:
            raise _NotSubset
        key, rest = match.group(2), match.group(3)
        if key in mapping or key == "<<" or _implicit_tag(key) is not None:
            raise _NotSubset  # PyYAML's handling of these (`yes:` is a key True) is best left to PyYAML
        position += 1
        if rest is None or rest.strip() == "":
            mapping[key], position = _nested(lines, position, indent)
        else:
            mapping[key] = scalar(rest.lstrip(" "))
    return mapping, position


def _nested(lines: list[str], position: int, indent: int) -> tuple[Any, int]:
    """The value of a key written alone on its line: a nested block, or null."""
    if position >= len(lines):
        return None, position
    following = lines[position]
    following_indent = _indent_of(following)
    if following_indent > indent:
        return _block(lines, position, following_indent)
    if following_indent == indent and (following.startswith("- ", indent) or following[indent:] == "-"):
        return _sequence(lines, position, indent)  # YAML lets a list sit at its key's indent
    return None, position


def _sequence(lines: list[str], start: int, indent: int) -> tuple[list, int]:
    items: list[Any] = []
    position = start
    while position < len(lines):
        line = lines[position]
        if _indent_of(line) != indent:
            if _indent_of(line) > indent:
                raise _NotSubset
            break
        match = _ITEM_LINE.match(line)
        if match is None:
            if line.startswith("-", indent):  # "-" alone, or "-x": not handled here
                raise _NotSubset
            break  # a key at the list's own indent: the list under the previous key ended
        content = match.group(2)
        if _KEY_LINE.match(content) is not None and not content.startswith(('"', "'")):
            # "- key: value" opens a mapping whose other keys sit two columns further in.
            item_indent = indent + 2
            rewritten = " " * item_indent + content
            value, position = _mapping(lines, position, item_indent, first_key_line=rewritten)
            items.append(value)
        else:
            items.append(scalar(content))
            position += 1
    return items, position


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def scalar(text: str) -> Any:
    """One scalar as PyYAML's safe loader would read it, within the subset."""
    text = text.rstrip(" ")
    if not text:  # `- ` alone: an empty list item, which PyYAML reads as null
        raise _NotSubset
    if text.startswith('"'):
        return _double_quoted(text)
    if _INTEGER.match(text):
        if len(text) > MAX_INTEGER_LENGTH:
            raise _NotSubset
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    if text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        raise _NotSubset
    tag = _implicit_tag(text)
    if tag == _TIMESTAMP_TAG:
        return text  # the article loader keeps timestamps as written
    if tag is not None:
        raise _NotSubset  # PyYAML would read a number, bool or null here
    return text


def _implicit_tag(text: str) -> str | None:
    """The tag PyYAML gives `text` as a plain scalar, or None for text."""
    for tag, pattern in _IMPLICIT_RESOLVERS.get(text[0], ()):
        if pattern.match(text):
            return tag
    return None


def _double_quoted(text: str) -> str:
    if len(text) < 2 or not text.endswith('"'):
        raise _NotSubset
    inner = text[1:-1]
    if "\\" not in inner:
        if '"' in inner:
            raise _NotSubset
        return inner
    # JSON's escapes are a subset of YAML's, with the same meaning; anything else
    # (\x, \N, \L, \P, \e, a trailing backslash...) is left to PyYAML.
    if _JSON_ESCAPE.sub("", inner).count("\\"):
        raise _NotSubset
    if _SURROGATE_ESCAPE.search(inner):
        raise _NotSubset
    try:
        return json.loads(text)
    except ValueError:
        raise _NotSubset from None
