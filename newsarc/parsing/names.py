"""What a file's name says: whether the walk reports it, and how it is read; and a
name as valid text. Decided by the name alone, so that a file the index already
knows unchanged is never opened again."""

from __future__ import annotations

import os
import re

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
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "CVS", "_darcs"})


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
