"""One self-contained HTML page: the digest with a table of contents.

The page is inert: no scripts, no external stylesheets, fonts or images, and a
Content-Security-Policy that forbids them all, so even a mistake here could not
make it fetch or run anything. Every article string goes through html.escape;
only http(s) URLs become links, and those carry rel="noopener noreferrer".

The table of contents comes first but is complete only at the end, so sections
are spooled to a temporary file (in memory until large) and copied after it;
only each group's label, anchor and count are held meanwhile.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, TextIO

from ..htmltext import block_text
from ..model import Article, Story
from ..records import iso_utc
from ..textsafe import safe_line
from . import ExportOptions
from .digest import (
    CountingRender,
    Group,
    digest_title,
    footer,
    format_moment,
    generated_line,
    grouped,
    link_target,
    provider_label,
    story_title,
    summary_blocks,
    topics_label,
)

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
_SPOOL_IN_MEMORY_CHARACTERS = 8 * 1024 * 1024
_ANCHOR_UNSAFE = re.compile(r"[^a-z0-9]+")

_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem;
       color: #1f2328; background: #fff; overflow-wrap: anywhere; }
h1 { font-size: 1.8rem; margin-bottom: .25rem; }
h2 { font-size: 1.3rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; margin-top: 2.5rem; }
h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
a { color: #0969da; }
.generated, .meta, .count, footer { color: #59636e; font-size: .9rem; }
article { margin: 1.25rem 0; }
article p { margin: .25rem 0; }
.related { font-size: .9rem; margin: .5rem 0 0; }
@media (prefers-color-scheme: dark) {
  body { color: #e6edf3; background: #0d1117; }
  a { color: #4493f8; }
  .generated, .meta, .count, footer { color: #9198a1; }
}
""".strip()


@dataclass
class _Section:
    anchor: str
    label: str
    count: int


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _link(story: Story) -> str:
    title = _escape(story_title(story))
    target = link_target(story.url)
    if target is None:
        return title
    return f'<a href="{_escape(target)}" rel="noopener noreferrer">{title}</a>'


def _meta(story: Story, *, with_topics: bool) -> list[str]:
    parts = []
    provider = provider_label(story)
    if provider:
        parts.append(f'<span class="provider">{_escape(provider)}</span>')
    if story.published:
        parts.append(f'<time datetime="{iso_utc(story.published)}">{format_moment(story.published)}</time>')
    topics = topics_label(story) if with_topics else ""
    if topics:
        parts.append(f'<span class="topics">{_escape(topics)}</span>')
    return parts


def render_article(article: Article) -> str:
    lines = ["<article>", f"<h3>{_link(article)}</h3>"]
    meta = _meta(article, with_topics=True)
    if meta:
        lines.append(f'<p class="meta">{" · ".join(meta)}</p>')
    # An HTML excerpt (or body opening) is shown as its text, one paragraph a block.
    for summary in summary_blocks(article):
        text = safe_line(block_text(summary))
        if text:
            lines.append(f'<p class="excerpt">{_escape(text)}</p>')
    if article.related:
        lines.append('<ul class="related">')
        lines += [
            f"<li>{' · '.join([_link(item), *_meta(item, with_topics=False)])}</li>"
            for item in article.related
        ]
        lines.append("</ul>")
    lines.append("</article>")
    return "\n".join(lines) + "\n"


def _anchor(group: Group, taken: set[str]) -> str:
    base = "g-" + (_ANCHOR_UNSAFE.sub("-", group.key.casefold()).strip("-")[:60].strip("-") or "none")
    anchor, number = base, 2
    while anchor in taken:
        anchor, number = f"{base}-{number}", number + 1
    taken.add(anchor)
    return anchor


def _write_sections(groups: Iterable[Group], spool: IO[str]) -> list[_Section]:
    sections: list[_Section] = []
    taken: set[str] = set()
    for group in groups:
        section = _Section(_anchor(group, taken), group.label, 0)
        spool.write(f'<section id="{section.anchor}">\n<h2>{_escape(group.label)}</h2>\n')
        for entry in group.entries:
            spool.write(entry)
            section.count += 1
        spool.write("</section>\n")
        sections.append(section)
    return sections


def _head(title: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="newsarc">\n'
        f"<title>{_escape(title)}</title>\n<style>\n{_STYLE}\n</style>\n</head>\n<body>\n"
    )


def _contents(sections: list[_Section]) -> str:
    if not sections:
        return ""
    items = "".join(
        f'<li><a href="#{section.anchor}">{_escape(section.label)}</a>'
        f' <span class="count">({section.count})</span></li>\n'
        for section in sections
    )
    return f'<nav aria-label="Contents">\n<h2>Contents</h2>\n<ol>\n{items}</ol>\n</nav>\n'


def write_html(articles: Iterable[Article], stream: TextIO, options: ExportOptions) -> int:
    """The page, grouped by `options.group_by`; see `digest` for what each grouping buffers."""
    title = digest_title(options)
    counter = CountingRender(render_article)
    with tempfile.SpooledTemporaryFile(
        _SPOOL_IN_MEMORY_CHARACTERS, mode="w+", encoding="utf-8", errors="surrogatepass", newline=""
    ) as spool:
        groups = grouped(articles, options.group_by, counter, oldest_first=options.oldest_first)
        sections = _write_sections(groups, spool)
        stream.write(_head(title))
        stream.write(f"<header>\n<h1>{_escape(title)}</h1>\n")
        generated = generated_line(options)
        if generated:
            stream.write(f'<p class="generated">{_escape(generated)}</p>\n')
        stream.write(f"</header>\n{_contents(sections)}<main>\n")
        spool.seek(0)
        shutil.copyfileobj(spool, stream)
    stream.write(f"</main>\n<footer>{_escape(footer(counter.count))}</footer>\n</body>\n</html>\n")
    return counter.count
