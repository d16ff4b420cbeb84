"""Files saved by other editors and systems: BOMs, UTF-16, CRLF, Latin-1 and Windows-1252.

Each variant is made from a seed in a temporary folder and must read exactly as the
UTF-8 original does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarc.model import Article
from newsarc.parsing import parse_bytes, parse_file

FRONT_MATTER_SEED = "002_dae551df292514b4.txt"  # curly quotes, a related list
PLAIN_TEXT_SEED = "001_b48525c721f87d7b.txt"  # curly quotes, £, –, non-breaking spaces


def only_article(result) -> Article:
    assert result.problems == []
    assert len(result.articles) == 1
    return result.articles[0]


def reference(seeds_dir: Path, name: str) -> Article:
    return only_article(parse_file(seeds_dir / name, name))


VARIANTS = {
    "utf-8 with BOM": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "utf-16 LE with BOM": lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
    "utf-16 BE with BOM": lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
    "CRLF line endings": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "CR line endings": lambda text: text.replace("\n", "\r").encode("utf-8"),
    "utf-8 BOM and CRLF": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
    "utf-16 LE BOM and CRLF": lambda text: b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le"),
    "windows-1252": lambda text: text.encode("cp1252"),
    "windows-1252 and CRLF": lambda text: text.replace("\n", "\r\n").encode("cp1252"),
}


@pytest.mark.parametrize("seed", [FRONT_MATTER_SEED, PLAIN_TEXT_SEED])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_seed_saved_another_way_reads_the_same(
    seeds_dir: Path, tmp_path: Path, seed: str, variant: str
) -> None:
    text = (seeds_dir / seed).read_text("utf-8")
    path = tmp_path / seed
    path.write_bytes(VARIANTS[variant](text))
    assert path.read_bytes() != (seeds_dir / seed).read_bytes()
    article = only_article(parse_file(path, seed))
    assert article == reference(seeds_dir, seed)
    assert "\r" not in article.body and "\ufeff" not in article.title


def test_windows_1252_punctuation_is_read_as_such(tmp_path: Path) -> None:
    text = (
        '---\ntitle: "Caf\u00e9 \u201cnews\u201d \u2013 it\u2019s \u20ac5\u2122"\n'
        'excerpt: "Na\u00efve \u2026"\n---\n'
    )
    data = text.encode("cp1252")
    assert b"\x93" in data and b"\x80" in data  # bytes that mean punctuation only in Windows-1252
    article = only_article(parse_bytes(data, "cp1252.md"))
    assert article.title == "Café “news” – it’s €5™"
    assert article.excerpt == "Naïve …"


def test_latin_1_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "latin-1.md"
    path.write_bytes(
        '---\ntitle: "Un café à Zürich"\nexcerpt: "Señor Müller’s Straße"\n---\n'.replace("’", "'").encode(
            "latin-1"
        )
    )
    article = only_article(parse_file(path, "latin-1.md"))
    assert article.title == "Un café à Zürich"
    assert article.excerpt == "Señor Müller's Straße"


def test_latin_1_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes("Le café\n\nOn y boit un café crème à 2 £.\n".encode("latin-1"))
    article = only_article(parse_file(path, "note.txt"))
    assert article.title == "Le café"
    assert article.body == "On y boit un café crème à 2 £."


def test_utf_16_front_matter_written_without_a_bom_is_not_mistaken_for_text(tmp_path: Path) -> None:
    """Without a BOM the encoding cannot be told; the file is reported, not read as garbage."""
    result = parse_bytes("---\ntitle: x\n---\n".encode("utf-16-le"), "utf16.md")
    assert result.articles == []
    assert len(result.problems) == 1
