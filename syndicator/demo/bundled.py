"""The bundled demo: two sample news sites served on 127.0.0.1."""

from __future__ import annotations

import html
import os
from pathlib import Path

from syndicator.config import Config
from syndicator.demo.siteserver import Site, SiteGroup

# fixed ports, because data/demo/syndicator.toml names the sites' URLs
DEMO_PORTS = {"riverside-herald": 8301, "northgate-gazette": 8302}
WORDPRESS_PORT, WEBHOOK_PORT = 8303, 8304
# the demo partners' credentials; data/demo/syndicator.toml names these variables
DEMO_SECRETS = {
    "DEMO_WP_PASSWORD": "demo AbCd EfGh IjKl MnOp QrSt",
    "DEMO_WEBHOOK_SECRET": "whsec_c3luZGljYXRvci1kZW1vLXdlYmhvb2stc2VjcmV0IQ==",
}


def demo_root() -> Path:
    """The demo files: data/demo in a checkout, or the copy inside the wheel."""
    package = Path(__file__).resolve().parents[1]
    checkout = package.parent / "data" / "demo"
    return checkout if checkout.is_dir() else package / "_data" / "demo"


def demo_config() -> Path:
    """The demo's config, which keeps its store and partners in ``state/`` beside it."""
    return demo_root() / "syndicator.toml"


def demo_sites(ports: dict[str, int] | None = None) -> SiteGroup:
    """The demo sites, not yet started (use as a context manager). Port 0 = any free port."""
    ports = DEMO_PORTS if ports is None else ports
    root = demo_root() / "sites"
    return SiteGroup([Site(name, [root / name], port=port) for name, port in ports.items()])


class DemoPartners:
    """A WordPress-like site and a webhook receiver on loopback that keep their
    posts in data/demo/state/partners/, so a second demo run shows the same partner state."""

    def __init__(self, state_dir: Path) -> None:
        from syndicator.demo.receivers.webhook import WebhookReceiver
        from syndicator.demo.receivers.wordpress import WordPressReceiver

        for name, value in DEMO_SECRETS.items():
            os.environ.setdefault(name, value)
        self.wordpress = WordPressReceiver(
            username="editor",
            app_password=os.environ["DEMO_WP_PASSWORD"],
            port=WORDPRESS_PORT,
            state_file=state_dir / "wordpress.json",
        )
        self.webhook = WebhookReceiver(
            secret=os.environ["DEMO_WEBHOOK_SECRET"],
            port=WEBHOOK_PORT,
            state_file=state_dir / "webhook.json",
        )

    def __enter__(self) -> DemoPartners:
        self.wordpress.start()
        self.webhook.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wordpress.stop()
        self.webhook.stop()

    def show(self) -> None:
        from rich.console import Console
        from rich.table import Table

        posts = Table(title=f"Posts on the demo WordPress partner ({self.wordpress.url}/)")
        for column in ("id", "title", "link"):
            posts.add_column(column, overflow="fold")
        for post in sorted(self.wordpress.posts.values(), key=lambda p: p["id"]):
            posts.add_row(str(post["id"]), html.unescape(post["title"]["raw"]), post["link"])
        console = Console()
        console.print(posts)
        unique = self.webhook.unique()
        console.print(
            f"Webhook partner ({self.webhook.url}): {len(unique)} article revisions received, "
            f"{sum(1 for d in self.webhook.deliveries if d['duplicate'])} repeats ignored",
            highlight=False,
        )


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
