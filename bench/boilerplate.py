"""Lines a source repeats, learned and cut: how many, and what it costs the story.

A local news world of real text: ``--sources`` sources of ``--articles``
articles each. Every article's story is the paragraphs of one page's
hand-checked body from the Zyte benchmark
(``../shared/corpora/zyte-aeb/ground-truth.json``); a source's articles carry
its three standing lines, each on about 70 % of them (seeded), at the end of
the body (and for every other source one at its start) as sites set them; and
on four articles of each source a background paragraph they share stands in
the middle of the story, as a running story's does: it is the story's, and
must stay. The standing lines are real
lines of real pages that are not their story: lines syndicator's extraction
keeps from the Zyte pages that their hand-checked bodies leave out, of eight
words or more, that no built-in rule cuts already (so that what is measured is
the learning), and the demo sites' author-box lines.

The world is crawled twice by ``syndicator crawl`` into fresh stores, with
and without ``[sources.boilerplate] learn``: a new source's first batch, what
it learns from itself. Printed: the share of standing-line occurrences cut,
and the story paragraphs lost to the learning (kept without it, missing with
it). Exits 1 under 95 % cut or with a story paragraph lost.

Run from the repo root: ``python -m bench.boilerplate [--sources N] [--articles N]``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.command import PUBLISHER, run_syndicator
from bench.zyte_metric import REPO_ROOT, load_ground_truth, load_pages
from syndicator.demo.siteserver import Site

COMMAND = "python -m bench.boilerplate"
CUT_TARGET = 0.95
_WORD = re.compile(r"\w+")
# the demo sites' author boxes: what their templates repeat under every story
DEMO_LINES = [
    "Jorge Almeida is a staff photographer at the Herald.",
    "Short updates from the Gazette newsdesk, checked and published around the clock.",
]


def key(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def standing_lines(truth: dict[str, str]) -> list[str]:
    """Real lines that are no story's: kept by the extraction of the Zyte pages,
    left out of their hand-checked bodies, not cut by a built-in rule."""
    from syndicator.body_trim import is_furniture
    from syndicator.extraction import extract_page

    lines: dict[str, str] = {}
    for page_id, (url, html) in sorted(load_pages(sorted(truth)).items()):
        body = extract_page(html, url).get("body_text") or ""
        story = key(truth[page_id])
        for line in body.splitlines():
            line = " ".join(line.split()).lstrip("- ")
            k = key(line)
            if 8 <= len(k.split()) <= 60 and k not in story and not is_furniture(line):
                lines.setdefault(k, line)
    return [*DEMO_LINES, *lines.values()]


def stories(truth: dict[str, str], count: int) -> list[list[str]]:
    """Bodies of four paragraphs or more, as paragraphs of eight words or more."""
    found = []
    for page_id in sorted(truth):
        paragraphs = [p.strip() for p in truth[page_id].split("\n") if len(p.split()) >= 8]
        if len(paragraphs) >= 4:
            found.append(paragraphs[:8])
    if len(found) < count:
        raise SystemExit(f"only {len(found)} stories of four paragraphs, {count} asked for")
    return found[:count]


def page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='en'><head><title>{title}</title>"
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2026-11-20T09:00:00+00:00">'
        "</head><body><nav><a href='/'>Home</a></nav><main><article>"
        f"<h1>{title}</h1><div class='entry-content'>{body}</div></article></main>"
        "<footer><p>A local news site</p></footer></body></html>"
    )


class World:
    """The sources' articles: (source, path) -> (story paragraphs, standing lines)."""

    def __init__(self, sources: int, articles: int) -> None:
        truth = load_ground_truth()
        lines = standing_lines(truth)
        texts = stories(truth, sources * articles)
        per_source = 3
        if len(lines) < sources * per_source:
            raise SystemExit(f"only {len(lines)} standing lines for {sources} sources")
        spare = stories(truth, sources * articles + sources)[sources * articles :]
        rng = random.Random(14)
        self.articles: dict[tuple[int, str], tuple[list[str], list[str]]] = {}
        self.pages: dict[str, str] = {}
        for s in range(sources):
            own = lines[s * per_source : (s + 1) * per_source]
            background = spare[s][0]
            for a in range(articles):
                story = list(texts[s * articles + a])
                if a < 4:  # a running story's background, in the middle
                    story.insert(len(story) // 2, background)
                shown = [line for line in own if rng.random() < 0.7]
                top = [line for line in shown[:1] if s % 2 and line == own[0]]
                bottom = [line for line in shown if line not in top]
                path = f"/s{s}/news/story-{a}/"
                self.articles[(s, path)] = (story, shown)
                self.pages[path] = page(f"Story {a} of source {s}", [*top, *story, *bottom])
        self.sources = sources

    def answer(self, site: Site, path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path.endswith("/sitemap.xml"):
            prefix = path.removesuffix("sitemap.xml")
            urls = "".join(
                f"<url><loc>{site.url}{p}</loc></url>" for p in self.pages if p.startswith(prefix)
            )
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if path in self.pages:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, self.pages[path].encode()
        return None


def crawl(world: World, site: Site, learn: bool, workdir: Path) -> dict[str, str]:
    """Crawl the world into a fresh store; stored body text by path."""
    config = [PUBLISHER]
    for s in range(world.sources):
        config.append(
            f'[[sources]]\nname = "s{s}"\nsitemaps = ["{site.url}/s{s}/sitemap.xml"]\n'
            'allow_networks = ["127.0.0.1/32"]\n'
            f"[sources.boilerplate]\nlearn = {'true' if learn else 'false'}\n"
            "[sources.crawl]\ndelay = 0\nautothrottle = false\nconcurrency_per_domain = 8\n"
        )
    cfg = workdir / "syndicator.toml"
    cfg.write_text("\n".join(config), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    _, done = run_syndicator(cfg, "crawl", env, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"crawl failed (exit {done.returncode}): {done.stderr[-2000:]}")
    with sqlite3.connect(workdir / "bench.db") as conn:
        rows = conn.execute("select url, body_text from articles").fetchall()
    return {url.removeprefix(site.url): body or "" for url, body in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--sources", type=int, default=8)
    parser.add_argument("--articles", type=int, default=10)
    args = parser.parse_args(argv)
    world = World(args.sources, args.articles)
    site = Site("world", [])
    site.hook = lambda path: world.answer(site, path)
    site.start()
    try:
        with tempfile.TemporaryDirectory(prefix="syndicator-bench-bp-") as tmp:
            (Path(tmp) / "on").mkdir()
            (Path(tmp) / "off").mkdir()
            learned = crawl(world, site, True, Path(tmp) / "on")
            plain = crawl(world, site, False, Path(tmp) / "off")
    finally:
        site.stop()

    occurrences = cut = kept_plain = lost = stored = 0
    lost_examples = []
    for (_, path), (story, own) in world.articles.items():
        if path not in learned:
            continue
        stored += 1
        with_learning, without = key(learned[path]), key(plain.get(path, ""))
        for line in own:
            occurrences += 1
            cut += key(line) not in with_learning
        for paragraph in story:
            if key(paragraph) in without:
                kept_plain += 1
                if key(paragraph) not in with_learning:
                    lost += 1
                    lost_examples.append(f"{path}: {paragraph[:80]}")
    share = cut / occurrences if occurrences else 0.0
    print(f"command: {COMMAND} --sources {args.sources} --articles {args.articles}")
    print(
        f"world: {args.sources} sources x {args.articles} articles, "
        f"{len(world.articles)} pages, {occurrences} standing-line occurrences; stored {stored}"
    )
    print()
    print(f"{'figure':<48} {'measured':>9} {'target':>8}  met")
    met_cut = share >= CUT_TARGET
    for figure, value, target, met in (
        ("standing-line occurrences cut", f"{share:.3f}", f"≥ {CUT_TARGET}", met_cut),
        ("story paragraphs lost to learning", str(lost), "0", not lost),
    ):
        print(f"{figure:<48} {value:>9} {target:>8}  {'yes' if met else 'no'}")
    print(f"(story paragraphs stored without learning: {kept_plain})")
    for example in lost_examples[:10]:
        print(f"  lost: {example}")
    return 0 if met_cut and not lost else 1


if __name__ == "__main__":
    sys.exit(main())
