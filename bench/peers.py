"""Syndicator next to its peers: the same local site crawled by each tool, timed and scored.

The Zyte benchmark pages are served by :class:`bench.zyte_site.CorpusSite`,
repeated ``--copies`` times under distinct URLs (12 copies = 2,172 pages), and
each tool crawls the whole site in a subprocess measured by
:func:`bench.rss.run_measured` (wall time, peak RSS of its process tree):

- syndicator: ``python -m syndicator crawl`` from the sitemap, into a fresh store;
- trafilatura: its command line in URL-list mode (``-i urls.txt``), JSON output;
- news-please: its Scrapy sitemap crawler, run the way its ``news-please``
  launcher runs it, its JSON records written to one file.

What each needed to crawl a loopback site at all is said where it is set up.

The peers live in their own virtualenv (``make bench-peers`` builds
``.venv-peers``; ``PEERS_VENV`` points elsewhere) so their pins cannot clash
with the project's. A tool missing there is reported and skipped.

Every output is mapped back to its corpus id and scored with the benchmark's
metric (:mod:`bench.zyte_metric`) over the 181 ground-truth ids; one copy's
output stands for its id (copy 0 when a tool produced several).

Run from the repo root: ``python -m bench.peers [--copies N] [--tools ...] [--markdown FILE]``.
Other scripts call :func:`run` for the rows and :func:`markdown_table` to print them.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from bench.crawl_run import crawl as crawl_site
from bench.rss import Measured, run_measured
from bench.zyte_metric import REPO_ROOT, load_ground_truth, load_pages, score
from bench.zyte_site import PAGE_HEADERS, TEXT_HEADERS, CorpusSite, UrlIndex, path_key

DEFAULT_COPIES = 12  # 12 x 181 = 2,172 pages: at least the 2,000 the issue asks for
TOOLS = ("syndicator", "trafilatura", "news-please")
TIMEOUT = 1800.0
NOT_INSTALLED = "not installed (run make bench-peers)"
# Any proxy-aware HTTP client in a peer tool goes here instead of the internet: a
# closed loopback port, so such a request fails at once and nothing leaves the machine.
DEAD_PROXY = "http://127.0.0.1:9"


def peers_venv() -> Path:
    return Path(os.environ.get("PEERS_VENV") or REPO_ROOT / ".venv-peers").resolve()


def without_blank_params(key: str) -> str:
    path, _, query = key.partition("?")
    kept = parse_qsl(query)  # drops "a=" pairs
    return f"{path}?{urlencode(sorted(kept))}" if kept else path


class PeerSite(CorpusSite):
    """The corpus site plus what the peers need from a real site.

    - A home page and a robots.txt naming the sitemap: both peers look for the
      sitemap through robots.txt, and give up on a site whose root answers 404
      (trafilatura's liveness check, news-please's redirect probe).
    - A page asked for without its empty query parameters (``?a=1&b=``) is still
      served, as a real site would: trafilatura's URL normalisation drops them.
    """

    def __init__(self, pages: dict[str, tuple[str, str]], copies: int = 1) -> None:
        super().__init__(pages, copies)
        self._page_keys = {path_key(path) for path in self.paths.values()}
        self.fetched: Counter[str] = Counter()  # path key of a page -> times served
        self._fetched_lock = threading.Lock()  # the site answers from many threads
        self._by_bare_query = {
            without_blank_params(path_key(path)): path
            for path in self.paths.values()
            if "?" in path
        }

    def _answer(self, request_path: str) -> tuple[int, dict[str, str], bytes] | None:
        key = path_key(request_path)
        if key == "/":
            home = f'<html><body><a href="{self.sitemap_url}">sitemap</a></body></html>'
            return 200, dict(PAGE_HEADERS), home.encode()
        if key == "/robots.txt":
            robots = f"User-agent: *\nAllow: /\nSitemap: {self.sitemap_url}\n"
            return 200, dict(TEXT_HEADERS), robots.encode()
        if answer := super()._answer(request_path):
            if key in self._page_keys:
                self._count(key)
            return answer
        served = self._by_bare_query.get(without_blank_params(key)) if "?" in key else None
        if served is not None:
            self._count(path_key(served))
            return super()._answer(served)
        return None

    def _count(self, key: str) -> None:
        with self._fetched_lock:
            self.fetched[key] += 1

    def restore_query(self, url: str | None) -> str | None:
        """The URL a page is served under, given one without its empty parameters."""
        served = self._by_bare_query.get(without_blank_params(path_key(url or "")))
        return self.url + served if served is not None and url else None


@dataclass
class Row:
    """One tool's result. ``pages`` is how many served pages it produced a non-empty
    text for (all copies), the numerator of ``pages_per_second``."""

    tool: str
    version: str = ""
    pages: int = 0
    seconds: float = 0.0
    page_requests: int = 0
    peak_mib: float = 0.0
    f1: float | None = None
    precision: float | None = None
    recall: float | None = None
    command: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def pages_per_second(self) -> float | None:
        return self.pages / self.seconds if self.pages and self.seconds > 0 else None

    def as_dict(self) -> dict[str, object]:
        row = asdict(self)
        row["pages_per_second"] = self.pages_per_second
        row["notes"] = "; ".join(self.notes)
        return row


@dataclass
class Context:
    site: PeerSite
    truth: dict[str, str]
    pages: dict[str, tuple[str, str]]  # id -> (original URL, HTML)
    index: UrlIndex
    copy_of: dict[str, int]  # path key of a served URL -> its copy number
    id_of: dict[str, str]  # path key of a served URL -> its corpus id
    workdir: Path

    def copy_number(self, url: str | None) -> int:
        # An output that names the page's original URL (a canonical link) can't tell
        # its copy; it counts as copy 0, which only matters for the tie-break below.
        return self.copy_of.get(path_key(url or ""), 0)


def predictions(
    outputs: Iterable[tuple[Sequence[str | None], str]], ctx: Context
) -> dict[str, str]:
    """Id -> text from (candidate URLs, text) pairs; the lowest copy's non-empty text wins."""
    best: dict[str, tuple[int, str]] = {}
    for urls, text in outputs:
        if not text.strip():
            continue
        key = ctx.index.find(*urls) or ctx.index.find(*map(ctx.site.restore_query, urls))
        if key is None or key not in ctx.truth:
            continue
        copy = min(ctx.copy_number(url) for url in urls)
        if key not in best or copy < best[key][0]:
            best[key] = (copy, text)
    return {key: text for key, (_, text) in best.items()}


