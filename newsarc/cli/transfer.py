"""Articles in and out: export (every format of the exporter registry) and import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..exporters import GROUP_BY_CHOICES, ExportOptions, all_names, exporters, get
from .exits import CommandExit, ExitCode
from .options import (
    PageRequest,
    QueryRequest,
    builds,
    newsarc_command,
    page_options,
    pass_context,
    query_options,
)
from .output import feed, write_format
from .queries import build_query
from .session import open_archive
from .spelling import checked_query

if TYPE_CHECKING:
    from ..archive import Archive
    from ..exporters import Exporter, GroupBy
    from ..query import Query
    from .environment import Context

_EXPORT_HELP = """Export the articles a query selects (all by default) in one of these formats:

\b
{formats}

\b
Examples:
  newsarc export provider:scmp.com --format csv --output scmp.csv
  newsarc export date:2021 --format html --group-by topic -o 2021.html
  newsarc export --format opensearch --mapping > mapping.json
"""


def export_help() -> str:
    """export's help: the registry's formats, one line each (formats that share a line share it)."""
    rows: list[tuple[str, str]] = []
    for exporter in exporters():
        if rows and rows[-1][1] == exporter.help_line:
            rows[-1] = (f"{rows[-1][0]}, {exporter.name}", exporter.help_line)
        else:
            rows.append((exporter.name, exporter.help_line))
    width = max(len(label) for label, _ in rows) + 2
    return _EXPORT_HELP.format(formats="\n".join(f"  {label.ljust(width)}{line}" for label, line in rows))


@dataclass(frozen=True)
class ExportRequest:
    query: QueryRequest
    page: PageRequest
    format_name: str | None
    output: Path | None
    force: bool
    fields: str | None
    group_by: GroupBy
    title: str | None
    index_name: str
    mapping: bool
    null: bool


@newsarc_command(takes_query=True, help=export_help())
@query_options
@page_options
@click.option("--format", "-f", "format_name", type=click.Choice(all_names(), case_sensitive=False),
              help="The export format (see above).")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="A file (a folder for frontmatter); stdout when left out.")
@click.option("--force", is_flag=True, help="Overwrite an existing file, or write into a non-empty folder.")
@click.option("--fields", help="csv/tsv: columns to write, comma-separated, in order.")
@click.option("--group-by", type=click.Choice(GROUP_BY_CHOICES), default="day", show_default=True,
              help="markdown/html: how the digest is grouped.")
@click.option("--title", help="markdown/html: the digest's title.")
@click.option("--index-name", default="newsarc", show_default=True,
              help="opensearch: the index to load into.")
@click.option("--mapping", is_flag=True, help="opensearch: print the index mapping instead of articles.")
@click.option("--null", "-0", "null", is_flag=True,
              help="paths: each file once, its exact name ended by NUL (for xargs -0).")
@builds(ExportRequest)
@pass_context
def export(context: Context, request: ExportRequest) -> None:
    if request.mapping:
        from ..exporters.opensearch import mapping as index_mapping

        context.write_data(json.dumps(index_mapping(), indent=2))
        return
    if request.format_name is None:
        raise click.UsageError("export needs --format, for example: newsarc export --format jsonl")
    exporter = get(request.format_name)
    options = _export_options(context, exporter, request)
    query = build_query(context, request.query)
    with open_archive(context) as archive:
        query = checked_query(context, archive, query)
        count = _export(context, archive, query, exporter, request, options)
    if request.output is not None:
        context.notice(f"exported {count} article{'s' if count != 1 else ''} to {request.output}")
    if count == 0:
        raise CommandExit(ExitCode.NO_MATCH)


def _export_options(context: Context, exporter: Exporter, request: ExportRequest) -> ExportOptions:
    """The options the format honours; a usage error for one it does not."""
    fields = request.fields
    columns = tuple(name.strip() for name in fields.split(",") if name.strip()) if fields else None
    if columns and "fields" not in exporter.options:
        raise click.UsageError(f"--fields applies to csv and tsv, not {exporter.name}")
    if request.null and "null" not in exporter.options:
        raise click.UsageError(f"-0/--null applies to paths, not {exporter.name}")
    return ExportOptions(fields=columns, group_by=request.group_by, now=context.environment.now,
                         title=request.title, index_name=request.index_name, null=request.null)


def _export(context: Context, archive: Archive, query: Query, exporter: Exporter, request: ExportRequest,
            options: ExportOptions) -> int:
    """Write to a folder, a file or stdout; returns how many articles were written."""
    from ..exporters.output import open_folder, open_output

    output, page = request.output, request.page
    if exporter.writes_folder:
        if output is None:
            raise click.UsageError(f"format {exporter.name} writes a folder: add --output DIR")
        # The feed first: its first row ends a walk run ahead (and --strict) before the folder is made.
        with (feed(archive, exporter, query, page) as items,
              open_folder(output, force=request.force, archive_root=archive.root) as folder):
            return exporter.write_feed(items, folder, options)
    if output is not None:
        with open_output(output, force=request.force, archive_root=archive.root) as stream:
            return write_format(context, archive, query, exporter, page, options, stream)
    return write_format(context, archive, query, exporter, page, options)


@dataclass(frozen=True)
class ImportRequest:
    sources: tuple[Path, ...]
    into: Path


@newsarc_command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--into", required=True, type=click.Path(path_type=Path), help="The archive folder to add to.")
@builds(ImportRequest)
@pass_context
def import_command(context: Context, request: ImportRequest) -> None:
    """Turn JSON, JSON Lines, JSON pages or newsarc CSV into front-matter files in a folder.

    Importing the same source twice adds nothing: an article whose canonical URL and
    publication date match one already in the folder is skipped. Exits 1 when any
    record was rejected (each is listed on stderr with its reason).

    \b
    Example:
      newsarc import export.jsonl page-*.json --into ~/news
    """
    from ..importing import import_sources

    summary = import_sources(request.sources, request.into)
    for problem in summary.rejected:
        context.warn(f"rejected {problem}")
    context.notice(f"{summary.added} added, {summary.skipped} skipped, {len(summary.rejected)} rejected "
                   f"into {request.into}")
    if summary.rejected:
        raise CommandExit(ExitCode.PROBLEMS)


COMMANDS = (export, import_command)
