"""A page's text when its server names the wrong charset, or none.

Scrapy decodes a response with the charset of its ``Content-Type`` header,
else its ``<meta charset>``, else one detected by charset-normalizer. Two
common cases go wrong, and both lose an article's words:

- a server says UTF-8 for a page its CMS wrote in Windows-1252: every accented
  letter and curly quote becomes U+FFFD;
- a page in Windows-1252 says nothing: on mostly-English text the detector
  rates the Baltic, Central European and Western code pages alike and may
  pick the first (cp1257 turns "naïve" into "naļve").

So a page that is not valid UTF-8, whose header says UTF-8 or whose charset
was detected, is read again: with its ``<meta charset>`` when that names
another charset, else detected, preferring Windows-1252 (the web's legacy
default, as in the WHATWG Encoding standard) among the code pages that fit
the text equally well. A charset a header or page names, other than UTF-8, is
trusted as Scrapy trusts it.
"""

from __future__ import annotations

from charset_normalizer import from_bytes
from scrapy.http import TextResponse
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

WESTERN = "cp1252"
REPLACEMENT = "\ufffd"  # what decoding puts where a byte is not of the charset


def _detect(body: bytes) -> str:
    matches = from_bytes(body)
    best = matches.best()
    if best is None:
        return WESTERN
    for match in matches:
        if WESTERN in match.could_be_from_charset and match.coherence >= best.coherence:
            return WESTERN
    return resolve_encoding(best.encoding) or WESTERN


def page_text(response: TextResponse) -> str:
    """The response's text, read again when it is wrongly or not labelled
    (see the module's docstring)."""
    text = response.text
    body = response.body
    if read_bom(body)[0]:
        return text
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    header = resolve_encoding(http_content_type_encoding(content_type) or "")
    if header and header != "utf-8":
        return text  # named by the server: trusted
    if header and REPLACEMENT not in text:
        return text  # read as UTF-8 with nothing replaced: it is UTF-8 (most pages)
    declared = resolve_encoding(html_body_declared_encoding(body) or "")
    if not header and declared:
        return text  # named by the page: trusted
    try:
        body.decode("utf-8")
        return text  # UTF-8 after all (a page may hold U+FFFD itself)
    except UnicodeDecodeError:
        pass
    encoding = declared if declared and declared != "utf-8" else _detect(body)
    return body.decode(encoding, errors="replace")
