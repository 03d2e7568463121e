"""Script-aware length: how many words a text holds, in any script.

Its own module: the article decision (`min_words`, the classifier's features) and the store
(`word_count`) count words the same way.
"""

from __future__ import annotations

import math
import re

#: Han, kana and fullwidth forms: one character is one word (the East Asian word-count
#: convention of word processors; a Chinese word is one to three characters).
_IDEOGRAPHIC = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
#: Thai, Lao, Khmer and Myanmar write words without spaces in an alphabet: one word per
#: `_SYLLABIC_CHARS_PER_WORD` characters (about the average word's length in Thai).
_SYLLABIC = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
_SYLLABIC_CHARS_PER_WORD = 4
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
                       r"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")


def count_words(text: str) -> int:
    """Words in a text in any script.

    Spaced scripts (Latin, Cyrillic, Arabic, Greek, Hangul, ...) count whitespace-separated
    tokens; in Chinese and Japanese every Han or kana character counts as one word; in Thai,
    Lao, Khmer and Myanmar every four characters count as one. So a 2,000-character Japanese
    story is about 2,000 words, not the seven its spaces make, and `min_words` means the same
    amount of text in every script.
    """
    if not text:
        return 0
    if not _UNSPACED.search(text):
        return len(text.split())
    ideographs = len(_IDEOGRAPHIC.findall(text))
    syllabic = len(_SYLLABIC.findall(text))
    spaced = sum(1 for token in _UNSPACED.sub(" ", text).split() if any(c.isalnum() for c in token))
    return spaced + ideographs + math.ceil(syllabic / _SYLLABIC_CHARS_PER_WORD)
