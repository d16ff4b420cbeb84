"""CSV and TSV: one row per article, flattened for spreadsheets.

Cells a spreadsheet would run as a formula are neutralised with a leading `'`
(OWASP's advice for CSV injection); plain numbers such as `heat` -1 stay numbers.
`importing` reads these files back, so `neutralise` has an exact inverse.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO

from ..errors import ExportError
from ..model import Article
from ..records import iso_utc
from . import ExportOptions

TOPIC_SEPARATOR = "; "


def _published(article: Article) -> str:
    return iso_utc(article.published) if article.published else ""


def _text(value: object) -> str:
    return "" if value is None else str(value)


# Column name -> the cell of an article, in the default order.
COLUMNS: dict[str, Callable[[Article], str]] = {
    "id": lambda article: article.id,
    "published": _published,
    "provider.name": lambda article: _text(article.provider_name),
    "provider.domain": lambda article: _text(article.provider_domain),
    "title": lambda article: article.title,
    "excerpt": lambda article: article.excerpt,
    "topics": lambda article: TOPIC_SEPARATOR.join(article.topics),
    "url": lambda article: _text(article.url),
    "original_url": lambda article: _text(article.original_url),
    "web_url": lambda article: _text(article.web_url),
    "amp_web_url": lambda article: _text(article.amp_web_url),
    "quality": lambda article: _text(article.quality),
    "heat": lambda article: _text(article.heat),
    "type": lambda article: _text(article.type),
    "related": lambda article: str(len(article.related)),
    "path": lambda article: article.path,
}

_FORMULA_START = ("=", "+", "-", "@")
_FORMULA_CONTROL = ("\t", "\r")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _is_formula(cell: str) -> bool:
    if cell.startswith(_FORMULA_CONTROL):
        return True
    stripped = cell.lstrip()
    return stripped.startswith(_FORMULA_START) and not _NUMBER.fullmatch(stripped)


def neutralise(cell: str) -> str:
    """`cell` made inert for spreadsheets: a formula gets a leading `'`.

    A cell that is only quotes in front of a formula gets one too, so that
    `unneutralise` can tell the two apart and restore either exactly.
    """
    return "'" + cell if _is_formula(cell.lstrip("'")) else cell


def unneutralise(cell: str) -> str:
    """The inverse of `neutralise`."""
    if cell.startswith("'") and _is_formula(cell.lstrip("'")):
        return cell[1:]
    return cell


def columns_for(options: ExportOptions) -> tuple[str, ...]:
    """The columns to write; ExportError naming the valid ones for an unknown field."""
    if not options.fields:
        return tuple(COLUMNS)
    unknown = [name for name in options.fields if name not in COLUMNS]
    if unknown:
        raise ExportError(
            f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}",
            hint=f"valid fields: {', '.join(COLUMNS)}",
        )
    return tuple(options.fields)


def _cells(article: Article, columns: Sequence[str], clean: Callable[[str], str]) -> list[str]:
    # Cleaned before neutralising, so the check sees the text a spreadsheet will.
    return [neutralise(clean(COLUMNS[name](article))) for name in columns]


def _csv_clean(cell: str) -> str:
    # NUL is dropped: spreadsheets and older csv readers stop at it.
    return cell.replace("\x00", "")


_TSV_BREAKING = re.compile(r"[\t\r\n]")


def _tsv_clean(cell: str) -> str:
    return _TSV_BREAKING.sub(" ", _csv_clean(cell))


def write_csv(articles: Iterable[Article], stream: TextIO, options: ExportOptions) -> int:
    """RFC 4180: comma-separated, quoted where needed, CRLF line ends."""
    columns = columns_for(options)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for article in articles:
        writer.writerow(_cells(article, columns, _csv_clean))
        count += 1
    return count


def write_tsv(articles: Iterable[Article], stream: TextIO, options: ExportOptions) -> int:
    """Tab-separated with no quoting: tabs and line breaks in cells become spaces."""
    columns = columns_for(options)
    stream.write("\t".join(columns) + "\n")
    count = 0
    for article in articles:
        stream.write("\t".join(_cells(article, columns, _tsv_clean)) + "\n")
        count += 1
    return count
