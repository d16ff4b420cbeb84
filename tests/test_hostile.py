"""Hostile article content stays inert on a terminal, and hostile YAML never runs.

Titles, excerpts, provider names, topics and related items carry terminal escape
sequences (CSI, OSC title/clipboard/hyperlink, DCS, 8-bit C1), rich markup, HTML and
JavaScript, spreadsheet formulas, bidirectional overrides, zero-width characters,
NUL and 100,000-character words. Every terminal command (list, search, show, related,
stats, dupes, fields, check), with colour on and off, must print them as plain,
readable text: none of the article's own escape sequences or control characters
survives, markup prints literally, and no line outgrows the terminal.

YAML: unsafe tags (`!!python/object`, `/apply`, `/name`, `/module`, ...) never execute
(a marker file proves it) and give a problem; a billion-laughs bomb parses in a child
process whose peak memory stays small.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rich.cells import cell_len

from newsarc.cli import cli
from newsarc.parsing import article_id, parse_bytes, parse_file

NOW = datetime(2021, 12, 20, 12, 0, tzinfo=timezone.utc)
WIDTH = 250

# name -> (payload, what a reader must see of "Alpha{payload}Bravo")
PAYLOADS = {
    "csi-clear": ("\x1b[2J\x1b[H", "AlphaBravo"),
    "sgr-blink": ("\x1b[5;38;5;196m", "AlphaBravo"),
    "osc-title": ("\x1b]0;pwned\x07", "AlphaBravo"),
    "osc-clipboard": ("\x1b]52;c;cm0gLXJmIH4=\x07", "AlphaBravo"),
    "osc8-link": ("\x1b]8;;https://payload.invalid/\x1b\\click\x1b]8;;\x1b\\", "AlphaclickBravo"),
    "c1-csi": ("\x9b31m\x9d0;t\x9c", "AlphaBravo"),
    "dcs": ("\x1bP+q544e\x1b\\", "AlphaBravo"),
    "bell-backspace": ("\x07\x08\x08\x08", "AlphaBravo"),
    "carriage-return": ("\rEVIL", "Alpha EVILBravo"),
    "nul": ("\x00", "AlphaBravo"),
    "bidi-override": ("\u202egnp.exe\u202c", "Alphagnp.exeBravo"),
    "bidi-isolate": ("\u2066\u2067\u2068\u2069", "AlphaBravo"),
    "zero-width": ("\u200b\u200c\u200d\u2060\ufeff", "AlphaBravo"),
    "rich-markup": ("[bold red]big[/bold red][link=https://payload.invalid]x[/link][/]", None),
    "html-js": ("<script>alert(1)</script><img src=x onerror=alert(1)>", None),
    "formula": ('=HYPERLINK("https://payload.invalid","x")+cmd|\' /C calc\'!A0', None),
}
# The characters and sequences of the payloads that must never reach a terminal.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# What rich itself writes with colour on: SGR styles and OSC 8 links to the article's own URLs.
RICH_SEQUENCE = re.compile(r"\x1b\[[0-9;]*m|\x1b]8;[^\x07\x1b]*\x1b\\")
LONG_WORD = "Long" + "x" * 100_000


def article(name: str, payload: str, position: int) -> dict:
    return {
        "title": f"Hostile {name} Alpha{payload}Bravo",
        "excerpt": f"Excerpt of {name} Alpha{payload}Bravo",
        "publishedDateTime": f"2021-11-{position + 1:02d}T10:00:00Z",
        "webUrl": f"https://news.example/{name}",
        "type": f"article{payload}",
        "provider": {"name": f"Prov{payload}ider", "domain": "news.example"},
        "topics": [f"Top{payload}ic", "Hostile"],
        "related": [
            {
                "title": f"Related Alpha{payload}Bravo",
                "webUrl": "https://news.example/target",
                "provider": {"name": f"Rel{payload}ated"},
            }
        ],
        "body": f"Body Alpha{payload}Bravo\n\nSecond paragraph {payload} end.",
    }


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    for position, (name, (payload, _)) in enumerate(PAYLOADS.items()):
        (root / f"{name}.json").write_text(json.dumps(article(name, payload, position)), encoding="utf-8")
    # The article the others list as related, and a duplicate of it (same URL): related and dupes.
    target = {
        "title": "Target Alpha\x1b[31mBravo",
        "webUrl": "https://news.example/target",
        "provider": {"name": "Tar\x1b]0;x\x07get"},
        "publishedDateTime": "2021-10-01T00:00:00Z",
    }
    (root / "target.json").write_text(json.dumps(target))
    (root / "target-copy.json").write_text(json.dumps(target | {"publishedDateTime": "2021-10-02T00:00:00Z"}))
    # Front matter too, where the escapes are YAML's.
    (root / "front-matter.md").write_text(
        '---\ntitle: "Yaml \\e[2J\\e]0;pwned\\a Alpha\\u202eBravo"\n'
        'excerpt: "\\x9b31m\\0 markup [bold]x[/bold]"\n'
        'provider:\n  name: "\\e[31mred"\ntopics:\n  - "\\u200bzero"\n---\nBody \x1b[31m in the body.\n'
    )
    # The private-use characters the index marks search matches with, in an excerpt.
    (root / "forgery.json").write_text(
        json.dumps(
            {
                "title": "Forgery attempt",
                "excerpt": "Forgery \ue000FORGED\ue001 highlight",
                "topics": ["Hostile"],
            }
        )
    )
    (root / "long-word.json").write_text(
        json.dumps(
            {
                "title": LONG_WORD,
                "excerpt": LONG_WORD,
                "provider": {"name": LONG_WORD},
                "topics": [LONG_WORD],
                "publishedDateTime": "2021-09-01T00:00:00Z",
            }
        )
    )
    # Hostile file names: a broken file (for `check`) and an article (for `--fields path`).
    (root / "broken\x1b[31m\x1b]0;x\x07\u202e.md").write_text("---\ntitle: [unclosed\n---\n")
    (root / "name\x1b[2J\nline.txt").write_text("A plain article with a hostile file name\n\nIts body.\n")
    return root


def run(archive: Path, *args: str, color: bool) -> tuple[int, str, str]:
    environment = {
        "stdout_tty": True,
        "stderr_tty": False,
        "width": WIDTH,
        "now": NOW,
        "local_zone": timezone(timedelta(hours=-5)),
    }
    result = CliRunner().invoke(
        cli,
        ["--archive", str(archive), "--no-cache", "--color", "always" if color else "never", *args],
        obj=environment,
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def assert_inert(output: str, *, color: bool) -> str:
    """The output with rich's own sequences removed; fails on anything of the article's."""
    if not color:
        assert "\x1b" not in output, _show_escape(output)
    for sequence in RICH_SEQUENCE.findall(output):
        assert "payload.invalid" not in sequence, f"an article's link became clickable: {sequence!r}"
    visible = RICH_SEQUENCE.sub("", output)
    found = FORBIDDEN.search(visible)
    assert found is None, _show_escape(visible, found.start() if found else 0)
    for payload, _ in PAYLOADS.values():
        if FORBIDDEN.search(payload):
            assert payload not in output
    return visible


def _show_escape(text: str, at: int | None = None) -> str:
    at = text.find("\x1b") if at is None else at
    return f"an escape or control character survived: {text[max(at - 60, 0) : at + 60]!r}"


def assert_fits(visible: str) -> None:
    widest = max((cell_len(line) for line in visible.splitlines()), default=0)
    assert widest <= WIDTH, f"a line is {widest} cells wide on a {WIDTH}-cell terminal"


def _id(name: str) -> str:
    return article_id(f"{name}.json")[:10]


COMMANDS = [
    ("list", ["list", "--limit", "100"]),
    (
        "list-all-fields",
        ["list", "--limit", "100", "--fields", "id,date,provider,domain,title,topics,type,path,url"],
    ),
    ("search", ["search", "alpha", "--limit", "100"]),
    ("search-excerpt", ["search", "excerpt:bravo", "--limit", "100"]),
    ("show", ["show", _id("osc8-link")]),
    ("show-front-matter", ["show", "front-matter.md"]),
    ("show-target", ["show", _id("target")]),
    ("related", ["related", _id("rich-markup")]),
    ("related-target", ["related", _id("target")]),
    ("stats-provider", ["stats", "--by", "provider"]),
    ("stats-topic", ["stats", "--by", "topic", "--top", "100"]),
    ("stats-type", ["stats", "--by", "type"]),
    ("dupes", ["dupes"]),
    ("fields", ["fields"]),
    ("check", ["check"]),
    ("index", ["index"]),
]


@pytest.mark.parametrize("color", [False, True], ids=["colour-off", "colour-on"])
@pytest.mark.parametrize(("name", "args"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_terminal_output_of_hostile_articles_is_inert(
    hostile_archive: Path, name: str, args: list[str], color: bool
) -> None:
    code, stdout, stderr = run(hostile_archive, *args, color=color)
    assert code in (0, 1), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    visible = assert_inert(stdout, color=color)
    assert_inert(stderr, color=False)
    if name not in ("stats-type", "list-all-fields"):  # `type` and `url` columns may not wrap
        assert_fits(visible)


def test_hostile_text_stays_readable_in_list_search_and_show(hostile_archive: Path) -> None:
    _, listed, _ = run(hostile_archive, "list", "--limit", "100", color=False)
    _, searched, _ = run(hostile_archive, "search", "hostile", "--limit", "100", color=False)
    for name, (payload, residue) in PAYLOADS.items():
        expected = residue or f"Alpha{payload}Bravo"
        if name == "carriage-return":  # a table cell or a search title: one line either way
            assert "Alpha EVILBravo" in listed and "Alpha EVILBravo" in searched
            continue
        assert f"Hostile {name} {expected}" in " ".join(listed.split()) or expected in listed, name
        assert expected in searched, name
        _, shown, _ = run(hostile_archive, "show", _id(name), color=False)
        assert f"Hostile {name} {expected}" in shown, name
        assert f"Body {expected}" in shown, name


def test_rich_markup_html_and_formulas_print_literally(hostile_archive: Path) -> None:
    _, shown, _ = run(hostile_archive, "show", _id("rich-markup"), color=True)
    assert "[bold red]big[/bold red][link=https://payload.invalid]x[/link][/]" in shown
    _, shown, _ = run(hostile_archive, "show", _id("html-js"), color=False)
    assert "<script>alert(1)</script><img src=x onerror=alert(1)>" in shown
    _, shown, _ = run(hostile_archive, "show", _id("formula"), color=False)
    assert '=HYPERLINK("https://payload.invalid","x")' in shown


def test_article_text_cannot_forge_a_search_highlight(hostile_archive: Path) -> None:
    _, searched, _ = run(hostile_archive, "search", "forgery", color=True)
    assert "FORGED" in searched and "\x1b[1;7mForgery" in searched  # the real match is highlighted
    assert not re.search(r"\x1b\[[0-9;]*7[0-9;]*m[^\x1b]*FORGED", searched), "FORGED was highlighted"


def test_a_hundred_thousand_character_word_is_folded_not_dropped(hostile_archive: Path) -> None:
    code, shown, _ = run(hostile_archive, "show", "long-word.json", color=False)
    assert code == 0
    assert_fits(shown)
    assert "".join(shown.split()).count("x" * 1000) >= 2 * 99  # title and excerpt, folded onto lines


@pytest.mark.parametrize("zone_hours", [-12, 14])
@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_dates_at_the_edges_of_the_calendar_show_in_any_local_zone(
    tmp_path: Path, stamp: str, zone_hours: int
) -> None:
    (tmp_path / "edge.json").write_text(json.dumps({"title": "Edge of time", "publishedDateTime": stamp}))
    result = CliRunner().invoke(
        cli,
        ["--archive", str(tmp_path), "--no-cache", "--color", "never", "show", "edge.json"],
        obj={
            "stdout_tty": True,
            "width": 100,
            "now": NOW,
            "local_zone": timezone(timedelta(hours=zone_hours)),
        },
    )
    assert result.exit_code == 0, result.output
    assert f"{stamp[:10]} {stamp[11:16]} UTC" in result.stdout


# --- YAML safety ---------------------------------------------------------------------------

UNSAFE_TAGS = [
    "!!python/object/apply:os.system [{command}]",
    "!!python/object/apply:subprocess.check_output [[sh, -c, {command}]]",
    "!!python/object/new:os.system [{command}]",
    "!!python/object:os.system {{}}",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/tuple [a, b]",
    "!!python/str x",
    "!!python/bytes eA==",
    "!<tag:yaml.org,2002:python/object/apply:os.system> [{command}]",
    "!local value",
]


@pytest.mark.parametrize("template", UNSAFE_TAGS)
@pytest.mark.parametrize("where", ["title", "extra", "nested", "related", "key"])
def test_unsafe_yaml_tags_never_execute_and_give_a_problem(tmp_path: Path, template: str, where: str) -> None:
    marker = tmp_path / "executed"
    value = template.format(command=f"'touch {marker}'")
    front_matter = {
        "title": f"title: {value}\n",
        "extra": f"title: fine\nnotes: {value}\n",
        "nested": f"title: fine\nnotes:\n  deeper:\n    - {value}\n",
        "related": f"title: fine\nrelated:\n  - title: {value}\n",
        "key": f"title: fine\n? {value}\n: v\n",
    }[where]
    result = parse_bytes(f"---\n{front_matter}---\n".encode(), "unsafe.md")
    assert result.articles == [] and len(result.problems) == 1, result
    assert "not allowed" in result.problems[0].message or "invalid YAML" in result.problems[0].message
    assert not marker.exists(), "an unsafe tag executed"


def test_the_marker_payload_is_live_under_an_unsafe_loader(tmp_path: Path) -> None:
    """The control: the payload the test above refuses really runs when loaded unsafely."""
    marker = tmp_path / "executed"
    yaml.unsafe_load(f"title: !!python/object/apply:os.system ['touch {marker}']\n")
    assert marker.exists()


def test_unsafe_tags_in_an_archive_never_execute_through_the_cli(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    marker = tmp_path / "executed"
    for number, template in enumerate(UNSAFE_TAGS):
        value = template.format(command=f"'touch {marker}'")
        (archive / f"unsafe-{number}.md").write_text(f"---\ntitle: fine\nnotes: {value}\n---\n")
    process = subprocess.run(
        [sys.executable, "-m", "newsarc", "--archive", str(archive), "--no-cache", "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 1
    assert len(process.stdout.splitlines()) == len(UNSAFE_TAGS)
    assert "Traceback" not in process.stderr
    assert not marker.exists()


BOMB_PROBE = textwrap.dedent("""
    import json, sys, time
    import yaml
    from newsarc.parsing import parse_file
    started = time.perf_counter()
    if sys.argv[2] == "expand":  # the control: what a loader that expands aliases costs
        text = open(sys.argv[1]).read().split("---")[1]
        print(0, 1, len(json.dumps(yaml.safe_load(text))), round(time.perf_counter() - started, 3))
        print("expanded")
    else:
        result = parse_file(sys.argv[1], "bomb.md")
        print(len(result.articles), len(result.problems), 0, round(time.perf_counter() - started, 3))
        print(result.problems[0] if result.problems else "")
