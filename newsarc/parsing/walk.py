"""Finding the article files of an archive folder."""

from __future__ import annotations

import errno
import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import TYPE_CHECKING

from ..model import Problem
from .names import (
    IGNORED_SUFFIXES,
    LEFTOVER_SUFFIXES,
    NOT_ARTICLE_STEMS,
    NOT_ARTICLE_SUFFIXES,
    SKIPPED_FOLDERS,
    is_walked_name,
    readable_name,
)
from .statpool import FIELDS, stat_names

if TYPE_CHECKING:
    from array import array

# stat errors that mean there is no file to read (vanished, a dangling link, a link loop).
_GONE = frozenset({errno.ENOENT, errno.ELOOP, errno.ENOTDIR})

FileStat = tuple[int, int, int, int]
"""(size, mtime_ns, inode, ctime_ns): what a full refresh compares. The change time
is in it because `touch -r` can set a modification time back, and nothing can set
the change time back; the inode, because `sed -i` and editors replace the file."""

_Folder = tuple[str, str, bool]
"""(path to open, its relative path with a trailing `/`, whether a name on the way was respelled)."""


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """A file to parse. It keeps the root it is under, not its whole path: a cold build
    holds one for every file of the archive, and at 1,000,000 files the joined paths
    and the instances' dicts were about 175 MB of the build's memory."""

    path: str  # relative to the archive root, with forward slashes
    root: str  # a plain string: Path objects cost more than the stat on a 100,000-file walk
    size: int
    mtime_ns: int
    inode: int = 0
    ctime_ns: int = 0
    real_path: str | None = None  # where to open a file whose name was respelled in `path`

    @property
    def file_path(self) -> str:
        return self.real_path or os.path.join(self.root, self.path)

    @property
    def stat(self) -> FileStat:
        return (self.size, self.mtime_ns, self.inode, self.ctime_ns)


def walk_archive(root: str | Path, problems: list[Problem] | None = None) -> list[ArticleFile]:
    """Every article file below `root`, sorted by path (see `scan_archive`)."""
    real_paths: dict[str, str] = {}
    found = scan_archive(root, problems, real_paths=real_paths)
    folder = os.fspath(root)
    return [ArticleFile(path, folder, *stat, real_paths.get(path)) for path, stat in sorted(found.items())]


Listing = tuple[int, int, int, int, int, list[str], list[str], dict[str, str]]
"""What `scan_archive` remembers of one folder's names: (device, inode, mtime_ns,
ctime_ns, when it was listed, the names the walk reports (`is_walked_name`), the other names
that may be folders (folders and links), {name: readable name} where they differ)."""

# Bump when `name_kind` or `_listing` change what they keep: remembered listings
# made under other rules are then ignored (see `classification_key`).
CLASSIFICATION_VERSION = 2

# A folder's listing is trusted again only when its last change came this long before
# it was listed: a name added in the same clock tick as the listing cannot hide.
LISTING_MARGIN_NS = 2_000_000_000


def classification_key() -> str:
    """What remembered listings depend on: they are valid only under the same key."""
    return repr((CLASSIFICATION_VERSION, sorted(NOT_ARTICLE_SUFFIXES), sorted(NOT_ARTICLE_STEMS),
                 sorted(IGNORED_SUFFIXES), sorted(LEFTOVER_SUFFIXES), sorted(SKIPPED_FOLDERS)))


