"""`paths`: the file of each article, as `rg -l` lists files.

To a file or a pipe, each name is written exactly, as the bytes the file system
holds (a name that is not UTF-8 included), one per line, with `#N` after the name
for the Nth record of a multi-record file. With `null` (`-0`), each file is named
once, with no `#N`, and ended by a NUL byte instead: the form for `xargs -0`, which
survives any name, newlines in it too.

On a terminal, names are quoted as a POSIX shell reads them back, like
`ls --quoting-style=shell-escape`: a plain name stays bare, one with spaces or
shell characters goes in single quotes (`'a  b.md'`), and one with control
characters or bytes that are not UTF-8 in `$'...'` with escapes, any byte as `\\xNN`
(`$'caf\\xe9.md'`, `$'two\\nlines.md'`). Nothing a name holds can reach the screen raw.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from ..model import Article, record_number
from ..parsing import readable_name
from . import ExportOptions

ArchivePath = tuple[str, "int | None"]


def write_paths(articles: Iterable[Article], stream: TextIO, options: ExportOptions | None = None) -> int:
    """The path of each article (see the module's docstring); returns how many articles."""
    return write_path_list(((article.path, article.index) for article in articles), stream, options)


def write_path_list(
    paths: Iterable[ArchivePath], stream: TextIO, options: ExportOptions | None = None
) -> int:
    """The same for (archive path, record index) pairs, as the index lists them."""
    options = options or ExportOptions()
    names = _RealNames(options.root)
    seen: set[str] = set()
    count = 0
    for path, index in paths:
        count += 1
        if options.terminal:
            stream.write(shell_quote(names.real(path)) + _record(index) + "\n")
        elif options.null:
            if path not in seen:
                seen.add(path)
                _write_bytes(stream, names.real(path) + b"\0")
        else:
            _write_bytes(stream, names.real(path) + _record(index).encode("ascii") + b"\n")
    return count


def _record(index: int | None) -> str:
    return "" if index is None else f"#{record_number(index)}"


def _write_bytes(stream: TextIO, data: bytes) -> None:
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text-only stream (StringIO): the bytes as Python spells a file name
        stream.write(data.decode("utf-8", "surrogateescape"))
        return
    stream.flush()
    buffer.write(data)


class _RealNames:
    """An archive path -> the bytes of the file's real name.

    The index keeps each name as valid text (`files.readable_name` spells bytes
    that are not UTF-8 with escapes). A path that is not a file's own name is
    looked up among the real names of its folders, so the bytes printed are the
    file's own, whatever the spelling.
    """

    def __init__(self, root: Path | None) -> None:
        self._root = os.fsencode(root) if root is not None else None
        self._folders: dict[bytes, dict[str, bytes]] = {}

    def real(self, path: str) -> bytes:
        spelled = path.encode("utf-8", "surrogateescape")
        if self._root is None:
            return spelled
        parts = path.split("/")
        if all(readable_name(part) == part for part in parts) and os.path.lexists(
            os.path.join(self._root, spelled)
        ):
            return spelled  # the file's own name: a spelling never names another file
        real_parts: list[bytes] = []
        for part in parts:
            real_parts.append(self._lookup(os.path.join(self._root, *real_parts), part))
        return b"/".join(real_parts)

    def _lookup(self, folder: bytes, shown: str) -> bytes:
        if folder not in self._folders:
            try:
                entries = os.listdir(folder)
            except OSError:
                entries = []
            spellings: dict[str, bytes] = {}
            for entry in entries:
                spellings.setdefault(readable_name(os.fsdecode(entry)), entry)
            self._folders[folder] = spellings
        return self._folders[folder].get(shown) or shown.encode("utf-8", "surrogateescape")


# --- quoting for a terminal -----------------------------------------------------------

_BARE = re.compile(r"[A-Za-z0-9%+,./:@_-]+")
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x1b": "\\e",
            "\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}  # fmt: skip


def shell_quote(name: bytes) -> str:
    """`name` as a POSIX shell (bash, zsh, ksh) reads it back, and safe to show."""
    text = name.decode("utf-8", "surrogateescape")
    if _BARE.fullmatch(text):
        return text
    if all(_shows_as_is(character) for character in text):
        return "'" + text.replace("'", "'\\''") + "'"
    return "$'" + "".join(_escaped(character) for character in text) + "'"


def _shows_as_is(character: str) -> bool:
    if character.isascii():
        return character.isprintable()
    return character.isprintable() and unicodedata.category(character) not in ("Cf", "Co", "Cs", "Cn")


def _escaped(character: str) -> str:
    if character in _ESCAPES:
        return _ESCAPES[character]
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    if _shows_as_is(character):
        return character
    # As UTF-8 bytes, not `\\uXXXX`: bash reads that back only in a UTF-8 locale.
    return "".join(f"\\x{byte:02x}" for byte in character.encode("utf-8", "surrogatepass"))
