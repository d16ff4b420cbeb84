"""What the Markdown and HTML digests share: groups, labels, dates and safe links.

No grouping can know a group is complete until the input ends (a search
arrives in relevance order, not by day), so each article's rendered entry is
spooled to a temporary file (in memory until it grows large) and only
(offset, length) pairs are kept per group. Days go newest first, and the
articles of a day by time (both oldest first with `oldest_first`), undated
last; providers and topics go in alphabetical order.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO
from urllib.parse import quote, urlsplit

from ..entities import decode_entities
from ..htmltext import Block, Inline, body_source, html_blocks, looks_like_html
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


def summary_blocks(article: Article) -> list[Block]:
    """What a digest shows of an article's text: its excerpt, else the opening paragraph
    of its body (or of a JSON record's `content`); HTML in either read as blocks."""
    if article.excerpt.strip():
        if looks_like_html(article.excerpt):
            return html_blocks(article.excerpt)
        return [Block("paragraph", (Inline(article.excerpt),))]
    body = body_source(article)
    if looks_like_html(body):
        return [block for block in html_blocks(body) if block.kind == "paragraph"][:1]
    opening = decode_entities(body.strip().split("\n\n", 1)[0])
    return [Block("paragraph", (Inline(opening),))] if opening.strip() else []


def grouped(articles: Iterable[Article], group_by: str, render: Callable[[Article], str], *,
            oldest_first: bool = False) -> Iterator[Group]:
    """The articles' rendered entries, grouped as `group_by` says."""
    if group_by == "day":
        return _spooled(articles, _day_keys, UNDATED, render, newest_first=not oldest_first)
    if group_by == "provider":
        return _spooled(articles, _provider_keys, NO_PROVIDER, render)
    return _spooled(articles, _topic_keys, NO_TOPIC, render)


def _day_keys(article: Article) -> list[tuple[str, str]]:
    day = _day(article)
    return [(day.isoformat(), day_label(day))] if day else []


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
    *,
    newest_first: bool | None = None,
) -> Iterator[Group]:
    """Groups in alphabetical order, `leftover` (the articles with no key) last.

    With `newest_first` set (the day keys, which sort as ISO dates), the keys go in
    that direction and each group's articles by their time the same way; ties keep
    the input order."""
    labels: dict[str, str] = {}  # key -> the first spelling seen
    spans: dict[str, list[tuple[float, int, int]]] = {}  # key -> (time, offset, length)
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY_BYTES, mode="w+b") as spool:
        for article in articles:
            data = render(article).encode("utf-8", "surrogatepass")
            start = spool.tell()
            spool.write(data)
            moment = article.published.timestamp() if article.published else 0.0
            for key, label in keys(article) or [("", leftover)]:
                labels.setdefault(key, label)
                spans.setdefault(key, []).append((moment, start, len(data)))
        order = sorted(spans, key=lambda key: (key == "", key))
        if newest_first is not None:
            dated = sorted((key for key in order if key), reverse=newest_first)
            order = dated + [key for key in order if not key]
        for key in order:
            members = spans[key]
            if newest_first is not None:
                members = sorted(members, key=lambda span: -span[0] if newest_first else span[0])
            group_key = "undated" if newest_first is not None and not key else key
            entries = _read_back(spool, [(start, length) for _, start, length in members])
            yield Group(group_key, labels[key], entries)


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
