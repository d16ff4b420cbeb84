"""The exporter registry: one entry per format, its writer imported on first use.

`get(name)` accepts a canonical name or an alias; `names()` lists the canonical
names for `--format` choices and help. Importing this package stays cheap: it
loads no writer module (and so not yaml, csv or html) until a writer runs.

A writer streams: it takes an iterable of articles and writes as it goes, so a
million articles never sit in one list. File writers write to a text stream;
folder writers (`writes_folder`) write one file per article into a folder.
Both return the number of articles written.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple, TextIO

from ..errors import ExportError
from ..slotted import FrozenRecord

if TYPE_CHECKING:
    from ..model import Article

GroupBy = Literal["day", "provider", "topic"]
# What a writer is fed: articles, or, read straight from the index without rebuilding
# articles, each one's stored JSON record text ("records") or its (path, position) ("paths").
Feed = Literal["articles", "records", "paths"]
GROUP_BY_CHOICES: tuple[str, ...] = ("day", "provider", "topic")

# OpenSearch refuses upper case, these characters and a leading `-`, `_` or `+`.
_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,254}")


class ExportOptions(FrozenRecord):
    """What an export may be asked besides the format; each writer reads only its own.

    `fields` picks and orders CSV/TSV columns; `group_by`, `now` and `title` shape
    the Markdown and HTML digests (`now` is printed as the generation time, never
    read from the clock; `oldest_first`, from the query's `sort:date-asc`, turns the
    days round); `index_name` names the OpenSearch index. `null` ends
    each of `paths`' names with NUL; `terminal` says the output is a screen (names
    are quoted), and `root` is the archive folder the paths are relative to (for
    the files' real names).
    """

    __slots__ = ("fields", "group_by", "now", "title", "oldest_first", "index_name", "null", "terminal",
                 "root")
    fields: tuple[str, ...] | None
    group_by: GroupBy
    now: datetime | None
    title: str | None
    oldest_first: bool
    index_name: str
    null: bool
    terminal: bool
    root: Path | None

    def __init__(self, fields: tuple[str, ...] | None = None, group_by: GroupBy = "day",
                 now: datetime | None = None, title: str | None = None, oldest_first: bool = False,
                 index_name: str = "newsarc", null: bool = False, terminal: bool = False,
                 root: Path | None = None) -> None:
        self._init(fields, group_by, now, title, oldest_first, index_name, null, terminal, root)
        if self.group_by not in GROUP_BY_CHOICES:
            raise ExportError(
                f"cannot group by {self.group_by!r}", hint=f"choose one of {', '.join(GROUP_BY_CHOICES)}"
            )
        if not _INDEX_NAME.fullmatch(self.index_name) or self.index_name in (".", ".."):
            raise ExportError(
                f"{self.index_name!r} is not a valid index name",
                hint="use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit",
            )


# A NamedTuple, not a frozen dataclass: the entries are written once, here, and a frozen
# dataclass of ten fields costs every command that writes data about 2 ms at import.
class Exporter(NamedTuple):
    """One export format. `writer` is "module:function" inside this package."""

    name: str
    description: str
    writer: str
    aliases: tuple[str, ...] = ()
    writes_folder: bool = False
    # The ExportOptions fields this format honours, so the CLI can refuse the others.
    options: frozenset[str] = frozenset()
    # What `feed_writer` ("module:function") takes, when the index can feed it something
    # cheaper than articles; `write` always takes articles.
    feed: Feed = "articles"
    feed_writer: str | None = None
    # One JSON object per article per line: a listing with picked fields keeps that form.
    json_lines: bool = False
    # Its line in `newsarc export --help` (formats with the same line share it).
    help_line: str = ""

    def write(
        self, articles: Iterable[Article], target: TextIO | Path, options: ExportOptions | None = None
    ) -> int:
        """Write `articles` to `target` (a text stream, or a folder Path when
        `writes_folder`); returns how many articles were written."""
        return self._load(self.writer)(articles, target, options or ExportOptions())

    def write_feed(
        self, items: Iterable[object], target: TextIO | Path, options: ExportOptions | None = None
    ) -> int:
        """Write what `feed` names (articles, record texts or (path, position) pairs)."""
        return self._load(self.feed_writer or self.writer)(items, target, options or ExportOptions())

    def _load(self, writer_name: str) -> Callable[..., int]:
        module_name, function_name = writer_name.split(":")
        module = importlib.import_module(f"{__name__}.{module_name}")
        writer: Callable[..., int] = getattr(module, function_name)
        return writer


_DIGEST_OPTIONS = frozenset({"group_by", "now", "title"})

_EXPORTERS: tuple[Exporter, ...] = (
    Exporter("json", "a JSON array of lossless article records", "jsonout:write_json",
             help_line="a JSON array of lossless article records"),
    Exporter("jsonl", "JSON Lines: one lossless article record per line", "jsonout:write_jsonl",
             aliases=("ndjson",), feed="records", feed_writer="jsonout:write_record_lines", json_lines=True,
             help_line="JSON Lines, one lossless record per line (ndjson)"),
    Exporter("csv", "a spreadsheet-safe CSV table, one row per article", "tabular:write_csv",
             options=frozenset({"fields"}), help_line="a spreadsheet-safe table; --fields picks the columns"),
    Exporter("tsv", "a tab-separated table, one row per article", "tabular:write_tsv",
             options=frozenset({"fields"}), help_line="a spreadsheet-safe table; --fields picks the columns"),
    Exporter("markdown", "a Markdown digest grouped by day, provider or topic", "markdown:write_markdown",
             aliases=("md",), options=_DIGEST_OPTIONS,
             help_line="a digest grouped by day, provider or topic (md)"),
    Exporter("html", "one self-contained HTML page: the digest with a table of contents",
             "html:write_html", options=_DIGEST_OPTIONS,
             help_line="one self-contained page with a table of contents"),
    Exporter("frontmatter", "a folder of Markdown files with YAML front matter, one per article",
             "frontmatter:write_folder", aliases=("front-matter",), writes_folder=True,
             help_line="a folder of YYYY-MM-DD-slug.md files with YAML front matter"),
    Exporter("opensearch", "OpenSearch/Elasticsearch bulk-API NDJSON", "opensearch:write_bulk",
             aliases=("elasticsearch",), options=frozenset({"index_name"}),
             help_line="bulk-API NDJSON for OpenSearch/Elasticsearch (elasticsearch)"),
    Exporter("paths", "the path of each article's file, one per line (like rg -l)", "paths:write_paths",
             options=frozenset({"null"}), feed="paths", feed_writer="paths:write_path_list",
             help_line="the file of each article, one per line, like rg -l"),
)  # fmt: skip

_BY_NAME: dict[str, Exporter] = {
    alias: exporter for exporter in _EXPORTERS for alias in (exporter.name, *exporter.aliases)
}


def names() -> tuple[str, ...]:
    """The canonical format names, in the order help lists them."""
    return tuple(exporter.name for exporter in _EXPORTERS)


def all_names() -> tuple[str, ...]:
    """Every name `get` accepts, aliases included (for --format choices)."""
    return tuple(_BY_NAME)


def exporters() -> tuple[Exporter, ...]:
    return _EXPORTERS


def get(name: str) -> Exporter:
    """The exporter called `name` (case-insensitive, aliases allowed); ExportError otherwise."""
    exporter = _BY_NAME.get(name.strip().lower())
    if exporter is None:
        raise ExportError(f"unknown export format {name!r}", hint=f"choose one of {', '.join(names())}")
    return exporter


def describe() -> list[tuple[str, str]]:
    """(name with aliases, description) rows for help text."""
    rows = []
    for exporter in _EXPORTERS:
        label = exporter.name + (f" ({', '.join(exporter.aliases)})" if exporter.aliases else "")
        rows.append((label, exporter.description))
    return rows


__all__ = [
    "ExportOptions",
    "Exporter",
    "Feed",
    "GROUP_BY_CHOICES",
    "all_names",
    "describe",
    "exporters",
    "get",
    "names",
]
