"""Fuzzing: the parsers, the YAML subset reader, the query language and the JSON round trip.

Properties, each checked on random and mutated input:

- `parse_bytes` returns articles or problems and never raises, and whatever it returns
  can be written to the index and read back the same (random bytes, mutated real files,
  wrong types in every field, deep nesting, huge scalars, alias bombs);
- `yamlsubset.load_subset` returns None or exactly what the article loader (PyYAML)
  returns (documents built from the subset's grammar, and mutated real front matter);
- a query either runs or raises QueryError, never another exception;
- a valid article survives `json_record` -> JSON -> `parse_bytes` unchanged.

Runs are short by default (the CI profile). `NEWSARC_FUZZ_EXAMPLES=N` runs N examples
per property (the long profile). `NEWSARC_RELIABILITY_REPORT=FILE` appends the
figures of the run (examples per property) to FILE as JSON lines, for
docs/reliability.md. Inputs that once crashed newsarc live in tests/data/crashers/.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from newsarc.archive import Archive
from newsarc.entities import decode_entities
from newsarc.errors import QueryError
from newsarc.model import Article, Image, Provider, RelatedItem
from newsarc.parsing import ParseResult, decode, parse_bytes
from newsarc.parsing.yamlload import _article_loader
from newsarc.parsing.yamlsubset import load_subset
from newsarc.query import ALL_FIELDS, parse_query
from newsarc.records import json_record, json_text, repair_mojibake

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
DATA = PROJECT / "tests" / "data"
CRASHERS = DATA / "crashers"
CORPUS = (PROJECT / ".." / "shared" / "corpus").resolve()
NOW = datetime(2021, 12, 20, 12, 0, tzinfo=timezone.utc)

# --- profiles: short in CI, long on request ---------------------------------------------

LONG_EXAMPLES = int(os.environ.get("NEWSARC_FUZZ_EXAMPLES") or 0)
_QUIET_CHECKS = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.large_base_example,
]
settings.register_profile(
    "newsarc-fuzz-ci", max_examples=150, deadline=None, suppress_health_check=_QUIET_CHECKS, print_blob=True
)
settings.register_profile(
    "newsarc-fuzz-long", settings.get_profile("newsarc-fuzz-ci"), max_examples=max(LONG_EXAMPLES, 1)
)
# Applied per test, not loaded globally: the rest of the suite keeps its own settings.
FUZZ = settings.get_profile("newsarc-fuzz-long" if LONG_EXAMPLES else "newsarc-fuzz-ci")

EXAMPLES: Counter[str] = Counter()


def report_figures(section: str, figures: dict[str, Any]) -> None:
    """Append this run's figures to $NEWSARC_RELIABILITY_REPORT (for docs/reliability.md)."""
    target = os.environ.get("NEWSARC_RELIABILITY_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"section": section, **figures}) + "\n")


@pytest.fixture(scope="module", autouse=True)
def fuzz_figures() -> Iterator[None]:
    started = time.perf_counter()
    yield
    SINK.close()
    report_figures(
        "fuzz",
        {
            "examples": dict(sorted(EXAMPLES.items())),
            "total": sum(EXAMPLES.values()),
            "profile": "long" if LONG_EXAMPLES else "ci",
            "seconds": round(time.perf_counter() - started, 1),
        },
    )


# --- the property every parser input must have --------------------------------------------


class IndexSink:
    """A one-file archive with an in-memory index: each input is written as the archive's
    only file and refreshed, so it goes through the same walk, parse and insert as a real
    file; whatever the parse returns must then come back out of the index unchanged."""

    def __init__(self) -> None:
        self.archive: Archive | None = None
        self.counter = itertools.count()

    def check(self, data: bytes) -> ParseResult:
        if self.archive is None:  # made on first use, so collecting the tests leaves nothing behind
            self.folder = Path(tempfile.mkdtemp(prefix="newsarc-fuzz-"))
            self.archive = Archive.open(self.folder, in_memory=True, workers=1)
        for old in self.folder.iterdir():
            old.unlink()
        name = f"fuzz-{next(self.counter)}.md"  # a new name each time: always seen as a change
        (self.folder / name).write_bytes(data)
        result = parse_bytes(data, name)
        assert isinstance(result, ParseResult)
        # A file that is no article (a `#!` script) is skipped and counted, never silent.
        assert result.articles or result.problems or result.skipped or _empty_json_list(data), (
            "neither an article, a problem nor a counted skip"
        )
        for problem in result.problems:
            assert problem.path == name
            assert "\n" not in str(problem), f"a problem must be one line: {problem}"
        self.archive.refresh(workers=1)
        assert self.archive.problems() == result.problems
        stored = sorted(self.archive.iter_articles(EVERYTHING), key=lambda article: article.id)
        expected = sorted(result.articles, key=lambda article: article.id)
        assert [(a.id, json_text(a)) for a in stored] == [(a.id, json_text(a)) for a in expected], (
            "the index changed the article"
        )
        return result

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
            shutil.rmtree(self.folder, ignore_errors=True)
            self.archive = None


def _empty_json_list(data: bytes) -> bool:
    """A JSON list or page of no articles: a valid file that holds none."""
    try:
        document = json.loads(decode(data) or "")
    except ValueError:
        return False
    if isinstance(document, dict):
        return any(document.get(key) == [] for key in ("value", "news"))
    return document == []


EVERYTHING = parse_query("", NOW)
SINK = IndexSink()


# --- (a) parsers: random, mutated and hostile input ----------------------------------------


def _read_sources() -> list[bytes]:
    paths = sorted(SEEDS.iterdir()) + sorted((DATA / "good").iterdir()) + sorted((DATA / "bad").iterdir())
    if CORPUS.is_dir():
        paths += sorted(path for path in CORPUS.rglob("*") if path.is_file())
    return [path.read_bytes() for path in paths if path.is_file()]


SOURCES = _read_sources()
ODD_TEXT = [
    "\x00", "\x1b", "\x1b[31m", "\x1b]8;;http://evil/\x07", "\t", "\r", "\x0b", "\x85", "\u2028", "\u2029",
    "\ufeff", "\ufffe", "\uffff", "\ue000", "\U0010ffff", "\u202e", "\u200b", '"', "'", "\\", ":", ": ",
    " #", "#", "-", "- ", "---", "...", "&a ", "*a", "!!python/object/apply:os.system ['true']", "!local",
    "|", ">", "{", "}", "[", "]", ",", "?", "? ", "%YAML 1.1", "@", "`", "~", "<<: ", "\\ud800", "\\x",
    "â€™", "Ã©",
]  # fmt: skip
WRONG_VALUES = [
    "[1, 2]", "{a: b}", "[]", "{}", "~", "null", "yes", "no", "on", "12", "-1", "1.5", ".nan", "-.inf",
    "0x1F", "0o17", "1_000", "12:30:45", "2021-13-45", "2021-02-30T25:61:00Z", "0001-01-01",
    "9999-12-31T23:59:59-12:00",
    "9" * 30, "-" + "9" * 30, "0x" + "f" * 1200, '""', "''", "!!binary aGVsbG8=", "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/name:os.system", "!!python/object:os.system", "!!str", "!!int abc", "!!float x", "!!bool maybe",
    "!!timestamp 2021-99-99", "&anchor value", "*anchor", "*undefined", "|\n  block", ">-\n  folded",
    "- item",
    "{", "[", '"unclosed', "'unclosed", '"\\x00"', '"\\ud800"', '"\\udc00\\ud800"', '"\\U0010ffff"',
    '"\\e\\a"',
    "true", "False", "1e400", "-1e400", "1:2:3:4:5", "http://x.com/a#b", "a: b: c", "@x", "`x", "%x",
    "", " ", "\n- ", "\n-", "\n- \n- x", "\n  - ", "\n  -\n  - ",
]  # fmt: skip
KEY_LINE = re.compile(rb"^(\s*(?:- )?[A-Za-z_][A-Za-z0-9_]*:)( .*)?$")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _delete_line(draw: Any, data: bytes) -> bytes:
    lines = _lines(data)
    del lines[draw(st.integers(0, len(lines) - 1))]
    return b"\n".join(lines)


def _duplicate_line(draw: Any, data: bytes) -> bytes:
    lines = _lines(data)
    at = draw(st.integers(0, len(lines) - 1))
    lines.insert(draw(st.integers(0, len(lines))), lines[at])
    return b"\n".join(lines)


def _swap_lines(draw: Any, data: bytes) -> bytes:
    lines = _lines(data)
    first, second = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[first], lines[second] = lines[second], lines[first]
    return b"\n".join(lines)


def _flip_byte(draw: Any, data: bytes) -> bytes:
    if not data:
        return b"\xff"
    at = draw(st.integers(0, len(data) - 1))
    return data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]


