"""The article model: plain slotted records (see `slotted`), no I/O.

Field names come from the domain; the camelCase keys of the source files are
mapped in `records.py`, which is also where a record becomes an `Article` and back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .slotted import FrozenRecord, Record

# Records, not dataclasses: every command imports the model, and @dataclass would compile
# these classes' methods at each start (see `slotted`). A list or dict left out is a new
# one for each record, as a dataclass's default_factory gives.


class Image(Record):
    """An image of a story or of its provider, as the source described it."""

    __slots__ = ("url", "width", "height", "title", "attribution", "is_cached", "extra")

    def __init__(self, url: str | None = None, width: int | None = None, height: int | None = None,
                 title: str | None = None, attribution: str | None = None, is_cached: bool | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        self.url = url
        self.width = width
        self.height = height
        self.title = title
        self.attribution = attribution
        self.is_cached = is_cached
        self.extra: dict[str, Any] = {} if extra is None else extra


class Provider(Record):
    """Who published a story: a name, a domain, logos."""

    __slots__ = ("name", "domain", "images", "extra")

    def __init__(self, name: str | None = None, domain: str | None = None, images: list[Image] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        self.name = name
        self.domain = domain
        self.images: list[Image] = [] if images is None else images
        self.extra: dict[str, Any] = {} if extra is None else extra


class Story(Record):
    """The fields an article and each of its related items share."""

    __slots__ = ("title", "excerpt", "published", "updated", "original_url", "web_url", "amp_web_url",
                 "cdn_amp_web_url", "source_url", "type", "category", "categories", "quality", "heat",
                 "is_published", "provider", "topics", "tags", "images", "locale", "featured_content",
                 "extra", "original_text", "title_from_name")

    def __init__(self, title: str = "", excerpt: str = "", published: datetime | None = None,
                 updated: datetime | None = None, original_url: str | None = None, web_url: str | None = None,
                 amp_web_url: str | None = None, cdn_amp_web_url: str | None = None,
                 source_url: str | None = None, type: str | None = None, category: str | None = None,
                 categories: list[str] | None = None, quality: int | None = None, heat: int | None = None,
                 is_published: bool | None = None, provider: Provider | None = None,
                 topics: list[str] | None = None, tags: list[str] | None = None,
                 images: list[Image] | None = None, locale: str | None = None,
                 featured_content: str | None = None, extra: dict[str, Any] | None = None,
                 original_text: dict[str, str] | None = None, title_from_name: bool = False) -> None:
        self.title = title
        self.excerpt = excerpt
        self.published = published
        self.updated = updated
        self.original_url = original_url
        self.web_url = web_url
        self.amp_web_url = amp_web_url
        self.cdn_amp_web_url = cdn_amp_web_url
        self.source_url = source_url
        self.type = type
        self.category = category
        self.categories: list[str] = [] if categories is None else categories
        self.quality = quality
        self.heat = heat
        self.is_published = is_published
        self.provider = provider
        self.topics: list[str] = [] if topics is None else topics
        self.tags: list[str] = [] if tags is None else tags
        self.images: list[Image] = [] if images is None else images
        self.locale = locale
        self.featured_content = featured_content
        # Keys the model does not know, kept verbatim (in source order) so nothing is lost.
        self.extra: dict[str, Any] = {} if extra is None else extra
        # Text exactly as the file had it, for fields whose mojibake was repaired or
        # whose HTML entities were decoded: field name -> original. Lossless exports
        # write these back.
        self.original_text: dict[str, str] = {} if original_text is None else original_text
        # The title shown is the record's `name` (profiles, communities, ... have no
        # title); the `name` key stays in `extra`, and no `title` key is written back.
        self.title_from_name = title_from_name

    @property
    def url(self) -> str | None:
        """The best link to the story: the publisher's page first."""
        return self.web_url or self.original_url or self.amp_web_url or self.source_url

    @property
    def provider_name(self) -> str | None:
        return self.provider.name if self.provider else None

    @property
    def provider_domain(self) -> str | None:
        return self.provider.domain if self.provider else None


class RelatedItem(Story):
    """A story an article links to; it may or may not be an article of the archive."""

    # No field of its own; a RelatedItem never equals a Story or an Article (the class is compared).
    __slots__ = ()


class Article(Story):
    """An article of the archive: a story with its body and related items, and where it was read."""

    __slots__ = ("body", "related", "secured", "id", "path", "index")
    # Where the article came from is not part of its content, so not compared.
    _uncompared = frozenset({"id", "path", "index"})

    def __init__(self, title: str = "", excerpt: str = "", published: datetime | None = None,
                 updated: datetime | None = None, original_url: str | None = None, web_url: str | None = None,
                 amp_web_url: str | None = None, cdn_amp_web_url: str | None = None,
                 source_url: str | None = None, type: str | None = None, category: str | None = None,
                 categories: list[str] | None = None, quality: int | None = None, heat: int | None = None,
                 is_published: bool | None = None, provider: Provider | None = None,
                 topics: list[str] | None = None, tags: list[str] | None = None,
                 images: list[Image] | None = None, locale: str | None = None,
                 featured_content: str | None = None, extra: dict[str, Any] | None = None,
                 original_text: dict[str, str] | None = None, title_from_name: bool = False,
                 body: str = "", related: list[RelatedItem] | None = None, secured: str | None = None,
                 id: str = "", path: str = "", index: int | None = None) -> None:
        Story.__init__(self, title, excerpt, published, updated, original_url, web_url, amp_web_url,
                       cdn_amp_web_url, source_url, type, category, categories, quality, heat, is_published,
                       provider, topics, tags, images, locale, featured_content, extra, original_text,
                       title_from_name)
        self.body = body
        self.related: list[RelatedItem] = [] if related is None else related
        # The encrypted blob is opaque to newsarc: kept verbatim, never decrypted.
        self.secured = secured
        self.id = id
        self.path = path
        # The position of the record in a multi-record file, from 0 (ids are keyed on it);
        # people see `record_number(index)`, counted from 1.
        self.index = index

    @property
    def has_secured(self) -> bool:
        return self.secured is not None


def record_number(index: int) -> int:
    """The number people see for the record at `index` (0-based) of a multi-record file.

    Records are counted from 1 everywhere newsarc shows or writes one: `page.json#1` in
    `paths`, `show` and messages, and `"index": 1` in JSON output, all the first record.
    """
    return index + 1


def record_index(number: int) -> int:
    """The inverse of `record_number`."""
    return number - 1


class Problem(FrozenRecord):
    """Why a file (or one record in it) could not become an article."""

    __slots__ = ("path", "line", "message")
    path: str
    line: int | None
    message: str

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self._init(path, line, message)

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"
