"""URL normalisation: one spelling per page, so one page is one article."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

# Parameters that say how a reader arrived, not which page they read.
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|twclid|igshid"
    r"|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id"
    r"|ref_src|ref_url|cmpid|s_cid|spm|share|amp_js_v|__twitter_impression)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(url: str, base: str | None = None, *, strip_tracking: bool = True) -> str:
    """Absolute URL with tracking parameters (unless ``strip_tracking`` is
    false) and fragment removed, scheme and host lower-cased, default port
    dropped, unsafe characters percent-encoded; "" for a string that cannot be
    a URL.

    >>> normalize_url("HTTP://News.Example.org:80/a/?utm_source=rss&id=3#top")
    'http://news.example.org/a/?id=3'
    """
    if base:
        url = urljoin(base, url.strip())
    try:
        parts = urlsplit(safe_url_string(url.strip()))
        port = parts.port
    except ValueError:
        return ""  # not a usable URL (a port out of range, a broken IPv6 literal)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}{':' + parts.password if parts.password else ''}@{host}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not (strip_tracking and TRACKING_PARAMS.match(key))
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query, doseq=True), ""))


def same_site(url: str, other: str) -> bool:
    """Same host, ignoring a leading ``www.``."""

    def host(u: str) -> str:
        return (urlsplit(u).hostname or "").lower().removeprefix("www.")

    return host(url) == host(other)


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
