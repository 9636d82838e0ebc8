"""What a source's terms allow partners to get (``[[sources]]`` ``republish``,
``excerpt_words``, ``embargo_hours``, ``expire_days``, ``paywall``,
``paywalled``): the tests a page passes to count as paywalled, the excerpt a
copy is cut to, and when an embargo ends. The publisher applies them
(:mod:`syndicator.publish`), the quality gate holds paywalled copies
(:mod:`pipelines.gate`)."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

from syndicator.teasers import as_xpath

_FALSE = (False, "false", "False", "FALSE", "no")


def paywall_in_json_ld(nodes: list[dict[str, Any]]) -> str | None:
    """schema.org's own word on the page: ``isAccessibleForFree`` false, on the
    article or on one of its parts (``hasPart``), as Google asks paywalled
    news to mark itself."""
    for node in nodes:
        parts = node.get("hasPart")
        parts = parts if isinstance(parts, list) else [parts]
        for marked in (node, *(p for p in parts if isinstance(p, dict))):
            if marked.get("isAccessibleForFree") in _FALSE:
                return "schema.org isAccessibleForFree is false"
    return None


def paywall_matches(response: Any, selector: str | None) -> str | None:
    """The source's ``paywall`` selector on a fetched page (a Scrapy response)."""
    if selector and response.xpath(as_xpath(selector)):
        return f"the page matches the source's paywall selector {selector!r}"
    return None


def excerpt(text: str, words: int) -> tuple[str, bool]:
    """The first ``words`` words of ``text``, and whether anything was cut."""
    cut = text.split()
    return " ".join(cut[:words]), len(cut) > words


def excerpt_html(article: dict[str, Any], words: int, source_title: str) -> str:
    """An ``excerpt`` copy's body: its first words, and a link to the whole article."""
    text, more = excerpt(article.get("body_text") or "", words)
    url = html.escape(article.get("url") or "", quote=True)
    return (
        f"<p>{html.escape(text)}{' …' if more else ''}</p>"
        f'<p><a href="{url}">Read the whole article at {html.escape(source_title)}</a></p>'
    )


def embargo_end(article: dict[str, Any], hours: float) -> datetime | None:
    """When the source's embargo on the article ends (None: no embargo)."""
    if not hours:
        return None
    moment = article.get("published_at") or article.get("first_seen_at")
    if not moment:
        return None
    when = datetime.fromisoformat(moment)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC) + timedelta(hours=hours)


def describe(source: Any, article: dict[str, Any]) -> str:
    """The source's terms as they bear on the article, in a line for ``show``."""
    if source is None:
        return "the source is no longer in the config: nothing is sent"
    terms = {
        "full": "republished in full",
        "excerpt": f"republished as an excerpt of {source.excerpt_words} words and a link",
        "none": "not republished (stored only)",
    }
    parts = [terms[source.republish]]
    if source.licence:
        parts.append(
            f"licence {source.licence.name}"
            + (f" ({source.licence.url})" if source.licence.url else "")
        )
    end = embargo_end(article, source.embargo_hours)
    if end:
        parts.append(f"embargo until {end.isoformat()}")
    if source.expire_days:
        parts.append(f"copies expire {source.expire_days:g} days after their first delivery")
    if source.paywalled == "allow":
        parts.append("paywalled pages allowed")
    return "; ".join(parts)
