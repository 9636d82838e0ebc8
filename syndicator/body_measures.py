"""Measures of a body: its length in words, in every script, and how much of
it is link text."""

from __future__ import annotations

import re

from lxml.html import fragment_fromstring

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


def link_share(body_html: str) -> float:
    """The share of the body's words that are link text."""
    if not body_html.strip():
        return 0.0
    root = fragment_fromstring(body_html, create_parent="div")
    total = len("".join(root.itertext()).split())
    if not total:
        return 0.0
    linked = sum(len(a.text_content().split()) for a in root.iter("a"))
    return min(1.0, linked / total)
