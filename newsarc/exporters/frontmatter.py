"""A folder of Markdown files with YAML front matter, one per article.

Files look like the archives newsarc reads: the record's keys in source order,
dates as plain timestamps (`2021-09-28T23:01:00Z`), titles, excerpts and URLs
double-quoted, lists indented under their key, a blank line around each block,
and the body after the closing `---`. `parsing.parse_file` reads a file back as
an article equal to the original (original text and `extra` included). Only a
body's leading and trailing blank lines and carriage returns cannot survive.

Names are `YYYY-MM-DD-slug.md` (`undated-slug.md`), the slug an ASCII folding
of the title: letters, digits and hyphens only, so a name can never leave the
folder, whatever the title says.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ..model import Article
from ..records import iso_utc, original_body, record_from_article
from ..safewrite import fsync_folder, write_file
from . import ExportOptions

SLUG_MAX_LENGTH = 80
SUFFIX = ".md"
# Always double-quoted, as in the archives, whatever their text.
_QUOTED_KEYS = frozenset(
    {
        "title",
        "excerpt",
        "originalUrl",
        "webUrl",
        "ampWebUrl",
        "cdnAmpWebUrl",
        "sourceUrl",
        "url",
        "secured",
        "featuredContent",
    }
)
# Text YAML keeps as it is without quotes, conservatively: a letter first, then
# letters, digits and a little punctuation that YAML gives no meaning here.
_PLAIN_SAFE = re.compile(r"[^\W\d_][\w .,&/()'!?+-]*(?<! )")
# Words some YAML 1.1 readers take for booleans or null.
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
# Top-level keys set off by blank lines like blocks, as the archives do.
_SPACED_KEYS = ("featuredContent:",)
_WIDE = 1 << 30  # no line folding: every scalar stays on its one line
_APOSTROPHES = re.compile(r"['`]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


# --- file names -------------------------------------------------------------------------


def slugify(text: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """`Can SenseTime become a Chinese AI champion?` -> `can-sensetime-become-a-chinese-ai-champion`.

    ASCII-folded, lower case, `[a-z0-9-]` only; cut at a hyphen near `max_length`;
    may be empty. Apostrophes vanish (`MIT's` -> `mits`), as archive names have them.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_SLUG.sub("-", _APOSTROPHES.sub("", folded)).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug[:max_length]
    boundary = cut.rfind("-")
    return (cut[:boundary] if boundary >= max_length // 2 else cut).strip("-")


def file_stem(article: Article) -> str:
    """`2021-09-28-can-sensetime-become-a-chinese-ai-champion`, before clashes are resolved."""
    day = article.published.date().isoformat() if article.published else "undated"
    return f"{day}-{slugify(article.title) or slugify(article.id) or 'article'}"


class FileNamer:
    """Unique file names for one folder; names differing only in case count as
    the same, for case-insensitive file systems."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._taken = {name.casefold() for name in taken}
        self._next_number: dict[str, int] = {}

    def name_for(self, article: Article) -> str:
        stem = file_stem(article)
        name = stem + SUFFIX
        number = self._next_number.get(stem, 2)
        while name.casefold() in self._taken:
            name = f"{stem}-{number}{SUFFIX}"
            number += 1
        self._next_number[stem] = number
        self._taken.add(name.casefold())
        return name


# --- YAML -------------------------------------------------------------------------------


class _Quoted(str):
    """Text always written double-quoted."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    plain = _PLAIN_SAFE.fullmatch(text) is not None and text.lower() not in _YAML_WORDS
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=None if plain else '"')


def _represent_quoted(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style='"')


def _represent_datetime(dumper: yaml.SafeDumper, moment: datetime) -> yaml.ScalarNode:
    # A plain timestamp, as the archives write it; naive ones (from `extra`) stay naive.
    text = iso_utc(moment) if moment.tzinfo else moment.isoformat()
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", text)


class _Representing:
    def ignore_aliases(self, data: Any) -> bool:
        return True  # never write &anchors: the reader refuses aliases


