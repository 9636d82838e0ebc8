"""The network guard: nothing outside the networks a source names is fetched.

The source site runs on 127.0.0.2 and allows only 127.0.0.2/32; a canary
server on 127.0.0.1 must never see a request, whether it is linked by
address, by a DNS name (localhost), through a redirect, a teaser or an
image. Private and reserved ranges beyond loopback are checked by decision
only: no connection is ever opened to them."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from syndicator.demo.receivers.webhook import WebhookReceiver, new_secret
from syndicator.demo.receivers.wordpress import WordPressReceiver
from syndicator.demo.siteserver import Site
from syndicator.guarded_http import GuardedNetworkBackend, guarded_transport
from syndicator.netguard import NetworkRefusedError, check_url
from syndicator.resolver import GuardedResolver, HostAllowances
from tests.conftest import query, syndicator, write_config

BODY = "".join(
    f"<p>Paragraph {n} of a story about the harbour, long enough to be kept "
    f"as article text by the extractor, number {n}.</p>"
    for n in range(8)
)


@pytest.fixture
def canary() -> Iterator[Site]:
    site = Site("canary", [])
    site.hook = lambda path: (200, {"Content-Type": "text/html"}, b"<html>canary</html>")
    site.start()
    yield site
    site.stop()


def source_site(canary: Site) -> Site:
    site = Site("source", [], host="127.0.0.2")
    c_literal = f"http://127.0.0.1:{canary.port}"
    c_name = f"http://localhost:{canary.port}"

    def hook(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path == "/feed.xml":
            links = [
                f"{site.url}/a/",
                f"{c_literal}/literal/",
                f"{c_name}/name/",
                f"{site.url}/redirect/",
            ]
            items = "".join(
                f"<item><title>t{i}</title><link>{u}</link></item>" for i, u in enumerate(links)
            )
            body = f'<rss version="2.0"><channel><title>s</title>{items}</channel></rss>'
            return 200, {"Content-Type": "application/rss+xml"}, body.encode()
        if path == "/redirect/":
            return 302, {"Location": f"{c_name}/redirected/"}, b""
        if path == "/a/":
            related = (
                "<div id='jp-relatedposts'><div class='jp-relatedposts-post'>"
                f"<h4 class='jp-relatedposts-post-title'><a href='{c_name}/teaser/'>T1</a></h4>"
                "</div><div class='jp-relatedposts-post'>"
                f"<h4 class='jp-relatedposts-post-title'><a href='{c_literal}/teaser2/'>T2</a>"
                "</h4></div></div>"
            )
            html = (
                f"<html><head><title>A story</title><meta property='og:image' "
                f"content='{c_name}/image.jpg'></head><body><article><h1>A story</h1>"
                f"{BODY}</article>{related}</body></html>"
            )
            return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()
        return None

    site.hook = hook
    return site.start()


def test_the_canary_is_never_reached(canary: Site, tmp_path: Path) -> None:
    site = source_site(canary)
    wordpress = WordPressReceiver(username="editor", app_password="a b c d e f")
    try:
        wordpress.start()
        config = write_config(
            tmp_path / "c.toml",
            [
                {
                    "name": "s",
                    "feeds": [f"{site.url}/feed.xml"],
                    "min_words": 20,
                    "follow_teasers": True,
                    "allow_networks": ["127.0.0.2/32"],
                },
            ],
        )
        with config.open("a") as out:
            out.write(
                f'\n[[partners]]\nname = "wp"\nkind = "wordpress"\nurl = "{wordpress.url}"\n'
                'username = "editor"\npassword_env = "WP_PW"\n'
                'allow_networks = ["127.0.0.1/32"]\n'
            )
        result = syndicator("run", config=config, env={"WP_PW": "a b c d e f"})
    finally:
        site.stop()
        wordpress.stop()
    assert result.returncode == 0, result.stderr
    assert canary.requests == []
    db = tmp_path / "store.db"
    assert [r["url"] for r in query(db, "select url from articles")] == [f"{site.url}/a/"]
    refused = {r["url"]: r for r in query(db, "select * from drops")}
    assert {r["reason"] for r in refused.values()} == {"network_refused"}
    assert f"http://127.0.0.1:{canary.port}/literal/" in refused
    assert f"http://localhost:{canary.port}/name/" in refused
    assert "non-public address" in refused[f"http://localhost:{canary.port}/name/"]["detail"]
    # the post went out without the image the canary would have served
    [post] = wordpress.posts.values()
    assert post["featured_media"] == 0


def test_a_partner_on_a_private_address_is_refused_unless_allowed(
    tmp_path: Path, canary: Site
) -> None:
    site = source_site(canary)
    hook = WebhookReceiver(secret=new_secret())
    try:
        hook.start()
        config = write_config(
            tmp_path / "c.toml",
            [
                {
                    "name": "s",
                    "feeds": [f"{site.url}/feed.xml"],
                    "min_words": 20,
                    "allow_networks": ["127.0.0.2/32"],
                },
            ],
        )
        with config.open("a") as out:
            out.write(
                f'\n[[partners]]\nname = "hook"\nkind = "webhook"\nurl = "{hook.url}"\n'
                'secret_env = "HOOK_SECRET"\n'
            )
        result = syndicator("run", config=config, env={"HOOK_SECRET": hook.secret})
    finally:
        site.stop()
        hook.stop()
    assert result.returncode == 1
    assert "127.0.0.1, a non-public address; list its network in partner 'hook'" in result.stderr
    assert hook.requests == []


PRIVATE = [
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "127.0.0.2",
    "::1",
    "fc00::1",
    "fe80::1",
    "ff02::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "64:ff9b::a00:1",
    "2002:a00:1::1",
    "::",
]
PUBLIC = ["93.184.216.34", "2606:4700:4700::1111", "::ffff:93.184.216.34"]


@pytest.mark.parametrize("address", PRIVATE)
def test_private_and_reserved_addresses_are_refused_without_connecting(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(NetworkRefusedError):
        asyncio.run(check_url(f"http://{host}/x", [], "allow it"))
    resolver = object.__new__(GuardedResolver)
    resolver.allowances = HostAllowances()
    resolver.allowances.note("some.name", [ipaddress.ip_network("127.0.0.3/32")])
    with pytest.raises(NetworkRefusedError):
        resolver._check(address, "some.name")


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass_the_guard(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    asyncio.run(check_url(f"http://{host}/x", [], "allow it"))
    resolver: Any = object.__new__(GuardedResolver)
    resolver.allowances = HostAllowances()
    assert resolver._check(address, "some.name") == address


def test_a_name_resolves_only_where_every_source_asking_for_it_may_go() -> None:
    """At connection time a name is judged by the networks of the sources that
    asked for it, never by another source's: a public source's link to a name
    that a private source may reach is refused when the name resolves there
    (DNS rebinding past the middleware's earlier check)."""
    resolver: Any = object.__new__(GuardedResolver)
    resolver.allowances = HostAllowances()
    private = [ipaddress.ip_network("10.0.0.0/8")]
    resolver.allowances.note("intranet.example", private)  # the private source's host
    assert resolver._check("10.1.2.3", "intranet.example") == "10.1.2.3"
    with pytest.raises(NetworkRefusedError):  # nobody asked for this name: public only
        resolver._check("10.1.2.3", "rebinding.example")
    # the public source asks for the same name: its connections carry both sources' requests
    resolver.allowances.note("intranet.example", [])
    with pytest.raises(NetworkRefusedError):
        resolver._check("10.1.2.3", "intranet.example")
    both = HostAllowances()
    both.note("h", [ipaddress.ip_network("10.0.0.0/8")])
    both.note("h", [ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("192.168.0.0/16")])
    assert both.networks("H.") == [ipaddress.ip_network("10.1.0.0/16")]


def test_an_allowed_network_lets_only_itself_through() -> None:
    nets = [ipaddress.ip_network("127.0.0.2/32")]
    asyncio.run(check_url("http://127.0.0.2/x", nets, "allow it"))
    with pytest.raises(NetworkRefusedError):
        asyncio.run(check_url("http://127.0.0.1/x", nets, "allow it"))


# -- partners: the address judged is the address connected to ---------------------------


def answering(name: str, host: str, port: int = 0) -> Site:
    site = Site(name, [], host=host, port=port)
    site.hook = lambda path: (200, {"Content-Type": "text/plain"}, name.encode())
    return site.start()


def fetch_all(resolve: Any, urls: list[str]) -> list[str]:
    """GET each URL over a new connection through a partner client's guarded
    backend; a refusal comes back as its message."""
    backend = GuardedNetworkBackend(
        [ipaddress.ip_network("127.0.0.2/32")], "allow it", resolve=resolve
    )
    limits = httpx.Limits(max_keepalive_connections=0)

    async def run() -> list[str]:
        answers = []
        async with httpx.AsyncClient(transport=guarded_transport(backend, limits)) as client:
            for url in urls:
                try:
                    answers.append((await client.get(url)).text)
                except NetworkRefusedError as exc:
                    answers.append(str(exc))
        return answers

    return asyncio.run(run())


def test_a_partner_name_is_connected_to_at_the_address_that_was_judged() -> None:
    """No DNS server runs here, so the test resolves names itself: ``partner.test``
    exists only in its answers, and reaching the partner proves the connection
    used the judged address rather than looking the name up again."""
    partner = answering("partner", "127.0.0.2")
    lookups: list[str] = []

    async def resolve(host: str, port: int) -> list[Any]:
        lookups.append(host)
        return [ipaddress.ip_address("127.0.0.2")]

    try:
        answers = fetch_all(resolve, [f"http://partner.test:{partner.port}/x"])
    finally:
        partner.stop()
    assert answers == ["partner"]
    assert lookups == ["partner.test"]
    assert partner.requests[0].headers["Host"] == f"partner.test:{partner.port}"


def test_a_partner_name_rebound_to_a_refused_address_is_never_connected_to() -> None:
    partner = answering("partner", "127.0.0.2")
    canary = answering("canary", "127.0.0.1", partner.port)  # same port, refused address
    rebinding = iter(
        [
            ["127.0.0.2"],  # the first connection: allowed
            ["127.0.0.1"],  # the name now points at the canary
            ["127.0.0.2", "127.0.0.1"],  # one refused address refuses the name
        ]
    )

    async def resolve(host: str, port: int) -> list[Any]:
        return [ipaddress.ip_address(a) for a in next(rebinding)]

    url = f"http://partner.test:{partner.port}/x"
    try:
        answers = fetch_all(resolve, [url, url, url])
    finally:
        partner.stop()
        canary.stop()
    assert answers[0] == "partner"
    assert (
        answers[1:] == ["partner.test is 127.0.0.1, a non-public address; allow it to allow it"] * 2
    )
    assert canary.requests == []
    assert len(partner.requests) == 1
