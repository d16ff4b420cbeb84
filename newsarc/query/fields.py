"""The qualifiers a query can use, and the help `newsarc fields` prints for them."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Sequence

TEXT_FIELDS = ("title", "excerpt", "body", "related")
EXACT_FIELDS = (
    "provider", "domain", "topic", "type", "category", "locale", "url", "id", "path",
    "published", "has",
)  # fmt: skip
RANGE_FIELDS = ("date", "quality", "heat")
HAS_VALUES = ("images", "related", "body", "date", "secured")
SORT_KEYS = ("date", "date-asc", "relevance", "text", "heat", "quality", "title", "provider")
# Every qualifier a user can type, `sort:` included (it is not a node but is typed like one).
ALL_FIELDS = (*TEXT_FIELDS, *EXACT_FIELDS, *RANGE_FIELDS, "sort")


# A NamedTuple, not a frozen dataclass: only `newsarc fields` builds these, and a
# frozen dataclass costs every command that parses a query about 1 ms at import.
class FieldHelp(NamedTuple):
    """One line of `newsarc fields`: a qualifier, the kind of value it takes, what it matches."""

    name: str
    type: str
    description: str
    example: str


def fields_help() -> list[FieldHelp]:
    """Every qualifier, in the order `newsarc fields` lists them."""
    return [FieldHelp(*entry) for entry in _FIELDS_HELP]


_FIELDS_HELP = (
    ("title", "text", "words in the title", 'title:ipo  title:"hong kong"'),
    ("excerpt", "text", "words in the excerpt", "excerpt:sensetime"),
    ("body", "text", "words in the article body", "body:listing"),
    ("related", "text", "words in related items' titles and excerpts", "related:tencent"),
    ("provider", "exact", "provider name or domain",
     'provider:scmp.com  provider:"South China Morning Post"'),
    ("domain", "exact", "provider domain", "domain:scmp.com"),
    ("topic", "exact", "a topic; a comma list means any of them", 'topic:"AI in Healthcare",Robotics'),
    ("type", "exact", "article type", "type:story"),
    ("category", "exact", "category", "category:news"),
    ("locale", "exact", "locale", "locale:en-us"),
    ("url", "exact", "the article's URL", "url:https://www.scmp.com/tech/article/3157056"),
    ("id", "exact", "newsarc's article id", "id:3f2a9c"),
    ("path", "glob", "file path in the archive (* and ? wildcards)", "path:2021/11/*"),
    ("published", "yes/no", "the source's published flag (yes/no, true/false, 1/0)", "published:yes"),
    ("has", "flag", "has " + ", ".join(HAS_VALUES), "has:images"),
    ("date", "date", "publication date (UTC); a vague date covers its whole period",
     'date:2021-11  date:2021-12-01..  date:>=2021-11  date:7d  date:"last week"'),
    ("quality", "number", "quality score: exact, >, >=, <, <=, a..b", "quality:>=5"),
    ("heat", "number", "heat score: exact, >, >=, <, <=, a..b", "heat:-1..5"),
    ("sort", "sort", "result order: " + ", ".join(SORT_KEYS) + " (-date is date-asc)", "sort:heat"),
)


def did_you_mean(word: str, choices: Sequence[str], suffix: str, prefix: str = "") -> str | None:
    """`did you mean `<prefix><closest choice><suffix>`?`, or None when no choice is close."""
    import difflib  # only a mistyped query pays for it

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean `{prefix}{close[0]}{suffix}`?" if close else None


def example_hint(name: str) -> str:
    """`e.g. ` and the example `newsarc fields` shows for the qualifier `name`."""
    examples = {entry[0]: entry[3] for entry in _FIELDS_HELP}
    return "e.g. " + examples[name]
