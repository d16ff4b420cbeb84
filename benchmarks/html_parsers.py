"""Why newsarc reads HTML bodies with the standard library: html.parser against selectolax.

    pip install selectolax   # only for this comparison; newsarc does not depend on it
    python benchmarks/html_parsers.py [tests/data/shapes/weekly-brief-42.html]

Times, on the 42 KB newsletter fixture (its body after the front matter), the raw parse
of each parser and a whole conversion to readable text: newsarc's `htmltext.html_to_text`
against the same walk written over selectolax's Lexbor tree. Rounds alternate the two;
each figure is a median of 30 runs.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from newsarc.htmltext import html_to_text

_BLOCKS = {"p", "div", "table", "tr", "tbody", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "center",
           "blockquote", "pre"}
_HIDDEN = "head, script, style, template, noscript, svg, iframe, title, [style*='display:none']"


def selectolax_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    for node in tree.css(_HIDDEN):
        node.decompose()
    blocks: list[str] = []
    runs: list[str] = []

    def flush() -> None:
        text = " ".join("".join(runs).split())
        if text:
            blocks.append(text)
        runs.clear()

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        for child in node.iter(include_text=True):
            if child.tag == "-text":
                runs.append(child.text_content)
            elif child.tag == "img":
                runs.append(f" {child.attributes.get('alt') or ''} ")
            elif child.tag in _BLOCKS:
                flush()
                walk(child)
                flush()
            elif child.tag == "a":
                walk(child)
                if child.attributes.get("href"):
                    runs.append(f" ({child.attributes['href']})")
            else:
                walk(child)

    walk(tree.body or tree.root)
    flush()
    return "\n\n".join(blocks)


def stdlib_parse(html: str) -> None:
    parser = HTMLParser()
    parser.feed(html)
    parser.close()


def median_ms(function: Callable[[str], object], html: str, runs: int = 30) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function(html)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/shapes/weekly-brief-42.html")
    html = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    print(f"{path} ({len(html.encode()) / 1024:.1f} KB of HTML)")
    pairs = (("parse only", stdlib_parse, lambda text: LexborHTMLParser(text).body),
             ("to readable text", html_to_text, selectolax_text))
    for label, stdlib, lexbor in pairs:
        for round_number in range(3):
            a, b = median_ms(stdlib, html), median_ms(lexbor, html)
            print(f"{label:16}  round {round_number + 1}: html.parser {a:6.2f} ms   selectolax {b:6.2f} ms"
                  f"   ratio {a / b:5.1f}x")


if __name__ == "__main__":
    main()