""")
# Runs the probe as its own child and reports the child's peak resident memory. A child
# forked straight from pytest would inherit pytest's high-water mark (Linux keeps it
# across exec); forked from this small launcher, it starts from a clean one.
LAUNCHER = textwrap.dedent("""
    import resource, subprocess, sys
    child = subprocess.run([sys.executable, "-c", *sys.argv[1:]], capture_output=True, text=True)
    sys.stdout.write(child.stdout)
    sys.stderr.write(child.stderr)
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    sys.exit(child.returncode)
""")


def peak_memory(bomb: Path, mode: str) -> tuple[list[str], float]:
    """The probe's output lines and its peak resident memory in MB."""
    process = subprocess.run(
        [sys.executable, "-c", LAUNCHER, BOMB_PROBE, str(bomb), mode],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 0, process.stderr
    lines = process.stdout.splitlines()
    return lines[:-1], int(lines[-1]) / 1024  # ru_maxrss is in kilobytes on Linux


def _bomb(levels: int, width: int, *, flow: bool = True) -> str:
    lines = ["---", "title: Billion laughs", 'lol0: &lol0 ["lol"]' if flow else "lol0: &lol0 lol"]
    for level in range(1, levels):
        aliases = ", ".join([f"*lol{level - 1}"] * width)
        lines.append(f"lol{level}: &lol{level} [{aliases}]")
    return "\n".join(lines + ["---", ""])


BOMBS = {
    "billion-laughs": _bomb(10, 10),  # 10**9 strings if expanded
    "wide": _bomb(6, 60),  # 60**5 = 7.8e8
    "deep": _bomb(40, 2),  # 2**39 = 5.5e11
    "scalar-root": _bomb(10, 10, flow=False),
    "mapping": "---\ntitle: x\na: &a {k: v}\n"
    + "".join(
        f"b{n}: &b{n} {{" + ", ".join(f"k{m}: *{'a' if n == 0 else f'b{n - 1}'}" for m in range(10)) + "}\n"
        for n in range(9)
    )
    + "---\n",
}
BOMB_FIGURES: dict[str, dict[str, float]] = {}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_alias_bombs_are_bounded_in_memory(tmp_path: Path, name: str) -> None:
    """Parse each bomb in a fresh interpreter and measure its peak resident memory."""
    bomb = tmp_path / "bomb.md"
    bomb.write_text(BOMBS[name])
    (first, problem), peak_mb = peak_memory(bomb, "parse")
    articles, problems, _, seconds = first.split()
    BOMB_FIGURES[name] = {"peak_mb": round(peak_mb, 1), "seconds": float(seconds)}
    assert (int(articles), int(problems)) == (0, 1)
    assert "aliases" in problem
    assert peak_mb < 200, f"parsing the {name} bomb peaked at {peak_mb:.0f} MB"


def test_the_memory_probe_sees_an_expanded_bomb(tmp_path: Path) -> None:
    """The control: expanding a small bomb (a million strings) shows up in the same measure."""
    bomb = tmp_path / "small-bomb.md"
    bomb.write_text(_bomb(7, 10))
    (first, _), peak_mb = peak_memory(bomb, "expand")
    (_, refused), baseline_mb = peak_memory(bomb, "parse")
    BOMB_FIGURES["control: 10**6 expanded by an unsafe reader"] = {"peak_mb": round(peak_mb, 1)}
    assert "aliases" in refused
    assert peak_mb > baseline_mb + 15, (peak_mb, baseline_mb)


def test_the_bomb_in_the_bad_files_is_the_billion_laughs(bad_dir: Path) -> None:
    result = parse_file(bad_dir / "yaml-bomb-billion-laughs.md", "bomb.md")
    assert [problem.message for problem in result.problems] == [
        "YAML aliases (*name) are not allowed in an article"
    ]


@pytest.fixture(scope="module", autouse=True)
def bomb_report() -> object:
    yield
    target = os.environ.get("NEWSARC_RELIABILITY_REPORT")
    if target and BOMB_FIGURES:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"section": "bombs", "bombs": BOMB_FIGURES}) + "\n")
