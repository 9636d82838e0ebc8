"""Teasers of a page alone, and of a page with its source's other pages known.

Of the labelled Zyte pages (``../shared/corpora/zyte-aeb/teasers/labels.json``),
55 sites have two pages. For each of those pages, its site's other page is
extracted first and its observations tallied into a new store, as a crawl of
the source would have done (:mod:`syndicator.teaser_learning`); then the page
is extracted twice, alone and with the places the store learned, and both are
scored against the labels as ``score.py`` scores a store (URLs normalised by
its ``norm_url``, titles by its ``title_match``).

Run from the repo root: ``python -m bench.teaser_learning`` (``bench.teasers``
prints the same figures after its crawl).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.teasers import _scorer_module, load_labels, page_id
from bench.zyte_metric import load_pages

COMMAND = "python -m bench.teaser_learning"


def sites_of(labels: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The labelled pages of each site with more than one."""
    by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for label in labels:
        by_site[(urlsplit(label["url"]).hostname or "").lower()].append(label)
    return {site: found for site, found in by_site.items() if len(found) > 1}


def measure(labels: list[dict[str, Any]], pages: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """Counts for the pages of sites with two pages or more: alone and with the
    site's other pages known; and how many pages used a learned place."""
    from syndicator import teaser_learning
    from syndicator.extraction import extract_page
    from syndicator.store import Store

    score = _scorer_module()
    counts = {"alone": [0, 0, 0, 0], "known": [0, 0, 0, 0]}  # tp, fp, fn, strict titles
    sites = sites_of(labels)
    changed_pages = 0
    with tempfile.TemporaryDirectory(prefix="syndicator-bench-learning-") as tmp:
        for number, found in enumerate(sites.values()):
            for i, label in enumerate(found):
                store = Store(Path(tmp) / f"{number}-{i}.db")
                for other in found[:i] + found[i + 1 :]:
                    url, html = pages[page_id(other)]
                    seen = extract_page(html, url).get("teaser_places", [])
                    teaser_learning.record(store, "zyte", seen, run_id=1)
                learned = teaser_learning.learned_places(store, "zyte")
                store.close()
                url, html = pages[page_id(label)]
                alone = extract_page(html, url)["teasers"]
                known = extract_page(html, url, learned=learned)["teasers"] if learned else alone
                changed_pages += [t["url"] for t in alone] != [t["url"] for t in known]
                want = {score.norm_url(t["url"]): t["title"] for t in label["teasers"]}
                for name, teasers in (("alone", alone), ("known", known)):
                    got: dict[str, str] = {}
                    for teaser in teasers:
                        got.setdefault(score.norm_url(teaser["url"]), teaser["title"])
                    right = set(want) & set(got)
                    tally = counts[name]
                    tally[0] += len(right)
                    tally[1] += len(set(got) - set(want))
                    tally[2] += len(set(want) - set(got))
                    tally[3] += sum(score.title_match(want[u], got[u])[0] for u in right)
    return {
        "sites": len(sites),
        "pages": sum(map(len, sites.values())),
        "counts": counts,
        "changed_pages": changed_pages,
    }


def report(measured: dict[str, Any]) -> list[str]:
    lines = [
        f"pages of sites with two labelled pages or more: {measured['pages']} "
        f"({measured['sites']} sites); each page extracted after its site's other pages",
        f"{'':<28} {'precision':>9} {'recall':>7} {'titles':>7}  tp  fp  fn",
    ]
    for name, title in (("alone", "a page alone"), ("known", "its site's other pages known")):
        tp, fp, fn, strict = measured["counts"][name]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        titles = strict / tp if tp else 0.0
        lines.append(
            f"{title:<28} {precision:>9.3f} {recall:>7.3f} {titles:>7.3f} {tp:>3} {fp:>3} {fn:>3}"
        )
    lines.append(f"pages whose teasers the learned places changed: {measured['changed_pages']}")
    return lines


def main() -> int:
    labels = load_labels()
    pages = load_pages(sorted(page_id(label) for label in labels))
    print(f"command: {COMMAND}")
    print("\n".join(report(measure(labels, pages))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