def _insert_text(draw: Any, data: bytes) -> bytes:
    piece = draw(
        st.sampled_from(ODD_TEXT).map(str.encode)
        | st.text(max_size=6).map(lambda text: text.encode("utf-8", "surrogatepass"))
        | st.binary(min_size=1, max_size=4)
    )
    at = draw(st.integers(0, len(data)))
    return data[:at] + piece + data[at:]


def _reindent(draw: Any, data: bytes) -> bytes:
    lines = _lines(data)
    at = draw(st.integers(0, len(lines) - 1))
    change = draw(st.sampled_from([b" ", b"  ", b"    ", b"\t", b"-"]))
    if draw(st.booleans()):
        lines[at] = change + lines[at]
    else:
        lines[at] = lines[at].lstrip(b" ")
    return b"\n".join(lines)


def _wrong_value(draw: Any, data: bytes) -> bytes:
    lines = _lines(data)
    keyed = [n for n, line in enumerate(lines) if KEY_LINE.match(line)]
    if not keyed:
        return data
    at = draw(st.sampled_from(keyed))
    key = KEY_LINE.match(lines[at]).group(1)  # type: ignore[union-attr]
    lines[at] = key + b" " + draw(st.sampled_from(WRONG_VALUES)).encode()
    return b"\n".join(lines)


