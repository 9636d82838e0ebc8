"""Near-duplicates: a labelled set scored through the real SQLite index, and
real crawls of sites that carry copies of the demo stories."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path
from typing import Any

import pytest

from syndicator.config import Dedup
from syndicator.demo.siteserver import Site
from syndicator.neardup import MAX_BUCKET, MAX_CANDIDATES, compare, fingerprints
from syndicator.store import Store, article_id, content_hash
from tests.conftest import EXPECTED_FILE, SHARED, demo_sources, query, syndicator, write_config

EXPECTED = json.loads(EXPECTED_FILE.read_text())
SETTINGS = Dedup()
QUOTE = (
    "We have listened carefully to residents across every ward, and we are convinced that this "
    "plan strikes the right balance between protecting the places people love and building the "
    "homes that families in this district so urgently need, now and for the next generation."
)


def originals() -> list[str]:
    """Distinct stories: the demo articles and the Zyte benchmark's article bodies."""
    bodies = [
        "\n".join(a["paragraphs"])
        for site in ("riverside-herald", "northgate-gazette")
        for path, a in EXPECTED[site]["articles"].items()
        if path != EXPECTED["cross_posted"].get(site)
    ]
    truth = json.loads((SHARED / "corpora" / "zyte-aeb" / "ground-truth.json").read_text())
    bodies += [t["articleBody"] for t in truth.values() if len(t["articleBody"].split()) > 150]
    return bodies


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def variants(text: str, rng: random.Random) -> dict[str, str]:
    """Copies of one story as other sites carry it."""

    def edit(body: str, count: int) -> str:
        words = body.split(" ")
        for _ in range(count):
            words[rng.randrange(len(words))] = rng.choice(["council", "however", "river", "new"])
        return " ".join(words)

    parts = paragraphs(text)
    shuffled = parts[:]
    rng.shuffle(shuffled)
    cut = "\n".join(parts[: max(2, len(parts) // 3)])
    return {
        "same body": text,
        "re-wrapped": " ".join(text.split()),
        "a few words edited": edit(text, 5),
        "many words edited": edit(text, 15),
        "paragraphs re-ordered": "\n".join(shuffled),
        "cut short": cut,
        "cut short and edited": edit(cut, 2),
        "new headline": "Breaking: a new headline on top\n" + text,
    }


def with_quote(text: str) -> str:
    parts = paragraphs(text)
    parts.insert(len(parts) // 2, f"“{QUOTE}”")
    return "\n".join(parts)


def index(store: Store, texts: dict[str, str]) -> None:
    for key, text in texts.items():
        row = {
            "id": key,
            "source": "s",
            "url": f"http://x/{key}",
            "canonical_url": f"http://x/{key}",
            "body_text": text,
            "content_hash": content_hash(text),
        }
        store.save_article(row, [], fingerprints(text))
    store.flush()


def match(store: Store, text: str, exclude: str) -> str | None:
    """What the crawl decides: the stored story this text is a copy of, if any."""
    for candidate in store.near_candidates(fingerprints(text), exclude, MAX_BUCKET, MAX_CANDIDATES):
        stored = store.article(candidate)
        if compare(text, stored["body_text"]).same_story(SETTINGS.threshold, SETTINGS.containment):
            return candidate
    return None


def test_labelled_set_precision_and_recall(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    stories = {f"a{i}": text for i, text in enumerate(originals())}
    assert len(stories) > 150
    store = Store(tmp_path / "labelled.db")
    index(store, stories)
    tp = fn = fp = 0
    misses = []
    for key, text in stories.items():
        for kind, copy in variants(text, rng).items():
            found = match(store, copy, exclude=f"copy-of-{key}")
            if found == key:
                tp += 1
            else:
                fn += 1
                misses.append(kind)
                fp += found is not None
    # different stories, each compared with every stored one but itself
    negatives = 0
    for key, text in stories.items():
        negatives += len(stories) - 1
        fp += match(store, text, exclude=key) is not None
    # different stories sharing one long quotation
    quoted = Store(tmp_path / "quoted.db")
    keys = list(stories)
    index(quoted, {k: with_quote(stories[k]) for k in keys[::2]})
    for k in keys[1::2]:
        negatives += len(keys[::2])
        fp += match(quoted, with_quote(stories[k]), exclude=k) is not None
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(
        f"near-duplicates: precision {precision:.4f}, recall {recall:.4f} "
        f"({tp} copies found, {fn} missed {sorted(set(misses))}, {fp} false matches "
        f"in {negatives} pairs of different stories)"
    )
    assert precision >= 0.99
    assert recall >= 0.95


def test_similarity_separates_a_shared_quote_from_a_copy() -> None:
    a, b = (paragraphs(t) for t in originals()[:2])
    quoted = compare(with_quote("\n".join(a)), with_quote("\n".join(b)))
    assert not quoted.same_story(SETTINGS.threshold, SETTINGS.containment)
    same = compare("\n".join(a), "\n".join(reversed(a)))
    assert same.same_story(SETTINGS.threshold, SETTINGS.containment)


WIRE_PAGE = """<!doctype html><html lang="en"><head><title>{title} | Wire Desk</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="{published}"></head>
<body><header><nav><a href="/">Wire Desk</a> <a href="/world/">World</a></nav></header>
<main><article><h1>{title}</h1><p class="byline">By the Wire Desk</p>
<div class="story-body">{body}</div></article>
<aside class="newsletter"><p>Sign up for the wire.</p></aside></main>
<footer><p>© Wire Desk</p></footer></body></html>"""


def wire_site(pages: dict[str, tuple[str, str, list[str]]]) -> Site:
    """A site of copies: path -> (title, published, paragraphs), with a sitemap."""
    site = Site("wire", [])

    def hook(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{site.url}{p}</loc></url>" for p in pages)
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if path in pages:
            title, published, paras = pages[path]
            body = "".join(f"<p>{p}</p>" for p in paras)
            html = WIRE_PAGE.format(title=title, published=published, body=body)
            return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()
        return None

    site.hook = hook
    return site.start()


def article(site: str, path: str) -> dict[str, Any]:
    return EXPECTED[site]["articles"][path]


BRIDGE = ("riverside-herald", "/2026/11/council-approves-ferry-street-bridge-repairs/")
ELECTION = ("northgate-gazette", "/news/holloway-wins-harbour-ward-by-election/")


@pytest.fixture(scope="module")
def wire() -> Any:
    bridge, election = article(*BRIDGE), article(*ELECTION)
    edited = [p.replace("Monday night", "Monday evening") for p in bridge["paragraphs"]]
    distinct = originals()[40]
    site = wire_site(
        {
            "/story/bridge-repair-approved/": (
                "Bridge to be patched, not replaced",
                "2026-11-18T09:00:00Z",
                edited,
            ),
            "/story/holloway-wins/": (
                "Holloway wins",
                "2026-11-19T09:00:00Z",
                election["paragraphs"][:2],
            ),
            "/story/something-else/": (
                "Something else",
                "2026-11-19T10:00:00Z",
                paragraphs(distinct),
            ),
        }
    )
    yield site
    site.stop()


def wire_source(site: Site) -> dict[str, Any]:
    return {"name": "wire", "sitemaps": [f"{site.url}/sitemap.xml"], "min_words": 20}


def test_copies_across_sites_are_linked_to_one_canonical_story(
    sites: Any, wire: Site, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "c.toml", [*demo_sources(sites), wire_source(wire)])
    result = syndicator(
        "crawl", "--source", "riverside-herald", "--source", "northgate-gazette", config=config
    )
    assert result.returncode == 0, result.stderr
    result = syndicator("crawl", "--source", "wire", config=config)
    assert result.returncode == 0, result.stderr
    assert "1 new, 2 duplicates" in result.stdout
    db = tmp_path / "store.db"
    rows = {r["url"].removeprefix(wire.url): r for r in query(db, "select * from articles")}
    bridge_id = article_id(sites[BRIDGE[0]].url + BRIDGE[1])
    election_id = article_id(sites[ELECTION[0]].url + ELECTION[1])
    assert rows["/story/bridge-repair-approved/"]["duplicate_of"] == bridge_id
    assert rows["/story/bridge-repair-approved/"]["similarity"] > 0.8
    assert rows["/story/holloway-wins/"]["duplicate_of"] == election_id
    assert rows["/story/something-else/"]["duplicate_of"] is None

    listed = json.loads(syndicator("duplicates", "--json", config=config).stdout)
    clusters = {c["id"]: c for c in listed}
    assert {d["source"] for d in clusters[bridge_id]["duplicates"]} == {"wire"}
    assert {c["id"] for c in listed} >= {bridge_id, election_id}
    table = syndicator("duplicates", config=config).stdout
    assert "canonical" in table and "wire" in table


def test_a_cut_short_copy_seen_first_gives_way_to_the_full_story(
    sites: Any, wire: Site, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "c.toml", [*demo_sources(sites), wire_source(wire)])
    assert syndicator("crawl", "--source", "wire", config=config).returncode == 0
    assert syndicator("crawl", config=config).returncode == 0
    db = tmp_path / "store.db"
    election_id = article_id(sites[ELECTION[0]].url + ELECTION[1])
    short = query(
        db, "select * from articles where url = ?", (wire.url + "/story/holloway-wins/",)
    )[0]
    full = query(db, "select * from articles where id = ?", (election_id,))[0]
    assert short["duplicate_of"] == election_id
    assert full["duplicate_of"] is None


def test_preferred_source_wins_a_tie(sites: Any, tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", demo_sources(sites))
    with config.open("a") as out:
        out.write('\n[dedup]\nprefer = ["northgate-gazette"]\n')
    assert syndicator("crawl", "--source", "riverside-herald", config=config).returncode == 0
    assert syndicator("crawl", config=config).returncode == 0
    rows = query(
        tmp_path / "store.db",
        "select source, duplicate_of from articles where url like '%flood-defence%'",
    )
    by_source = {r["source"]: r["duplicate_of"] for r in rows}
    assert by_source["northgate-gazette"] is None
    assert by_source["riverside-herald"] is not None


def test_all_pairs_of_demo_articles_are_distinct() -> None:
    bodies = originals()[:14]
    for a, b in itertools.combinations(bodies, 2):
        assert not compare(a, b).same_story(SETTINGS.threshold, SETTINGS.containment)
