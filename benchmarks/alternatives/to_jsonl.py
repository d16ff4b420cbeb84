"""Feed for the sqlite-utils alternative: one JSON line per article of an archive folder.

    python to_jsonl.py DIR | sqlite-utils insert DB articles - --nl

Each line holds path, title, excerpt, published (ISO 8601 UTC), provider_name,
provider_domain, topics (a JSON list) and quality: the columns a user would keep.
"""

from __future__ import annotations

import json
import sys

from pyyaml_filter import iter_articles, provider_of, published_of


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python to_jsonl.py DIR", file=sys.stderr)
        return 2
    write = sys.stdout.write
    dumps = json.dumps
    for name, record in iter_articles(args[0]):
        provider = provider_of(record)
        published = published_of(record)
        line = {
            "path": name,
            "title": record.get("title"),
            "excerpt": record.get("excerpt"),
            "published": published.strftime("%Y-%m-%dT%H:%M:%SZ") if published else None,
            "provider_name": provider.get("name"),
            "provider_domain": provider.get("domain"),
            "topics": [str(topic) for topic in record.get("topics") or []],
            "quality": record.get("quality"),
        }
        write(dumps(line, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
