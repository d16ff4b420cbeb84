"""Finding the article files of an archive folder."""

from __future__ import annotations

import errno
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISREG

from ..model import Problem

# Images, media, archives and binaries, by ending (lower case): never read, never counted.
IGNORED_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".ico", ".svg", ".tif", ".tiff", ".avif", ".heic",
    ".mp3", ".mp4", ".m4a", ".mov", ".avi", ".mkv", ".webm", ".wav", ".ogg", ".flac", ".pdf", ".doc", ".docx",
    ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar",
    ".tar", ".exe", ".dll", ".so", ".dylib", ".o", ".a", ".class", ".jar", ".pyc", ".pyo", ".whl", ".db",
    ".sqlite", ".sqlite3", ".db-wal", ".db-shm", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".swp",
})
# Text files whose name says they are not articles (pages, code, configuration): read
# only to see whether they open with `---` front matter (newsletters saved as `.html`
# do), and otherwise counted as skipped.
NOT_ARTICLE_SUFFIXES = frozenset({
    ".css", ".js", ".map", ".py", ".sh", ".toml", ".ini", ".cfg", ".yml", ".yaml", ".html", ".htm",
    ".xml", ".lock",
})
# Leftovers of editors and downloads: never read (they copy an article, or half of one),
# only counted as skipped.
LEFTOVER_SUFFIXES = frozenset({".tmp", ".bak", ".part"})
# Project files found beside articles in published archives (README, LICENSE, ...):
# never read, only counted as skipped.
NOT_ARTICLE_STEMS = frozenset({
    "readme", "license", "licence", "contributing", "code_of_conduct", "changelog", "security", "authors",
    "notice",
})
ARTICLE, FRONT_MATTER_ONLY, SKIPPED_BY_NAME = "article", "front matter only", "skipped by name"
# stat errors that mean there is no file to read (vanished, a dangling link, a link loop).
_GONE = frozenset({errno.ENOENT, errno.ELOOP, errno.ENOTDIR})
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "CVS", "_darcs"})


FileStat = tuple[int, int, int, int]
"""(size, mtime_ns, inode, ctime_ns): what a full refresh compares. The change time
is in it because `touch -r` can set a modification time back, and nothing can set
the change time back; the inode, because `sed -i` and editors replace the file."""

_Folder = tuple[str, str, bool]
"""(path to open, its relative path with a trailing `/`, whether a name on the way was respelled)."""


@dataclass(frozen=True)
class ArticleFile:
    path: str  # relative to the archive root, with forward slashes
    file_path: str  # a plain string: Path objects cost more than the stat on a 100,000-file walk
    size: int
    mtime_ns: int
    inode: int = 0
    ctime_ns: int = 0

    @property
    def stat(self) -> FileStat:
        return (self.size, self.mtime_ns, self.inode, self.ctime_ns)


def name_kind(name: str) -> str | None:
    """How a file name is read: ARTICLE (parsed by content), FRONT_MATTER_ONLY (read
    only when it opens with front matter), SKIPPED_BY_NAME (not read, but counted), or
    None (hidden or not text: not even walked). Decided by the name alone, so that a
    file the index already knows unchanged is never opened again."""
    if name.startswith("."):
        return None
    stem, dot, suffix = name.lower().rpartition(".")
    ending = "." + suffix if dot else ""
    if ending in IGNORED_SUFFIXES:
        return None
    if ending in LEFTOVER_SUFFIXES or name[-1] == "~" or (stem if dot else suffix) in NOT_ARTICLE_STEMS:
        return SKIPPED_BY_NAME
    return FRONT_MATTER_ONLY if ending in NOT_ARTICLE_SUFFIXES else ARTICLE


def is_leftover_name(name: str) -> bool:
    """An editor's backup (`story.md~`, `.bak`) or a partial download (`.part`, `.tmp`)."""
    return name.endswith("~") or "." + name.lower().rpartition(".")[2] in LEFTOVER_SUFFIXES


def is_article_name(name: str) -> bool:
    """True for a name read as an article whatever it holds (`story.md`, `page.json`)."""
    return name_kind(name) == ARTICLE


def is_walked_name(name: str) -> bool:
    """True for a name the walk reports: an article's, or a text file's to count as skipped."""
    return name_kind(name) is not None


