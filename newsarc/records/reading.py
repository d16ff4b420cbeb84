"""Records (the mappings found in files) to articles, and articles back to records.

A record uses the source files' camelCase keys. `article_from_record` checks every
known key's type, normalises dates to aware UTC, repairs mojibake (keeping the
original text), and keeps unknown keys in `extra`. `record_from_article` is its
inverse, so an article written out and read back is equal to the original.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timezone
from typing import Any

from ..errors import ParseError
from ..model import Article, Image, Provider, RelatedItem, Story
from ..timestamps import TimestampError, read_timestamp

# Written by newsarc's own JSON exports beside the record's fields; a record that
# carries it has its `id`/`path`/`index` keys read as newsarc's metadata.
SCHEMA = "newsarc.article/1"
_METADATA_KEYS = ("schema", "id", "path", "index")
# Where `json_record` puts unknown keys whose names it needs itself (an `id` or `body`
# key of the source record), so that reading the record back restores them.
_SHADOWED_KEY = "newsarc.extra"
_RESERVED_KEYS = (*_METADATA_KEYS, "body", _SHADOWED_KEY)
# Real records nest four levels at most (related -> item -> images -> image); far
# deeper values are not article data and would exhaust recursion in every consumer.
MAX_DEPTH = 32

_TEXT_KEYS = {  # source key -> Story field, for plain text values
    "title": "title",
    "excerpt": "excerpt",
    "originalUrl": "original_url",
    "webUrl": "web_url",
    "ampWebUrl": "amp_web_url",
    "cdnAmpWebUrl": "cdn_amp_web_url",
    "sourceUrl": "source_url",
    "type": "type",
    "category": "category",
    "locale": "locale",
    "featuredContent": "featured_content",
}
_DATE_KEYS = {"publishedDateTime": "published", "updatedDateTime": "updated"}
_INT_KEYS = {"quality": "quality", "heat": "heat"}
_LIST_KEYS = {"categories": "categories", "topics": "topics", "tags": "tags"}
_ARTICLE_ONLY_KEYS = ("related", "secured", "body")
# Story fields whose text may carry mojibake worth repairing.
_REPAIRED_FIELDS = ("title", "excerpt")

# The order keys are written in, matching the files aggregators publish.
_KEY_ORDER = (
    "category", "categories", "title", "excerpt", "publishedDateTime", "updatedDateTime",
    "originalUrl", "webUrl", "ampWebUrl", "cdnAmpWebUrl", "sourceUrl", "type", "quality",
    "heat", "published", "locale", "featuredContent", "provider", "topics", "tags",
    "images", "related", "secured",
)
# Related items list their provider before their quality, unlike articles.
_RELATED_KEY_ORDER = (
    "title", "excerpt", "publishedDateTime", "updatedDateTime", "originalUrl", "webUrl", "ampWebUrl",
    "cdnAmpWebUrl", "sourceUrl", "type", "category", "categories", "provider", "quality", "heat",
    "published", "locale", "featuredContent", "topics", "tags", "images",
)  # fmt: skip

# UTF-8 read as Windows-1252 or Latin-1 leaves a lead byte (Â..ô) followed by a
# continuation byte shown as a C1 control, a Latin-1 symbol or a cp1252 punctuation mark.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def repair_mojibake(text: str) -> str:
    """`text` with UTF-8-read-as-Windows-1252 damage undone (`Chinaâ€™s` -> `China’s`)."""
    if text.isascii() or not _MOJIBAKE_HINT.search(text):
        return text
    import ftfy  # only files that look damaged pay for the import

    return ftfy.fix_encoding(text)


# --- reading ---------------------------------------------------------------------------


def article_from_record(record: Any, *, body: str | None = None) -> Article:
    """The article a record describes; raises ParseError naming the bad key."""
    if not isinstance(record, Mapping):
        raise ParseError(f"an article must be a mapping of keys, got {_kind(record)}")
    record = dict(record)
    _check_depth(record)
    article = Article()
    shadowed: dict[str, Any] = {}
    if record.get("schema") == SCHEMA:
        for key in _METADATA_KEYS:
            record.pop(key, None)
        shadowed = record.pop(_SHADOWED_KEY, None) or {}
    _fill_story(article, record)
    if "related" in record:
        article.related = [
            _related_from_record(item, position)
            for position, item in enumerate(_as_list(record.pop("related"), "related"))
        ]
    if "secured" in record:
        article.secured = _text(record.pop("secured"), "secured")
    if body is None and "body" in record:
        body = _text(record.pop("body"), "body")
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
        raise ParseError(f"related item {position + 1} must be a mapping, got {_kind(item)}", hint="related")
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
    for key, name in _TEXT_KEYS.items():
        if key in record:
            value = _text(record.pop(key), key)
            if value is None and name in ("title", "excerpt"):
                value = ""  # an explicit null (JSON pages) means no text, as a missing key does
            setattr(story, name, value)
    for key, name in _DATE_KEYS.items():
        if key in record:
            setattr(story, name, parse_datetime(record.pop(key), key))
    for key, name in _INT_KEYS.items():
        if key in record:
            setattr(story, name, _integer(record.pop(key), key))
    for key, name in _LIST_KEYS.items():
        if key in record:
            setattr(story, name, _text_list(record.pop(key), key))
    if "published" in record:
        story.is_published = _boolean(record.pop("published"), "published")
    if "provider" in record:
        story.provider = _provider(record.pop("provider"))
    if "images" in record:
        story.images = _images(record.pop("images"), "images")
    for name in _REPAIRED_FIELDS:
        original = getattr(story, name)
        repaired = repair_mojibake(original)
        if repaired != original:
            story.original_text[name] = original
            setattr(story, name, repaired)
    if story.title == "" and story.excerpt == "" and story.url is None:
        raise ParseError("the record has no title, excerpt or URL", hint="title")


def _provider(value: Any) -> Provider | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Provider(name=value)
    if isinstance(value, list) and len(value) == 1:  # JSON pages list their one provider
        value = value[0]
    if not isinstance(value, Mapping):
        raise ParseError(f"'provider' should be a mapping with name and domain, got {_kind(value)}", hint="provider")
    remaining = dict(value)
    provider = Provider(
        name=_text(remaining.pop("name", None), "provider.name"),
        domain=_text(remaining.pop("domain", None), "provider.domain"),
    )
    if "images" in remaining:
        provider.images = _images(remaining.pop("images"), "provider.images")
    provider.extra = remaining
    return provider


def _images(value: Any, key: str) -> list[Image]:
    images = []
    for item in _as_list(value, key):
        if isinstance(item, str):
            images.append(Image(url=item))
            continue
        if not isinstance(item, Mapping):
            raise ParseError(f"each of '{key}' should be a mapping with a url, got {_kind(item)}", hint=key)
        remaining = dict(item)
        images.append(
            Image(
                url=_text(remaining.pop("url", None), f"{key}.url"),
                width=_integer(remaining.pop("width", None), f"{key}.width"),
                height=_integer(remaining.pop("height", None), f"{key}.height"),
                title=_text(remaining.pop("title", None), f"{key}.title"),
                attribution=_text(remaining.pop("attribution", None), f"{key}.attribution"),
                is_cached=_boolean(remaining.pop("isCached", None), f"{key}.isCached"),
                extra=remaining,
            )
        )
    return images


def _as_list(value: Any, key: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    raise ParseError(f"'{key}' should be a list, got {_kind(value)}", hint=key)


def _text(value: Any, key: str) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ParseError(f"'{key}' should be text, got {_kind(value)}", hint=key.split(".")[0])


def _text_list(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ParseError(f"'{key}' should be a list of text, got {_kind(value)}", hint=key)
    return [_text(item, key) for item in value if item is not None]


def _integer(value: Any, key: str) -> int | None:
    if value is None:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 10**18:  # as for text below: beyond what an index column holds
            raise ParseError(f"'{key}' is too large a number: {value}", hint=key.split(".")[0])
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,18}\s*", value):
        return int(value)
    raise ParseError(f"'{key}' should be a whole number, got {_kind(value)}", hint=key.split(".")[0])


def _boolean(value: Any, key: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ParseError(f"'{key}' should be true or false, got {_kind(value)}", hint=key.split(".")[0])


def parse_datetime(value: Any, key: str = "date") -> datetime | None:
    """A timestamp as an aware UTC datetime, read by the rules of `timestamps` (naive means UTC).

    Text must name a day: a time without a date, a date without a year or a day, a
    day/month order that could go either way and an unknown zone name are ParseErrors.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        moment = _datetime_from_text(value, key)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value > 10**8:
        try:
            moment = datetime.fromtimestamp(value / 1000 if value > 10**11 else value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ParseError(f"'{key}' is out of the range of dates: {value}", hint=key) from None
    else:
        raise ParseError(f"'{key}' should be a date and time, got {_kind(value)}", hint=key)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        raise ParseError(f"'{key}' is out of the range of dates: {moment.isoformat()}", hint=key) from None


def _datetime_from_text(text: str, key: str) -> datetime:
    try:
        found = read_timestamp(text)
    except TimestampError as error:
        raise ParseError(f"'{key}' {error.reason}: {text[:60]!r}", hint=key) from None
    except (ValueError, OverflowError):
        found = None
    if found is None:
        raise ParseError(f"'{key}' is not a date: {text[:60]!r}", hint=key)
    if found.precision in ("year", "month"):
        # A publication date names a day; its first would be a guess.
        raise ParseError(f"'{key}' has no day: {text[:60]!r}", hint=key)
    return found.start


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (datetime, date)):
        return "a date"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return type(value).__name__