class IndentedDumper(_Representing, yaml.SafeDumper):
    """The pure-Python dumper, indenting lists under their key as the archives do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_HAS_LIBYAML = hasattr(yaml, "CSafeDumper")
_FastBase: type = yaml.CSafeDumper if _HAS_LIBYAML else yaml.SafeDumper


class FastDumper(_Representing, _FastBase):
    """libyaml's dumper when present; its lists are re-indented afterwards."""


for _dumper in (IndentedDumper, FastDumper):
    _dumper.add_representer(str, _represent_text)
    _dumper.add_representer(_Quoted, _represent_quoted)
    _dumper.add_representer(datetime, _represent_datetime)


def _styled(value: Any, key: Any = None) -> Any:
    """A copy of `value` with the text of `_QUOTED_KEYS` marked for double quotes."""
    if isinstance(value, dict):
        return {item_key: _styled(item, item_key) for item_key, item in value.items()}
    if isinstance(value, list):
        return [_styled(item, key) for item in value]
    if isinstance(value, str) and key in _QUOTED_KEYS:
        return _Quoted(value)
    return value


# Output the re-indenting cannot handle: complex keys, tags, block scalars.
_NOT_LINE_BASED = re.compile(r"^[ -]*[?:](?: |$)|!!|[|>][-+0-9]*$", re.MULTILINE)


def _indent_lists(text: str) -> str:
    """libyaml writes a list under a key at the key's own column; indent it by two.

    Line-based, which is sound because every scalar here sits on one line (text
    is plain or double-quoted, never folded) and `_NOT_LINE_BASED` found nothing.
    """
    lines = []
    open_lists: list[int] = []  # the original column of each list being indented
    key_column: int | None = None  # set when the previous line was `key:` with no value
    for line in text.rstrip("\n").split("\n"):
        content = line.lstrip(" ")
        column = len(line) - len(content)
        is_item = content.startswith("- ")
        while open_lists and not (column > open_lists[-1] or (column == open_lists[-1] and is_item)):
            open_lists.pop()
        if is_item and column == key_column:
            open_lists.append(column)
        lines.append(" " * (2 * len(open_lists)) + line)
        # A key's column is past any `- ` markers: `- - key:` has its key at column 4.
        key_column = column + len(content) - len(content.lstrip("- ")) if content.endswith(":") else None
    return "\n".join(lines) + "\n"


def _space_blocks(text: str) -> str:
    """A blank line before and after each top-level key holding a list or mapping
    (and the embedded-player HTML of `featuredContent`)."""
    lines: list[str] = []
    previous_was_block: bool | None = None
    for line in text.rstrip("\n").split("\n"):
        if line[:1] not in ("", " ", "-", "?", ":"):
            is_block = line.endswith(":") or line.startswith(_SPACED_KEYS)
            if previous_was_block is not None and (is_block or previous_was_block):
                lines.append("")
            previous_was_block = is_block
        lines.append(line)
    return "\n".join(lines) + "\n"


def _dump(record: dict[str, Any], dumper: type) -> str:
    return yaml.dump(
        record, Dumper=dumper, allow_unicode=True, sort_keys=False, width=_WIDE, default_flow_style=False
    )


def front_matter_yaml(record: dict[str, Any]) -> str:
    """The YAML between the `---` lines, laid out as the archives lay it out."""
    styled = _styled(record)
    text = _dump(styled, FastDumper)
    if not _HAS_LIBYAML or _NOT_LINE_BASED.search(text):
        text = _dump(styled, IndentedDumper)
    else:
        text = _indent_lists(text)
    return _space_blocks(text)


def render(article: Article) -> str:
    """The whole file for `article`."""
    body = original_body(article)
    text = "---\n" + front_matter_yaml(record_from_article(article)) + "---\n\n"
    return text + body + "\n" if body else text


def write_folder(articles: Iterable[Article], folder: Path, options: ExportOptions) -> int:
    """One file per article in `folder` (which `output.open_folder` prepared), each
    written atomically; an existing file of the same name is replaced."""
    namer = FileNamer()
    count = 0
    try:
        for article in articles:
            # Each file is fsynced before its rename; the folder once, for all the renames.
            write_file(folder, namer.name_for(article), render(article), replace=True, sync_folder=False)
            count += 1
    finally:
        fsync_folder(folder)
    return count
