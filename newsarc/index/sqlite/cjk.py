"""Scripts written without spaces between words (Han, Hiragana, Katakana, Hangul, Thai)
as the `articles_cjk` table indexes them and a query asks for them.

FTS5's unicode61 keeps a whole run of such letters as one token, so `商汤` would never
find `商汤科技`. Each run is indexed instead as its overlapping two-character grams and
its last character (`商汤 汤科 科技 技`), the way Lucene's CJK analyzer does:

- one character is a prefix query (`"商" *`): every character of a run starts a token;
- two characters are one gram (`"商汤"`);
- longer text is the phrase of its grams (`"商汤 汤科"`): consecutive positions, and the
  lone last character between runs keeps a phrase from spanning two runs.

Unlike FTS5's trigram tokenizer this needs no SQLite 3.34 and finds one- and
two-character terms, and its table holds only the articles that have such text.
"""

from __future__ import annotations

import re

# Han (with extensions and compatibility ideographs), Hiragana, Katakana (with phonetic
# extensions and half-width forms), Hangul syllables and jamo, Thai. Compiled on first
# use (re keeps it): ASCII text, which has none, never needs it, and compiling its ranges
# costs every command a few ms.
_RUN = (
    "[\u0e00-\u0e7f\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f]+"
)


def has_cjk(text: str) -> bool:
    # Every script above is outside ASCII, and `isascii` costs nothing on a str: the
    # search (about 20 us for a body of 1,000 characters) is left to text that may match.
    return not text.isascii() and re.search(_RUN, text) is not None


def runs(text: str) -> list[str]:
    """The runs of spaceless-script letters in `text`, in order."""
    return [] if text.isascii() else re.findall(_RUN, text)


def split(word: str) -> tuple[list[str], str]:
    """A query word's spaceless-script runs, and the rest of it (runs replaced by spaces)."""
    if word.isascii():
        return [], word
    return runs(word), re.sub(_RUN, " ", word)


def grams(text: str) -> str:
    """The indexed form of `text`: each run's grams, runs apart; nothing for other text."""
    return " ".join(_run_grams(run) for run in runs(text))


def _run_grams(run: str) -> str:
    return " ".join([run[start : start + 2] for start in range(len(run) - 1)] + [run[-1]])


def query_phrase(run: str) -> str:
    """The FTS5 string that finds `run` as a substring of indexed text (no operators in it:
    the run holds only letters of these scripts)."""
    if len(run) == 1:
        return f'"{run}" *'
    return '"' + " ".join(run[start : start + 2] for start in range(len(run) - 1)) + '"'
