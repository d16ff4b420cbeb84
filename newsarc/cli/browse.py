"""Reading the archive: list, search, show and related."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from .exits import CommandExit, ExitCode
from .options import (
    PageRequest,
    QueryRequest,
    builds,
    newsarc_command,
    output_options,
    page_options,
    pass_context,
    query_options,
)
from .output import DATA_FORMAT, write_format
from .piped import write_listing, write_search
from .queries import build_query, page_limit
from .session import open_archive
from .spelling import checked_query

if TYPE_CHECKING:
    from ..archive import Archive, RelatedView
    from ..model import Article
    from ..query import Query
    from .environment import Context

LIST_COLUMNS = ("id", "date", "provider", "title", "topics")
LIST_COLUMN_CHOICES = ("id", "date", "provider", "domain", "title", "topics", "type", "quality", "heat",
                       "path", "url")

# `list --fields` names as CSV/TSV columns; the exporter's own column names pass as they are.
_CSV_COLUMNS = {"date": "published", "provider": "provider.name", "domain": "provider.domain"}

ListingWriter = Callable[["Archive", "Query", PageRequest], int]


# NamedTuples, not frozen dataclasses: see arguments.OptionTable.
class ListRequest(NamedTuple):
    """What `list` was asked."""

    query: QueryRequest
    page: PageRequest
    as_json: bool
    fields: str | None
    format_name: str | None


@newsarc_command("list", takes_query=True)
@query_options
@page_options
@output_options
@click.option("--fields", help=f"Columns to show, comma-separated (of {', '.join(LIST_COLUMN_CHOICES)}).")
@click.option("--format", "format_name", help="Write an export format instead (see `newsarc export --help`).")
@builds(ListRequest)
@pass_context
def list_command(context: Context, request: ListRequest) -> None:
    """List articles, newest first.

    \b
    Examples:
      newsarc list
      newsarc list provider:scmp.com date:2021
      newsarc list --topic AI --since 2021-11 --json
    """
    if request.format_name is None and request.fields is None and (request.as_json or not context.pretty):
        write_listing(context, request.query, request.page)
        return
    query = build_query(context, request.query)  # a typo shows before any refresh
    if request.format_name or request.as_json or not context.pretty:
        write = _listing_writer(context, request.format_name or DATA_FORMAT, request.fields)
        with open_archive(context) as archive:
            if write(archive, checked_query(context, archive, query), request.page) == 0:
                raise CommandExit(ExitCode.NO_MATCH)
        return
    columns = parse_fields(request.fields, LIST_COLUMN_CHOICES) if request.fields else LIST_COLUMNS
    with open_archive(context) as archive:
        from ..render import article_table  # rich is imported only for people, not pipes

        query = checked_query(context, archive, query)
        page = archive.search(query, limit=page_limit(context, request.page, pretty=True),
                              offset=request.page.offset)
        context.show(article_table(page, columns))
        if page.total == 0:
            raise CommandExit(ExitCode.NO_MATCH)


def _listing_writer(context: Context, format_name: str, fields: str | None) -> ListingWriter:
    """How `list` writes data: an export format, or with --fields only those columns (checked
    before the index is opened). The writer returns how many articles it wrote."""
    from ..exporters import ExportOptions, get
    from ..exporters.tabular import columns_for

    exporter = get(format_name)
    if fields is None:
        return lambda archive, query, page: write_format(context, archive, query, exporter, page)
    if exporter.json_lines:
        return _picked_records(context, parse_fields(fields, LIST_COLUMN_CHOICES))
    if "fields" not in exporter.options:
        raise click.UsageError(f"--fields applies to the table, JSON Lines, csv and tsv, not {exporter.name}")
    names = tuple(_CSV_COLUMNS.get(name.strip(), name.strip()) for name in fields.split(",") if name.strip())
    options = ExportOptions(fields=names, now=context.environment.now)
    columns_for(options)  # an unknown column is reported now, not after the refresh
    return lambda archive, query, page: write_format(context, archive, query, exporter, page, options)


def _picked_records(context: Context, columns: Sequence[str]) -> ListingWriter:
    """One JSON object per article holding only the listing's `columns`."""
    values = _list_values()

    def write_records(archive: Archive, query: Query, page: PageRequest) -> int:
        count = 0
        for article in archive.iter_articles(query, limit=page.limit, offset=page.offset):
            record = {name: values[name](article) for name in columns}
            context.write_data(json.dumps(record, ensure_ascii=False))
            count += 1
        return count

    return write_records


