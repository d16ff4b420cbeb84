"""Known-item search quality: does a query made from an article bring that article back?

    python benchmarks/quality.py                          # ../shared/corpus beside the project
    python benchmarks/quality.py PATH [--seed 13] [--report FILE]

For every article of the archive the script makes queries from its own text, then asks
each engine for the top 10 and notes where the article came back. Query sets:

- title as written: up to 3 distinctive words of the title (words of 3+ letters, no stop
  words, preferring words in at most 10% of the articles), drawn with a seeded RNG;
- excerpt as written: the same, from the excerpt;
- title, singular/plural swapped: the title query with each word's number swapped by a
  small rule set (investors -> investor, market -> markets, company -> companies) when the
  swapped form occurs somewhere in the archive (so `capturing` stays, never `capturings`);
  titles with no such word are left out;
- title, every word: every word of the title (3+ letters, no stop words), in order: a
  harder query, since every word must match;
- title, every word, singular/plural swapped: that query with each word's number swapped
  as above (left out when no word changes): the set where stemming has to carry the query;
- title, one letter dropped: the title query with one letter (never the first) removed
  from its longest word, when that word has 5+ letters;
- CJK, one / two characters: substrings of the runs of Han, Kana or Hangul found in an
  article's title, excerpt or related items (up to 3 of each length per article).

Engines: newsarc through its Python API (its default order, and `sort:text`) (`Archive.open`
with a temporary `index=` file, as the CLI's `--index` gives; never the user's cache; each
query through `check_spelling` first, as the CLI runs it, so a dropped letter goes through
typo rescue), and two FTS5 tables built in memory
here over the same text (title, topics, excerpt, body, related items' titles and
excerpts), one with `unicode61`, one with `porter`, ranked by bm25 with newsarc's
column weights so the tokenizer is the only difference. Every engine gets the words
ANDed. The figures are success@10 (share of queries whose article is in the top 10) and
MRR@10 (mean of 1/rank, 0 past rank 10). Same archive and seed, same figures.
"""

from __future__ import annotations

import argparse
import random
import re
import shlex
import sqlite3
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
DEFAULT_CORPUS = REPOSITORY.parent / "shared" / "corpus"
DEFAULT_SEED = 13
TOP = 10
WORDS_PER_QUERY = 3
# A word in more than this share of the articles says little about any one of them.
COMMON_SHARE = 0.10
CJK_PER_LENGTH = 3

SET_TITLE = "title, as written"
SET_EXCERPT = "excerpt, as written"
SET_SWAPPED = "title, singular/plural swapped"
SET_EVERY = "title, every word"
SET_EVERY_SWAPPED = "title, every word, singular/plural swapped"
SET_DROPPED = "title, one letter dropped"
SET_CJK_ONE = "CJK, one character"
SET_CJK_TWO = "CJK, two characters"
QUERY_SETS = (SET_TITLE, SET_EXCERPT, SET_SWAPPED, SET_EVERY, SET_EVERY_SWAPPED, SET_DROPPED, SET_CJK_ONE,
              SET_CJK_TWO)
ENGINES = ("newsarc", "newsarc sort:text", "fts5 unicode61", "fts5 porter")

# Title, topics, excerpt, body, related items: newsarc's bm25 weights for these columns.
BASELINE_WEIGHTS = (10.0, 5.0, 3.0, 1.0, 0.5)
BASELINE_TOKENIZERS = {
    "fts5 unicode61": "unicode61 remove_diacritics 2",
    "fts5 porter": "porter unicode61 remove_diacritics 2",
}

_WORD = re.compile(r"[^\W\d_]{3,}")
_TOKEN = re.compile(r"\w+")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_STOP_TEXT = """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further get
    gets had has have having he her here hers him his how i if in into is it its itself just let
    me more most my new no nor not now of off on once only or other our ours out over own same says
    she should so some such than that the their theirs them then there these they this those
    through to too under until up us very via vs was we were what when where which while who whom
    why will with would you your yours
"""
_STOP_WORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True)
class Document:
    """The searchable text of one article, in the baseline tables' column order."""

    id: str
    title: str
    topics: str
    excerpt: str
    body: str
    related: str

    @property
    def columns(self) -> tuple[str, str, str, str, str]:
        return (self.title, self.topics, self.excerpt, self.body, self.related)


