"""OpenSearch / Elasticsearch bulk-API NDJSON, and the index mapping it expects.

Each article is two lines: the action `{"index": {"_index": NAME, "_id": ID}}`
and a flattened, search-friendly document. `_id` is the article id, stable
across runs, so re-sending an export updates documents instead of duplicating
them. Load with `curl -H 'Content-Type: application/x-ndjson' --data-binary
@articles.ndjson http://localhost:9200/_bulk` after creating the index with
`mapping()` as its body.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable
from typing import Any, TextIO

from ..model import Article
from ..records import iso_utc
from ..urls import canonical_url
from . import ExportOptions

_TEXT_WITH_KEYWORD = {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}
_PROPERTIES: dict[str, dict[str, Any]] = {
    "id": {"type": "keyword"},
    "path": {"type": "keyword"},
    "title": _TEXT_WITH_KEYWORD,
    "excerpt": {"type": "text"},
    "body": {"type": "text"},
    "published": {"type": "date"},
    "updated": {"type": "date"},
    "provider_name": _TEXT_WITH_KEYWORD,
    "provider_domain": {"type": "keyword"},
    "topics": _TEXT_WITH_KEYWORD,
    "tags": _TEXT_WITH_KEYWORD,
    "category": {"type": "keyword"},
    "type": {"type": "keyword"},
    "locale": {"type": "keyword"},
    "quality": {"type": "integer"},
    "heat": {"type": "integer"},
    "url": {"type": "keyword"},
    "urls": {"type": "keyword"},
    "canonical_url": {"type": "keyword"},
    "related_count": {"type": "integer"},
    "related_titles": {"type": "text"},
    "related_urls": {"type": "keyword"},
}


def mapping() -> dict[str, Any]:
    """The index body (`PUT /NAME`) for the documents `write_bulk` writes."""
    return {"mappings": {"properties": copy.deepcopy(_PROPERTIES)}}


def document_id(article: Article) -> str:
    """The article id; for an article never read from a file, a hash of its URL and date."""
    if article.id:
        return article.id
    published = article.published.isoformat() if article.published else ""
    key = f"{canonical_url(article.url) or article.title}|{published}"
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def document(article: Article) -> dict[str, Any]:
    """The flattened document; empty values are left out rather than sent as null."""
    urls = [
        article.original_url,
        article.web_url,
        article.amp_web_url,
        article.cdn_amp_web_url,
        article.source_url,
    ]
    related_urls = [item.url for item in article.related]
    fields: dict[str, Any] = {
        "id": document_id(article),
        "path": article.path,
        "title": article.title,
        "excerpt": article.excerpt,
        "body": article.body,
        "published": iso_utc(article.published) if article.published else None,
        "updated": iso_utc(article.updated) if article.updated else None,
        "provider_name": article.provider_name,
        "provider_domain": article.provider_domain,
        "topics": list(article.topics),
        "tags": list(article.tags),
        "category": article.category,
        "type": article.type,
        "locale": article.locale,
        "quality": article.quality,
        "heat": article.heat,
        "url": article.url,
        "urls": list(dict.fromkeys(url for url in urls if url)),
        "canonical_url": canonical_url(article.url),
        "related_count": len(article.related),
        "related_titles": [item.title for item in article.related if item.title],
        "related_urls": [url for url in related_urls if url],
    }
    return {key: value for key, value in fields.items() if value not in (None, "", [])}


def write_bulk(articles: Iterable[Article], stream: TextIO, options: ExportOptions) -> int:
    count = 0
    for article in articles:
        action = {"index": {"_index": options.index_name, "_id": document_id(article)}}
        stream.write(json.dumps(action, ensure_ascii=False) + "\n")
        stream.write(json.dumps(document(article), ensure_ascii=False) + "\n")
        count += 1
    return count
