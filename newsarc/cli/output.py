"""Data out: every export format is written through the exporter registry, which says
what each writer is fed (articles, the index's record texts, or file paths)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO, cast

from ..exporters import ExportOptions
from ..slotted import replace
from ..textsafe import TerminalStream

if TYPE_CHECKING:
    from ..archive import Archive
    from ..exporters import Exporter
    from ..query import Query
    from .environment import Context
    from .options import PageRequest

# What a listing writes when piped or asked for --json.
DATA_FORMAT = "jsonl"


def write_format(context: Context, archive: Archive, query: Query, exporter: Exporter, page: PageRequest,
                 options: ExportOptions | None = None, stream: TextIO | None = None) -> int:
    """Stream the matching articles in an export format (to stdout by default); returns how many."""
    if exporter.writes_folder:
        import click  # only for the error: the piped path writes without click

        raise click.UsageError(f"format {exporter.name} writes a folder: use `newsarc export --format "
                               f"{exporter.name} --output DIR`")
    if stream is None:
        stream = context.environment.stdout
        if context.environment.stdout_tty:  # a screen gets inert text; files and pipes the exact text
            stream = cast(TextIO, TerminalStream(stream))
    options = replace(options or ExportOptions(now=context.environment.now),
                      terminal=isinstance(stream, TerminalStream), root=archive.root,
                      oldest_first=query.sort == "date-asc")
    with feed(archive, exporter, query, page) as items:
        return exporter.write_feed(items, stream, options)


def write_hits(context: Context, archive: Archive, query: Query, page: PageRequest) -> int:
    """`search --json`: each match's record with its `match` object, one per line; returns how many."""
    from ..exporters.jsonout import write_hit_lines

    stream = context.environment.stdout
    if context.environment.stdout_tty:
        stream = cast(TextIO, TerminalStream(stream))
    hits = archive.iter_hits(query, limit=page.limit, offset=page.offset)
    try:
        return write_hit_lines(hits, stream, ExportOptions(now=context.environment.now))
    finally:
        close = getattr(hits, "close", None)
        if close is not None:
            close()


@contextmanager
def feed(archive: Archive, exporter: Exporter, query: Query, page: PageRequest) -> Iterator[Iterable[object]]:
    """What `exporter` is fed, streamed from the index in the query's order. A stream left
    half-read (a full disk, a closed pipe) is closed on leaving, while the index is open."""
    readers = {"articles": archive.iter_articles, "records": archive.iter_json_records,
               "paths": archive.iter_paths}
    items = readers[exporter.feed](query, limit=page.limit, offset=page.offset)
    try:
        yield items
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()