@dataclass(frozen=True)
class KnownItem:
    """A query and the article it was made from."""

    target: str
    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Score:
    queries: int
    success: float
    mrr: float


Engine = Callable[[KnownItem], list[str]]
"""The ids of an engine's top results for a query, best first."""


# --- the documents -----------------------------------------------------------------------------


def load_documents(root: Path) -> list[Document]:
    """Every article of the archive as newsarc parses it (the same ids its index gives)."""
    from newsarc.archive import load_archive

    documents = []
    for article in load_archive(root).articles:
        related = "\n".join(f"{item.title}\n{item.excerpt}" for item in article.related)
        topics = " ; ".join(article.topics)
        documents.append(Document(article.id, article.title, topics, article.excerpt, article.body, related))
    return documents


def document_frequency(documents: Sequence[Document]) -> Counter[str]:
    """In how many documents each lower-cased word occurs."""
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update({token.lower() for text in document.columns for token in _TOKEN.findall(text)})
    return frequency


def cjk_runs(document: Document) -> list[str]:
    """The runs of Han, Kana or Hangul in the title, excerpt and related items, in order."""
    texts = (document.title, document.excerpt, document.related)
    return [run for text in texts for run in _CJK_RUN.findall(text)]


# --- the queries -------------------------------------------------------------------------------


def distinctive_words(
    text: str, frequency: Counter[str], documents: int, rng: random.Random
) -> tuple[str, ...]:
    """Up to WORDS_PER_QUERY words of `text`, rarer words preferred, in the text's order."""
    candidates = list(dict.fromkeys(word.lower() for word in _WORD.findall(text)))
    candidates = [word for word in candidates if word not in _STOP_WORDS and not _CJK_RUN.search(word)]
    if not candidates:
        return ()
    rare = [word for word in candidates if frequency[word] <= COMMON_SHARE * documents]
    if not rare:
        by_rarity = sorted(candidates, key=lambda word: (frequency[word], candidates.index(word)))
        rare = by_rarity[:WORDS_PER_QUERY]
    chosen = set(rng.sample(rare, min(WORDS_PER_QUERY, len(rare))))
    return tuple(word for word in candidates if word in chosen)


def every_word(text: str) -> tuple[str, ...]:
    """Every word of `text` a query would keep (3+ letters, no stop words), lower-cased, once, in order."""
    words = dict.fromkeys(word.lower() for word in _WORD.findall(text))
    return tuple(word for word in words if word not in _STOP_WORDS and not _CJK_RUN.search(word))


def swap_number(word: str) -> str:
    """The word with its grammatical number swapped: plural to singular, singular to plural.

    A rule of thumb, not a lemmatiser: words ending in -us, -is or -ss are taken as singular.
    """
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "sh", "ch", "x", "z")):
        return word + "es"
    return word + "s"


def swap_attested(words: tuple[str, ...], frequency: Counter[str]) -> tuple[str, ...]:
    """Each word whose swapped number is a word of the archive swapped (`capturing` stays:
    `capturings` is no word anyone types); the others as they are."""
    return tuple(swap_number(word) if frequency[swap_number(word)] else word for word in words)


def drop_letter(words: tuple[str, ...], rng: random.Random) -> tuple[str, ...] | None:
    """The words with one letter (not the first) dropped from the longest, or None when it is short."""
    longest = max(range(len(words)), key=lambda position: (len(words[position]), -position))
    word = words[longest]
    if len(word) < 5:
        return None
    cut = rng.randrange(1, len(word))
    return words[:longest] + (word[:cut] + word[cut + 1 :],) + words[longest + 1 :]


