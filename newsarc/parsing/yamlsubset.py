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


# A line is a `key: value` line (group 2 the key, group 3 the value, None when the key
# stands alone) or a `- item` line (group 4 the item); any other line is outside the subset.
_LINE = re.compile(r"( *)(?:([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?|- (.*))$")
# What a line reads as: (indent, is a list item, key or None, value, the value is a nested
# block). An item that opens a mapping (`- key: value`) carries that mapping's first key.
_Line = tuple[int, bool, "str | None", Any, bool]
# Lines repeat across files (`type: article`, `  - AI`, `published: false`), and what a line
# reads as does not depend on the lines around it: one read before is taken from here (228 -> 133
# µs per generated front matter, cache filling included). Short lines only, and the cache is emptied
# when full, so its memory stays small (about 4 MB) whatever is read.
_LINE_CACHE: dict[str, _Line] = {}
_CACHED_LINE_LENGTH = 80
_CACHE_SIZE = 10_000


def load_subset(text: str) -> dict[str, Any] | None:
    """The mapping `text` describes, or None when it is not in the supported subset."""
    if _has_unsupported_character(text):
        return None
    try:
        lines = _read_lines(text)
        if lines is None or not lines:
            return None
        value, end = _block(lines, 0, 0)
    except _NotSubset:
        return None
    if end != len(lines) or not isinstance(value, dict):
        return None
    return value


_ASCII_UNSUPPORTED = bytes([*range(0x00, 0x0A), *range(0x0B, 0x20), 0x7F])


def _has_unsupported_character(text: str) -> bool:
    """`_UNSUPPORTED_CHARACTER.search(text)`; for ASCII text (most front matter) by a
    `bytes.translate` in C, four times cheaper than the regular expression's scan."""
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _ASCII_UNSUPPORTED)) != len(data)
    return _UNSUPPORTED_CHARACTER.search(text) is not None


def _read_lines(text: str) -> list[_Line] | None:
    """Each line that is not blank, read on its own; None when one is outside the subset.

    Every line must be consumed by a mapping (a key line) or a list (an item line) for the
    text to be read, so a line that is neither, or whose value is outside the subset, means
    the text is left to PyYAML wherever the line stands."""
    cache = _LINE_CACHE
    lines: list[_Line] = []
    for line in text.split("\n"):
        read = cache.get(line)
        if read is None:
            if not line or line.isspace():
                continue
            read = _read_line(line)
            if read is None:
                return None
            if len(line) <= _CACHED_LINE_LENGTH:
                if len(cache) >= _CACHE_SIZE:
                    cache.clear()
                cache[line] = read
        lines.append(read)
    return lines


def _read_line(line: str) -> _Line | None:
    match = _LINE.match(line)
    if match is None:
        return None
    spaces, key, rest, item = match.groups()
    indent = len(spaces)
    if key is None:  # `- item`
        content = _KEY_LINE.match(item)
        if content is None:
            return indent, True, None, scalar(item), False
        if content.group(1):  # `-   key: value`: the key sits further in than the item's mapping
            raise _NotSubset
        key, rest = content.group(2), content.group(3)
        is_item = True
    else:
        is_item = False
    if _implicit_tag(key) is not None:
        raise _NotSubset  # PyYAML's handling of these (`yes:` is a key True) is best left to PyYAML
    if rest is None or rest.strip() == "":
        return indent, is_item, key, None, True
    return indent, is_item, key, scalar(rest.lstrip(" ")), False


def _block(lines: list[_Line], start: int, indent: int) -> tuple[Any, int]:
    """The mapping or list whose lines start at `start`, indented by `indent` spaces."""
    first = lines[start]
    if first[0] != indent:
        raise _NotSubset
    if first[1]:
        return _sequence(lines, start, indent)
    return _mapping(lines, start, indent)


def _mapping(lines: list[_Line], start: int, indent: int, in_item: bool = False) -> tuple[dict, int]:
    """With `in_item`, the first line is the `- key: value` item that opens the mapping,
    whose key sits at `indent`, two columns in from the dash."""
    mapping: dict[str, Any] = {}
    position = start
    count = len(lines)
    while position < count:
        line_indent, is_item, key, value, nested = lines[position]
        if in_item and position == start:
            line_indent, is_item = indent, False
        if line_indent < indent:
            break
        if line_indent > indent or is_item or key in mapping:
            raise _NotSubset
        position += 1
        if nested:
            mapping[key], position = _nested(lines, position, indent)  # type: ignore[index]
        else:
            mapping[key] = value  # type: ignore[index]
    return mapping, position


def _nested(lines: list[_Line], position: int, indent: int) -> tuple[Any, int]:
    """The value of a key written alone on its line: a nested block, or null."""
    if position >= len(lines):
        return None, position
    following_indent, is_item = lines[position][:2]
    if following_indent > indent:
        return _block(lines, position, following_indent)
    if following_indent == indent and is_item:
        return _sequence(lines, position, indent)  # YAML lets a list sit at its key's indent
    return None, position


def _sequence(lines: list[_Line], start: int, indent: int) -> tuple[list, int]:
    items: list[Any] = []
    position = start
    count = len(lines)
    while position < count:
        line_indent, is_item, key, value, _ = lines[position]
        if line_indent != indent:
            if line_indent > indent:
                raise _NotSubset
            break
        if not is_item:
            break  # a key at the list's own indent: the list under the previous key ended
        if key is not None:
            # "- key: value" opens a mapping whose other keys sit two columns further in.
            value, position = _mapping(lines, position, indent + 2, in_item=True)
            items.append(value)
        else:
            items.append(value)
            position += 1
    return items, position


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
