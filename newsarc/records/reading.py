"""A record (a mapping found in a file) -> an Article: every known key checked and typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..entities import decode_entities
from ..errors import ParseError
from ..model import Article, Image, Provider, RelatedItem
from .keys import DATE_KEYS, INT_KEYS, LIST_KEYS, METADATA_KEYS, SCHEMA, SHADOWED_KEY, TEXT_KEYS
from .values import (
    as_boolean,
    as_integer,
    as_list,
    as_text,
    as_text_list,
    kind_of,
    parse_datetime,
    repair_mojibake,
)

if TYPE_CHECKING:
    from typing import Any

    from ..model import Story

# Real records nest four levels at most (related -> item -> images -> image); far
# deeper values are not article data and would exhaust recursion in every consumer.
MAX_DEPTH = 32
# Story fields whose text may carry mojibake worth repairing and HTML entities worth
# decoding; the source text stays in `original_text` for the lossless forms.
_REPAIRED_FIELDS = ("title", "excerpt")
# Profiles, communities, samples, videos and forums name themselves instead of
# having a title; the name is then shown as the title, and stays in `extra`.
NAME_KEY = "name"


def article_from_record(record: Any, *, body: str | None = None) -> Article:
    """The article a record describes; raises ParseError naming the bad key."""
    if not isinstance(record, Mapping):
        raise ParseError(f"an article must be a mapping of keys, got {kind_of(record)}")
    record = dict(record)
    _check_depth(record)
    article = Article()
    shadowed: dict[str, Any] = {}
    if record.get("schema") == SCHEMA:
        for key in METADATA_KEYS:
            record.pop(key, None)
        shadowed = record.pop(SHADOWED_KEY, None) or {}
    _fill_story(article, record)
    if "related" in record:
        article.related = [
            _related_from_record(item, position)
            for position, item in enumerate(as_list(record.pop("related"), "related"))
        ]
    if "secured" in record:
        article.secured = as_text(record.pop("secured"), "secured")
    if body is None and "body" in record:
        body = as_text(record.pop("body"), "body")
    article.body = body or ""
    repaired = repair_mojibake(article.body)
    if repaired != article.body:
        article.original_text["body"] = article.body
        article.body = repaired
    record.update(shadowed)
    article.extra = record
    return article


def _check_depth(record: dict[str, Any]) -> None:
    """Refuse values nested deeper than MAX_DEPTH (without recursing, so any depth is safe).

    Only containers are walked: this runs on every record indexed, and most values are text.
    """
    containers = (dict, list, tuple)
    for key, value in record.items():
        if not isinstance(value, containers):
            continue
        stack = [(value, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise ParseError(f"'{key}' is nested more than {MAX_DEPTH} levels deep", hint=str(key))
            for child in node.values() if isinstance(node, dict) else node:
                if isinstance(child, containers):
                    stack.append((child, depth + 1))


def _related_from_record(item: Any, position: int) -> RelatedItem:
    if not isinstance(item, Mapping):
        raise ParseError(f"related item {position + 1} must be a mapping, got {kind_of(item)}",
                         hint="related")
    related = RelatedItem()
    remaining = dict(item)
    try:
        _fill_story(related, remaining)
    except ParseError as error:
        # The line of `related:`: the item's own keys are indented, and an article key
        # of the same name elsewhere would point at the wrong line.
        raise ParseError(f"related item {position + 1}: {error.message}", hint="related") from None
    related.extra = remaining
    return related


def _fill_story(story: Story, record: dict[str, Any]) -> None:
    """Move every known key of `record` into `story`; what is left is unknown."""
    had_title = "title" in record
    for key, name in TEXT_KEYS.items():
        if key in record:
            value = as_text(record.pop(key), key)
            if value is None and name in ("title", "excerpt"):
                value = ""  # an explicit null (JSON pages) means no text, as a missing key does
            setattr(story, name, value)
    for key, name in DATE_KEYS.items():
        if key in record:
            setattr(story, name, parse_datetime(record.pop(key), key))
    for key, name in INT_KEYS.items():
        if key in record:
            setattr(story, name, as_integer(record.pop(key), key))
    for key, name in LIST_KEYS.items():
        if key in record:
            setattr(story, name, as_text_list(record.pop(key), key))
    if "published" in record:
        story.is_published = as_boolean(record.pop("published"), "published")
    if "provider" in record:
        story.provider = _provider(record.pop("provider"))
    if "images" in record:
        story.images = _images(record.pop("images"), "images")
    for name in _REPAIRED_FIELDS:
        original = getattr(story, name)
        repaired = readable_text(original)
        if repaired != original:
            story.original_text[name] = original
            setattr(story, name, repaired)
    if not story.title.strip():
        _title_from_name(story, record, had_title)
    if story.title == "" and story.excerpt == "" and not _has_url(story, record):
        raise ParseError("the record has no title, name, excerpt or URL", hint="title")


def readable_text(text: str) -> str:
    """Source text as a reader expects it: mojibake repaired, HTML entities decoded."""
    return decode_entities(repair_mojibake(text))


def _title_from_name(story: Story, record: dict[str, Any], had_title: bool) -> None:
    """Show the record's `name` as its title; the `name` key itself stays in `extra`."""
    name = record.get(NAME_KEY)
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        name = str(name)
    if not isinstance(name, str) or not name.strip():
        return
    if had_title:  # an empty or blank title: written back as the file had it
        story.original_text.setdefault("title", story.title)
    story.title = readable_text(name)
    story.title_from_name = True


