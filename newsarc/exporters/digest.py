"""What the Markdown and HTML digests share: groups, labels, dates and safe links.

Grouping by day streams: it assumes articles arrive sorted by date (newest
first, as the archive lists them) and starts a new group whenever the day
changes, so unsorted input gives repeated day headings rather than a buffer.
Grouping by provider or topic cannot know a group is complete until the input
ends, so each article's rendered entry is spooled to a temporary file (in
memory until it grows large) and only (offset, length) pairs are kept per group.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO
from urllib.parse import quote, urlsplit

from ..model import Article, Story
from ..textsafe import safe_line
from . import ExportOptions

DEFAULT_TITLE = "News digest"
UNDATED = "Undated"
NO_PROVIDER = "No provider"
NO_TOPIC = "No topic"
_SPOOL_IN_MEMORY_BYTES = 8 * 1024 * 1024
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip
# Characters a URL keeps as they are; everything else (spaces, quotes, brackets,
# parentheses, backslashes, controls, non-ASCII) is percent-encoded, so a URL can
# close neither a Markdown link nor an HTML attribute.
_URL_SAFE = "!#$%&*+,-./:;=?@_~"


@dataclass
class Group:
    key: str  # the ISO day or `undated`, the case-folded provider or topic, or "" for none
    label: str  # for people, already plain text (safe_line), not yet escaped
    entries: Iterator[str]  # the rendered articles, in input order


def digest_title(options: ExportOptions) -> str:
    return safe_line(options.title) or DEFAULT_TITLE


def generated_line(options: ExportOptions) -> str | None:
    return f"Generated {format_moment(options.now)}" if options.now else None


def format_moment(moment: datetime) -> str:
    """`2021-12-17 10:49 UTC`, or only the date when the time is midnight
    (files that know only the day say T00:00:00Z)."""
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def day_label(day: date) -> str:
    """`Friday 17 December 2021`, spelled the same whatever the locale."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def link_target(url: str | None) -> str | None:
    """`url` ready for an href or a Markdown link, or None when it must not be linked:
    only absolute http and https URLs are, so `javascript:` and the like stay text."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=_URL_SAFE)


def provider_label(story: Story) -> str:
    return safe_line(story.provider_name or story.provider_domain)


def topics_label(story: Story) -> str:
    return ", ".join(label for label in map(safe_line, story.topics) if label)


def story_meta(story: Story, *, with_topics: bool) -> list[str]:
    """Provider, date and (for articles) topics, as plain text parts."""
    parts = [provider_label(story), format_moment(story.published) if story.published else ""]
    if with_topics:
        parts.append(topics_label(story))
    return [part for part in parts if part]


def story_title(story: Story) -> str:
    return safe_line(story.title) or safe_line(story.url) or "(untitled)"


def grouped(articles: Iterable[Article], group_by: str, render: Callable[[Article], str]) -> Iterator[Group]:
    """The articles' rendered entries, grouped as `group_by` says."""
    if group_by == "day":
        return _by_day(articles, render)
    if group_by == "provider":
        return _spooled(articles, _provider_keys, NO_PROVIDER, render)
    return _spooled(articles, _topic_keys, NO_TOPIC, render)


def _by_day(articles: Iterable[Article], render: Callable[[Article], str]) -> Iterator[Group]:
    for day, members in itertools.groupby(articles, key=_day):
        key = day.isoformat() if day else "undated"
        label = day_label(day) if day else UNDATED
        yield Group(key, label, (render(article) for article in members))


def _day(article: Article) -> date | None:
    return article.published.date() if article.published else None


def _provider_keys(article: Article) -> list[tuple[str, str]]:
    label = provider_label(article)
    return [(label.casefold(), label)] if label else []


def _topic_keys(article: Article) -> list[tuple[str, str]]:
    labels = dict.fromkeys(safe_line(topic) for topic in article.topics)  # once per topic
    return [(label.casefold(), label) for label in labels if label]


def _spooled(
    articles: Iterable[Article],
    keys: Callable[[Article], list[tuple[str, str]]],
    leftover: str,
    render: Callable[[Article], str],
) -> Iterator[Group]:
    """Groups in alphabetical order, `leftover` (the articles with no key) last."""
    labels: dict[str, str] = {}  # key -> the first spelling seen
    spans: dict[str, list[tuple[int, int]]] = {}
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY_BYTES, mode="w+b") as spool:
        for article in articles:
            data = render(article).encode("utf-8", "surrogatepass")
            start = spool.tell()
            spool.write(data)
            for key, label in keys(article) or [("", leftover)]:
                labels.setdefault(key, label)
                spans.setdefault(key, []).append((start, len(data)))
        for key in sorted(spans, key=lambda key: (key == "", key)):
            yield Group(key, labels[key], _read_back(spool, spans[key]))


def _read_back(spool: IO[bytes], spans: list[tuple[int, int]]) -> Iterator[str]:
    for start, length in spans:
        spool.seek(start)
        yield spool.read(length).decode("utf-8", "surrogatepass")


class CountingRender:
    """A render function that counts the articles it renders (once each, even
    when grouping by topic shows an article under several headings)."""

    def __init__(self, render: Callable[[Article], str]) -> None:
        self.render = render
        self.count = 0

    def __call__(self, article: Article) -> str:
        self.count += 1
        return self.render(article)


def footer(count: int) -> str:
    return f"{count} article{'' if count == 1 else 's'}." if count else "No articles."
