"""WordPress's text filters, simplified but with the same visible effects.

What a client stores comes back out through these, as it does from WordPress,
so the client sees the slugs, curly quotes and paragraphs a real site gives it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from urllib.parse import quote

_SLUG_CHARS = {"\u2013": "-", "\u2014": "-", "\u00a0": "-", "\u00d7": "x", "ß": "ss", "æ": "ae"}
_SLUG_CHARS |= {"Æ": "AE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "œ": "oe"}
_SLUG_CHARS |= {"Œ": "OE", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"}
_SLUG_CHARS |= dict.fromkeys("‘’‚‛“”„‟…¡¿«»‹›™©®", "")


def sanitize_title(text: str) -> str:
    """sanitize_title(): the slug WordPress makes of a title or a requested slug."""
    text = "".join(_SLUG_CHARS.get(c, c) for c in re.sub(r"<[^>]*>", "", text))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"&[a-z0-9#]+;", "", text).replace(".", "-").replace("/", "-")
    # letters with no ASCII form stay, percent-encoded, as WordPress keeps them
    text = "".join(c if c.isascii() else quote(c).lower() for c in text)
    text = re.sub(r"\s+", "-", re.sub(r"[^%a-z0-9 _-]", "", text))
    return re.sub(r"-+", "-", text).strip("-")[:200]


def unique_slug(slug: str, taken: Container[str]) -> str:
    """The first of ``slug``, ``slug-2``, ``slug-3``... not taken, as WordPress numbers slugs."""
    unique, suffix = slug, 2
    while unique in taken:
        unique, suffix = f"{slug}-{suffix}", suffix + 1
    return unique


def sanitize_term_name(name: str) -> str:
    """The pre_term_name filters: tags stripped, &, < and > stored escaped ("A &amp; B")."""
    name = re.sub(r"&(?!#?\w+;)", "&amp;", re.sub(r"<[^>]*>", "", name).strip())
    return name.replace("<", "&lt;").replace(">", "&gt;")


_TEXTURE = [("---", "&#8212;"), (" -- ", " &#8212; "), ("--", "&#8211;"), (" - ", " &#8211; ")]
_TEXTURE += [("...", "&#8230;"), ("``", "&#8220;"), ("''", "&#8221;"), (" (tm)", " &#8482;")]
_UNTEXTURED = {"pre", "code", "kbd", "style", "script", "tt"}


def _texturize_text(text: str) -> str:
    for plain, fancy in _TEXTURE:
        text = text.replace(plain, fancy)
    text = re.sub(r"(?<=\w)'", "&#8217;", text)
    text = re.sub(r"'(?=\w)", "&#8216;", text).replace("'", "&#8217;")
    text = re.sub(r'(?:(?<=^)|(?<=[\s(\[{>]))"', "&#8220;", text).replace('"', "&#8221;")
    return re.sub(r"&(?!#?\w+;)", "&#038;", text)


def texturize(markup: str) -> str:
    """wptexturize() + convert_chars(): curly quotes, dashes, ellipses, escaped ampersands."""
    out, depth = [], 0
    for part in re.split(r"(<[^>]*>)", markup):
        tag = re.match(r"</?\s*([a-zA-Z0-9]+)", part) if part.startswith("<") else None
        if tag is not None and tag.group(1).lower() in _UNTEXTURED:
            depth += -1 if part.startswith("</") else 1
        out.append(part if part.startswith("<") or depth > 0 else _texturize_text(part))
    return "".join(out)


_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|details|div|dl|figure|figcaption|footer|form|"
    r"h[1-6]|header|hr|li|ol|p|pre|section|table|ul|iframe|video|audio|style|script)[\s/>]",
    re.I,
)


def autop(text: str) -> str:
    """wpautop(): text separated by blank lines becomes paragraphs."""
    chunks = [c.strip() for c in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())]
    paragraphs = [
        c if _BLOCK_TAG.match(c) else "<p>" + c.replace("\n", "<br />\n") + "</p>"
        for c in chunks
        if c
    ]
    return "\n".join(paragraphs) + "\n" if paragraphs else ""


def render_content(raw: str) -> str:
    """the_content: block markup loses its comments (and skips wpautop), classic gets wpautop."""
    if "<!-- wp:" in raw:
        return texturize(re.sub(r"<!--\s*/?wp:[^>]*-->", "", raw))
    return autop(texturize(raw))


def render_excerpt(raw_excerpt: str, raw_content: str) -> str:
    """The rendered excerpt: the one given, else the content's first 55 words."""
    if raw_excerpt:
        return autop(texturize(raw_excerpt))
    words = re.sub(r"<[^>]*>", " ", render_content(raw_content)).split()
    more = " [&hellip;]" if len(words) > 55 else ""
    return autop(" ".join(words[:55]) + more)
