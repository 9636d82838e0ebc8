"""Reading JSON Feed (https://jsonfeed.org, versions 1 and 1.1), which feedparser
6 does not read.

Each item's ``url`` is the article (``id`` when that is an http(s) URL and
``url`` is missing); ``external_url`` names a page the item is about, not the
item, so it is not followed. An item without authors has the feed's, as the
specification says; version 1's single ``author`` is read like 1.1's
``authors``. Broken documents are read as far as they go, like broken XML
feeds: each problem becomes one line.
"""

from __future__ import annotations

import json
from typing import Any

from syndicator.dates import to_local_iso, to_utc_iso

VERSION_PREFIX = "https://jsonfeed.org/version/"
MEDIA_TYPES = ("application/feed+json", "application/json")


def looks_like_json_feed(body: bytes, content_type: str) -> bool:
    """A JSON object where a feed was expected; when the body's first character
    says neither JSON nor XML, the media type decides."""
    first = body.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    if first in (b"{", b"<"):
        return first == b"{"
    return content_type.split(";")[0].strip().lower() in MEDIA_TYPES


def _authors(node: dict[str, Any]) -> list[str]:
    authors = node.get("authors")
    if not isinstance(authors, list):
        authors = [node.get("author")]
    names = (a.get("name") for a in authors if isinstance(a, dict))
    return [name.strip() for name in names if isinstance(name, str) and name.strip()]


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def parse(body: bytes) -> tuple[dict[str, Any], list[str]]:
    """The feed object and its problems (one line each); ``{}`` when unreadable."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return {}, [f"malformed feed: not valid JSON ({' '.join(str(exc).split())})"]
    except RecursionError:  # arrays or objects nested some thousands deep
        return {}, ["malformed feed: nested too deep"]
    if not isinstance(data, dict):
        return {}, ["malformed feed: a JSON Feed is a JSON object"]
    problems = []
    version = data.get("version")
    if not (isinstance(version, str) and version.startswith(VERSION_PREFIX)):
        problems.append(f"malformed feed: no JSON Feed version ({VERSION_PREFIX}…)")
    if not isinstance(data.get("items"), list):
        problems.append("malformed feed: JSON Feed without an items list")
        data = {**data, "items": []}
    return data, problems


def items(data: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """(link, hints) of each item; the link is None when the item has no usable one.

    The hints have the same keys as an RSS or Atom entry's (see
    :func:`spiders.discovery.read_feed`)."""
    feed_authors = _authors(data)
    feed_language = _text(data.get("language"))
    out: list[tuple[str | None, dict[str, Any]]] = []
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            out.append((None, {}))
            continue
        link = _text(item.get("url"))
        guid = _text(item.get("id"))
        if not link and guid and guid.lower().startswith(("http://", "https://")):
            link = guid
        published = to_utc_iso(_text(item.get("date_published")))
        modified = to_utc_iso(_text(item.get("date_modified")))
        tags = item.get("tags")
        authors = _authors(item) or feed_authors
        hints = {
            "title": _text(item.get("title")),
            "author": ", ".join(authors) or None,
            "published_at": published or modified,
            "published_local": to_local_iso(
                _text(item.get("date_published" if published else "date_modified"))
            ),
            "modified_at": modified if modified and modified != published else None,
            "tags": [t.strip() for t in tags if isinstance(t, str) and t.strip()]
            if isinstance(tags, list)
            else [],
            "language": _text(item.get("language")) or feed_language,
        }
        out.append((link, hints))
    return out
