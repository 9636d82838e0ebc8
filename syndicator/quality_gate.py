"""The checks a copy passes before partners get it, and why one is held.

A publisher runs ``syndicator run`` from cron and nobody reads the copies
before partners do; a copy that is not right is held with its reason instead
of sent (``articles.hold``), until a later crawl fixes it or an operator
releases it (``syndicator release``). Each check is one line of the reason:

- ``no_title``: the copy has no title;
- ``short``: fewer words than the source's ``[sources.gate] min_words``;
- ``thin``: the body is shorter than the page's own description of it (the
  story was missed, a paywall's teaser was taken);
- ``links``: more of the body is link text than ``max_link_share`` (a list
  of links taken for a story);
- ``boilerplate``: more of the page's text was the source's learned standing
  lines than ``max_boilerplate_share`` (a page of the site's furniture);
- ``language``: the page's language is not the source's (its ``language``,
  else that of most of its latest articles);
- ``no_teasers``: the source shows related stories on nearly all its
  articles and this one has none (its related block was missed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from syndicator.body_measures import count_words, link_share
from syndicator.dates import utc_now
from syndicator.store import Store, record_event

# the source's history is believed from this many articles on
HISTORY_MIN = 10
# a description shorter than this says too little to measure a body by
DESCRIPTION_MIN_WORDS = 20


@dataclass(frozen=True)
class SourceHistory:
    """What the source's latest stored articles say of it."""

    language: str | None = None  # the primary language of most of them, if one is
    teaser_share: float | None = None  # the share showing related stories

    @classmethod
    def of(cls, languages: Iterable[str | None], with_teasers: Iterable[bool]) -> SourceHistory:
        langs = [primary(lang) for lang in languages]
        langs = [lang for lang in langs if lang]
        language = None
        if len(langs) >= HISTORY_MIN:
            top = max(set(langs), key=langs.count)
            language = top if langs.count(top) >= 0.8 * len(langs) else None
        shown = list(with_teasers)
        share = sum(shown) / len(shown) if len(shown) >= HISTORY_MIN else None
        return cls(language, share)


def primary(language: str | None) -> str:
    """``en-US`` -> ``en``."""
    return (language or "").strip().lower().replace("_", "-").split("-")[0]


def check(article: dict[str, Any], gate: Any, history: SourceHistory) -> list[str]:
    """Why the copy must be held, one line per failed check; empty when it may go.
    ``gate`` is the source's ``[sources.gate]`` settings."""
    reasons: list[str] = []
    body = article.get("body_text") or ""
    words = article.get("word_count") or count_words(body)  # validate counted it already
    if gate.require_title and not (article.get("title") or "").strip():
        reasons.append("no_title: the copy has no title")
    if words < gate.min_words:
        reasons.append(f"short: {words} words, the gate's minimum is {gate.min_words}")
    described = count_words(article.get("description") or "")
    if described >= DESCRIPTION_MIN_WORDS and words < gate.min_description_ratio * described:
        reasons.append(
            f"thin: the body has {words} words, the page's description of it {described}"
        )
    share = article.get("link_share")
    if share is None:
        share = link_share(article.get("body_html") or "")
    if share > gate.max_link_share:
        reasons.append(
            f"links: {share:.0%} of the body is link text (at most {gate.max_link_share:.0%})"
        )
    repeated = article.get("boilerplate_share") or 0.0
    if repeated > gate.max_boilerplate_share:
        reasons.append(
            f"boilerplate: {repeated:.0%} of the page's text was the source's standing lines "
            f"(at most {gate.max_boilerplate_share:.0%})"
        )
    expected = primary(gate.language) or history.language
    found = primary(article.get("language"))
    if expected and found and found != expected:
        reasons.append(f"language: the page is in {found!r}, the source's articles in {expected!r}")
    if (
        gate.teasers_expected
        and history.teaser_share is not None
        and history.teaser_share >= gate.teasers_expected
        and not article.get("teasers")
    ):
        reasons.append(
            f"no_teasers: {history.teaser_share:.0%} of the source's latest articles show "
            "related stories, this one none"
        )
    return reasons


def release(store: Store, article_id: str) -> None:
    """An operator's word over the gate's: the copy goes as it is (its
    deliveries are queued again by the next publish)."""
    with store.write() as db:
        reason = db.execute("select hold from articles where id = ?", [article_id]).fetchone()
        db.execute(
            "update articles set hold = null, released_at = ? where id = ?",
            [utc_now(), article_id],
        )
        held = f"held for: {reason[0]}" if reason and reason[0] else None
        record_event(db, "released", article_id, reason=held, command="release")
