"""Bytes of a file -> articles and problems.

The format is chosen by content, never by file name: YAML front matter between
`---` lines (with or without a body after it), JSON (a page with a `value` or
`news` list, one article object or a list of them), JSON Lines, and plain text
whose first line is the title. Nothing here raises because of a bad file: every
failure becomes a `Problem` naming the file and, where known, the line.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParseError
from ..model import Article, Problem
from ..records import MAX_DEPTH, SCHEMA, article_from_record
from .yamlnesting import deepest_nesting
from .walk import (
    NOT_ARTICLE_STEMS,
    NOT_ARTICLE_SUFFIXES,
    SKIPPED_FOLDERS,
    ArticleFile,
    FileStat,
    is_article_name,
    readable_name,
    real_name,
    scan_archive,
    walk_archive,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Larger files are reported, not read: real article files are under 100 KB."""

_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*\n")
_FRONT_MATTER_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_LOOKS_LIKE_JSON_LIST = re.compile(r"\[\s*[\[{\"\]]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# `\uD800`-style escapes: JSON (and PyYAML without libyaml) turn an unpaired one into a
# lone surrogate, which no UTF-8 output (the index included) can hold.
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")
# How far into a plain-text body a line repeating the title is taken as a headline
# printed twice (the seeds repeat it under the lede) rather than as content.
_REPEATED_TITLE_PARAGRAPHS = 3


@dataclass
class ParseResult:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def article_id(path: str, index: int | None = None) -> str:
    """A short id that stays the same each time the archive is read.

    The Nth record of a file is keyed with a NUL, which no file name holds: with `#`,
    a file named `p.json#1` had the id of the second record of `p.json`.
    """
    key = path if index is None else f"{path}\0{index}"
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def parse_file(file_path: str | Path, path: str, *, max_bytes: int = MAX_FILE_BYTES) -> ParseResult:
    """Read and parse one file; `path` is the name problems and articles carry."""
    try:
        data = read_article_file(file_path, max_bytes)
    except FileNotFoundError:
        return _problem(path, None, "file disappeared before it could be read")
    except IsADirectoryError:
        return _problem(path, None, "is a folder, not a file")
    except _NotRegular as error:
        return _problem(path, None, str(error))
    except _TooLarge as error:
        limit = max_bytes // (1024 * 1024)
        size = error.size / 1048576
        return _problem(path, None, f"file is {size:.1f} MB, over the {limit} MB limit for an article file")
    except OSError as error:
        return _problem(path, None, f"cannot read file: {error.strerror or error}")
    return parse_bytes(data, path)


class _NotRegular(OSError):
    pass


class _TooLarge(OSError):
    def __init__(self, size: int) -> None:
        super().__init__(f"file is {size} bytes")
        self.size = size


_OPEN_FLAGS = os.O_RDONLY
for _flag in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC"):
    _OPEN_FLAGS |= getattr(os, _flag, 0)


def read_article_file(file_path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; OSError otherwise.

    The walk saw a regular file, but it may since have been swapped for a named pipe
    or a link to a device: opening without blocking and looking at what was opened
    means neither can hang the read. A file of size 0 is not read at all: files
    that claim it while holding data are kernel files (`/proc/kmsg`), whose reads
    block or consume. Reads stop at the limit, however much a file grows meanwhile.
    """
    descriptor = os.open(file_path, _OPEN_FLAGS)
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular("not a regular file (a pipe, socket or device), not read")
        if info.st_size > max_bytes:
            raise _TooLarge(info.st_size)
        if info.st_size == 0:
            return b""
        chunks = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining <= 0:
            raise _TooLarge(max_bytes + 1 - remaining)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def parse_bytes(data: bytes, path: str) -> ParseResult:
    """Parse the bytes of one file."""
    if not data.strip():
        return _problem(path, None, "empty file")
    text = decode(data)
    if text is None:
        return _problem(path, None, "binary file, not an article (it contains NUL bytes)")
    if not text.strip():  # a byte-order mark and nothing else, or UTF-16 white space
        return _problem(path, None, "empty file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        return _parse_text(text, path)
    except RecursionError:
        return _problem(path, None, "nested too deeply to be an article")


def decode(data: bytes) -> str | None:
    """The text of a file: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252/Latin-1.

    Returns None for binary data.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace").lstrip("\ufeff")
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # the few bytes cp1252 leaves undefined
        return data.decode("latin-1")


def _parse_text(text: str, path: str) -> ParseResult:
    if _FRONT_MATTER_OPEN.match(text) or text.rstrip() == "---":
        return _parse_front_matter(text, path)
    stripped = text.lstrip()
    if stripped.startswith("{") or _LOOKS_LIKE_JSON_LIST.match(stripped):
        return _parse_json(text, path)
    return _parse_plain_text(text, path)


# --- front matter -----------------------------------------------------------------------


def _parse_front_matter(text: str, path: str) -> ParseResult:
    start = text.find("\n") + 1 if "\n" in text else len(text)
    closing = _FRONT_MATTER_CLOSE.search(text, start)
    if closing is None:
        return _problem(path, 1, "front matter opened with '---' is never closed by a '---' line")
    front_matter = text[start : closing.start()]
    body = text[closing.end() :].strip("\n")
    try:
        record = load_yaml(front_matter, first_line=2)
    except ParseError as error:
        return _problem(path, error.line, error.message)
    if record is None:
        return _problem(path, 1, "front matter is empty")
    try:
        article = article_from_record(record, body=body)
    except ParseError as error:
        # An error about no key in particular (the front matter is a list) is about line 2.
        line = _key_line(front_matter, error.hint, offset=1) if error.hint else 2
        return _problem(path, line, error.message)
    return _one(article, path)


def load_yaml(text: str, *, first_line: int = 1) -> Any:
    """Load YAML with a safe loader (libyaml's when present); ParseError on any failure.

    Safe loaders refuse tags such as `!!python/object`; aliases are refused too,
    because no article uses them and nested ones can expand without bound.
    Line numbers in errors count from `first_line`, the line `text` starts on.
    """
    import yaml  # imported here: a warm query that parses nothing never pays for it

    from .yamlsubset import load_subset

    try:
        value = load_subset(text)  # the plain files aggregators write, read several times faster
    except Exception:  # noqa: BLE001 - a bug in the fast reader must not cost the article: PyYAML reads it
        value = None
    if value is not None:
        return value
    shift = first_line - 1
    loader = _article_loader()
    _check_nesting(text, shift)
    try:
        value = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.reader.ReaderError as error:  # a control character: say on which line
        # libyaml reports the offset in bytes of the UTF-8 text, the pure-Python reader in characters.
        in_bytes = issubclass(loader, getattr(yaml, "CParser", ()))
        line = _line_of_offset(text, error.position, in_bytes=in_bytes) + shift
        raise ParseError(f"invalid YAML: character #x{error.character:04x}: {error.reason}", line=line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + shift if mark is not None else None
        reason = _one_line(error.problem or error.context or "not valid YAML")
        if "nesting depth" in reason:  # libyaml's own limit, for shapes the scan above does not see
            raise ParseError("nested too deeply to be an article", line=line) from None
        context = error.context_mark
        if error.problem and error.context and context and mark and context.line != mark.line:
            if "block" not in error.context:  # "while scanning a quoted scalar": where it began
                reason += f" ({_one_line(error.context)} started on line {context.line + 1 + shift})"
        raise ParseError(f"invalid YAML: {reason}", line=line) from None
    except yaml.YAMLError as error:
        raise ParseError(f"invalid YAML: {_one_line(str(error))}") from None
    except (ValueError, KeyError, TypeError, OverflowError) as error:  # e.g. `!!int abc`
        raise ParseError(f"invalid YAML value: {_one_line(str(error))}") from None
    if "*" in text and _has_shared_nodes(value):
        line = next((n for n, row in enumerate(text.split("\n"), first_line) if "*" in row), None)
        raise ParseError("YAML aliases (*name) are not allowed in an article", line=line)
    if _SURROGATE_ESCAPE.search(text):  # libyaml refuses these escapes, the pure-Python reader does not
        value = _without_lone_surrogates(value)
    return value


@functools.lru_cache(maxsize=None)
def _article_loader() -> type:
    """A safe loader (libyaml's when present) fitted to article records.

    Timestamps stay the text they were written as: the record's date keys are read
    by `parse_datetime` (so an impossible date is reported against its key, with its
    line), and a date under an unknown key is kept verbatim. Tags whose values JSON
    cannot hold (`!!binary`, `!!set`, `!!omap`, `!!pairs`) and tags plain YAML does
    not define (`!!python/...`, `!local`) are refused, naming the tag and its line.
    """
    import yaml

    from .yamlsubset import MAX_INTEGER_LENGTH

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def refuse(loader: Any, node: Any) -> Any:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {tag} is not allowed in an article", node.start_mark
        )

    def integer(loader: Any, node: Any) -> Any:
        # 0x/0o/0b and 1:2:3 forms have no length limit in PyYAML, but Python refuses to write
        # an integer of more than 4300 digits as text, which every output of newsarc does.
        if len(node.value) > MAX_INTEGER_LENGTH:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number written with {len(node.value)} characters is too long for an article",
                node.start_mark,
            )
        return loader.construct_yaml_int(node)

    loader = type("ArticleLoader", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", loader.construct_scalar)
    loader.add_constructor("tag:yaml.org,2002:int", integer)
    for name in ("binary", "set", "omap", "pairs"):
        loader.add_constructor(f"tag:yaml.org,2002:{name}", refuse)
    loader.add_constructor(None, refuse)  # any other tag, `!!python/object/apply:...` included
    return loader


def _check_nesting(text: str, shift: int) -> None:
    """ParseError, before any YAML library builds anything, for collections nested deeper
    than a record may be (MAX_DEPTH), reported as `article_from_record` reports it.

    Measured by `yamlnesting` rather than by the loader, so the message is the same with
    every libyaml version (libyaml overflows the stack at about 20,000 levels, and since
    PyYAML 6.0.4 refuses 1,000 with words of its own). Each level needs one of `[{-?:`, so
    a text with few of them is not scanned.
    """
    if sum(map(text.count, "[{-?:")) <= MAX_DEPTH:
        return
    found = deepest_nesting(text, MAX_DEPTH + 1)  # the root mapping is one level more than a record counts
    if found is None:
        return
    if found.key is None:
        raise ParseError("nested too deeply to be an article", line=found.line + shift)
    raise ParseError(f"'{found.key}' is nested more than {MAX_DEPTH} levels deep", line=found.line + shift)


def _line_of_offset(text: str, offset: int, *, in_bytes: bool) -> int:
    if in_bytes:
        return text.encode("utf-8")[:offset].count(b"\n") + 1
    return text.count("\n", 0, offset) + 1


def _without_lone_surrogates(value: Any) -> Any:
    """`value` with every unpaired surrogate in its text (keys too) replaced by U+FFFD.

    A pair the pure-Python YAML reader leaves as two code points is joined. Containers
    are changed in place, without recursing (any depth is safe).
    """
    if isinstance(value, str):
        return _valid_text(value)
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for position, item in enumerate(node):
                if isinstance(item, str):
                    node[position] = _valid_text(item)
                elif isinstance(item, (list, dict)):
                    stack.append(item)
        elif isinstance(node, dict):
            items = list(node.items())
            node.clear()
            for key, item in items:
                if isinstance(item, str):
                    item = _valid_text(item)
                elif isinstance(item, (list, dict)):
                    stack.append(item)
                node[_valid_text(key) if isinstance(key, str) else key] = item
    return value


def _valid_text(text: str) -> str:
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _has_shared_nodes(value: Any) -> bool:
    """True when one list or mapping appears twice, which only an alias can do."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            if id(node) in seen:
                return True
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return False


def _key_line(front_matter: str, key: str | None, *, offset: int) -> int | None:
    if not key:
        return None
    match = re.search(rf"^{re.escape(key)}[ \t]*:", front_matter, re.MULTILINE)
    if match is None:
        return None
    return front_matter.count("\n", 0, match.start()) + 1 + offset


# --- JSON -------------------------------------------------------------------------------


def _parse_json(text: str, path: str) -> ParseResult:
    try:
        document = load_json(text)
    except json.JSONDecodeError as error:
        if _looks_like_json_lines(text, error):
            return _parse_json_lines(text, path)
        return _problem(path, error.lineno, f"invalid JSON: {error.msg} (column {error.colno})")
    except ValueError as error:
        return _problem(path, None, json_error_message(error))
    if isinstance(document, dict):
        # newsarc's own record is one article, even when it keeps a `value` or `news` list.
        if document.get("schema") != SCHEMA:
            for key in ("value", "news"):
                if isinstance(document.get(key), list):
                    return _parse_records(document[key], path)
        return _parse_records([document], path, single=True)
    if isinstance(document, list):
        return _parse_records(document, path)
    return _problem(path, 1, "JSON holds no article object")


def load_json(text: str) -> Any:
    """`json.loads` for article files: lone surrogates (`"\\ud800"`) become U+FFFD, since no
    output can hold them. Raises ValueError (JSONDecodeError for bad syntax, a bare
    ValueError for an integer of more than 4300 digits); `json_error_message` words either."""
    value = json.loads(text)
    return _without_lone_surrogates(value) if _SURROGATE_ESCAPE.search(text) else value


def json_error_message(error: ValueError) -> str:
    """The problem message for an error of `load_json`."""
    if isinstance(error, json.JSONDecodeError):
        return f"invalid JSON: {error.msg} (column {error.colno})"
    if "digits" in str(error):  # Python's limit on converting long integers
        limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
        return f"invalid JSON: a number has more than {limit} digits"
    return f"invalid JSON: {_one_line(str(error))}"


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
            where = "" if single else f"record {index + 1}: "
            result.problems.append(Problem(path, None, where + error.message))
            continue
        result.articles.append(_placed(article, path, None if single else index))
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
            result.articles.append(_placed(article, path, index))
        index += 1
    return result


# --- plain text -------------------------------------------------------------------------


def _parse_plain_text(text: str, path: str) -> ParseResult:
    """First non-empty line is the title; the rest is the body, its first paragraph the excerpt."""
    lines = text.strip("\n").split("\n")
    title = lines[0].strip()
    paragraphs = [part for part in _PARAGRAPH_BREAK.split("\n".join(lines[1:])) if part.strip()]
    kept = [
        paragraph
        for position, paragraph in enumerate(paragraphs)
        if not (position < _REPEATED_TITLE_PARAGRAPHS and paragraph.strip() == title)
    ]
    body = "\n\n".join(paragraph.strip("\n") for paragraph in kept)
    excerpt = " ".join(kept[0].split()) if kept else ""
    try:
        article = article_from_record({"title": title, "excerpt": excerpt}, body=body)
    except ParseError as error:
        return _problem(path, 1, error.message)
    return _one(article, path)


# --- helpers ----------------------------------------------------------------------------


def _placed(article: Article, path: str, index: int | None) -> Article:
    article.path = path
    article.index = index
    article.id = article_id(path, index)
    return article


def _one(article: Article, path: str) -> ParseResult:
    return ParseResult(articles=[_placed(article, path, None)])


def _problem(path: str, line: int | None, message: str) -> ParseResult:
    return ParseResult(problems=[Problem(path, line, message)])


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