def _truncate(draw: Any, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def _line_endings(draw: Any, data: bytes) -> bytes:
    return data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n", b"\x85"])))


def _recode(draw: Any, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    return draw(
        st.sampled_from(
            [
                lambda: b"\xef\xbb\xbf" + data,
                lambda: text.encode("utf-16"),
                lambda: text.encode("utf-16-be"),
                lambda: text.encode("cp1252", "replace"),
                lambda: data + b"\x00",
            ]
        )
    )()


def _splice(draw: Any, data: bytes) -> bytes:
    other = _lines(draw(st.sampled_from(SOURCES)))
    lines = _lines(data)
    start = draw(st.integers(0, len(other)))
    at = draw(st.integers(0, len(lines)))
    return b"\n".join(lines[:at] + other[start : start + draw(st.integers(1, 8))] + lines[at:])


MUTATIONS: list[Callable[[Any, bytes], bytes]] = [
    _delete_line, _duplicate_line, _swap_lines, _flip_byte, _insert_text, _reindent, _wrong_value,
    _truncate, _line_endings, _recode, _splice,
]  # fmt: skip


@st.composite
def mutated_file(draw: Any) -> bytes:
    data = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 6))):
        data = draw(st.sampled_from(MUTATIONS))(draw, data)
    return data


@FUZZ
@given(st.binary(max_size=2000))
@example(b"#!")  # a script: skipped and counted
def test_random_bytes_parse_to_articles_or_problems(data: bytes) -> None:
    EXAMPLES["parse: random bytes"] += 1
    SINK.check(data)


@FUZZ
@given(
    st.sampled_from([b"---\n", b"{", b"[", b'{"title": ', b""]),
    st.text(max_size=300),
    st.sampled_from([b"", b"\n---\n", b"}", b"]\n"]),
)
def test_random_text_in_every_format_parses(opening: bytes, text: str, closing: bytes) -> None:
    EXAMPLES["parse: random text in each format"] += 1
    SINK.check(opening + text.encode("utf-8", "surrogatepass") + closing)


@FUZZ
@given(mutated_file())
def test_mutated_real_files_parse_to_articles_or_problems(data: bytes) -> None:
    EXAMPLES["parse: mutated real files"] += 1
    SINK.check(data)


KNOWN_KEYS = [
    "title", "excerpt", "publishedDateTime", "updatedDateTime", "originalUrl", "webUrl", "ampWebUrl",
    "cdnAmpWebUrl", "sourceUrl", "type", "category", "categories", "quality", "heat", "published", "locale",
    "featuredContent", "provider", "topics", "tags", "images", "related", "secured", "body", "schema", "id",
    "path", "index", "newsarc.extra", "value", "news",
]  # fmt: skip
json_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(
        [
            "",
            "2021-13-01",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "1e999",
            "NaN",
            "-1",
            "tomorrow",
            "x" * 2000,
        ]
    )
)
json_any = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
wrong_record = st.dictionaries(st.sampled_from(KNOWN_KEYS), json_any, min_size=1, max_size=8)


