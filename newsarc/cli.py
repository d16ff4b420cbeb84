"""The command line: options -> one request -> archive -> output."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import click

from . import __version__
from .archive import load_archive
from .errors import NewsarcError
from .textsafe import safe_line

_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


@click.group()
@click.version_option(__version__, prog_name="newsarc")
@click.option("--archive", "archive_path", envvar="NEWSARC_ARCHIVE", default=".", show_default=True,
              type=click.Path(file_okay=False), help="The archive folder.")
@click.pass_context
def cli(context: click.Context, archive_path: str) -> None:
    """newsarc: list, search and export a folder of news articles."""
    context.obj = archive_path


@cli.command("list")
@click.pass_obj
def list_command(archive_path: str) -> None:
    """List the articles, newest first."""
    result = load_archive(archive_path)
    articles = sorted(result.articles, key=lambda a: a.published or _OLDEST, reverse=True)
    for article in articles:
        date = article.published.strftime("%Y-%m-%d") if article.published else "-" * 10
        provider = safe_line(article.provider_domain or article.provider_name) or "-"
        click.echo(f"{date}  {provider:<20}  {safe_line(article.title)}")


@cli.command()
@click.pass_obj
def check(archive_path: str) -> None:
    """Report every file that cannot be read as articles."""
    result = load_archive(archive_path)
    for problem in result.problems:
        click.echo(safe_line(str(problem)))
    click.echo(f"{len(result.articles)} articles, {len(result.problems)} problems", err=True)
    if result.problems:
        sys.exit(1)


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="newsarc", standalone_mode=False)
    except click.exceptions.Abort:
        return 130
    except click.ClickException as error:
        error.show()
        return 2
    except NewsarcError as error:
        click.echo(f"newsarc: {safe_line(str(error))}", err=True)
        return 2
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0
