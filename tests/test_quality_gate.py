"""Copies that are not right are held, not sent; a fixed page or an operator
releases them.

A local source serves a good article and three a publisher would not send
unattended: one whose body is a stub of what its own description says (the
story was missed), one that is mostly links, one in another language than the
source's. Crawled and published to the real WordPress and an Atom partner by
the real command line: only the good copy goes; ``deliveries`` and ``status``
show the holds with their reasons. The stub's page is then fixed and an
ordinary ``run`` releases and sends it; the foreign one is released by
``syndicator release``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from syndicator.demo.siteserver import Site
from tests.conftest import add_partners, crawl_site, query, sitemap_site, syndicator
from tests.test_wordpress_real import RealWordPress, credentials

STORY = [
    "The harbour board voted on Tuesday to extend the winter ferry timetable by two weeks, "
    "after residents of the outer islands asked for later sailings during the holidays.",
    "More than 400 people signed the petition, which the board's chair said had made the "
    "difference. The extra crossings will be paid for from this year's reserve.",
    "Islanders welcomed the decision but said they would keep asking for a permanent late "
    "sailing on Fridays, when most of them come back from the mainland.",
]
DESCRIPTION = (
    "The council's new budget closes two libraries, raises parking charges in the centre, "
    "cuts the grant to the museum by a third and puts off the repair of the Ferry Street "
    "bridge for another year, leaving residents and councillors divided."
)
STUB = (
    "The council published its budget on Monday evening, after a long meeting of the "
    "finance committee in the town hall."
)


def page(title: str, paragraphs: list[str], lang: str = "en", description: str = "") -> str:
    meta = f'<meta name="description" content="{description}">' if description else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='{lang}'><head><title>{title}</title>{meta}"
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2026-12-01T09:00:00+00:00"></head>'
        f"<body><main><article><h1>{title}</h1><div class='entry'>{body}</div>"
        "</article></main></body></html>"
    )


LINKS = [
    "Read the report on <a href='https://council.example/a'>the budget, the libraries and the "
    "parking charges in the centre of the town</a> and "
    "<a href='https://council.example/b'>the grant to the museum and the bridge repair plan "
    "for next year</a>, as published.",
    "Also: <a href='https://council.example/c'>the minutes of the meeting of the finance "
    "committee held on Monday evening</a>.",
]
PAGES = {
    "/2026/12/ferry-timetable-extended/": page("Ferry timetable extended", STORY),
    "/2026/12/council-budget-published/": page(
        "Council budget published", [STUB], description=DESCRIPTION
    ),
    "/2026/12/council-budget-documents/": page("Council budget documents", LINKS),
    "/2026/12/horario-del-ferry-ampliado/": page(
        "Horario del ferry ampliado",
        [
            "La junta del puerto votó el martes para ampliar el horario de invierno del ferry "
            "durante dos semanas, después de que los vecinos de las islas pidieran más barcos.",
            "Más de cuatrocientas personas firmaron la petición, que según la presidenta de la "
            "junta marcó la diferencia; los viajes extra se pagarán con la reserva de este año.",
        ],
        lang="es",
    ),
}


@pytest.fixture
def courier() -> Iterator[tuple[Site, dict[str, str]]]:
    pages = dict(PAGES)
    with sitemap_site("courier", pages) as site:
        yield site, pages


@pytest.mark.wordpress
def test_copies_that_fail_the_gate_are_held_then_released(
    tmp_path: Path, courier: tuple[Site, dict[str, str]]
) -> None:
    credentials(8089)  # skipped without the harness
    wordpress = RealWordPress(8089)
    wordpress.wipe()
    site, pages = courier
    config, stored = crawl_site(tmp_path, site, gate={"language": "en"})
    add_partners(
        config,
        {"name": "feed", "kind": "atom", "path": "feed.atom"},
        wordpress.partner(featured_image=False),
    )
    env = wordpress.env
    db = tmp_path / "store.db"
    holds = {path: row["hold"] for path, row in stored.items()}
    assert holds["/2026/12/ferry-timetable-extended/"] is None
    assert holds["/2026/12/council-budget-published/"].startswith("thin: the body has ")
    assert holds["/2026/12/council-budget-documents/"].startswith("links: ")
    assert holds["/2026/12/horario-del-ferry-ampliado/"] == (
        "language: the page is in 'es', the source's articles in 'en'"
    )

    published = syndicator("publish", config=config, env=env)
    assert published.returncode == 0, published.stderr
    titles = {post["title"]["rendered"] for post in wordpress.api("GET", "/wp/v2/posts")}
    assert titles == {"Ferry timetable extended"}
    feed = feedparser.parse((tmp_path / "feed.atom").read_bytes())
    assert [e.title for e in feed.entries] == ["Ferry timetable extended"]
    held = json.loads(syndicator("deliveries", "--status", "held", "--json", config=config).stdout)
    assert len(held) == 6  # three copies, two partners
    assert {d["last_error"].split(":")[0] for d in held} == {"held"}
    status = json.loads(syndicator("status", "--json", config=config).stdout)
    assert status["sources"][0]["held"] == 3
    assert {p["partner"]: p["held"] for p in status["partners"]} == {"feed": 3, "real": 3}

    # the stub's page gets its story: an ordinary run releases and sends it
    pages["/2026/12/council-budget-published/"] = page(
        "Council budget published", [STUB, *STORY], description=DESCRIPTION
    )
    db_rows = query(db, "select id, url, hold from articles")
    ids = {row["url"].removeprefix(site.url): row["id"] for row in db_rows}
    # stored articles fetched again at every run, as a recheck schedule would in time
    with_recheck = config.read_text().replace(
        "[crawl]",
        "[dedup]\nrecheck = [{ max_age_days = 3650, every_hours = 0.0001 }]\n\n[crawl]",
        1,
    )
    config.write_text(with_recheck)
    ran = syndicator("run", config=config, env=env)
    assert ran.returncode == 0, ran.stderr
    titles = {post["title"]["rendered"] for post in wordpress.api("GET", "/wp/v2/posts")}
    assert titles == {"Ferry timetable extended", "Council budget published"}

    # an operator's release sends the foreign copy as it is
    spanish = ids["/2026/12/horario-del-ferry-ampliado/"]
    released = syndicator("release", spanish[:8], config=config)
    assert released.returncode == 0, released.stderr
    assert "it goes out with the next publish" in released.stdout
    again = syndicator("release", spanish, config=config)
    assert again.returncode == 1 and "is not held" in again.stderr
    assert syndicator("publish", config=config, env=env).returncode == 0
    titles = {post["title"]["rendered"] for post in wordpress.api("GET", "/wp/v2/posts")}
    assert "Horario del ferry ampliado" in titles
    assert query(db, "select released_at from articles where id = ?", (spanish,))[0]["released_at"]
    remaining = json.loads(
        syndicator("deliveries", "--status", "held", "--json", config=config).stdout
    )
    assert {d["title"] for d in remaining} == {"Council budget documents"}
    wordpress.client.close()