def finish(
    row: Row, done: Measured, ctx: Context, requests_before: int, preds: dict[str, str]
) -> Row:
    row.seconds = done.seconds
    row.peak_mib = done.peak_mib
    row.page_requests = ctx.site.page_requests - requests_before
    scores = score(preds, ctx.truth)
    row.f1, row.precision, row.recall = scores["f1"], scores["precision"], scores["recall"]
    if done.returncode != 0:
        row.notes.insert(0, f"exit {done.returncode}: {last_line(done.stderr)}")
    elif not row.pages:
        row.notes.insert(0, f"no output: {last_line(done.stderr)}")
    missing = len(ctx.truth) - len(preds)
    if missing:
        row.notes.append(f"{missing} of {len(ctx.truth)} ids without text")
    return row


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(nothing on stderr)"


def peer_version(python: Path, dist: str) -> str:
    done = subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({dist!r}))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def site_packages(dist_dir: str) -> Path | None:
    """A package's folder inside the peers venv, found without importing it."""
    found = sorted(glob.glob(str(peers_venv() / "lib" / "python3*" / "site-packages" / dist_dir)))
    return Path(found[-1]) if found else None


# --- syndicator --------------------------------------------------------------


def run_syndicator(ctx: Context) -> Row:
    row = Row("syndicator", version=metadata.version("syndicator"))
    workdir = ctx.workdir / "syndicator"
    workdir.mkdir()
    # what bench.crawl_run.crawl runs, for the report
    cfg = workdir / "syndicator.toml"
    row.command = [sys.executable, "-m", "syndicator", "--config", str(cfg), "--quiet", "crawl"]
    before = ctx.site.page_requests
    done = crawl_site(ctx.site.sitemap_url, workdir, timeout=TIMEOUT)
    rows = done.rows("SELECT url, canonical_url, body_text FROM articles")
    row.pages = sum(1 for _, _, body in rows if body and body.strip())
    preds = predictions((((url, canonical), body or "") for url, canonical, body in rows), ctx)
    row.notes.append("sitemap crawl")
    return finish(row, done.measured, ctx, before, preds)


# --- trafilatura -------------------------------------------------------------


