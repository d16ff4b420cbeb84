"""One file -> its articles and problems, the format chosen by content, never by name."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .frontmatter import parse_front_matter
from .jsonpages import parse_json
from .names import FRONT_MATTER_ONLY, SKIPPED_BY_NAME, is_leftover_name, name_kind
from .plaintext import parse_plain_text
from .reading import MAX_FILE_BYTES, NotRegular, TooLarge, decode, read_article_file
from .result import problem, skipped

if TYPE_CHECKING:
    from pathlib import Path

    from .result import ParseResult

_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*\n")
_LOOKS_LIKE_JSON_LIST = re.compile(r"\[\s*[\[{\"\]]")


# Why a file that is not an article was skipped (`ParseResult.skipped`).
NOT_ARTICLE_PROJECT_FILE = "not an article (a project file: README, LICENSE, ...)"
NOT_ARTICLE_LEFTOVER = "not an article (an editor's backup or a partial download)"
NOT_ARTICLE_NO_FRONT_MATTER = "not an article (a page, code or configuration with no front matter)"
NOT_ARTICLE_SCRIPT = "not an article (a script: it opens with a #! line)"


def parse_file(file_path: str | Path, path: str, *, max_bytes: int = MAX_FILE_BYTES) -> ParseResult:
    """Read and parse one file; `path` is the name problems and articles carry, and its
    last part says whether the file is read at all (`names.name_kind`)."""
    name = path.rpartition("/")[2]
    kind = name_kind(name)
    if kind == SKIPPED_BY_NAME:
        return skipped(NOT_ARTICLE_LEFTOVER if is_leftover_name(name) else NOT_ARTICLE_PROJECT_FILE)
    try:
        data = read_article_file(file_path, max_bytes)
    except FileNotFoundError:
        return problem(path, None, "file disappeared before it could be read")
    except IsADirectoryError:
        return problem(path, None, "is a folder, not a file")
    except NotRegular as error:
        return problem(path, None, str(error))
    except TooLarge as error:
        limit = max_bytes // (1024 * 1024)
        size = error.size / 1048576
        return problem(path, None, f"file is {size:.1f} MB, over the {limit} MB limit for an article file")
    except OSError as error:
        return problem(path, None, f"cannot read file: {error.strerror or error}")
    return parse_bytes(data, path, front_matter_only=kind == FRONT_MATTER_ONLY)


def parse_bytes(data: bytes, path: str, *, front_matter_only: bool = False) -> ParseResult:
    """Parse the bytes of one file; with `front_matter_only`, a text that does not open
    with closed front matter is skipped, not read as plain text or JSON."""
    if front_matter_only and not _opens_with_front_matter(data):
        return skipped(NOT_ARTICLE_SCRIPT if data.startswith(b"#!") else NOT_ARTICLE_NO_FRONT_MATTER)
    if not data.strip():
        return problem(path, None, "empty file")
    text = decode(data)
    if text is None:
        return problem(path, None, "binary file, not an article (it contains NUL bytes)")
    if not text.strip():  # a byte-order mark and nothing else, or UTF-16 white space
        return problem(path, None, "empty file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("#!"):
        return skipped(NOT_ARTICLE_SCRIPT)
    try:
        return _parse_text(text, path)
    except RecursionError:
        return problem(path, None, "nested too deeply to be an article")


def _parse_text(text: str, path: str) -> ParseResult:
    if _FRONT_MATTER_OPEN.match(text) or text.rstrip() == "---":
        return parse_front_matter(text, path)
    stripped = text.lstrip()
    if stripped.startswith("{") or _LOOKS_LIKE_JSON_LIST.match(stripped):
        return parse_json(text, path)
    return parse_plain_text(text, path)


def _opens_with_front_matter(data: bytes) -> bool:
    """True when the bytes open with a `---` line and a closing `---` or `...` line follows.

    Looked at on the bytes, in the first 64 KB: a page or a script that is not an
    article costs no decoding. UTF-8 with a byte-order mark counts; front matter in
    UTF-16 is left to files with an article's name."""
    head = data[:65536].removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n")
    if not _FRONT_MATTER_OPEN_BYTES.match(head):
        return False
    return _FRONT_MATTER_CLOSE_BYTES.search(head, head.index(b"\n") + 1) is not None


_FRONT_MATTER_OPEN_BYTES = re.compile(rb"---[ \t]*\n")
_FRONT_MATTER_CLOSE_BYTES = re.compile(rb"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