def _has_url(story: Story, record: dict[str, Any]) -> bool:
    """A link of the record's own: a URL key, or an unknown key holding an http(s) URL
    (a profile's `twitter: {url: ...}`, a sample's `actions: [{url: ...}]`)."""
    if story.url or story.cdn_amp_web_url:
        return True
    return any(_holds_url(value) for key, value in record.items() if key not in _NOT_OWN_LINKS)


_NOT_OWN_LINKS = ("related", "secured", "body")


def _holds_url(value: Any) -> bool:
    """An http(s) URL, or a mapping (or a list of mappings) with one among its values."""
    if isinstance(value, Mapping):
        return any(_is_url(item) for item in value.values())
    if isinstance(value, list):
        return any(isinstance(item, Mapping) and _holds_url(item) for item in value[:100])
    return _is_url(value)


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _provider(value: Any) -> Provider | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Provider(name=value)
    if isinstance(value, list) and len(value) == 1:  # JSON pages list their one provider
        value = value[0]
    if not isinstance(value, Mapping):
        raise ParseError(f"'provider' should be a mapping with name and domain, got {kind_of(value)}",
                         hint="provider")
    remaining = dict(value)
    provider = Provider(
        name=as_text(remaining.pop("name", None), "provider.name"),
        domain=as_text(remaining.pop("domain", None), "provider.domain"),
    )
    if "images" in remaining:
        provider.images = _images(remaining.pop("images"), "provider.images")
    provider.extra = remaining
    return provider


def _images(value: Any, key: str) -> list[Image]:
    images = []
    for item in as_list(value, key):
        if isinstance(item, str):
            images.append(Image(url=item))
            continue
        if not isinstance(item, Mapping):
            raise ParseError(f"each of '{key}' should be a mapping with a url, got {kind_of(item)}", hint=key)
        remaining = dict(item)
        images.append(
            Image(
                url=as_text(remaining.pop("url", None), f"{key}.url"),
                width=as_integer(remaining.pop("width", None), f"{key}.width"),
                height=as_integer(remaining.pop("height", None), f"{key}.height"),
                title=as_text(remaining.pop("title", None), f"{key}.title"),
                attribution=as_text(remaining.pop("attribution", None), f"{key}.attribution"),
                is_cached=as_boolean(remaining.pop("isCached", None), f"{key}.isCached"),
                extra=remaining,
            )
        )
    return images