@FUZZ
@given(wrong_record, st.sampled_from(["object", "page", "list", "lines", "yaml", "yaml-flow"]))
def test_wrong_types_in_every_field_give_problems_not_crashes(record: dict, shape: str) -> None:
    EXAMPLES["parse: wrong types in every field"] += 1
    if shape == "object":
        data = json.dumps(record).encode()
    elif shape == "page":
        data = json.dumps({"value": [record, {"title": "fine"}]}).encode()
    elif shape == "list":
        data = json.dumps([record, record]).encode()
    elif shape == "lines":
        data = (json.dumps({"title": "fine"}) + "\n" + json.dumps(record) + "\n").encode()
    elif shape == "yaml":
        data = (
            b"---\n" + yaml.safe_dump(record, allow_unicode=True).encode("utf-8", "surrogatepass") + b"---\n"
        )
    else:
        data = b"---\n" + yaml.safe_dump(record, default_flow_style=True).encode() + b"\n---\n"
    SINK.check(data)


@st.composite
def hostile_structure(draw: Any) -> bytes:
    """Deep nesting, huge scalars and alias bombs, sized at random."""
    kind = draw(
        st.sampled_from(
            [
                "flow",
                "flow-map",
                "dash",
                "indent",
                "json",
                "json-lines",
                "scalar",
                "quoted",
                "number",
                "bomb",
                "self-alias",
                "merge",
            ]
        )
    )
    depth = draw(st.sampled_from([10, 33, 100, 999, 1001, 5000, 30_000]))
    if kind == "flow":
        return b"---\ntitle: x\nn: " + b"[" * depth + b"]" * depth + b"\n---\n"
    if kind == "flow-map":
        return b"---\ntitle: x\nn: " + b"{a: " * depth + b"}" * depth + b"\n---\n"
    if kind == "dash":
        return b"---\ntitle: x\nn:\n" + b"- " * depth + b"x\n---\n"
    if kind == "indent":
        levels = min(depth, 1500)
        return b"---\ntitle: x\n" + b"".join(b" " * i + b"a:\n" for i in range(levels)) + b"---\n"
    if kind == "json":
        return b'{"title": "x", "n": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == "json-lines":
        return b'{"title": "x"}\n{"n": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}\n"
    if kind == "scalar":
        return b"---\ntitle: " + b"x" * (depth * 100) + b"\n---\n"
    if kind == "quoted":
        return b'---\ntitle: "' + b"\\u00e9\\n" * depth + b'"\n---\n'
    if kind == "number":
        form = draw(st.sampled_from([b"", b"0x", b"0o", b"0b1", b"-", b"1:"]))
        return b"---\ntitle: x\nn: " + form + b"1" * min(depth, 6000) + b"\n---\n"
    if kind == "bomb":
        width, levels = draw(st.integers(2, 12)), draw(st.integers(2, 12))
        lines = [b"---", b"title: bomb", b"a0: &a0 [" + b", ".join([b'"lol"'] * width) + b"]"]
        for level in range(1, levels):
            lines.append(b"a%d: &a%d [" % (level, level) + b", ".join([b"*a%d" % (level - 1)] * width) + b"]")
        return b"\n".join(lines + [b"---", b""])
    if kind == "self-alias":
        return b"---\ntitle: x\nloop: &a [*a, {b: *a}]\n---\n"
    return b"---\ntitle: x\na: &a {x: 1}\nb: &b {<<: [*a, *a]}\nc: {<<: [*b, *b]}\n---\n"