def trafilatura_config(path: Path) -> None:
    """trafilatura's own settings.cfg with two changes for a loopback benchmark:
    SSRF_PROTECTION off (it refuses 127.0.0.1 otherwise) and SLEEP_TIME 0 (it waits
    5 s between two requests to one host otherwise)."""
    package = site_packages("trafilatura")
    assert package is not None
    lines = []
    for line in (package / "settings.cfg").read_text(encoding="utf-8").splitlines():
        name = line.split("=", 1)[0].strip()
        if name == "SLEEP_TIME":
            line = "SLEEP_TIME = 0"
        elif name == "SSRF_PROTECTION":
            line = "SSRF_PROTECTION = off"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def canonical_urls(ctx: Context) -> dict[str, str]:
    """The URL trafilatura's metadata names for each corpus page -> that page's original URL."""
    from trafilatura import extract_metadata

    found: dict[str, str] = {}
    for url, html in ctx.pages.values():
        meta = extract_metadata(html)
        if meta is not None and meta.url and meta.url != url:
            found[meta.url] = url
    return found


def run_trafilatura(ctx: Context) -> Row:
    exe = peers_venv() / "bin" / "trafilatura"
    if not exe.is_file():
        return Row("trafilatura", notes=[NOT_INSTALLED])
    row = Row("trafilatura", version=peer_version(peers_venv() / "bin" / "python", "trafilatura"))
    workdir = ctx.workdir / "trafilatura"
    workdir.mkdir()
    cfg, urls, out = workdir / "settings.cfg", workdir / "urls.txt", workdir / "out"
    trafilatura_config(cfg)
    # The same list the site serves at /urls.txt. URL-list mode, not --sitemap: its
    # sitemap mode drops any URL with a port ("invalid URL", courlan's domain check).
    urls.write_text("\n".join(ctx.site.page_urls()) + "\n", encoding="utf-8")
    # --with-metadata: without it the JSON has no URL to map an output back to its page.
    row.command = [
        str(exe), "-i", str(urls), "-o", str(out), "--json", "--with-metadata",
        "--no-comments", "--parallel", "16", "--config-file", str(cfg),
    ]  # fmt: skip
    before, fetched_before = ctx.site.page_requests, Counter(ctx.site.fetched)
    done = run_measured(row.command, cwd=workdir, timeout=TIMEOUT)
    outputs: list[tuple[Sequence[str | None], str]] = []
    canonical: dict[str, str] | None = None
    for path in sorted(out.rglob("*.json")) if out.is_dir() else []:
        doc = json.loads(path.read_text(encoding="utf-8"))
        # Its JSON names no fetched URL, only "source": the URL in the page's own
        # metadata (canonical link, og:url), which is the corpus URL for all but a few
        # pages. Those few are found by the same metadata read from the corpus HTML.
        source = doc.get("source")
        if ctx.index.find(source) is None:
            canonical = canonical if canonical is not None else canonical_urls(ctx)
            source = canonical.get(source or "", source)
        outputs.append(((source,), doc.get("text") or ""))
    preds = predictions(outputs, ctx)
    # Its files are named after a hash of their content, so the copies of a page
    # overwrite each other: count instead the pages it fetched whose page (any
    # copy, the same HTML) it extracted a text from.
    fetched = ctx.site.fetched - fetched_before
    row.pages = sum(n for key, n in fetched.items() if ctx.id_of.get(key) in preds)
    row.notes.append("URL list (-i); one request at a time per host, so --parallel is idle")
    return finish(row, done, ctx, before, preds)


# --- news-please -------------------------------------------------------------

