"""The store's tally of each source's teaser places, and what it has learned.

Each new article's page tells, for every place of its template that holds a
group of links to other stories (:func:`syndicator.teaser_places.observe`),
what was there: its links, its heading, whether the heading-based detector
took it. The ``teaser_places`` table sums that up per source, site and place (one
source may span several sites, each with its template; pages served from
an address count for their canonical URL's site), and
:func:`learned_reason` decides from the sums whether the place is the
source's related-story block:

- ``confirmed``: the detector took it on a page of the site (its heading,
  or a related-posts plugin, said so), and no page ever headed it "Latest",
  "Most read" or "Sponsored", nor held there both a block the detector took
  and a list it did not;
- ``varied``: it stood after the story, outside any sidebar and with no
  heading, on :data:`VARIED_PAGES` pages or more, and its links changed from
  one page to the next of the same run every time (menus and "most read"
  lists hold the same links on every page fetched at one time).

Only new articles count: a page fetched again says nothing new of its
template, and its unchanged links would look like a menu's.
"""

from __future__ import annotations

import json
from typing import Any

from syndicator.dates import utc_now
from syndicator.store import Store
from syndicator.teaser_words import NEUTRAL, RELATED

# a place's links "changed" between two pages when they share less than this
SAME_LINKS = 0.5
VARIED_PAGES = 3  # pages a place is seen on before its changing links teach anything
_COUNTS = ("pages", "confirmed", "varied", "repeated", "outside", "headed", "vetoed")
Learned = dict[str, list[str]]  # site -> places


def changed(before: list[str], now: list[str]) -> bool:
    """Whether a place's links changed from one page to the next."""
    a, b = set(before), set(now)
    if not a or not b:
        return False
    return len(a & b) / len(a | b) < SAME_LINKS


def learned_reason(tally: dict[str, Any]) -> str:
    """Why a place of a source is a related-story block ("confirmed",
    "varied"), or "" when it is not (yet). ``tally`` is a row of the store's
    ``teaser_places`` table."""
    if tally.get("vetoed"):
        return ""  # headed "Most read" once, or a block beside other lists: never
    if tally.get("confirmed"):
        return "confirmed"
    if (
        tally.get("pages", 0) >= VARIED_PAGES
        and not tally.get("outside")
        and not tally.get("headed")
        and not tally.get("repeated")
        and tally.get("varied", 0) >= VARIED_PAGES - 1
    ):
        return "varied"
    return ""


def record(
    store: Store, source: str, observations: list[dict[str, Any]], run_id: int | None
) -> None:
    """Add one new article's observations to its source's tally."""
    if not observations:
        return
    now = utc_now()
    with store.write() as db:
        for seen in observations:
            row = _tally(store, source, seen["site"], seen["place"]) or {
                "source": source,
                "site": seen["site"],
                "place": seen["place"],
                **dict.fromkeys(_COUNTS, 0),
                "heading": "",
                "last_urls": "[]",
                "last_run": None,
                "first_seen_at": now,
            }
            before = json.loads(row["last_urls"] or "[]")
            row["pages"] += 1
            row["confirmed"] += bool(seen["confirmed"])
            row["outside"] += not seen["after"]
            row["headed"] += bool(seen["heading"])
            row["vetoed"] += seen["says"] not in ("", RELATED, NEUTRAL) or seen["mixed"]
            if run_id is not None and row["last_run"] == run_id and before:
                if changed(before, seen["urls"]):
                    row["varied"] += 1
                else:
                    row["repeated"] += 1
            row.update(
                heading=seen["heading"] or row["heading"],
                last_urls=json.dumps(seen["urls"]),
                last_run=run_id,
                last_seen_at=now,
            )
            row["learned"] = learned_reason(row)
            db["teaser_places"].upsert(row, pk=("source", "site", "place"))


def _tally(store: Store, source: str, site: str, place: str) -> dict[str, Any] | None:
    cursor = store.db.execute(
        "select * from teaser_places where source = ? and site = ? and place = ?",
        [source, site, place],
    )
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row, strict=True)) if row else None


def learned_places(store: Store, source: str) -> Learned:
    """The places of ``source``'s related-story blocks learned so far, for
    each of its sites."""
    rows = store.db.execute(
        "select site, place from teaser_places where source = ? and learned != '' "
        "order by site, place",
        [source],
    )
    learned: Learned = {}
    for site, place in rows:
        learned.setdefault(site, []).append(place)
    return learned


def places(store: Store, source: str | None = None, everything: bool = False) -> list[dict]:
    """The tally, learned places first: for ``syndicator teaser-places``."""
    where = ["1"]
    params: list[Any] = []
    if source:
        where.append("source = ?")
        params.append(source)
    if not everything:
        where.append("learned != ''")
    rows = store.db.execute(
        f"""select source, site, place, learned, pages, confirmed, varied, repeated,
                   outside, headed, vetoed, heading, first_seen_at, last_seen_at
            from teaser_places where {" and ".join(where)}
            order by source, site, learned = '', pages desc, place""",
        params,
    )
    names = [c[0] for c in rows.description]
    return [dict(zip(names, row, strict=True)) for row in rows]
