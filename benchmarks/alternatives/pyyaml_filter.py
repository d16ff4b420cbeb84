"""The do-it-yourself alternative: walk the folder, load each front matter with PyYAML, filter.

    python pyyaml_filter.py DIR (--provider X | --topic T | --word W | --date A..B) [--count]

Prints the relative path of each matching article, one a line (`path#N` for record N of
a JSON page, counted from 0 as newsarc does). `--provider` matches the domain or the
name, `--topic` a topic, both case-insensitively; `--word` a word or a phrase (words in
order) in the title or excerpt; `--date 2019-01..2019-06` publication dates (UTC) in
those months, either end open (`2019..`, `..2019-06-30`). Plain-text files and files
that cannot be read are skipped and counted on stderr. Standard library and PyYAML only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)

Record = dict[str, Any]


def iter_files(root: str) -> Iterator[str]:
    """Every non-hidden file below `root`, as a path relative to it, in name order."""
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")


def read_records(path: str) -> list[tuple[str, Record]] | None:
    """The records of one file as (name, record) pairs; None when it holds none we can read."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    if text.startswith("---"):
        start = text.find("\n") + 1
        closing = _CLOSING.search(text, start)
        if closing is None:
            return None
        record = yaml.load(text[start : closing.start()], Loader=LOADER)
        return [("", record)] if isinstance(record, dict) else None
    if text.lstrip().startswith("{"):
        page = json.loads(text)
        values = page.get("value") if isinstance(page, dict) else None
        if isinstance(values, list):
            return [(f"#{index}", record) for index, record in enumerate(values) if isinstance(record, dict)]
        return [("", page)] if isinstance(page, dict) else None
    return None  # plain text: no fields to filter on


def iter_articles(root: str, skipped: list[str] | None = None) -> Iterator[tuple[str, Record]]:
    """(name, record) for every article found below `root`; unreadable files go to `skipped`."""
    for relative in iter_files(root):
        try:
            records = read_records(os.path.join(root, relative))
        except (OSError, ValueError, yaml.YAMLError):
            records = None
        if records is None:
            if skipped is not None:
                skipped.append(relative)
            continue
        for suffix, record in records:
            yield relative + suffix, record


def provider_of(record: Record) -> Record:
    provider = record.get("provider")
    if isinstance(provider, list) and provider:
        provider = provider[0]
    return provider if isinstance(provider, dict) else {}


def published_of(record: Record) -> datetime | None:
    value = record.get("publishedDateTime")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    return None


def _bound(text: str, *, upper: bool) -> datetime | None:
    """The first moment of a YYYY, YYYY-MM or YYYY-MM-DD period, or the first moment after it."""
    if not text:
        return None
    parts = [int(part) for part in text.split("-")]
    year, month, day = parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1
    start = date(year, month, day)
    if upper:
        if len(parts) == 1:
            start = date(year + 1, 1, 1)
        elif len(parts) == 2:
            start = date(year + (month == 12), month % 12 + 1, 1)
        else:
            start = date.fromordinal(start.toordinal() + 1)
    return datetime(start.year, start.month, start.day, tzinfo=timezone.utc)


def make_filter(args: argparse.Namespace) -> Callable[[Record], bool]:
    if args.provider is not None:
        wanted = args.provider.lower()

        def by_provider(record: Record) -> bool:
            provider = provider_of(record)
            return any(str(provider.get(key) or "").lower() == wanted for key in ("domain", "name"))

        return by_provider
    if args.topic is not None:
        topic = args.topic.lower()
        return lambda record: any(str(item).lower() == topic for item in record.get("topics") or [])
    if args.word is not None:
        words = args.word.split()
        pattern = re.compile(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", re.IGNORECASE)
        return lambda record: bool(
            pattern.search(f"{record.get('title') or ''}\n{record.get('excerpt') or ''}")
        )
    low_text, _, high_text = args.date.partition("..")
    low, high = _bound(low_text, upper=False), _bound(high_text or low_text, upper=True)

    def by_date(record: Record) -> bool:
        moment = published_of(record)
        return moment is not None and (low is None or moment >= low) and (high is None or moment < high)

    return by_date


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive")
    choice = parser.add_mutually_exclusive_group(required=True)
    choice.add_argument("--provider")
    choice.add_argument("--topic")
    choice.add_argument("--word")
    choice.add_argument("--date", help="A..B, each YYYY, YYYY-MM or YYYY-MM-DD")
    parser.add_argument("--count", action="store_true", help="print only how many match")
    args = parser.parse_args(argv)
    keep = make_filter(args)
    skipped: list[str] = []
    matches = 0
    out = sys.stdout
    for name, record in iter_articles(args.archive, skipped):
        if keep(record):
            matches += 1
            if not args.count:
                out.write(name + "\n")
    if args.count:
        print(matches)
    print(f"{matches} matching; {len(skipped)} files skipped (plain text or unreadable)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