NEWS_PLEASE_CONFIG = """\
[Crawler]
default = SitemapCrawler
# No fallback: should the sitemap crawler not take the site, fail rather than
# silently crawl it another way.
fallbacks = {{"SitemapCrawler": None}}
check_crawler_has_urls_to_scan = False
check_certificate = True
hours_to_pass_for_redownload_by_rss_crawler = 6
number_of_parallel_crawlers = 1
number_of_parallel_daemons = 1
ignore_file_extensions = "(pdf)|(docx?)|(xlsx?)|(pptx?)|(epub)|(jpe?g)|(png)|(bmp)|(gif)|(tiff)|(webp)|(avi)|(mpe?g)|(mov)|(qt)|(webm)|(ogg)|(midi)|(mid)|(mp3)|(wav)|(zip)|(rar)|(exe)|(apk)|(css)"
ignore_regex = "(mail[tT]o)|([jJ]avascript)|(tel)|(fax)"
sitemap_allow_subdomains = True
sitemap_patterns = ["sitemap.xml"]

[Heuristics]
# Every page in the sitemap is an article (as syndicator's min_words = 1 keeps them all):
# the one heuristic that trusts a sitemap crawler instead of og:type and link counts.
enabled_heuristics = {{"crawler_contains_only_article_alikes": True}}
pass_heuristics_condition = "crawler_contains_only_article_alikes"
min_headlines_for_linked_test = 5

[Files]
relative_to_start_processes_file = False
url_input_file_name = sitelist.hjson
working_path = {workdir}
local_data_directory = %working_path/data/%appendmd5_full_domain(32)/%appendmd5_url_directory_string(60)_%appendmd5_max_url_file_name_%timestamp_download.html
format_relative_path = True

[ArticleMasterExtractor]
extractors = ['newspaper_extractor', 'readability_extractor', 'date_extractor', 'lang_detect_extractor']

[DateFilter]
start_date = '1999-01-01 00:00:00'
end_date = '2999-12-31 00:00:00'
strict_mode = False

[Scrapy]
LOG_LEVEL = WARNING
LOG_FORMAT = [%(name)s:%(lineno)d|%(levelname)s] %(message)s
LOG_FILE = None
LOG_DATEFORMAT = %Y-%m-%d %H:%M:%S
LOG_STDOUT = False
LOG_ENCODING = utf-8
BOT_NAME = 'news-please'
SPIDER_MODULES = ['newsplease.crawler.spiders']
NEWSPIDER_MODULE = 'newsplease.crawler.spiders'
JOBDIRNAME = .resume_jobdir
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 16
USER_AGENT = 'news-please (+http://www.example.com/)'
# The default pipelines less HtmlFileStorage (a raw copy of every page), with
# JsonFileStorage's records written to one file (see bench/peers_pipeline.py).
ITEM_PIPELINES = {{'newsplease.pipeline.pipelines.ArticleMasterExtractor': 100,
                  'bench.peers_pipeline.JsonLinesStorage': 300}}
PEERS_JSONL = '{jsonl}'
ITEM_CLASS = 'newsplease.crawler.items.NewscrawlerItem'
# news-please derives allowed_domains from the site URL with its port, which Scrapy
# ignores, and then drops every request as off-site.
DOWNLOADER_MIDDLEWARES = {{'scrapy.downloadermiddlewares.offsite.OffsiteMiddleware': None}}
"""  # noqa: E501 (config lines as news-please ships them)


def run_news_please(ctx: Context) -> Row:
    package = site_packages("newsplease")
    python = peers_venv() / "bin" / "python"
    if package is None or not python.is_file():
        return Row("news-please", notes=[NOT_INSTALLED])
    row = Row("news-please", version=peer_version(python, "news-please"))
    workdir = ctx.workdir / "news-please"
    (workdir / "config").mkdir(parents=True)
    jsonl = workdir / "articles.jsonl"
    cfg, sites = workdir / "config" / "config.cfg", workdir / "config" / "sitelist.hjson"
    cfg.write_text(
        NEWS_PLEASE_CONFIG.format(workdir=workdir / "work", jsonl=jsonl), encoding="utf-8"
    )
    sites.write_text(
        json.dumps({"base_urls": [{"url": ctx.site.url + "/", "crawler": "SitemapCrawler"}]}),
        encoding="utf-8",
    )
    # What `news-please -c DIR` starts for each site. The launcher itself only polls
    # its crawlers every 10 s, which would add up to 10 s of idle wall time.
    crawler = package / "single_crawler.py"
    # site index 0, no --resume, not daemonized
    row.command = [str(python), str(crawler), str(cfg), str(sites), "0", "False", "False"]
    env = dict(os.environ)
    # newspaper4k fetches images from the pages' own (internet) hosts to pick a top
    # image; those requests go to a closed local port instead.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env[name] = DEAD_PROXY
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    # for bench.peers_pipeline, which only imports news-please and the standard library
    env["PYTHONPATH"] = str(REPO_ROOT)
    before = ctx.site.page_requests
    done = run_measured(row.command, cwd=workdir, env=env, timeout=TIMEOUT)
    outputs: list[tuple[Sequence[str | None], str]] = []
    if jsonl.is_file():
        for line in jsonl.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            outputs.append(((record.get("url"),), record.get("maintext") or ""))
    row.pages = sum(1 for _, text in outputs if text.strip())
    errors = done.stderr.count("|ERROR]")
    row.notes.append("Scrapy SitemapCrawler, run as its launcher does")
    if errors:
        # Scrapy logs the item and the traceback; its last line says what went wrong.
        causes = sorted(set(re.findall(r"^\w+(?:Error|Exception): .*$", done.stderr, re.M)))
        row.notes.append(f"{errors} pipeline errors ({'; '.join(c[:60] for c in causes[:3])})")
    return finish(row, done, ctx, before, predictions(outputs, ctx))