def scan_archive(
    root: str | Path,
    problems: list[Problem] | None = None,
    *,
    folder_mtimes: dict[str, int] | None = None,
    real_paths: dict[str, str] | None = None,
    listings: dict[str, Listing] | None = None,
    known_listings: Mapping[str, Listing] | None = None,
    walked: StatWalk | None = None,
) -> dict[str, FileStat]:
    """Relative path -> FileStat of every file below `root` the walk reports (`name_kind`:
    articles, and text files the index counts as skipped). Hidden and VCS folders are
    skipped. Folder links are followed once each, so a link loop ends; a folder, or a
    file, that cannot be looked at is reported in `problems` under its path (`.` for the
    root) and skipped: a caller keeps what it knew of the files there rather than take
    them for removed. `folder_mtimes` receives each folder's modification time.

    Relative paths are always valid text, one per file (see `readable_name`), and
    `real_paths`, when given, receives the real path of each file whose name was
    respelled, under that key, for opening it.

    `listings` receives each folder's `Listing` (if it can be trusted later). Given the
    last walk's as `known_listings`, a folder whose inode and times are as they were, and
    were well before it was listed, is not listed nor its names classified again: adding,
    removing or renaming a name sets its folder's change time, which nothing sets back.
    Every file is still stat'ed, so in-place edits are seen. `walked`, a `stat_walk`
    made just before, is read instead of walking again.
    """
    found: dict[str, FileStat] = {}
    for step in (walked or stat_walk(root, known_listings)).steps:
        if isinstance(step, UnreadFolder):
            if problems is not None:
                problems.append(step.problem)
            if folder_mtimes is not None and step.mtime_ns is not None:
                folder_mtimes[step.prefix] = step.mtime_ns
            continue
        prefix = step.place[1]
        if folder_mtimes is not None:
            folder_mtimes[prefix] = step.info.st_mtime_ns
        if listings is not None and step.trusted:
            listings[prefix] = step.listing  # one listed too soon after a change could never be trusted
        _read_folder(step, found, problems, real_paths)
    return found


@dataclass
class FolderStats:
    """One folder of a walk: where it is, its own stat, its names, and the `FIELDS`
    integers of each name's stat (`statpool`), for the names of `listing[5]` then `listing[6]`."""

    place: _Folder
    info: os.stat_result
    listing: Listing
    stats: array[int]

    @property
    def trusted(self) -> bool:
        """Whether the listing may stand for the folder later: its last change came well before it."""
        return self.listing[3] < self.listing[4] - LISTING_MARGIN_NS


@dataclass
class UnreadFolder:
    """A folder of a walk that could not be opened or listed: its problem, and its
    modification time when it opened."""

    prefix: str
    problem: Problem
    mtime_ns: int | None


@dataclass
class StatWalk:
    """Every folder below a root, in the order a walk reads them, with the problems of
    the folders that could not be read in their places."""

    steps: list[FolderStats | UnreadFolder] = field(default_factory=list)

    def fingerprint(self) -> bytes | None:
        """16 bytes that are equal for two walks only when no folder and no file the walk
        looks at changed (names, types, sizes, times, inodes); None when this walk cannot
        vouch for that (a folder it could not read, a file it could not stat, a listing
        made too soon after a change). A refresh that finds the last fingerprint again
        has nothing to compare file by file."""
        digest = hashlib.blake2b(classification_key().encode(), digest_size=16)
        for step in self.steps:
            if isinstance(step, UnreadFolder) or not step.trusted:
                return None
            errors = step.stats[FIELDS - 1 :: FIELDS]
            if errors.count(0) != len(errors) and any(error not in _GONE for error in errors if error):
                return None
            info = step.info
            digest.update(f"{step.place[1]}\0{info.st_dev} {info.st_ino} {info.st_mtime_ns} "
                          f"{info.st_ctime_ns} {len(errors)}\0".encode("utf-8", "surrogatepass"))
            digest.update(step.stats)
        return digest.digest()