def _list_values() -> dict[str, Callable[[Article], Any]]:
    from ..records import iso_utc

    return {
        "id": lambda article: article.id,
        "date": lambda article: iso_utc(article.published) if article.published else None,
        "provider": lambda article: article.provider_name,
        "domain": lambda article: article.provider_domain,
        "title": lambda article: article.title,
        "topics": lambda article: list(article.topics),
        "type": lambda article: article.type,
        "quality": lambda article: article.quality,
        "heat": lambda article: article.heat,
        "path": lambda article: article.path,
        "url": lambda article: article.url,
    }


def parse_fields(text: str, choices: Sequence[str]) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in choices]
    if unknown or not names:
        raise click.BadParameter(f"unknown field {', '.join(unknown) or '(none)'}; "
                                 f"choose from {', '.join(choices)}", param_hint="--fields")
    return names


class SearchRequest(NamedTuple):
    """What `search` was asked."""

    query: QueryRequest
    page: PageRequest
    as_json: bool
    format_name: str | None


@newsarc_command(takes_query=True)
@query_options
@page_options
@output_options
@click.option("--format", "format_name", help="Write an export format instead.")
@builds(SearchRequest)
@pass_context
def search(context: Context, request: SearchRequest) -> None:
    """Search articles by keyword, best matches first, with highlighted snippets.

    \b
    Examples:
      newsarc search sensetime
      newsarc search '"facial recognition"' OR surveillance -provider:scmp.com
      newsarc search title:ipo date:2021-12-01..
    """
    from ..exporters import get

    words = request.query.words
    if not words:
        raise click.UsageError("search needs a QUERY, for example: newsarc search sensetime")
    if request.format_name is None and (request.as_json or not context.pretty):
        write_search(context, request.query, request.page)
        return
    query = build_query(context, request.query)
    with open_archive(context) as archive:
        query = checked_query(context, archive, query)
        if request.format_name:
            if write_format(context, archive, query, get(request.format_name), request.page) == 0:
                context.notice(f"no articles match {' '.join(words)!r}")
                raise CommandExit(ExitCode.NO_MATCH)
            return
        page = archive.search(query, limit=page_limit(context, request.page, pretty=True),
                              offset=request.page.offset)
        if page.total == 0:
            context.say(f"no articles match {' '.join(words)!r}")
            raise CommandExit(ExitCode.NO_MATCH)
        from ..render import search_results  # rich is imported only for people, not pipes

        context.show(search_results(page))


class ReferenceRequest(NamedTuple):
    """What `show` and `related` were asked: one article."""

    reference: str
    as_json: bool


@newsarc_command()
@click.argument("reference", metavar="ID|PATH|URL")
@output_options
@builds(ReferenceRequest)
@pass_context
def show(context: Context, request: ReferenceRequest) -> None:
    """Show one article in full, with its related items.

    IDs accept any unique prefix, like git.

    \b
    Examples:
      newsarc show 3f2a9c1e
      newsarc show 2021/2021-12-11-us-adds-sensetime.md
    """
    with open_archive(context) as archive:
        article = archive.get(request.reference)
        if request.as_json or not context.pretty:
            from ..records import json_record

            context.write_data(json.dumps(json_record(article), ensure_ascii=False))
            return
        from ..render import article_detail  # rich is imported only for people, not pipes

        context.show(article_detail(archive.related(article), context.environment.local_zone))


@newsarc_command()
@click.argument("reference", metavar="ID|PATH|URL")
@output_options
@builds(ReferenceRequest)
@pass_context
def related(context: Context, request: ReferenceRequest) -> None:
    """The related items of one article, and the articles that list it as related."""
    with open_archive(context) as archive:
        view = archive.related(archive.get(request.reference))
        if request.as_json or not context.pretty:
            for line in _related_records(view):
                context.write_data(json.dumps(line, ensure_ascii=False))
        else:
            from ..render import related_tree  # rich is imported only for people, not pipes

            context.show(related_tree(view))
        if not view.items and not view.linked_from:
            raise CommandExit(ExitCode.NO_MATCH)


def _related_records(view: RelatedView) -> Iterator[dict[str, Any]]:
    from ..records import iso_utc

    for resolved in view.items:
        item = resolved.item
        yield {"relation": "related", "position": resolved.position, "title": item.title,
               "published": iso_utc(item.published) if item.published else None,
               "provider": item.provider_name, "url": item.url, "archive_id": resolved.article_id}
    for article in view.linked_from:
        yield {"relation": "linked_from", "title": article.title,
               "published": iso_utc(article.published) if article.published else None,
               "provider": article.provider_name, "url": article.url, "archive_id": article.id}


COMMANDS = (list_command, search, show, related)
