"""The article model: plain dataclasses, no I/O.

Field names come from the domain; the camelCase keys of the source files are
mapped in `records.py`, which is also where a record becomes an `Article` and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Each dataclass has a docstring: without one, @dataclass builds it from the signature
# (inspect.signature), a cost every command pays at import.


@dataclass
class Image:
    """An image of a story or of its provider, as the source described it."""

    url: str | None = None
    width: int | None = None
    height: int | None = None
    title: str | None = None
    attribution: str | None = None
    is_cached: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Provider:
    """Who published a story: a name, a domain, logos."""

    name: str | None = None
    domain: str | None = None
    images: list[Image] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Story:
    """The fields an article and each of its related items share."""

    title: str = ""
    excerpt: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    original_url: str | None = None
    web_url: str | None = None
    amp_web_url: str | None = None
    cdn_amp_web_url: str | None = None
    source_url: str | None = None
    type: str | None = None
    category: str | None = None
    categories: list[str] = field(default_factory=list)
    quality: int | None = None
    heat: int | None = None
    is_published: bool | None = None
    provider: Provider | None = None
    topics: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    locale: str | None = None
    featured_content: str | None = None
    # Keys the model does not know, kept verbatim (in source order) so nothing is lost.
    extra: dict[str, Any] = field(default_factory=dict)
    # Text exactly as the file had it, for fields whose mojibake was repaired or
    # whose HTML entities were decoded: field name -> original. Lossless exports
    # write these back.
    original_text: dict[str, str] = field(default_factory=dict)
    # The title shown is the record's `name` (profiles, communities, ... have no
    # title); the `name` key stays in `extra`, and no `title` key is written back.
    title_from_name: bool = False

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


# Not decorated again: it adds no field, so Story's generated __init__, __repr__ (which
# names the class of the instance) and __eq__ (which compares only instances of one
# class) serve it as they are, and a second @dataclass would only compile them again.
class RelatedItem(Story):
    """A story an article links to; it may or may not be an article of the archive."""


@dataclass
class Article(Story):
    """An article of the archive: a story with its body and related items, and where it was read."""

    body: str = ""
    related: list[RelatedItem] = field(default_factory=list)
    # The encrypted blob is opaque to newsarc: kept verbatim, never decrypted.
    secured: str | None = None
    # Where the article came from; not part of its content, so not compared.
    id: str = field(default="", compare=False)
    path: str = field(default="", compare=False)
    # The position of the record in a multi-record file, from 0 (ids are keyed on it);
    # people see `record_number(index)`, counted from 1.
    index: int | None = field(default=None, compare=False)

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


@dataclass(frozen=True)
class Problem:
    """Why a file (or one record in it) could not become an article."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"
