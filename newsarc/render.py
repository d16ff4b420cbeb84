"""Rich renderables built from model objects and query results.

Article text is untrusted: it always enters rich as `Text` built from
`textsafe.safe_text`, never as a markup string, so `[bold]` in a title prints
as `[bold]` and escape sequences never reach the terminal. Nothing here queries:
every function takes the data it shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from .entities import decode_entities
from .htmltext import body_source, html_blocks, html_to_text, looks_like_html
from .model import record_number
from .otherfields import other_fields
from .textsafe import safe_line, safe_text

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime, tzinfo

    from .htmltext import Block
    from .model import Article, Image, Story
    from .results import DuplicateGroup, Hit, Page, RefreshReport, RelatedView, Span, Stats

ID_WIDTH = 8
_SAFE_LINK_SCHEMES = ("http://", "https://")


def plain(text: str | None, style: str = "") -> Text:
    """Untrusted text as an inert one-line Text."""
    return Text(safe_line(text), style=style)


def block(text: str | None, style: str = "") -> Text:
    """Untrusted text as an inert multi-line Text."""
    return Text(safe_text(text), style=style)


def link(url: str | None, label: str | None = None) -> Text:
    """A URL shown as text, clickable in terminals that support hyperlinks (http/https only)."""
    shown = safe_line(url)
    text = Text(safe_line(label) if label else shown, style="cyan")
    if shown.startswith(_SAFE_LINK_SCHEMES) and " " not in shown:
        text.stylize(f"link {shown}")
    return text


def date_text(moment: datetime | None, *, with_time: bool = False) -> str:
    if moment is None:
        return "-"
    day = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"  # strftime's %Y may drop the zeros of 0001
    return f"{day} {moment.hour:02d}:{moment.minute:02d}" if with_time else day


def highlighted(pieces: Sequence[Span] | None, fallback: str, style: str = "") -> Text:
    """Text with the matched words of a search in reverse bold."""
    if not pieces:
        return plain(fallback, style)
    text = Text(style=style)
    for piece, matched in pieces:
        text.append(safe_line(piece, strip=False), style="bold reverse" if matched else "")
    text.rstrip()
    return text


# --- list and search --------------------------------------------------------------------


def article_table(page: Page, fields: Sequence[str]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True,
                  caption=_count_caption(page), caption_justify="left")
    for name in fields:
        table.add_column(name, **_COLUMN_OPTIONS.get(name, {}))
    for hit in page.hits:
        table.add_row(*(_cell(hit.article, name) for name in fields))
    return table


_COLUMN_OPTIONS: dict[str, dict[str, Any]] = {  # keyword arguments of Table.add_column
    "id": {"style": "yellow", "no_wrap": True},
    "date": {"no_wrap": True},
    "provider": {"style": "green", "max_width": 20, "overflow": "ellipsis", "no_wrap": True},
    "domain": {"style": "green", "no_wrap": True},
    "title": {"ratio": 1, "min_width": 20},
    "topics": {"style": "magenta", "max_width": 16},
    "quality": {"justify": "right"},
    "heat": {"justify": "right"},
}


def _cell(article: Article, name: str) -> Text:
    if name == "id":
        return Text(article.id[:ID_WIDTH])
    if name == "date":
        return Text(date_text(article.published))
    if name == "provider":
        return plain(article.provider_name or article.provider_domain or "-")
    if name == "domain":
        return plain(article.provider_domain or "-")
    if name == "title":
        return plain(article.title)
    if name == "topics":
        return plain(", ".join(article.topics))
    if name in ("quality", "heat"):
        value = getattr(article, name)
        return Text("-" if value is None else str(value))
    if name == "path":
        return plain(_file_name(article))
    if name == "url":
        return link(article.url)
    if name == "type":
        return plain(article.type or "-")
    raise ValueError(f"unknown column {name!r}")


def _count_caption(page: Page) -> str:
    shown = len(page.hits)
    first = page.offset + 1 if shown else 0
    if shown == page.total:
        return f"{page.total} article{'s' if page.total != 1 else ''}"
    return f"{first}-{page.offset + shown} of {page.total} articles"


def search_results(page: Page) -> RenderableType:
    parts: list[RenderableType] = []
    for hit in page.hits:
        parts.append(_search_hit(hit))
    parts.append(Text(_count_caption(page), style="dim"))
    return Group(*parts)


def _search_hit(hit: Hit) -> RenderableType:
    article = hit.article
    title = highlighted(hit.title_spans, article.title, style="bold")
    meta = Text.assemble(
        (article.id[:ID_WIDTH], "yellow"), "  ", date_text(article.published), "  ",
        plain(article.provider_name or article.provider_domain or "-", "green"),
    )
    snippet = highlighted(hit.snippet_spans, article.excerpt)
    return Padding(Group(title, meta, snippet), (0, 0, 1, 0))


# --- show and related -------------------------------------------------------------------


def article_detail(view: RelatedView, local_zone: tzinfo | None = None) -> RenderableType:
    article = view.article
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    facts.add_row("id", Text(article.id, style="yellow"))
    facts.add_row("provider", _provider_text(article))
    facts.add_row("published", _dates_text(article.published, local_zone))
    if article.updated:
        facts.add_row("updated", _dates_text(article.updated, local_zone))
    facts.add_row("type", plain(" / ".join(filter(None, (article.type, article.category))) or "-"))
    facts.add_row("quality / heat", Text(f"{_number(article.quality)} / {_number(article.heat)}"))
    if article.is_published is not None:
        facts.add_row("published flag", Text("yes" if article.is_published else "no"))
    if article.topics:
        facts.add_row("topics", plain(", ".join(article.topics), "magenta"))
    if article.tags:
        facts.add_row("tags", plain(", ".join(article.tags)))
    for label, url in _urls(article):
        facts.add_row(label, link(url))
    for image in article.images:
        facts.add_row("image", _image_text(image))
    for label, value, is_link in other_fields(article):
        facts.add_row(plain(label), link(value) if is_link else plain(value))
    if article.featured_content:
        facts.add_row("featured", Text("embedded content (not shown)", style="dim"))
    facts.add_row("secured", Text("encrypted blob present (not decrypted)" if article.has_secured else "none",
                                  style="dim"))
    facts.add_row("file", plain(_file_name(article)))
    parts: list[RenderableType] = [Text(safe_line(article.title), style="bold"), facts]
    parts += _text_parts(article)
    if view.items or view.linked_from:
        parts += [Rule("related", style="dim"), related_tree(view, title=False)]
    return Group(*parts)


def _text_parts(article: Article) -> list[RenderableType]:
    """The excerpt (unless the body opens with it) and the body; HTML (in either, or in a
    JSON record's `content`) shown as paragraphs, headings, list items and links."""
    excerpt = html_to_text(article.excerpt) if looks_like_html(article.excerpt) else article.excerpt
    source = body_source(article)
    blocks = html_blocks(source) if looks_like_html(source) else None
    opening = " ".join(block.text for block in blocks[:3]) if blocks is not None else source
    parts: list[RenderableType] = []
    if excerpt and not _opens_with(opening, excerpt):
        parts += [Rule("excerpt", style="dim"), block(excerpt)]
    if blocks:
        parts += [Rule("body", style="dim"), html_body(blocks)]
    elif source and blocks is None:
        parts += [Rule("body", style="dim"), block(decode_entities(source))]
    return parts


def html_body(blocks: Sequence[Block]) -> RenderableType:
    """Blocks of an HTML body as prose: a blank line between blocks (none between the items
    of a list), headings bold, list items with a hanging indent, links as text and URL."""
    rows: list[RenderableType] = []
    for position, html_block in enumerate(blocks):
        previous = blocks[position - 1] if position else None
        if previous is not None and not html_block.same_list(previous):
            rows.append(Text())
        text = Text(style="bold" if html_block.kind == "heading" else "")
        for run in html_block.runs:
            text.append(safe_text(run.text))
            if run.shown_url:
                text.append(" (")
                text.append(link(run.shown_url))
                text.append(")")
        if html_block.kind == "item":
            item = Table.grid(padding=(0, 1, 0, 0))
            item.add_column(no_wrap=True)
            item.add_column(ratio=1)
            item.add_row(Text(html_block.marker), text)
            rows.append(Padding(item, (0, 0, 0, 2 * (html_block.level - 1))))
        elif html_block.kind == "quote":
            rows.append(Padding(text, (0, 0, 0, 4)))
        else:
            rows.append(text)
    return Group(*rows)


def _file_name(article: Article) -> str:
    """`page.json#2` for the second record of a file, as `export --format paths` writes it."""
    return article.path if article.index is None else f"{article.path}#{record_number(article.index)}"


def related_tree(view: RelatedView, *, title: bool = True) -> Tree:
    """Related items, and the archive's articles that list this one, as a tree."""
    root = plain(view.article.title, "bold") if title else Text(view.article.id[:ID_WIDTH], style="yellow")
    tree = Tree(root, guide_style="dim")
    if view.items:
        branch = tree.add(Text(f"related items ({len(view.items)})", style="bold"))
        for resolved in view.items:
            branch.add(_related_line(resolved.item, resolved.article_id))
    if view.linked_from:
        branch = tree.add(Text(f"listed as related by ({len(view.linked_from)})", style="bold"))
        for article in view.linked_from:
            branch.add(_related_line(article, article.id))
    if not view.items and not view.linked_from:
        tree.add(Text("no related items", style="dim"))
    return tree


def _related_line(story: Story, article_id: str | None) -> Text:
    line = Text.assemble(
        date_text(story.published), "  ",
        plain(story.provider_name or story.provider_domain or "-", "green"), "  ",
        plain(story.title),
    )
    if article_id:
        line.append(f"  [in archive: {article_id[:ID_WIDTH]}]", style="yellow")
    return line


def _opens_with(body: str, excerpt: str) -> bool:
    """True when the body starts with the excerpt (plain-text articles), so it is shown once."""
    return " ".join(body.split()).startswith(" ".join(excerpt.split()))


def _provider_text(article: Article) -> Text:
    if article.provider is None:
        return Text("-")
    name, domain = article.provider.name, article.provider.domain
    text = plain(name or domain or "-", "green")
    if name and domain:
        text.append(" (")
        text.append(plain(domain))
        text.append(")")
    return text


def _dates_text(moment: datetime | None, local_zone: tzinfo | None) -> Text:
    if moment is None:
        return Text("-")
    text = Text(f"{date_text(moment, with_time=True)} UTC")
    try:
        local = moment.astimezone(local_zone) if local_zone else None
    except OverflowError:  # 0001-01-01 or 9999-12-31 pushed off the calendar by the offset: UTC only
        local = None
    if local is not None and local.utcoffset() != moment.utcoffset():
        stamp = f"{date_text(local, with_time=True)} {local.strftime('%Z')}".strip()
        text.append(f"  ({stamp} local)", style="dim")
    return text


def _urls(article: Article) -> list[tuple[str, str]]:
    named = (("web url", article.web_url), ("original url", article.original_url),
             ("amp url", article.amp_web_url), ("cdn amp url", article.cdn_amp_web_url),
             ("source url", article.source_url))
    shown: list[tuple[str, str]] = []
    for label, url in named:
        if url and url not in [existing for _, existing in shown]:
            shown.append((label, url))
    return shown


def _image_text(image: Image) -> Text:
    # Image URLs copied from a page's HTML spell `&` as `&#038;`: the link is the decoded one.
    text = link(decode_entities(image.url) if image.url else image.url)
    if image.width and image.height:
        text.append(f"  {image.width}x{image.height}", style="dim")
    if image.title:
        text.append("  ")
        text.append(plain(image.title, "dim"))
    return text


def _number(value: int | None) -> str:
    return "-" if value is None else str(value)


# --- stats, duplicates, problems, index, fields ------------------------------------------

BAR_WIDTH = 30


def stats_view(stats: Stats) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  caption=f"{stats.total} articles", caption_justify="left")
    table.add_column(stats.dimension, overflow="fold", max_width=40)
    table.add_column("articles", justify="right")
    table.add_column("", no_wrap=True)
    largest = max((count for _, count in stats.counts), default=0)
    for label, count in stats.counts:
        table.add_row(plain(label), str(count), _bar(count, largest))
    parts: list[RenderableType] = [table]
    if stats.timeline and stats.dimension not in ("month",):
        parts += [Text(), Text("articles per month", style="bold"), timeline_view(stats.timeline)]
    return Group(*parts)