# --- writing ---------------------------------------------------------------------------


def record_from_article(article: Article) -> dict[str, Any]:
    """The article as a record with the source keys, original text restored.

    Dates stay `datetime` objects; each writer decides how to spell them.
    """
    record = _story_record(article)
    if article.related:
        record["related"] = [_story_record(item) for item in article.related]
    if article.secured is not None:
        record["secured"] = article.secured
    ordered = {key: record[key] for key in _KEY_ORDER if key in record}
    ordered.update(article.extra)
    return ordered


def _story_record(story: Story) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, name in (*_TEXT_KEYS.items(), *_DATE_KEYS.items(), *_INT_KEYS.items()):
        value = story.original_text.get(name, getattr(story, name))
        if value is not None:
            record[key] = value
    for key, name in _LIST_KEYS.items():
        if getattr(story, name):
            record[key] = list(getattr(story, name))
    if story.is_published is not None:
        record["published"] = story.is_published
    if story.provider is not None:
        record["provider"] = _provider_record(story.provider)
    if story.images:
        record["images"] = [_image_record(image) for image in story.images]
    if isinstance(story, RelatedItem):
        ordered = {key: record[key] for key in _RELATED_KEY_ORDER if key in record}
        ordered.update(story.extra)
        return ordered
    return record


def _provider_record(provider: Provider) -> dict[str, Any]:
    record = _without_none({"name": provider.name, "domain": provider.domain})
    if provider.images:
        record["images"] = [_image_record(image) for image in provider.images]
    record.update(provider.extra)
    return record