def cjk_substrings(runs: Iterable[str], length: int, rng: random.Random) -> list[str]:
    """Up to CJK_PER_LENGTH distinct substrings of `length` characters of the runs."""
    found = sorted({run[start : start + length] for run in runs for start in range(len(run) - length + 1)})
    return sorted(rng.sample(found, min(CJK_PER_LENGTH, len(found))))


def build_query_sets(documents: Sequence[Document], seed: int) -> dict[str, list[KnownItem]]:
    """Every query set, made deterministically from the documents and the seed.

    Each article's draws use their own RNG (seed, set, id), so adding an article to the
    archive leaves the other articles' queries as they were.
    """
    frequency = document_frequency(documents)
    sets: dict[str, list[KnownItem]] = {name: [] for name in QUERY_SETS}
    for document in documents:

        def rng(name: str, document: Document = document) -> random.Random:
            return random.Random(f"{seed}:{name}:{document.id}")

        title = distinctive_words(document.title, frequency, len(documents), rng(SET_TITLE))
        if title:
            sets[SET_TITLE].append(KnownItem(document.id, title))
            swapped = swap_attested(title, frequency)
            if swapped != title:
                sets[SET_SWAPPED].append(KnownItem(document.id, swapped))
            dropped = drop_letter(title, rng(SET_DROPPED))
            if dropped:
                sets[SET_DROPPED].append(KnownItem(document.id, dropped))
        every = every_word(document.title)
        if every:
            sets[SET_EVERY].append(KnownItem(document.id, every))
            every_swapped = swap_attested(every, frequency)
            if every_swapped != every:
                sets[SET_EVERY_SWAPPED].append(KnownItem(document.id, every_swapped))
        excerpt = distinctive_words(document.excerpt, frequency, len(documents), rng(SET_EXCERPT))
        if excerpt:
            sets[SET_EXCERPT].append(KnownItem(document.id, excerpt))
        runs = cjk_runs(document)
        for name, length in ((SET_CJK_ONE, 1), (SET_CJK_TWO, 2)):
            for text in cjk_substrings(runs, length, rng(name)):
                sets[name].append(KnownItem(document.id, (text,)))
    return sets


# --- the engines -------------------------------------------------------------------------------


class Baseline:
    """An in-memory FTS5 table over the documents with one tokenizer."""

    def __init__(self, documents: Sequence[Document], tokenizer: str) -> None:
        self.connection = sqlite3.connect(":memory:")
        self.connection.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, topics, excerpt, body, related, "
            f"tokenize = '{tokenizer}')"
        )
        self.connection.executemany(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", [(d.id, *d.columns) for d in documents]
        )
        weights = ", ".join(str(weight) for weight in (0.0, *BASELINE_WEIGHTS))
        self.sql = f"SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, {weights}) LIMIT {TOP}"

    def __call__(self, item: KnownItem) -> list[str]:
        # Each word quoted, so FTS5 reads it as a word (`not`, `near`) and ANDs them.
        expression = " ".join('"' + word.replace('"', '""') + '"' for word in item.words)
        return [article_id for (article_id,) in self.connection.execute(self.sql, (expression,))]

    def close(self) -> None:
        self.connection.close()


class Newsarc:
    """newsarc's own search, through the API the CLI calls, on an index in a temporary folder."""

    def __init__(self, root: Path, workdir: Path, sort: str = "") -> None:
        from newsarc.archive import Archive

        self.archive = Archive.open(root, index=workdir / "index.sqlite3", fresh="full")
        self.sort = sort
        self.now = datetime.now(timezone.utc)
        self.errors: list[str] = []

    def __call__(self, item: KnownItem) -> list[str]:
        from newsarc.errors import NewsarcError
        from newsarc.query import parse_query

        try:
            # As the CLI runs a query: rescued when its words are in no article.
            query = self.archive.check_spelling(parse_query(item.text + self.sort, self.now)).query
            page = self.archive.search(query, limit=TOP)
        except NewsarcError as error:  # a query newsarc refuses counts as a miss, and is reported
            self.errors.append(f"{item.text!r}: {error}")
            return []
        return [hit.article.id for hit in page.hits]

    def close(self) -> None:
        self.archive.close()