def walk_archive(root: str | Path, problems: list[Problem] | None = None) -> list[ArticleFile]:
    """Every article file below `root`, sorted by path (see `scan_archive`)."""
    real_paths: dict[str, str] = {}
    found = scan_archive(root, problems, real_paths=real_paths)
    return [
        ArticleFile(path, real_paths.get(path) or os.path.join(root, path), *stat)
        for path, stat in sorted(found.items())
    ]


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
    Every file is still stat'ed, so in-place edits are seen.
    """
    found: dict[str, FileStat] = {}
    seen_folders: set[tuple[int, int]] = set()
    pending: list[_Folder] = [(os.fspath(root), "", False)]
    while pending:
        folder, prefix, respelled = pending.pop()
        try:
            # Names are stat'ed relative to an open folder: the kernel then skips
            # resolving the whole path for each of 100,000 files (about 20% faster).
            descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as error:
            _cannot_read(problems, prefix, error)
            continue
        try:
            info = os.fstat(descriptor)
            if (info.st_dev, info.st_ino) in seen_folders:
                continue
            seen_folders.add((info.st_dev, info.st_ino))
            if folder_mtimes is not None:
                folder_mtimes[prefix] = info.st_mtime_ns
            listing = _listing(descriptor, info, (known_listings or {}).get(prefix))
            if listings is not None and listing[3] < listing[4] - LISTING_MARGIN_NS:
                listings[prefix] = listing  # one listed too soon after a change could never be trusted
            subfolders = _scan_folder(descriptor, (folder, prefix, respelled), listing, found, problems,
                                      real_paths)
        except OSError as error:
            _cannot_read(problems, prefix, error)
            continue
        finally:
            os.close(descriptor)
        # Folders are visited in name order, so when a link and its target reach the
        # same files, the same path (and so the same article id) wins every time.
        pending.extend(sorted(subfolders, key=lambda folder: folder[1], reverse=True))
    return found


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


def _scan_folder(
    descriptor: int,
    place: _Folder,
    listing: Listing,
    found: dict[str, FileStat],
    problems: list[Problem] | None,
    real_paths: dict[str, str] | None,
) -> list[_Folder]:
    """Put the article files of the open folder `descriptor` in `found`; return its subfolders."""
    folder, prefix, respelled = place
    articles, others, spellings = listing[5], listing[6], listing[7]
    subfolders = []
    stat_at = os.stat
    for name in articles:
        try:
            stat = stat_at(name, dir_fd=descriptor)
        except OSError as error:
            # Vanished, a dangling link or a link loop: nothing to read. Anything
            # else (EACCES, EIO) hides a file that may well still be there.
            if error.errno not in _GONE:
                _cannot_read(problems, prefix + spellings.get(name, name), error, "file")
            continue
        if S_ISREG(stat.st_mode):
            shown = spellings.get(name, name) if spellings else name
            found[prefix + shown] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
            if real_paths is not None and (respelled or shown != name):
                real_paths[prefix + shown] = os.path.join(folder, name)
        elif S_ISDIR(stat.st_mode) and name not in SKIPPED_FOLDERS:
            shown = spellings.get(name, name)
            subfolders.append((os.path.join(folder, name), f"{prefix}{shown}/", respelled or shown != name))
    for name in others:
        try:
            stat = stat_at(name, dir_fd=descriptor)
        except OSError:
            continue  # no article's name: nothing to tell
        if S_ISDIR(stat.st_mode) and name not in SKIPPED_FOLDERS:
            shown = spellings.get(name, name)
            subfolders.append((os.path.join(folder, name), f"{prefix}{shown}/", respelled or shown != name))
    return subfolders


def _cannot_read(problems: list[Problem] | None, prefix: str, error: OSError, what: str = "folder") -> None:
    if problems is not None:
        where = prefix.rstrip("/") or "."
        problems.append(Problem(where, None, f"cannot read {what}: {error.strerror or error}"))


# `\xNN` with two hex digits: in a name that holds one, backslashes are escaped too.
_ESCAPE_LIKE = re.compile(r"\\x[0-9a-fA-F]{2}")


def readable_name(name: str) -> str:
    """A file name as valid text, a different text for each name.

    Bytes that are not UTF-8 (which Python decodes to lone surrogates, and no database
    or output can hold) become `\\xNN` (`caf\\xe9.md`). So that a name literally
    spelled `caf\\xe9.md` stays apart from that one, a name that holds `\\xNN` of its
    own has its backslashes written `\\x5c` too (`caf\\x5cxe9.md`). Every other name,
    which is to say nearly all, is kept as it is.
    """
    if name.isascii() and "\\" not in name:
        return name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).replace(b"\\", b"\\x5c").decode("utf-8", "backslashreplace")
    if _ESCAPE_LIKE.search(name):
        return name.replace("\\", "\\x5c")
    return name


def real_name(shown: str) -> bytes:
    """The bytes of the name `readable_name` spelled as `shown` (the inverse)."""
    if not _ESCAPE_LIKE.search(shown):
        return os.fsencode(shown)
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda match: bytes([int(match.group(1), 16)]),
                  shown.encode("utf-8"))