@settings(FUZZ, max_examples=max(FUZZ.max_examples // 3, 1))
@given(hostile_structure())
def test_deep_nesting_huge_scalars_and_bombs_give_problems_not_crashes(data: bytes) -> None:
    EXAMPLES["parse: nesting, huge scalars, alias bombs"] += 1
    SINK.check(data)


def crasher_files() -> list[Path]:
    return sorted(path for path in CRASHERS.iterdir() if path.is_file() and not path.name.startswith("."))


@pytest.mark.parametrize("crasher", crasher_files(), ids=lambda path: path.name)
def test_every_crasher_found_so_far_now_parses(crasher: Path) -> None:
    """Inputs that once raised, crashed or hung newsarc: each must now parse (and index)."""
    started = time.perf_counter()
    result = SINK.check(crasher.read_bytes())
    assert time.perf_counter() - started < 10
    assert result.problems or result.articles


def test_the_crashers_folder_indexes_as_an_archive(tmp_path: Path) -> None:
    """The same inputs through a real refresh: problems for `check`, articles for `list`."""
    with Archive.open(CRASHERS, index=tmp_path / "crashers.sqlite") as archive:
        assert archive.report.articles + archive.report.problems >= len(crasher_files())
        list(archive.iter_json_records(parse_query("", NOW)))
        archive.problems()


# --- (b) differential: the YAML subset reader against PyYAML ------------------------------

LOADER = _article_loader()
KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True) | st.sampled_from(
    ["title", "yes", "No", "true", "null", "on", "OFF", "y", "n", "_", "<<", "True", "Null", "NULL", "off"]
)
ESCAPES = [
    '\\"',
    "\\\\",
    "\\/",
    "\\b",
    "\\f",
    "\\n",
    "\\r",
    "\\t",
    "\\x41",
    "\\N",
    "\\_",
    "\\e",
    "\\0",
    "\\a",
    "\\ ",
    "\\L",
    "\\P",
    "\\U0001F600",
    "\\v",
    "\\",
    "\\q",
    "\\u00e9",
    "\\u2028",
]
hex4 = st.integers(0, 0xFFFF).map(lambda code: f"\\u{code:04x}")
surrogate = st.integers(0xD800, 0xDFFF).map(lambda code: f"\\u{code:04X}")
surrogate_pair = st.tuples(st.integers(0xD800, 0xDBFF), st.integers(0xDC00, 0xDFFF)).map(
    lambda pair: f"\\u{pair[0]:04x}\\u{pair[1]:04x}"
)
raw_character = st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\\n')
quoted = st.lists(
    st.sampled_from(ESCAPES)
    | hex4
    | surrogate
    | surrogate_pair
    | raw_character
    | st.sampled_from(["\x85", "\u2028", "\u2029", "\t", " ", "#", ": "]),
    max_size=12,
).map(lambda pieces: '"' + "".join(pieces) + '"')
PLAIN_SCALARS = [
    "0", "-0", "007", "+5", "1_000", "0x1F", "0o17", "0b101", "1e5", "1.5", ".5", "1.", "-.inf", ".NaN",
    "12:30",
    "190:20:30", "yes", "no", "Yes", "NO", "on", "Off", "y", "n", "true", "True", "TRUE", "false", "~",
    "null",
    "Null", "NULL", "2021-11-23", "2021-11-23T10:00:00Z", "2021-11-23 10:00:00.5 -5", "2021-1-2",
    "2021-11-23t1:2:3",
    "https://www.scmp.com/tech/big-tech/article/3160012/sensetime?utm_source=x&a=b#frag", "http://x:8080/",
    "9to5Google", "9to5Mac", "3D printing", "1st", "2021 Q3", "100%", "12:30 pm", "v1.2.3", "1.2.3", "1,000",
    "0.5%", "1e3x", "key: value", "a #b", "a# b", "ends:", "a:b", "-a", "- a", "--", "?a", "? a", ":a", "[a]",
    "{a}", "!tag", "&anchor", "*alias", "|", ">", "'single'", "%x", "@x", "`x", "=", "<<", "a\tb", "a  b",
    "é", "中文", "emoji 😀", "\u00a0a", "a\u3000", "a\x85b", "a\u2028b", "\ufeffa", "x" * 300, "9" * 30,
]  # fmt: skip
plain_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(list(":#-?,[]{}&*!|>'\"%@` ")),
    min_size=1,
    max_size=20,
).filter(lambda text: text.strip() == text and text != "")
plain = st.sampled_from(PLAIN_SCALARS) | plain_text | st.integers().map(str) | st.floats().map(repr)
# Mostly what the subset reads (so it answers often), often something it must leave to PyYAML.
usual_plain = st.from_regex(r"[A-Za-z][A-Za-z0-9 .,/%()'-]{0,20}[A-Za-z0-9.)]", fullmatch=True)
usual_quoted = st.lists(st.sampled_from(ESCAPES[:8]) | hex4 | raw_character, max_size=10).map(
    lambda pieces: '"' + "".join(pieces) + '"'
)
scalar_token = st.one_of(usual_plain, usual_plain, usual_quoted, st.integers().map(str), quoted, plain)


