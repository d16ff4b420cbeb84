"""Text as the PostgreSQL index stores and queries it: split into the same words the
SQLite backend's tokenizer (FTS5 unicode61, diacritics removed) finds, so both
backends match the same words, and PostgreSQL's own parser never sees raw article text
(it would read `ft.com` as one host name and `covid-19` as three words).
"""

from __future__ import annotations

import re
import unicodedata

# Letters and digits: `_` and every punctuation mark separate words, as in unicode61.
_WORD = re.compile(r"[^\W_]+")
# Han, Hiragana, Katakana and Hangul: scripts written without spaces, searched as substrings.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def words(text: str) -> list[str]:
    """The lower-cased words of `text`, diacritics removed."""
    if not text:
        return []
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(text.lower())


def word_text(text: str) -> str:
    """`text` as its words separated by spaces: what to_tsvector is given."""
    return " ".join(words(text))


def has_cjk(text: str) -> bool:
    return bool(text) and _CJK.search(text) is not None
