"""The cron no-op: ``syndicator run`` when nothing changed.

Ten sources of 1,000 articles each are served from static files on one local
site (each source with a sitemap of its 1,000 articles and a feed of its
newest 50), crawled once into a fresh store, and then run again, twice:

* **validators**: the site answers conditional GET (ETag, Last-Modified), as
  a well-configured server does: feeds and sitemaps come back 304;
* **no validators**: the site ignores them and sends every feed and sitemap
  in full, so the run re-reads 10,000 known URLs.

Either way the no-op run must fetch no article page and finish in a couple of
seconds. Printed: requests the site answered, article pages among them, wall
time, and the same for ``python -c pass`` as the floor.

Run from the repo root: ``python -m bench.cron [--sources 10] [--articles 1000]``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bench.command import PUBLISHER, run_syndicator
from bench.zyte_metric import REPO_ROOT
from syndicator.demo.siteserver import Site

# fmt: off
WORDS = [
    "council", "river", "budget", "school", "bridge", "flood", "harbour", "mayor", "library",
    "rail", "station", "market", "hospital", "housing", "park", "festival", "museum", "ferry",
    "water", "road", "weather", "police", "court", "election", "farm", "factory", "county",
    "valley", "street", "trust", "report", "plan", "funding", "residents", "officials", "week",
    "project", "community", "meeting", "season", "local", "families", "workers", "teachers",
]
# fmt: on

CONFIG_HEAD = (
    PUBLISHER
    + """
[crawl]
delay = 0
concurrency_per_domain = 16
autothrottle = false
"""
)

SOURCE = """
[[sources]]
name = "source-{n}"
feeds = ["{base}/s{n}/feed.xml"]
sitemaps = ["{base}/s{n}/sitemap.xml"]
allow_networks = ["127.0.0.1/32"]
"""


def _paragraphs(rng: random.Random) -> str:
    return "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + ".</p>"
        for _ in range(5)
    )


def build_site(root: Path, sources: int, articles: int) -> None:
    """Static files: /s<n>/articles/<i>.html, /s<n>/sitemap.xml, /s<n>/feed.xml."""
    rng = random.Random(1)
    for n in range(sources):
        folder = root / f"s{n}"
        (folder / "articles").mkdir(parents=True)
        entries, items = [], []
        for i in range(articles):
            path = f"/s{n}/articles/{i}.html"
            date = f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}T08:00:00Z"
            title = f"Story {i} of source {n}: " + " ".join(rng.choice(WORDS) for _ in range(5))
            (folder / "articles" / f"{i}.html").write_text(
                f"<html><head><title>{title}</title>"
                f'<meta property="article:published_time" content="{date}"></head>'
                f"<body><article><h1>{title}</h1>{_paragraphs(rng)}</article></body></html>",
                encoding="utf-8",
            )
            entries.append(f"<url><loc>{{{{SITE}}}}{path}</loc></url>")
            if i >= articles - 50:
                items.append(
                    f"<item><title>{escape(title)}</title><link>{{{{SITE}}}}{path}</link></item>"
                )
        (folder / "sitemap.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(entries)
            + "</urlset>\n",
            encoding="utf-8",
        )
        (folder / "feed.xml").write_text(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>s</title>'
            + "".join(reversed(items))
            + "</channel></rss>\n",
            encoding="utf-8",
        )


def _ignore_validators(site: Site) -> Any:
    """A hook serving feeds and sitemaps in full whatever the request says."""

    def hook(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if not path.endswith(("feed.xml", "sitemap.xml")):
            return None
        file = site.find(path)
        if file is None:
            return None
        body = site.substitute(file.read_text(encoding="utf-8")).encode("utf-8")
        return 200, {"Content-Type": "application/xml; charset=utf-8"}, body

    return hook


def _noop(site: Site, cfg: Path, env: dict[str, str]) -> dict[str, Any]:
    before = len(site.requests)
    seconds, done = run_syndicator(cfg, "run", env, 600)
    made = site.requests[before:]
    return {
        "exit": done.returncode,
        "seconds": seconds,
        "requests": len(made),
        "article_requests": sum(1 for r in made if "/articles/" in r.path),
        "stderr": done.stderr[-1500:],
    }


def python_floor() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def run(sources: int = 10, articles: int = 1000) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="syndicator-cron-"))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    try:
        build_site(workdir / "site", sources, articles)
        with Site(name="cron", roots=[workdir / "site"]) as site:
            cfg = workdir / "syndicator.toml"
            cfg.write_text(
                CONFIG_HEAD + "".join(SOURCE.format(n=n, base=site.url) for n in range(sources)),
                encoding="utf-8",
            )
            first_seconds, first = run_syndicator(cfg, "crawl", env, 3600)
            result: dict[str, Any] = {
                "sources": sources,
                "articles": articles,
                "first_exit": first.returncode,
                "first_seconds": first_seconds,
                "first_stderr": first.stderr[-1500:],
                "validators": _noop(site, cfg, env),
            }
            site.hook = _ignore_validators(site)
            result["no_validators"] = _noop(site, cfg, env)
        result["python_floor"] = python_floor()
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cron", description=__doc__)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--articles", type=int, default=1000, help="articles per source")
    args = parser.parse_args(argv)
    r = run(args.sources, args.articles)
    total = r["sources"] * r["articles"]
    print(f"first crawl: {total} articles, exit {r['first_exit']}, {r['first_seconds']:.0f} s")
    print(f"{'no-op run':<28} {'exit':>4} {'requests':>9} {'article pages':>14} {'wall s':>7}")
    labels = {"validators": "site answers 304", "no_validators": "site ignores validators"}
    for key, label in labels.items():
        m = r[key]
        print(
            f"{label:<28} {m['exit']:>4} {m['requests']:>9} {m['article_requests']:>14} "
            f"{m['seconds']:>7.2f}"
        )
    print(f"python -c pass: {r['python_floor']:.2f} s")
    bad = [r[k] for k in labels if r[k]["article_requests"] or r[k]["exit"]]
    if r["first_exit"]:
        print(r["first_stderr"])
    for m in bad:
        print(m["stderr"])
    return 1 if bad or r["first_exit"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
