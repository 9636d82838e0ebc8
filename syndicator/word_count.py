"""How long a body is, in words, in every script."""

from __future__ import annotations

import re

# scripts written without spaces between words: Han and kana (about two
# characters a word), Thai, Lao, Myanmar and Khmer (about five)
_HAN_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SOUTHEAST_ASIAN = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")


def count_words(text: str) -> int:
    """Words in ``text``, in any script: space-separated words, and the words
    of scripts that use no spaces estimated from their characters (a Chinese
    brief of 120 characters is some 60 words, not 3)."""
    han = len(_HAN_KANA.findall(text))
    southeast = len(_SOUTHEAST_ASIAN.findall(text))
    rest = text
    if han or southeast:
        rest = _SOUTHEAST_ASIAN.sub(" ", _HAN_KANA.sub(" ", text))
    spaced = sum(1 for token in rest.split() if any(ch.isalnum() for ch in token))
    return spaced + (han + 1) // 2 + (southeast + 4) // 5
