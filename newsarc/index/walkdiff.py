"""What one walk of the archive changed against the files an index holds: the files to
parse, the paths gone, and the digest that says nothing changed. Shared by the backends,
so both read a walk alike; no SQL here."""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from ..parsing import ArticleFile, FileStat

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from ..results import RefreshReport

# Files encoded at a time by `walk_digest`.
_DIGEST_SLICE = 4096


def walk_digest(current: Mapping[str, FileStat], folders: Mapping[str, int],
                unreadable: list[list[str]]) -> bytes:
    """A 16-byte digest of one walk: equal digests mean no file or folder changed.

    Only the digest is stored: reading back the walk itself (11 MB for 100,000 files)
    cost more than comparing it. The files are encoded a slice at a time: the whole walk
    at once (with a copy of it to encode) was about 150 MB at 1,000,000 files, held beside
    everything a cold build keeps.
    """
    digest = hashlib.blake2b(digest_size=16)
    files = iter(current.items())
    # Version 0: later versions mark an object seen twice (by its reference count) or
    # interned, so equal walks could encode differently. Each slice is a list and the
    # rest a tuple, each encoding its own length, so the pieces read back one way only.
    while piece := list(islice(files, _DIGEST_SLICE)):
        digest.update(marshal.dumps(piece, 0))
    digest.update(marshal.dumps((len(current), dict(folders), unreadable), 0))
    return digest.digest()


def under(paths: Iterable[str], folders_or_files: list[str]) -> set[str]:
    """The `paths` that are one of `folders_or_files` or inside one (`.` is the root)."""
    if "." in folders_or_files:
        return set(paths)
    prefixes = tuple(f"{name}/" for name in folders_or_files)
    return {path for path in paths if path in folders_or_files or path.startswith(prefixes)}


@dataclass
class WalkDiff:
    to_parse: list[ArticleFile]  # new or changed files
    removed: list[str]  # paths the index holds that are gone
    known: dict[str, tuple[int, ...]]  # the index's files: path -> stat


def diff_walk(root: str | os.PathLike[str], current: Mapping[str, FileStat], real_paths: Mapping[str, str],
              known: dict[str, tuple[int, ...]], unreadable: list[list[str]],
              report: RefreshReport) -> WalkDiff:
    """The walk `current` against the index's `known` files, counted into `report`."""
    folder = os.fspath(root)
    to_parse = [
        ArticleFile(path, folder, *stat, real_paths.get(path))
        for path, stat in current.items()
        if known.get(path) != stat
    ]
    # What an unreadable folder or file hides is not known to be gone: it stays as it
    # was indexed, and the folder or file is a problem of its own.
    hidden = under(known.keys() - current.keys(), [path for path, _ in unreadable])
    removed = [path for path in known if path not in current and path not in hidden]
    report.added = sum(1 for article_file in to_parse if article_file.path not in known)
    report.changed = len(to_parse) - report.added
    report.removed = len(removed)
    report.unchanged = len(current) - len(to_parse) + len(hidden)
    return WalkDiff(to_parse, removed, known)
