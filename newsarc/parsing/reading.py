"""A file's bytes, read without blocking, and their text (encodings, byte-order marks)."""

from __future__ import annotations

import errno
import os
import stat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Larger files are reported, not read: real article files are under 100 KB."""


class NotRegular(OSError):
    """What was opened is a pipe, socket or device, not a file."""


class TooLarge(OSError):
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
            raise NotRegular("not a regular file (a pipe, socket or device), not read")
        if info.st_size > max_bytes:
            raise TooLarge(info.st_size)
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
            raise TooLarge(max_bytes + 1 - remaining)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


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