def score(engine: Engine, items: Sequence[KnownItem]) -> Score | None:
    """success@TOP and MRR@TOP of an engine on a query set; None for an empty set."""
    if not items:
        return None
    found = 0
    reciprocal = 0.0
    for item in items:
        ranked = engine(item)[:TOP]
        if item.target in ranked:
            found += 1
            reciprocal += 1 / (ranked.index(item.target) + 1)
    return Score(len(items), found / len(items), reciprocal / len(items))


# --- the report --------------------------------------------------------------------------------


def render_table(results: dict[str, dict[str, Score | None]], sets: dict[str, list[KnownItem]]) -> str:
    """One Markdown row per query set: its size, then success@10 and MRR for each engine."""
    header = ["query set", "queries"]
    for engine in ENGINES:
        header += [f"{engine} success@{TOP}", f"{engine} MRR"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * 2 + "---:|" * (2 * len(ENGINES))]
    for name in QUERY_SETS:
        row = [name, str(len(sets[name]))]
        for engine in ENGINES:
            result = results[engine][name]
            row += ["–", "–"] if result is None else [f"{result.success:.3f}", f"{result.mrr:.3f}"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def render_examples(sets: dict[str, list[KnownItem]]) -> str:
    lines = []
    for name in QUERY_SETS:
        if sets[name]:
            lines.append(f"- {name}: `{sets[name][0].text}` (article {sets[name][0].target[:8]})")
    return "\n".join(lines)


def evaluate(root: Path, seed: int) -> tuple[str, list[str]]:
    """The Markdown report for an archive, and the queries newsarc refused."""
    documents = load_documents(root)
    sets = build_query_sets(documents, seed)
    cjk_articles = sum(1 for document in documents if cjk_runs(document))
    results: dict[str, dict[str, Score | None]] = {}
    with tempfile.TemporaryDirectory(prefix="newsarc-quality-") as workdir:
        newsarc = Newsarc(root, Path(workdir))
        try:
            results["newsarc"] = {name: score(newsarc, items) for name, items in sets.items()}
            # The same index ranked by text alone: what the recency in the default order costs.
            newsarc.sort = " sort:text"
            results["newsarc sort:text"] = {name: score(newsarc, items) for name, items in sets.items()}
        finally:
            newsarc.close()
    for engine, tokenizer in BASELINE_TOKENIZERS.items():
        baseline = Baseline(documents, tokenizer)
        try:
            results[engine] = {name: score(baseline, items) for name, items in sets.items()}
        finally:
            baseline.close()
    summary = (
        f"{len(documents)} articles; {cjk_articles} with Han, Kana or Hangul text in the title, "
        f"excerpt or related items; seed {seed}; top {TOP}."
    )
    examples = "First query of each set:\n\n" + render_examples(sets)
    report = "\n\n".join([summary, render_table(results, sets), examples])
    return report + "\n", newsarc.errors


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", nargs="?", type=Path, default=DEFAULT_CORPUS,
                        help="the archive folder (default: ../shared/corpus beside the project)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"seed of the query draws (default {DEFAULT_SEED})")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="also write the report, with the command line, to FILE")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.archive.is_dir():
        print(f"quality.py: no archive folder at {args.archive}", file=sys.stderr)
        return 2
    report, errors = evaluate(args.archive, args.seed)
    for error in errors:
        print(f"quality.py: newsarc refused {error}", file=sys.stderr)
    sys.stdout.write(report)
    if args.report:
        command = shlex.join(["python", "benchmarks/quality.py", *(sys.argv[1:] if argv is None else argv)])
        date = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        header = f"Command: `{command}` ({date}, SQLite {sqlite3.sqlite_version})\n\n"
        args.report.write_text(header + report, encoding="utf-8")
        print(f"report: {args.report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
