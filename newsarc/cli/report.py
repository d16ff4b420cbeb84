"""Reports on the archive and its index: stats, dupes, fields, check and index."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from ..slotted import as_dict
from ..textsafe import safe_line
from .choices import LibraryChoice, stats_dimensions
from .exits import CommandExit, ExitCode
from .options import (
    QueryRequest,
    builds,
    newsarc_command,
    output_options,
    pass_context,
    query_options,
)
from .queries import build_query
from .session import open_archive
from .spelling import checked_query

if TYPE_CHECKING:
    from collections.abc import Callable

    from .environment import Context

# A timeline keeps every period; other counts show the largest on a terminal.
_TIME_DIMENSIONS = ("month", "year")


@dataclass(frozen=True)
class StatsRequest:
    query: QueryRequest
    as_json: bool
    dimension: str
    top: int | None


@newsarc_command(takes_query=True)
@query_options
@output_options
@click.option("--by", "dimension", type=LibraryChoice(stats_dimensions),
              default="provider", show_default=True, help="What to count by.")
@click.option("--top", type=click.IntRange(min=1), help="Only the N largest (default 20 on a terminal).")
@builds(StatsRequest)
@pass_context
def stats(context: Context, request: StatsRequest) -> None:
    """Counts of articles by provider, topic, month, year or type, with a monthly timeline."""
    query = build_query(context, request.query)
    dimension, top = request.dimension, request.top
    with open_archive(context) as archive:
        pretty = context.pretty and not request.as_json
        if top is None and pretty and dimension not in _TIME_DIMENSIONS:
            top = 20
        result = archive.stats(checked_query(context, archive, query), dimension, top=top)
        if not pretty:
            for label, count in result.counts:
                context.write_data(json.dumps({dimension: label, "count": count}, ensure_ascii=False))
        else:
            from ..render import stats_view  # rich is imported only for people, not pipes

            context.show(stats_view(result))
        if result.total == 0:
            raise CommandExit(ExitCode.NO_MATCH)


@dataclass(frozen=True)
class DupesRequest:
    query: QueryRequest
    as_json: bool


@newsarc_command(takes_query=True)
@query_options
@output_options
@builds(DupesRequest)
@pass_context
def dupes(context: Context, request: DupesRequest) -> None:
    """Groups of articles that are the same story (same URL, or same provider and title)."""
    query = build_query(context, request.query)
    with open_archive(context) as archive:
        groups = archive.duplicates(checked_query(context, archive, query))
        if request.as_json or not context.pretty:
            for group in groups:
                context.write_data(json.dumps({
                    "reason": group.reason,
                    "articles": [{"id": a.id, "path": a.path, "title": a.title} for a in group.articles],
                }, ensure_ascii=False))
        else:
            from ..render import duplicates_view  # rich is imported only for people, not pipes

            context.show(duplicates_view(groups))
        if not groups:
            raise CommandExit(ExitCode.NO_MATCH)


@dataclass(frozen=True)
class OutputRequest:
    as_json: bool


@dataclass(frozen=True)
class CheckRequest:
    as_json: bool
    verbose: bool


_VERBOSE = click.option("--verbose", is_flag=True,
                        help="Also list each file skipped as not an article, with the reason.")


@newsarc_command()
@output_options
@_VERBOSE
@builds(CheckRequest)
@pass_context
def check(context: Context, request: CheckRequest) -> None:
    """Every file that could not be read as articles, as path:line: message.

    Exits 1 when any problem is found. Files that are not articles (scripts, READMEs,
    pages without front matter) are not problems: they are counted, and listed with
    --verbose.
    """
    with open_archive(context, lists_problems=True) as archive:
        problems = archive.problems()
        for problem in problems:
            if request.as_json:
                context.write_data(json.dumps(as_dict(problem), ensure_ascii=False))
            else:
                context.write_data(safe_line(str(problem)))
        articles = archive.article_count()
        files = len(set(problem.path for problem in problems))
        context.notice(f"{articles} articles, {len(problems)} problem(s) in {files} file(s)")
        _report_skipped(context, archive.report.skipped, archive.skipped_files if request.verbose else None)
        if problems:
            raise CommandExit(ExitCode.PROBLEMS)


def _report_skipped(context: Context, count: int,
                    listing: Callable[[], list[tuple[str, str]]] | None) -> None:
    """One line on stderr counting the files that are not articles; with `listing`, one
    line each after it, `path: reason`."""
    if not count:
        return
    counted = f"{count} files skipped: not articles" if count != 1 else "1 file skipped: not an article"
    context.notice(counted + ("" if listing else " (--verbose lists them)"))
    for path, reason in listing() if listing else ():
        context.notice(f"skipped {safe_line(path)}: {reason}")


@dataclass(frozen=True)
class IndexRequest:
    rebuild: bool
    as_json: bool
    verbose: bool


@newsarc_command()
@click.option("--rebuild", is_flag=True, help="Start the index over.")
@output_options
@_VERBOSE
@builds(IndexRequest)
@pass_context
def index(context: Context, request: IndexRequest) -> None:
    """Refresh the index and report what changed (every command also refreshes)."""
    rebuild = request.rebuild
    settings = context.settings
    # `index` is how the machine holding the folder refreshes a server index, whose
    # other commands default to `--fresh none`: it checks every file unless told otherwise.
    given = settings is not None and settings.fresh_given
    # Its report is what it shows, so the walk is not run ahead of it.
    with open_archive(context, rebuild=rebuild, fresh="full" if rebuild or not given else None,
                      defer_walk=False) as archive:
        report = archive.report
        if request.as_json:
            record = as_dict(report) | {"index": archive.location}
            context.write_data(json.dumps(record))
        elif context.pretty:
            from ..render import index_report_view  # rich is imported only for people, not pipes

            context.show(index_report_view(report, archive.location))
        else:
            context.notice(
                f"{report.added} added, {report.changed} changed, {report.removed} removed, "
                f"{report.articles} articles, {report.problems} problems, {report.seconds:.2f} s"
            )
        if not request.as_json:
            _report_skipped(context, report.skipped, archive.skipped_files if request.verbose else None)


@newsarc_command()
@output_options
@builds(OutputRequest)
@pass_context
def fields(context: Context, request: OutputRequest) -> None:
    """The fields a query can use, their types, and example values from this archive."""
    from ..query import fields_help

    with open_archive(context) as archive:
        rows = [(entry.name, entry.type, entry.description, archive.field_examples(entry.name))
                for entry in fields_help()]
    if request.as_json or not context.pretty:
        for name, kind, meaning, examples in rows:
            context.write_data(json.dumps({"field": name, "type": kind, "meaning": meaning,
                                           "examples": examples}, ensure_ascii=False))
    else:
        from ..render import fields_view  # rich is imported only for people, not pipes

        context.show(fields_view(rows))


COMMANDS = (stats, dupes, fields, check, index)
