"""The bundled demo: two sample news sites served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from syndicator.config import Config
from syndicator.siteserver import Site, SiteGroup

# fixed ports, because data/syndicator.toml names the sites' URLs
DEMO_PORTS = {"riverside-herald": 8301, "northgate-gazette": 8302}


def demo_root() -> Path:
    """The demo files: data/demo in a checkout, or the copy inside the wheel."""
    checkout = Path(__file__).resolve().parent.parent / "data" / "demo"
    return checkout if checkout.is_dir() else Path(__file__).resolve().parent / "_data" / "demo"


def demo_sites(ports: dict[str, int] | None = None) -> SiteGroup:
    """The demo sites, not yet started (use as a context manager). Port 0 = any free port."""
    ports = DEMO_PORTS if ports is None else ports
    root = demo_root() / "sites"
    return SiteGroup([Site(name, [root / name], port=port) for name, port in ports.items()])


def show_store(config: Config) -> None:
    """Print what the store holds: articles per source, teasers, drops."""
    from rich.console import Console
    from rich.table import Table

    from syndicator.store import Store

    store = Store(config.store_path)
    console = Console()
    try:
        articles = Table(title=f"Articles in {config.store_path}")
        for column in ("source", "title", "published (UTC)", "words", "teasers"):
            articles.add_column(column, overflow="fold")
        for row in store.db.query(
            """select a.source, a.title, a.published_at, a.word_count,
                 (select count(*) from teasers t where t.article_id = a.id) as teasers
               from articles a order by a.source, a.published_at desc"""
        ):
            articles.add_row(
                row["source"],
                row["title"] or "",
                row["published_at"] or "",
                str(row["word_count"]),
                str(row["teasers"]),
            )
        console.print(articles)
        drops = Table(title="Dropped pages")
        for column in ("source", "reason", "url", "detail"):
            drops.add_column(column, overflow="fold")
        for row in store.db.query("select * from drops order by source, reason, url"):
            drops.add_row(row["source"] or "", row["reason"], row["url"], row["detail"] or "")
        console.print(drops)
        console.print(
            f"Explore it: sqlite-utils tables {config.store_path} --counts, or "
            f"sqlite3 {config.store_path} 'select title, republish_html from articles limit 1'",
            highlight=False,
        )
    finally:
        store.close()