def stat_walk(root: str | Path, known_listings: Mapping[str, Listing] | None = None) -> StatWalk:
    """Every folder below `root` with the stat of each name it holds (see `scan_archive`)."""
    walked = StatWalk()
    seen_folders: set[tuple[int, int]] = set()
    pending: list[_Folder] = [(os.fspath(root), "", False)]
    while pending:
        place = pending.pop()
        try:
            # Names are stat'ed relative to an open folder: the kernel then skips
            # resolving the whole path for each of 100,000 files (about 20% faster).
            descriptor = os.open(place[0], os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as error:
            walked.steps.append(UnreadFolder(place[1], _cannot_read(place[1], error), None))
            continue
        info = None
        try:
            info = os.fstat(descriptor)
            if (info.st_dev, info.st_ino) in seen_folders:
                continue
            seen_folders.add((info.st_dev, info.st_ino))
            listing = _listing(descriptor, info, (known_listings or {}).get(place[1]))
            stats = stat_names(descriptor, listing[5] + listing[6])
        except OSError as error:
            # A folder that opens but cannot be listed still has a time for `--fresh dirs`.
            walked.steps.append(UnreadFolder(place[1], _cannot_read(place[1], error),
                                             None if info is None else info.st_mtime_ns))
            continue
        finally:
            os.close(descriptor)
        step = FolderStats(place, info, listing, stats)
        walked.steps.append(step)
        # Folders are visited in name order, so when a link and its target reach the
        # same files, the same path (and so the same article id) wins every time.
        pending.extend(sorted(_subfolders(step), key=lambda folder: folder[1], reverse=True))
    return walked


def _listing(descriptor: int, info: os.stat_result, known: Listing | None) -> Listing:
    """The names of the open folder `descriptor`: `known` when it still holds, else listed."""
    if (known is not None and known[:4] == (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
            and info.st_ctime_ns < known[4] - LISTING_MARGIN_NS):
        return known
    listed_at = time.time_ns()
    articles, others, spellings = [], [], {}
    with os.scandir(descriptor) as entries:
        for entry in entries:
            name = entry.name
            if name[0] == ".":  # hidden files and folders, .git among them
                continue
            if is_walked_name(name):  # an article's name, or a text file's counted as skipped
                articles.append(name)
            elif entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                others.append(name)  # a folder, a link (to a folder, perhaps), or something odd
            else:
                continue  # a regular file by a name that is no article's: it can only be replaced
            shown = readable_name(name)
            if shown != name:
                spellings[name] = shown
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns, listed_at, articles, others,
            spellings)


def _subfolders(step: FolderStats) -> list[_Folder]:
    """The folders among the names of `step` (articles' names included: `2021` is one)."""
    folder, prefix, respelled = step.place
    spellings = step.listing[7]
    stats = step.stats
    subfolders = []
    for position, mode in enumerate(stats[::FIELDS]):
        if S_ISDIR(mode) and not stats[position * FIELDS + FIELDS - 1]:
            name = (step.listing[5][position] if position < len(step.listing[5])
                    else step.listing[6][position - len(step.listing[5])])
            if name in SKIPPED_FOLDERS:
                continue
            shown = spellings.get(name, name)
            subfolders.append((os.path.join(folder, name), f"{prefix}{shown}/", respelled or shown != name))
    return subfolders


def _read_folder(step: FolderStats, found: dict[str, FileStat], problems: list[Problem] | None,
                 real_paths: dict[str, str] | None) -> None:
    """Put the article files of `step` in `found`."""
    folder, prefix, respelled = step.place
    articles, spellings, stats = step.listing[5], step.listing[7], step.stats
    columns = (stats[offset::FIELDS] for offset in range(FIELDS))  # the articles' stats, then the others'
    for name, mode, size, mtime_ns, inode, ctime_ns, error in zip(articles, *columns, strict=False):
        if error:
            # Vanished, a dangling link or a link loop: nothing to read. Anything
            # else (EACCES, EIO) hides a file that may well still be there.
            if error not in _GONE and problems is not None:
                failure = OSError(error, os.strerror(error))
                problems.append(_cannot_read(prefix + spellings.get(name, name), failure, "file"))
            continue
        if S_ISREG(mode):
            shown = spellings.get(name, name) if spellings else name
            found[prefix + shown] = (size, mtime_ns, inode, ctime_ns)
            if real_paths is not None and (respelled or shown != name):
                real_paths[prefix + shown] = os.path.join(folder, name)


def _cannot_read(prefix: str, error: OSError, what: str = "folder") -> Problem:
    where = prefix.rstrip("/") or "."
    return Problem(where, None, f"cannot read {what}: {error.strerror or error}")