def timeline_view(timeline: Sequence[tuple[str, int]]) -> RenderableType:
    largest = max((count for _, count in timeline), default=0)
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, style="dim")
    table.add_column(justify="right")
    table.add_column(no_wrap=True)
    for month, count in timeline:
        table.add_row(month, str(count), _bar(count, largest))
    return table


def _bar(count: int, largest: int) -> Text:
    # A small count still gets one block; an empty month (count 0) gets none.
    width = 0 if not largest or not count else max(1, round(BAR_WIDTH * count / largest))
    return Text("█" * width, style="blue")


def duplicates_view(groups: Sequence[DuplicateGroup]) -> RenderableType:
    parts: list[RenderableType] = []
    for number, group in enumerate(groups, 1):
        tree = Tree(Text(f"group {number}: {group.reason}", style="bold"))
        for article in group.articles:
            tree.add(Text.assemble((article.id[:ID_WIDTH], "yellow"), "  ", date_text(article.published),
                                   "  ", plain(article.title), "  ", plain(article.path, "dim")))
        parts.append(tree)
    parts.append(Text(f"{len(groups)} group{'s' if len(groups) != 1 else ''} of duplicates", style="dim"))
    return Group(*parts)


def index_report_view(report: RefreshReport, location: str) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in (("added", report.added), ("changed", report.changed), ("removed", report.removed),
                         ("unchanged", report.unchanged), ("articles", report.articles),
                         ("problems", report.problems), ("skipped", report.skipped)):
        table.add_row(label, str(value))
    table.add_row("time", f"{report.seconds:.2f} s")
    table.add_row("index", plain(location))
    return table


def fields_view(rows: Sequence[tuple[str, str, str, Sequence[str]]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("type", style="cyan", no_wrap=True)
    table.add_column("meaning")
    table.add_column("examples in this archive", style="dim")
    for name, kind, meaning, examples in rows:
        table.add_row(f"{name}:", kind, meaning, plain(", ".join(examples)))
    return table

