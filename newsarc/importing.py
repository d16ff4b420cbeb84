"""Importing articles into an archive folder from newsarc's exports and from feeds.

Sources are recognised by content: JSON (an array, one article, or a page with
a `value` or `news` list), JSON Lines, files with YAML front matter, and the
CSV or TSV tables newsarc's exporter writes. Each new article becomes one
front-matter file in the folder, named as the `frontmatter` exporter names them.

Importing is idempotent: an article whose canonical URL and publication time
match one already in the folder (or earlier in the same import) is skipped.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import ArchiveError, ParseError
from .exporters.frontmatter import FileNamer, render
from .exporters.tabular import COLUMNS, TOPIC_SEPARATOR, unneutralise
from .model import Article, Problem
from .parsing import article_id, decode, json_error_message, load_json, parse_bytes, parse_file, walk_archive
from .records import article_from_record, iso_utc
from .safewrite import fsync_folder, remove_stale_temporaries, write_file
from .urls import canonical_url

DuplicateKey = tuple[str, "str | None"]
_SNIFF_BYTES = 64 * 1024
_NOT_AN_ARTICLE = "a JSON, JSON Lines, front-matter or newsarc CSV/TSV file"


@dataclass
class ImportSummary:
    added: int = 0
    skipped: int = 0  # already in the folder, or twice in the sources
    rejected: list[Problem] = field(default_factory=list)


def import_sources(sources: Iterable[Path], into: Path) -> ImportSummary:
    """Add the articles of `sources` to the folder `into` (created if missing).

    Never writes outside `into` and never replaces a file in it. A source or
    record that cannot be read is listed in `rejected` with the reason.
    """
    into = Path(into)
    try:
        into.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file of that name, or no permission
        raise ArchiveError(f"cannot use {into} as the archive folder: {error.strerror or error}") from None
    remove_stale_temporaries(into)
    known = _keys_in_folder(into)
    namer = FileNamer(entry.name for entry in os.scandir(into))
    summary = ImportSummary()
    try:
        for source in sources:
            _import_source(Path(source), into, known, namer, summary)
    finally:
        fsync_folder(into)  # each file was fsynced before its rename; the folder once, for all
    return summary


def _import_source(
    source: Path, into: Path, known: set[DuplicateKey], namer: FileNamer, summary: ImportSummary
) -> None:
    for found in read_source(source):
        if isinstance(found, Problem):
            summary.rejected.append(found)
            continue
        key = duplicate_key(found)
        if key in known:
            summary.skipped += 1
            continue
        problem = _add(found, into, namer)
        if problem:
            summary.rejected.append(problem)
            continue
        known.add(key)
        summary.added += 1


def duplicate_key(article: Article) -> DuplicateKey:
    """Canonical URL and publication time; the title stands in for a missing URL."""
    identity = canonical_url(article.url) or "title:" + " ".join(article.title.casefold().split())
    return identity, iso_utc(article.published) if article.published else None


def _keys_in_folder(folder: Path) -> set[DuplicateKey]:
    keys: set[DuplicateKey] = set()
    for article_file in walk_archive(folder, []):
        keys.update(
            duplicate_key(article)
            for article in parse_file(article_file.file_path, article_file.path).articles
        )
    return keys


def _add(article: Article, into: Path, namer: FileNamer) -> Problem | None:
    text = render(article)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate from a JSON escape
        return Problem(article.path, None, f"cannot be written as front matter: {error}")
    for _ in range(100):  # another process may take a name between scan and write
        name = namer.name_for(article)
        try:
            write_file(into, name, text, replace=False, sync_folder=False)
            return None
        except FileExistsError:
            continue
        except OSError as error:
            raise ArchiveError(f"cannot write {name}: {error.strerror or error}", path=str(into)) from None
    raise ArchiveError(f"cannot find a free file name for {article.path}", path=str(into))


# --- reading sources --------------------------------------------------------------------


def read_source(path: Path) -> Iterator[Article | Problem]:
    """Every article in one source file, or a Problem for what cannot be read."""
    name = str(path)
    if path.is_dir():
        yield Problem(name, None, "is a folder; give the files to import")
        return
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the generator is done
    except OSError as error:
        yield Problem(name, None, f"cannot read file: {error.strerror or error}")
        return
    with handle:
        head = handle.read(_SNIFF_BYTES)
        handle.seek(0)
        yield from _read_by_content(head, handle, name)


def _read_by_content(head: bytes, handle: IO[bytes], name: str) -> Iterator[Article | Problem]:
    decoded = decode(head)
    if decoded is None:
        yield Problem(name, None, "binary file, not articles (it contains NUL bytes)")
        return
    text = decoded.lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        yield from _read_json(handle, name)
    elif text.startswith("---"):
        yield from _from_result(parse_bytes(handle.read(), name))
    elif _table_columns(text.split("\n", 1)[0]):
        yield from _read_table(handle, name)
    elif not text:
        yield Problem(name, None, "empty file")
    else:
        yield Problem(name, 1, f"not {_NOT_AN_ARTICLE}")


def _from_result(result: Any) -> Iterator[Article | Problem]:
    yield from result.problems
    yield from result.articles


# --- JSON -------------------------------------------------------------------------------


def _read_json(handle: IO[bytes], name: str) -> Iterator[Article | Problem]:
    """JSON Lines, and JSON arrays written one record per line (as newsarc writes
    them), stream line by line at any size; any other JSON is read whole."""
    if _reads_line_by_line(handle):
        yield from _read_json_lines(handle, name)
    else:
        yield from _from_result(parse_bytes(handle.read(), name))


def _reads_line_by_line(handle: IO[bytes]) -> bool:
    lines = (line for line in (_line_text(raw) for raw in handle) if line)
    first = next(lines, "")
    candidate = next(lines, "") if first == "[" else first
    handle.seek(0)
    try:
        return isinstance(load_json(candidate.removesuffix(",")), (dict, list))
    except ValueError:
        return False


def _line_text(raw: bytes) -> str:
    return (decode(raw) or "").lstrip("\ufeff").strip()


def _read_json_lines(handle: IO[bytes], name: str) -> Iterator[Article | Problem]:
    index = 0
    for number, raw in enumerate(handle, 1):
        line = _line_text(raw)
        if line in ("", "[", "]"):  # the brackets of a line-per-record array
            continue
        try:
            document = load_json(line.removesuffix(","))
        except ValueError as error:  # bad syntax, or a number too long to hold
            yield Problem(name, number, json_error_message(error))
            continue
        for record in _records(document):
            yield _article(record, name, number, index)
            index += 1


def _records(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in ("value", "news"):  # a page of articles on one line
            if isinstance(document.get(key), list):
                return document[key]
    return [document]


def _article(record: Any, name: str, line: int | None, index: int) -> Article | Problem:
    try:
        article = article_from_record(record)
    except ParseError as error:
        return Problem(name, line, error.message)
    article.path, article.index, article.id = name, index, article_id(name, index)
    return article


# --- CSV and TSV ------------------------------------------------------------------------


def _table_columns(header: str) -> list[str] | None:
    """The header's column names when it is a newsarc table's header."""
    header = header.strip("\r\n")
    columns = header.split("\t") if "\t" in header else next(csv.reader([header]), [])
    if columns and all(column in COLUMNS for column in columns) and {"title", "url"} & set(columns):
        return columns
    return None


def _read_table(handle: IO[bytes], name: str) -> Iterator[Article | Problem]:
    # newline="": the csv module handles line breaks inside quoted cells itself.
    stream = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")
    header = stream.readline()
    columns = _table_columns(header) or []
    rows = _tsv_rows(stream) if "\t" in header else _csv_rows(stream)
    try:
        for index, (line, cells) in enumerate(rows):
            yield _row_article(columns, cells, name, line, index)
    except csv.Error as error:
        yield Problem(name, None, f"unreadable CSV: {error}")


def _csv_rows(stream: IO[str]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(stream)
    line = 2  # the header was line 1; a row's number is the line it starts on
    for cells in reader:
        yield line, cells
        line = reader.line_num + 2


def _tsv_rows(stream: IO[str]) -> Iterator[tuple[int, list[str]]]:
    for line, text in enumerate(stream, 2):
        text = text.rstrip("\r\n")
        if text:
            yield line, text.split("\t")


def _row_article(columns: list[str], cells: list[str], name: str, line: int, index: int) -> Article | Problem:
    if len(cells) != len(columns):
        return Problem(name, line, f"row has {len(cells)} cells, the header names {len(columns)}")
    row = {column: unneutralise(cell) for column, cell in zip(columns, cells, strict=True) if cell}
    return _article(record_from_row(row), name, line, index)


def record_from_row(row: dict[str, str]) -> dict[str, Any]:
    """A source record from the cells of a newsarc CSV row (id, path and the
    related count are not article content and are dropped)."""
    record: dict[str, Any] = {}
    for column, key in (
        ("title", "title"),
        ("excerpt", "excerpt"),
        ("published", "publishedDateTime"),
        ("original_url", "originalUrl"),
        ("web_url", "webUrl"),
        ("amp_web_url", "ampWebUrl"),
        ("type", "type"),
        ("quality", "quality"),
        ("heat", "heat"),
    ):
        if column in row:
            record[key] = row[column]
    if "url" in row and not {"originalUrl", "webUrl", "ampWebUrl"} & set(record):
        record["webUrl"] = row["url"]
    provider = {key: row[f"provider.{key}"] for key in ("name", "domain") if f"provider.{key}" in row}
    if provider:
        record["provider"] = provider
    topics = [topic for topic in row.get("topics", "").split(TOPIC_SEPARATOR) if topic]
    if topics:
        record["topics"] = topics
    return record
