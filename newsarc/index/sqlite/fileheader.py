"""What the bytes of a database file say, read without SQLite: whether it is an SQLite
database at all, and whether newsarc wrote it (its application_id, in the file or in
the WAL beside it), so a file too damaged to open is still known to be newsarc's.
"""

from __future__ import annotations

import os
from stat import S_ISREG
from typing import TYPE_CHECKING

from ...errors import StoreError
from .. import NotAnIndexError

if TYPE_CHECKING:
    from pathlib import Path

# PRAGMA application_id of a newsarc index ("NARC"): with the meta table, the proof
# that newsarc wrote a file, without which it never replaces or removes one.
APPLICATION_ID = 0x4E415243

SQLITE_HEADER = b"SQLite format 3\x00"


def header_is_ours(database: Path) -> bool:
    """True when the file's SQLite header carries newsarc's application_id, or when
    its first transaction, still in the WAL beside it, gave it that id.

    Read from the bytes, so it answers for a database too damaged to open.
    """
    try:
        with open(database, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    if header and not header.startswith(SQLITE_HEADER):
        return False
    if header and int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return True
    return (not header or int.from_bytes(header[68:72], "big") == 0) and _wal_is_ours(database)


def _is_ours(page: bytes) -> bool:
    return page.startswith(SQLITE_HEADER) and int.from_bytes(page[68:72], "big") == APPLICATION_ID


def _wal_is_ours(database: Path, frames: int = 256) -> bool:
    """True when one of the first `frames` frames of the WAL is a page 1 with newsarc's id."""
    try:
        with open(f"{database}-wal", "rb") as handle:
            wal_header = handle.read(32)
            if len(wal_header) < 32:
                return False
            page_size = int.from_bytes(wal_header[8:12], "big")
            for _ in range(frames):
                frame_header = handle.read(24)
                page = handle.read(page_size)
                if len(page) < 100:
                    return False
                if int.from_bytes(frame_header[:4], "big") == 1:
                    return _is_ours(page)
    except OSError:
        return False
    return False


def check_index_path(database: Path) -> None:
    """StoreError when `database` names something newsarc must neither open nor replace:
    a device (`--index /dev/full`), a pipe or a folder. NotAnIndexError for a file with
    bytes that are not an SQLite database at all (`--index notes.txt`)."""
    try:
        info = os.stat(database)
    except FileNotFoundError:
        return
    except OSError as error:
        raise StoreError(f"cannot use the index {database}: {error.strerror}",
                         hint="pass --index PATH") from None
    if not S_ISREG(info.st_mode):
        raise StoreError(f"the index {database} is not a regular file", hint="pass --index with a file path")
    if info.st_size:
        try:
            with open(database, "rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as error:
            raise StoreError(f"cannot use the index {database}: {error.strerror}") from None
        if header != SQLITE_HEADER:
            raise NotAnIndexError(database)