def _image_record(image: Image) -> dict[str, Any]:
    record = _without_none(
        {
            "url": image.url,
            "width": image.width,
            "height": image.height,
            "title": image.title,
            "attribution": image.attribution,
            "isCached": image.is_cached,
        }
    )
    record.update(image.extra)
    return record


def _without_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


def original_body(article: Article) -> str:
    return article.original_text.get("body", article.body)


def json_record(article: Article) -> dict[str, Any]:
    """The lossless interchange form: the record, JSON-safe, with newsarc's metadata.

    Dates become ISO 8601 UTC strings (`2021-09-28T23:01:00Z`); `schema`, `id`,
    `path` and `index` say where the article came from and are ignored on reading.
    """
    return _json_safe(_interchange_record(article))


def json_text(article: Article) -> str:
    """`json.dumps(json_record(article))`, without walking the record first (indexing's hot path)."""
    try:
        return json.dumps(_interchange_record(article), ensure_ascii=False, default=_json_default)
    except (TypeError, ValueError):  # keys json cannot spell, from odd `extra` values
        return json.dumps(json_record(article), ensure_ascii=False)


def _interchange_record(article: Article) -> dict[str, Any]:
    record: dict[str, Any] = {"schema": SCHEMA, "id": article.id, "path": article.path}
    if article.index is not None:
        record["index"] = article.index
    fields = record_from_article(article)
    shadowed = {key: fields.pop(key) for key in _RESERVED_KEYS if key in article.extra}
    record.update(fields)
    body = original_body(article)
    if body:
        record["body"] = body
    if shadowed:
        record[_SHADOWED_KEY] = shadowed
    return record


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def iso_utc(moment: datetime) -> str:
    """`2021-09-28T23:01:00Z`: the spelling the source files use."""
    text = moment.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value