def _mapping_strategy(depth: int) -> st.SearchStrategy[list]:
    value = scalar_token | st.just(None)
    if depth > 0:
        value = (
            value
            | _mapping_strategy(depth - 1).map(lambda pairs: ("map", pairs))
            | st.lists(
                scalar_token
                | st.sampled_from(["", " "])
                | _mapping_strategy(depth - 1).map(lambda pairs: ("map", pairs)),
                min_size=1,
                max_size=3,
            ).map(lambda items: ("seq", items))
        )
    return st.lists(st.tuples(KEY, value), min_size=1, max_size=4)


def render_mapping(pairs: list, indent: int, step: int, list_indent: int) -> list[str]:
    lines = []
    pad = " " * indent
    for key, value in pairs:
        if value is None:
            lines.append(f"{pad}{key}:")
        elif isinstance(value, str):
            lines.append(f"{pad}{key}: {value}")
        elif value[0] == "map":
            lines.append(f"{pad}{key}:")
            lines += render_mapping(value[1], indent + step, step, list_indent)
        else:
            lines.append(f"{pad}{key}:")
            lines += render_sequence(value[1], indent + list_indent, step, list_indent)
    return lines


def render_sequence(items: list, indent: int, step: int, list_indent: int) -> list[str]:
    lines = []
    pad = " " * indent
    for item in items:
        if isinstance(item, str):
            lines.append(f"{pad}- {item}" if item else f"{pad}-")  # "- " and "-": empty items
        else:
            inner = render_mapping(item[1], indent + 2, step, list_indent)
            lines.append(f"{pad}- {inner[0].lstrip(' ')}")
            lines += inner[1:]
    return lines