RUNNERS: dict[str, Callable[[Context], Row]] = {
    "syndicator": run_syndicator,
    "trafilatura": run_trafilatura,
    "news-please": run_news_please,
}


def run(
    copies: int = DEFAULT_COPIES, tools: Sequence[str] = TOOLS, verbose: bool = False
) -> list[dict[str, object]]:
    """Serve ``copies`` x 181 pages, crawl them with each tool in turn, return one row per tool.

    Each row: tool, version, pages, seconds, pages_per_second, page_requests,
    peak_mib, f1, precision, recall, command, notes (None where a tool did not run)."""
    truth = load_ground_truth()
    pages = load_pages(sorted(truth))
    urls = {key: url for key, (url, _) in pages.items()}
    workdir = Path(tempfile.mkdtemp(prefix="syndicator-peers-"))
    rows: list[dict[str, object]] = []
    try:
        with PeerSite(pages, copies=copies) as site:
            ctx = Context(
                site=site,
                truth=truth,
                pages=pages,
                index=UrlIndex(site.paths, urls),
                copy_of={path_key(path): copy for (_, copy), path in site.paths.items()},
                id_of={path_key(path): key for (key, _), path in site.paths.items()},
                workdir=workdir,
            )
            for tool in tools:
                start = time.perf_counter()
                row = RUNNERS[tool](ctx)
                if verbose:
                    print(
                        f"{tool}: {row.pages} pages in {row.seconds:.1f} s "
                        f"({time.perf_counter() - start:.1f} s with scoring); "
                        f"{'; '.join(row.notes)}",
                        file=sys.stderr,
                    )
                rows.append(row.as_dict())
    finally:
        if verbose:
            print(f"outputs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return rows


COLUMNS = (
    "tool",
    "version",
    "pages",
    "pages/s",
    "requests",
    "F1",
    "P",
    "R",
    "peak RSS MiB",
    "notes",
)


def _cells(row: dict[str, object]) -> list[str]:
    def num(value: object, fmt: str) -> str:
        return format(value, fmt) if isinstance(value, (int, float)) else "n/a"

    ran = row["f1"] is not None
    return [
        str(row["tool"]),
        str(row["version"] or "-"),
        num(row["pages"], ",") if ran else "n/a",
        num(row["pages_per_second"], ".1f"),
        num(row["page_requests"], ",") if ran else "n/a",
        num(row["f1"], ".3f"),
        num(row["precision"], ".3f"),
        num(row["recall"], ".3f"),
        num(row["peak_mib"], ".0f") if ran else "n/a",
        str(row["notes"]),
    ]


def text_table(rows: list[dict[str, object]]) -> str:
    table = [list(COLUMNS)] + [_cells(row) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    out = []
    for line in table:
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        # the notes column last and unpadded
        out.append("  ".join([*cells[:-1], line[-1]]).rstrip())
    out.insert(1, "-" * len(out[0]))
    return "\n".join(out)


def markdown_table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join(["---"] * 2 + ["---:"] * 7 + ["---"]) + "|",
    ]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in _cells(row)) + " |" for row in rows
    ]
    return "\n".join(lines)


def markdown(rows: list[dict[str, object]]) -> list[str]:
    """The Markdown table as lines, for bench.results."""
    return markdown_table(rows).splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.peers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--copies",
        type=int,
        default=DEFAULT_COPIES,
        help=f"serve each page N times (default {DEFAULT_COPIES}: 2,172 pages)",
    )
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown to FILE")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="progress on stderr; keep the tools' outputs"
    )
    args = parser.parse_args(argv)
    if args.copies < 1:
        parser.error("--copies must be at least 1")

    rows = run(args.copies, args.tools, verbose=args.verbose)
    print(f"{args.copies} copies x 181 pages = {args.copies * 181:,} pages on one loopback site\n")
    print(text_table(rows))
    print("\npages: pages the tool produced text for; requests: page GETs the site answered")
    for row in rows:
        if row["command"]:
            print(f"{row['tool']}: {subprocess.list2cmdline(row['command'])}")  # type: ignore[arg-type]
    if args.markdown:
        args.markdown.write_text(markdown_table(rows) + "\n", encoding="utf-8")
    # Exit 1 only if syndicator itself failed; a missing or failing peer is in the table.
    ours = [row for row in rows if row["tool"] == "syndicator"]
    return 1 if any(not row["pages"] for row in ours) else 0


if __name__ == "__main__":
    raise SystemExit(main())