@st.composite
def subset_document(draw: Any) -> str:
    pairs = draw(_mapping_strategy(3))
    lines = render_mapping(
        pairs, 0, draw(st.sampled_from([2, 2, 4, 1, 3])), draw(st.sampled_from([0, 2, 2, 4]))
    )
    if draw(st.booleans()):  # blank and white-space-only lines between entries
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(st.sampled_from(["", "  ", " "])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n", "  "]))


def same(subset: Any, pyyaml: Any) -> bool:
    """Equal values of the same types, in the same key order (1 == True is not the same)."""
    if type(subset) is not type(pyyaml):
        return False
    if isinstance(subset, dict):
        return list(subset) == list(pyyaml) and all(
            same(key, other) and same(subset[key], pyyaml[other])
            for key, other in zip(subset, pyyaml, strict=True)
        )
    if isinstance(subset, list):
        return len(subset) == len(pyyaml) and all(same(a, b) for a, b in zip(subset, pyyaml, strict=True))
    return subset == pyyaml


def check_subset_agrees(text: str) -> bool:
    """True when the subset reader answered (and agreed); False when it left the text to PyYAML."""
    fast = load_subset(text)
    if fast is None:
        return False
    try:
        slow = yaml.load(text, Loader=LOADER)  # noqa: S506 - the article loader is a safe loader
    except yaml.YAMLError as error:
        raise AssertionError(f"the subset read text PyYAML refuses ({error}): {text!r}") from None
    assert same(fast, slow), f"subset {fast!r} != PyYAML {slow!r} for {text!r}"
    return True


@settings(FUZZ, max_examples=FUZZ.max_examples * 3)
@given(subset_document())
def test_subset_reader_agrees_with_pyyaml_on_generated_documents(text: str) -> None:
    EXAMPLES["differential: generated subset documents"] += 1
    if check_subset_agrees(text):
        EXAMPLES["differential: generated subset documents (answered by the subset)"] += 1


def _front_matter(data: bytes) -> str | None:
    text = data.decode("utf-8", "replace").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---", 4)
    return text[4 : end + 1] if end > 0 else None


FRONT_MATTERS = [text for text in map(_front_matter, SOURCES) if text]


@st.composite
def mutated_front_matter(draw: Any) -> str:
    data = draw(st.sampled_from(FRONT_MATTERS)).encode()
    for _ in range(draw(st.integers(1, 4))):
        data = draw(
            st.sampled_from(
                [_delete_line, _duplicate_line, _swap_lines, _insert_text, _reindent, _wrong_value, _truncate]
            )
        )(draw, data)
    return data.decode("utf-8", "replace")


@settings(FUZZ, max_examples=FUZZ.max_examples * 2)
@given(mutated_front_matter())
def test_subset_reader_agrees_with_pyyaml_on_mutated_real_front_matter(text: str) -> None:
    EXAMPLES["differential: mutated real front matter"] += 1
    check_subset_agrees(text)


def test_subset_reader_agrees_on_every_front_matter_it_is_given() -> None:
    """Seeds, test data (bad files included) and the corpus when present: never a wrong answer."""
    for text in FRONT_MATTERS:
        check_subset_agrees(text)
    EXAMPLES["differential: every front matter (each once)"] += len(FRONT_MATTERS)


def test_subset_reader_answers_nearly_every_real_front_matter() -> None:
    """It exists to read the files aggregators write fast, so it must answer most real ones."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (expected ../shared/corpus beside the project)")
    real = [text for path in sorted(CORPUS.rglob("*")) + sorted(SEEDS.iterdir()) if path.is_file()
            for text in [_front_matter(path.read_bytes())] if text]
    assert sum(load_subset(text) is not None for text in real) >= len(real) * 0.9


@pytest.mark.parametrize("text", [
    "yes: 1", "No: x", "true: 1", "null: 2", "on: 3", "OFF: 4",  # keys PyYAML reads as booleans or null
    'title: "a\x85b"', "title: a\x85b", "title: a\u2028b", 'title: "a\u2028b"',  # YAML 1.1 line breaks
    "n: " + "9" * 5000, "n: " + "9" * 1001,  # beyond what Python writes as text / the article limit
    "topics:\n- AI\n- ", "topics:\n- AI\n-", "topics:\n  -   \n",  # empty list items (an IndexError once)
])  # fmt: skip
def test_subset_reader_found_disagreements_stay_fixed(text: str) -> None:
    assert load_subset(text) is None or check_subset_agrees(text)


# --- (c) the query language ----------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_archive() -> Iterator[Archive]:
    archive = Archive.open(SEEDS, in_memory=True)
    yield archive
    archive.close()


FIELD_TOKENS = [f"{name}:" for name in ALL_FIELDS] + ["provder:", "Title:", "x:", ":", "::"]
QUERY_TOKENS = FIELD_TOKENS + [
    "OR", "AND", "NOT", "or", "-", "--", "(", ")", "((", "))", '"', '""', "*", "**", "..", ">", ">=", "<",
    "<=",
    "=", ",", ",,", "sensetime", "ipo", "AI", "scmp.com", "2021", "2021-11", "2021-11-23", "2021-11-23T10:00",
    "2021-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "7d", "2w", "3m", "1y",
    "999999999y",
    "today", "yesterday", '"last week"', '"this month"', "99999999999999999999999", "-5", "1e9", "NaN", "yes",
    "no", "images", "related", "secured", "date", "heat", "relevance", "date-asc", "^", "$", "%", "_", "?",
    "[",
    "]", "{", "}", "\\", "'", "NEAR", "NEAR(a b)", "a:b", "col:word", "\x00", "\x1b[31m", "é", "中文", "😀",
    "\u202e", "@saved", "*ai", "ai*", "a-b", "covid-19", "https://www.ft.com/content/c735e0f3", "0x10",
]  # fmt: skip
token_soup = st.lists(st.sampled_from(QUERY_TOKENS) | st.text(max_size=6), max_size=12).map(
    lambda tokens: " ".join(tokens)
) | st.lists(st.sampled_from(QUERY_TOKENS), max_size=8).map("".join)
query_text = (
    token_soup
    | st.text(max_size=60)
    | st.lists(st.tuples(st.sampled_from(FIELD_TOKENS), st.sampled_from(QUERY_TOKENS)), max_size=4).map(
        lambda pairs: " ".join(name + value for name, value in pairs)
    )
)


def run_query(archive: Archive, text: str | list[str]) -> None:
    try:
        query = parse_query(text, NOW)
    except QueryError as error:
        assert error.message and "\n" not in str(error)
        EXAMPLES["query: refused with QueryError"] += 1
        return
    archive.search(query, limit=5)
    archive.count(query)
    archive.stats(query, "topic", top=3)
    archive.duplicates(query)
    list(itertools.islice(archive.iter_articles(query), 3))
    EXAMPLES["query: ran"] += 1


@settings(FUZZ, max_examples=FUZZ.max_examples * 3)
@given(query=query_text)
def test_any_query_runs_or_is_a_usage_error(seeds_archive: Archive, query: str) -> None:
    EXAMPLES["query: random strings and token soups"] += 1
    run_query(seeds_archive, query)


@FUZZ
@given(words=st.lists(query_text, min_size=1, max_size=4))
def test_any_query_given_as_shell_words_runs_or_is_a_usage_error(
    seeds_archive: Archive, words: list[str]
) -> None:
    EXAMPLES["query: shell word lists"] += 1
    run_query(seeds_archive, words)


@pytest.mark.parametrize(
    "text",
    [
        "date:>10000",
        "date:0000-01-01..",
        "date:..0001-01-01",
        "date:9999-12-31..",
        "date:>9999-12",
        "date:999999999y",
        "heat:>99999999999999999999",
        "quality:-9223372036854775808..9223372036854775807",
        "sort:relevance -a",
        '"" OR ""',
        "title:* OR *",
        "NEAR(a b)",
        "id:[",
        "path:[",
        "url:::",
    ],
)
def test_edge_queries_run_or_are_usage_errors(seeds_archive: Archive, text: str) -> None:
    run_query(seeds_archive, text)


# --- (d) the lossless JSON record round trip ----------------------------------------------

clean_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30).filter(
    lambda text: repair_mojibake(text) == text
)
maybe_text = st.none() | clean_text
whole = st.none() | st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1)
moment = st.none() | st.datetimes(timezones=st.just(timezone.utc))
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | clean_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(clean_text, inner, max_size=3),
    max_leaves=8,
)


def extra(reserved: set[str]) -> st.SearchStrategy[dict]:
    return st.dictionaries(clean_text.filter(lambda key: key not in reserved), json_value, max_size=3)


STORY_KEYS = {
    "title",
    "excerpt",
    "publishedDateTime",
    "updatedDateTime",
    "originalUrl",
    "webUrl",
    "ampWebUrl",
    "cdnAmpWebUrl",
    "sourceUrl",
    "type",
    "category",
    "categories",
    "quality",
    "heat",
    "published",
    "locale",
    "featuredContent",
    "provider",
    "topics",
    "tags",
    "images",
}
images = st.lists(
    st.builds(
        Image,
        url=maybe_text,
        width=whole,
        height=whole,
        title=maybe_text,
        attribution=maybe_text,
        is_cached=st.none() | st.booleans(),
        extra=extra({"url", "width", "height", "title", "attribution", "isCached"}),
    ),
    max_size=2,
)
provider = st.none() | st.builds(
    Provider, name=maybe_text, domain=maybe_text, images=images, extra=extra({"name", "domain", "images"})
)
story = {
    "title": clean_text,
    "excerpt": clean_text,
    "published": moment,
    "updated": moment,
    "original_url": maybe_text,
    "web_url": maybe_text,
    "amp_web_url": maybe_text,
    "cdn_amp_web_url": maybe_text,
    "source_url": maybe_text,
    "type": maybe_text,
    "category": maybe_text,
    "categories": st.lists(clean_text, max_size=2),
    "quality": whole,
    "heat": whole,
    "is_published": st.none() | st.booleans(),
    "provider": provider,
    "topics": st.lists(clean_text, max_size=3),
    "tags": st.lists(clean_text, max_size=2),
    "images": images,
    "locale": maybe_text,
    "featured_content": maybe_text,
}
related_item = st.builds(RelatedItem, **story, extra=extra(STORY_KEYS))
article = st.builds(
    Article,
    **story,
    body=clean_text,
    related=st.lists(related_item, max_size=2),
    secured=maybe_text,
    extra=extra(STORY_KEYS | {"related", "secured", "body"}),
)


def is_valid(story: Any) -> bool:
    return bool(story.title or story.excerpt or story.url)


def read_back(article: Article) -> Article:
    result = parse_bytes((json.dumps(json_record(article)) + "\n").encode("utf-8"), "roundtrip.jsonl")
    assert result.problems == []
    (back,) = result.articles
    return back


@settings(FUZZ, max_examples=FUZZ.max_examples * 2)
@given(article)
def test_any_valid_article_survives_the_json_record(article: Article) -> None:
    assume(is_valid(article) and all(is_valid(item) for item in article.related))
    # Reading decodes character references (`&LT;` is `<`), so text that still holds one
    # is not what a reading makes; a read article keeps its source in `original_text`.
    assume(all(decode_entities(text) == text for story in (article, *article.related)
               for text in (story.title, story.excerpt)))
    EXAMPLES["round trip: generated articles"] += 1
    assert read_back(article) == article


def test_every_seed_and_corpus_article_survives_the_json_record() -> None:
    count = 0
    for data in SOURCES:
        for article in parse_bytes(data, "source.md").articles:
            assert read_back(article) == article
            count += 1
    EXAMPLES["round trip: seed and corpus articles (each once)"] += count
    assert count >= 5
