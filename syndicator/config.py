"""The configuration file: one TOML file, validated with pydantic.

Every problem is reported as one line naming the file, the key and what is
wrong (:class:`ConfigError`), because the usual reader is a cron mail.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from syndicator.config_values import HttpUrl, IPNetwork, IsoDate, RedisUrl, Regex, within
from syndicator.errors import ConfigError, UnknownName

DEFAULT_CONFIG = Path("data") / "syndicator.toml"
CONFIG_ENV = "SYNDICATOR_CONFIG"


class _Strict(BaseModel):
    # TOML has inf and nan; no number in this file means either. Each field's
    # docstring is its description (model_fields, the JSON schema): the
    # configuration reference is generated from them.
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True
    )


MAX_DELAY = 300  # seconds: a longer pause between two requests to a site is a mistake


class Politeness(_Strict):
    """``[crawl]`` and ``[sources.crawl]``: how hard a site may be crawled.
    ``[crawl]`` sets the defaults, a source's ``[sources.crawl]`` overrides any
    of them for that source; a key set in neither takes :data:`DEFAULT_POLITENESS`."""

    obey_robots: bool | None = None
    """Obey the site's robots.txt. Unset: ``[crawl]``'s value, else true."""
    delay: Annotated[float, within(0, MAX_DELAY, "seconds")] | None = None
    """Seconds between two requests to one site, jittered ±50% (exact in a cluster); with
    ``autothrottle`` on, the least it may wait. Unset: ``[crawl]``'s value, else 0.5."""
    concurrency_per_domain: Annotated[int, within(1, 64)] | None = None
    """Requests in flight to one site at a time (in a cluster, for all workers
    together). Unset: ``[crawl]``'s value, else 2."""
    autothrottle: bool | None = None
    """Scrapy's AutoThrottle: back off when a site slows down; the source's own ``delay``
    stays its floor, as with it off. Unset: ``[crawl]``'s value, else true."""
    timeout: Annotated[float, within(1, 600, "seconds")] | None = None
    """Seconds one request may take. Unset: ``[crawl]``'s value, else 30."""
    retries: Annotated[int, within(0, 10)] | None = None
    """Times a request is tried again after a 500, 502, 503, 504, 522, 524, 408 or 429
    answer, a timeout or a connection error. Unset: ``[crawl]``'s value, else 2."""
    max_response_bytes: Annotated[int, within(1024, 1 << 30, "bytes")] | None = None
    """A response larger than this many bytes is abandoned. Unset: ``[crawl]``'s value,
    else 10,485,760 (10 MiB)."""


DEFAULT_POLITENESS = Politeness(
    obey_robots=True,
    delay=0.5,
    concurrency_per_domain=2,
    autothrottle=True,
    timeout=30.0,
    retries=2,
    max_response_bytes=10 * 1024 * 1024,
)


class Licence(_Strict):
    """``[sources.licence]``: the terms the source's articles are republished under,
    for the attribution (``source.licence`` in templates)."""

    name: str
    """Required: the licence's name as it is printed, e.g. ``CC BY-ND 4.0`` or
    ``Republished under agreement with the Valley News``."""
    url: HttpUrl | None = None
    """Where the licence's terms are; the attribution links the name to it."""


class TeaserSelectors(_Strict):
    """``[sources.teasers]``: where a source's related-story blocks are. Each
    selector is CSS, or XPath when it starts with ``/`` or ``(``."""

    block: list[str] = []
    """Selectors of the source's related-story blocks, tried before the built-in
    detection; empty: only that detection finds them (see ``use_defaults``)."""
    item: str | None = None
    """One related story inside a block. Unset: the usual item markup (``li``,
    ``article``, …), else each link of the block."""
    link: str | None = None
    """The story's link inside an item. Unset: the item's first link with text."""
    title: str | None = None
    """The story's title inside an item. Unset, or when it finds nothing: the usual title
    markup (a class with "title", ``h2``–``h5``), else the link's text."""
    excerpt: str | None = None
    """The story's excerpt inside an item. Unset: the usual excerpt markup (a class with
    "excerpt" or "summary", ``p``), other than the title."""
    image: str | None = None
    """The story's image inside an item. Unset, or when it finds nothing: its first
    ``img``."""
    use_defaults: bool = True
    """Also find related-story blocks with the built-in detection after the source's own
    selectors; false: only the source's ``block`` selectors count."""
    learn: bool = True
    """Use the places of related-story blocks learned from the source's other pages
    (syndicator.teaser_places); false leaves each page to itself."""

    @model_validator(mode="after")
    def _selectors_compile(self) -> TeaserSelectors:
        from syndicator.teasers import check_selector

        for selector in [*self.block, self.item, self.link, self.title, self.excerpt, self.image]:
            if selector:
                check_selector(selector)
        return self


class BoilerplateLearning(_Strict):
    """``[sources.boilerplate]``: what a source's repeated lines teach
    (syndicator.boilerplate)."""

    learn: bool = True
    """Learn the lines the source repeats across its articles and cut them from its
    bodies; false: the source's repeated lines are neither learned nor cut."""
    min_pages: Annotated[int, within(2, 10_000)] = 3
    """Articles of a site a line must be in (copies of one story counting once) before
    it is learned."""


class QualityGate(_Strict):
    """``[sources.gate]``: the checks a source's copies pass before partners get
    them (syndicator.quality_gate); a copy that fails one is held."""

    enabled: bool = True
    """Check the source's copies; false turns the gate off for the source."""
    require_title: bool = True
    """Hold a copy that has no title (check ``no_title``)."""
    min_words: Annotated[int, within(0, 100_000)] = 0
    """Hold a copy whose body has fewer words (check ``short``). 0: only the source's
    ``min_words`` applies, which drops a shorter page rather than holding it."""
    min_description_ratio: Annotated[float, within(0, 10)] = 1.0
    """Hold a copy whose body has fewer words than this times the page's own description
    of it, when that description has 20 words or more (check ``thin``); 0 turns it off."""
    max_link_share: Annotated[float, within(0, 1)] = 0.5
    """Hold a copy when more than this share of its body is link text (check ``links``):
    a list of links taken for a story."""
    max_boilerplate_share: Annotated[float, within(0, 1)] = 0.5
    """Hold a copy when more than this share of the page's text was the source's learned
    standing lines (check ``boilerplate``)."""
    language: str | None = None
    """The source's language (``"en"``; only the primary subtag is compared): a page in
    another is held (check ``language``). Unset: that of 80% or more of the source's
    latest 50 articles, when at least 10 of them name one."""
    teasers_expected: Annotated[float, within(0, 1)] = 0.9
    """Hold a copy without related stories when at least this share of the source's
    latest 50 articles (at least 10) show some (check ``no_teasers``); 0 turns it off."""


class Source(_Strict):
    """``[[sources]]``: one site to crawl, and how."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
    """Required and unique: letters, digits and ``._-``, at most 64 characters. The
    source's key in the store and its name for ``--source``."""
    title: str | None = None
    """The name the attribution shows (``source.title`` in templates); unset: ``name``."""
    enabled: bool = True
    """``crawl`` without ``--source`` skips a disabled source; naming it with ``--source``
    still crawls it."""
    feeds: list[HttpUrl] = []
    """RSS, Atom, RDF or JSON Feed (1, 1.1) feeds listing the source's articles."""
    sitemaps: list[HttpUrl] = []
    """Sitemaps, sitemap indexes and Google News sitemaps (gzip too) listing the
    source's articles."""
    sections: list[HttpUrl] = []
    """Listing pages whose links to articles (on the same site, matching
    ``article_pattern``) are followed."""
    article_pattern: Regex | None = None
    """Regular expression searched in the absolute URL of each link on a section page:
    the links it matches are articles. Required with ``sections``."""
    section_depth: Annotated[int, within(1, 100)] = 1
    """Listing pages read per section, following ``rel="next"`` on the same site; 1 reads
    only the configured page."""
    sitemap_depth: Annotated[int, within(1, 10)] = 3
    """How deep nested sitemap indexes are followed: 1 reads only the configured sitemaps,
    2 also what they list, 3 (the default) one level of index inside an index as well.
    What lies deeper gets a ``drops`` row ``over_limit``."""
    follow_teasers: bool = False
    """Also crawl the related stories an article shows that are on the same site."""
    min_words: Annotated[int, within(1, 100_000)] = 15
    """Bodies with fewer words, counted in every script, are dropped as ``too_short``.
    The default keeps a brief of 20 words, which is news; shorter bodies are a page's
    leftovers."""
    max_articles_per_run: Annotated[int, within(1, 1_000_000)] = 5000
    """Article pages fetched from this source in one run at most (in a cluster, by all
    workers together); the rest are counted as ``postponed`` and wait for the next run."""
    max_sitemaps_per_run: Annotated[int, within(1, 10_000)] = 100
    """Sitemaps fetched from this source in one run at most, the configured ones included
    (those never fetched or changed since first, newest first), and how many of those
    found through indexes are remembered for runs in which the index has not changed."""
    allow_networks: list[IPNetwork] = []
    """Non-public networks (CIDR) this source's pages, robots.txt and images may be
    fetched from, such as ``127.0.0.0/8``; empty: public addresses only."""
    teasers: TeaserSelectors = TeaserSelectors()
    """``[sources.teasers]``: the source's own related-story selectors."""
    boilerplate: BoilerplateLearning = BoilerplateLearning()
    """``[sources.boilerplate]``: learning the lines the source repeats."""
    gate: QualityGate = QualityGate()
    """``[sources.gate]``: the quality gate's checks and thresholds for the source's copies."""
    crawl: Politeness = Politeness()
    """``[sources.crawl]``: politeness overrides for this source, keys as in ``[crawl]``."""
    licence: Licence | None = None
    """``[sources.licence]``: the licence the attribution names; unset: none is named."""
    republish: Literal["full", "excerpt", "none"] = "full"
    """What partners get: ``full``, the whole article; ``excerpt``, its first
    ``excerpt_words`` words and a link to the original; ``none``, nothing (the source
    is crawled and stored only)."""
    excerpt_words: Annotated[int, within(10, 1000)] = 60
    """Words of the body an ``excerpt`` copy carries."""
    embargo_hours: Annotated[float, within(0, 87_600, "hours")] = 0
    """Nothing of an article goes to a partner before its publication time (else when
    it was first seen) plus this many hours; 0: no embargo."""
    expire_days: Annotated[float, within(0, 36_500, "days")] = 0
    """Copies are withdrawn from each partner this many days after their first delivery
    there, and not sent again; 0: they never expire."""
    paywall: str | None = None
    """A selector (CSS, or XPath when it starts with ``/`` or ``(``) that matches only on
    the source's paywalled pages, besides schema.org's ``isAccessibleForFree``."""
    paywalled: Literal["hold", "allow"] = "hold"
    """A paywalled article is held by the quality gate (``paywalled``) unless this is
    ``allow`` (the publisher has the right to republish it)."""

    @model_validator(mode="after")
    def _paywall_compiles(self) -> Source:
        from syndicator.teasers import check_selector

        if self.paywall:
            check_selector(self.paywall)
        return self

    @model_validator(mode="after")
    def _needs_somewhere_to_start(self) -> Source:
        if not (self.feeds or self.sitemaps or self.sections):
            raise ValueError("a source needs at least one of feeds, sitemaps or sections")
        if self.sections and not self.article_pattern:
            raise ValueError("sections need an article_pattern to tell articles from other links")
        if len(self.sitemaps) > self.max_sitemaps_per_run:
            raise ValueError(
                f"sitemaps lists {len(self.sitemaps)} sitemaps, more than max_sitemaps_per_run "
                f"({self.max_sitemaps_per_run}) allows in one run; raise it or list fewer"
            )
        return self

    def politeness(self, defaults: Politeness) -> Politeness:
        merged = DEFAULT_POLITENESS.model_dump()
        for layer in (defaults, self.crawl):
            merged.update(layer.model_dump(exclude_none=True))
        return Politeness(**merged)

    @property
    def display_name(self) -> str:
        return self.title or self.name


class Publisher(_Strict):
    """``[publisher]``: who republishes, where the store is, and the templates
    (syndicator.templates) that dress each copy."""

    name: str
    """Required: who republishes. Templates show it (``publisher.name``), and an Atom
    partner's feed names it as its author."""
    contact_url: HttpUrl
    """Required: sent in every request's User-Agent, ``syndicator/VERSION (+CONTACT_URL)``,
    to sources and partners alike."""
    sites: list[str] = []
    """The sites the publisher runs, for a disclaimer that names them
    (``publisher.sites`` in templates; the bundled ones do not use it)."""
    store: Path = Path("syndicator.db")
    """The SQLite store; a relative path starts at the config file's folder."""
    nofollow_links: bool = True
    """Every link in the republished HTML gets ``rel="nofollow noopener"``."""
    teaser_words: Annotated[int, within(1, 200)] = 30
    """Words of a related story the default teaser template shows before "[…]"
    (``publisher.teaser_words`` in templates)."""
    disclaimer_template: str | None = None
    """Jinja2 text of the publisher's disclaimer; unset or empty: the
    bundled ``disclaimer.html.j2``."""
    attribution_template: str | None = None
    """Jinja2 text of the credit line (source, author, date, link to the original);
    unset or empty: the bundled ``attribution.html.j2``."""
    teaser_template: str | None = None
    """Jinja2 text of the related-stories block, which also sees ``teasers``; unset or
    empty: the bundled ``teasers.html.j2``."""
    republish_template: str | None = None
    """Jinja2 text of the page layout, placing the rendered ``{{ body }}``,
    ``{{ attribution }}``, ``{{ disclaimer }}`` and ``{{ teasers }}``; unset or empty:
    the bundled ``republish.html.j2``."""


EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
PartnerName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
# keys that would hold a secret: refused with a pointer to the *_env key instead
SECRET_KEYS = {
    "password": "password_env",
    "app_password": "password_env",
    "application_password": "password_env",
    "secret": "secret_env",
    "token": "secret_env",
    "api_key": "secret_env",
}


class _Partner(_Strict):
    """The keys every ``[[partners]]`` table has, whatever its ``kind``."""

    name: PartnerName
    """Required and unique: letters, digits and ``._-``, at most 64 characters. The
    partner's name in the store and for ``--partner``."""
    enabled: bool = True
    """``publish`` without ``--partner`` skips a disabled partner."""
    sources: list[str] = []
    """Names of the sources whose articles the partner receives; empty: all of them."""
    since: IsoDate | None = None
    """Only articles first stored on or after this date; unset: every article."""
    concurrency: Annotated[int, within(1, 32)] = 4
    """Requests in flight to this partner at a time, also its connection pool's size."""
    timeout: Annotated[float, within(1, 600, "seconds")] = 30.0
    """Seconds per request to this partner; connecting may take at most 10 of them."""
    max_attempts: Annotated[int, within(1, 100)] = 12
    """Attempts before a delivery is marked ``failed``; the default is about a day of
    backoff (from one minute, doubling up to six hours)."""
    allow_networks: list[IPNetwork] = []
    """Non-public networks (CIDR) the partner may be at, such as loopback for the demo
    and tests; networks, not addresses: ``127.0.0.0/8``, not ``127.0.0.1/8``."""

    @model_validator(mode="before")
    @classmethod
    def _no_literal_secrets(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, env_key in SECRET_KEYS.items():
                if key in data:
                    raise ValueError(
                        f"{key}: secrets do not belong in the config file; name an environment "
                        f'variable instead, e.g. {env_key} = "PARTNER_{key.upper()}", and export it'
                    )
        return data


class WordPressPartner(_Partner):
    """``[[partners]]`` with ``kind = "wordpress"``: posts through the WordPress REST API,
    logged in with an application password."""

    kind: Literal["wordpress"]
    """``"wordpress"``: this adapter."""
    url: HttpUrl
    """Required: the site's root, e.g. ``https://partner.example``."""
    username: str
    """Required: the WordPress user, in a role that can publish (author, editor,
    administrator)."""
    password_env: EnvName
    """Required: the environment variable holding the user's application password."""
    status: Literal["publish", "draft", "pending", "private"] = "publish"
    """The posts' status: ``publish``, ``draft``, ``pending`` or ``private``."""
    author: Annotated[int, within(1, 2**63 - 1)] | None = None
    """The WordPress user id the posts are by; unset: the user logged in."""
    categories: list[str] = []
    """Category names every post gets."""
    tags: Literal["tags", "categories", "none"] = "tags"
    """Where the article's tags go: the post's ``tags``, its ``categories``, or ``none``."""
    term_map: dict[str, str] = {}
    """Renames the article's tags on the way, e.g. ``{ "City Council" = "Local politics" }``;
    a tag mapped to ``""`` is dropped."""
    create_terms: bool = True
    """Create the tags and categories the site lacks; false leaves them out of the post."""
    featured_image: bool = True
    """Upload the article's main image (``og:image``) and make it the post's featured
    image; an image that cannot be used is left out, never the post."""
    post_date: Literal["original", "delivery"] = "original"
    """The post's date: ``original``, the article's publication date (never later than
    now), or ``delivery``, the time it is posted."""
    on_withdraw: Literal["draft", "trash"] = "draft"
    """What a withdrawal does to the post: ``draft`` unpublishes it, ``trash`` moves it
    to the trash (WordPress empties it after 30 days). A restore publishes it again."""


class WebhookPartner(_Partner):
    """``[[partners]]`` with ``kind = "webhook"``: one signed ``POST`` per delivery
    (Standard Webhooks)."""

    kind: Literal["webhook"]
    """``"webhook"``: this adapter."""
    url: HttpUrl
    """Required: where deliveries are posted; a redirect is not followed, and fails the
    delivery."""
    secret_env: EnvName
    """Required: the environment variable holding the ``whsec_…`` signing secret."""


class AtomPartner(_Partner):
    """``[[partners]]`` with ``kind = "atom"``: a feed file of the newest articles that
    the partner fetches. Writing it makes no request, so ``concurrency``, ``timeout``
    and ``allow_networks`` do not apply."""

    kind: Literal["atom"]
    """``"atom"``: this adapter."""
    path: Path
    """Required: the feed file, replaced whole on each publish; a relative path starts
    at the config file's folder."""
    entries: Annotated[int, within(1, 1000)] = 50
    """How many of the newest articles the feed holds."""
    title: str | None = None
    """The feed's title; unset: ``PUBLISHER NAME: articles for PARTNER NAME``."""
    feed_url: HttpUrl | None = None
    """The URL partners fetch the feed from, written as its ``rel="self"`` link; unset:
    the feed has no such link."""


Partner = Annotated[WordPressPartner | WebhookPartner | AtomPartner, Field(discriminator="kind")]


class Recheck(_Strict):
    """One entry of ``[dedup] recheck``, ``{ max_age_days = D, every_hours = H }``: an
    article younger than D days is fetched again (a conditional GET) once its last
    fetch is older than H hours. Of the entries an article is younger than, the one
    with the fewest days counts, whatever the list's order."""

    max_age_days: Annotated[float, within(0, 3650, "days", above=True)]
    """Required: the entry is for articles younger than this many days, counted from
    their publication date (else from when they were first seen)."""
    every_hours: Annotated[float, within(0, 8760, "hours")]
    """Required: such an article is fetched again once its last fetch is older than this
    many hours; 0 fetches it again on every run."""


class Dedup(_Strict):
    """``[dedup]``: near-duplicate detection and when to look at stored articles again."""

    threshold: Annotated[float, within(0, 1, above=True)] = 0.4
    """Jaccard similarity of two bodies' word 5-shingles at which they are the same
    story; lower catches more heavily edited copies."""
    containment: Annotated[float, within(0, 1, above=True)] = 0.8
    """Share of the shorter body found in the longer at which the shorter is a cut-down
    copy of the same story; lower links shorter excerpts."""
    prefer: list[str] = []
    """Source names, best first: of two full copies of a story, the canonical one comes
    from the better-ranked source (then the earliest published)."""
    recheck: list[Recheck] = [
        Recheck(max_age_days=1, every_hours=1),
        Recheck(max_age_days=7, every_hours=6),
        Recheck(max_age_days=30, every_hours=24),
    ]
    """How often stored articles are fetched again, by age; an article older than every
    entry is not rechecked. The default: every hour in an article's first day, every six
    hours to a week, daily to 30 days."""
    withdraw_after_hours: Annotated[float, within(0, 8760, "hours")] = 24.0
    """A recheck answering 404 withdraws the article from every partner once the 404
    has lasted this long over two rechecks or more (410 Gone withdraws at once; a 5xx or
    a timeout never does). 0: at the second 404."""


class Extraction(_Strict):
    """``[extraction]``: what one page's extraction may cost. A page over
    either budget is dropped with the reason, and the other pages go on."""

    timeout: Annotated[float, within(0, 600, "seconds", above=True)] = 20.0
    """Seconds (wall clock) one page's extraction may take."""
    max_memory_mb: Annotated[int, within(256, 65536, "MB")] = 1024
    """Megabytes an extraction process may add for one page, over what it holds after
    start-up."""


class Cluster(_Strict):
    """``[cluster]``: crawl on several machines through one Redis (scrapy-redis).
    Without this table everything runs in one process."""

    redis_url: RedisUrl | None = None
    """``redis://host:port/db`` (``rediss://`` for TLS, ``unix:///path``), without
    credentials; exactly one of this and ``redis_url_env`` is required."""
    redis_url_env: EnvName | None = None
    """Instead of ``redis_url``: the environment variable holding the whole URL, which
    may carry a password."""
    password_env: EnvName | None = None
    """The environment variable holding the Redis password (``requirepass`` or ACL);
    unset: none is sent."""
    key_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]+$", max_length=64)] = "syndicator"
    """Every Redis key starts with ``PREFIX:``; one prefix per publisher sharing a Redis."""
    fingerprint_ttl_hours: Annotated[float, within(0, 8760, "hours", above=True)] = 168.0
    """Hours a listed article is remembered as seen. A page still listed after that with
    no newer date is fetched once more; longer means fewer refetches, more memory."""
    worker_concurrency: Annotated[int, within(1, 512)] = 16
    """Requests in flight per worker, all sites together."""
    extract_processes: Annotated[int, within(0, 64)] = 0
    """Extraction processes per worker; 0: one per core."""
    worker_timeout: Annotated[float, within(1, 3600, "seconds")] = 30.0
    """Seconds without a heartbeat after which a worker's in-flight requests go back in
    the queue for the others."""
    wait_timeout: Annotated[float, within(0, 7 * 86400, "seconds", above=True)] = 3600.0
    """Seconds ``crawl`` and ``run`` wait for the cluster to drain before giving up."""

    @model_validator(mode="before")
    @classmethod
    def _no_literal_secrets(cls, data: Any) -> Any:
        return _Partner._no_literal_secrets(data)

    @model_validator(mode="after")
    def _one_url(self) -> Cluster:
        if (self.redis_url is None) == (self.redis_url_env is None):
            raise ValueError("give exactly one of redis_url and redis_url_env")
        return self


class Config(_Strict):
    """The whole file: ``[publisher]``, ``[crawl]``, ``[dedup]``, ``[extraction]``,
    ``[cluster]``, ``[[sources]]`` and ``[[partners]]``."""

    publisher: Publisher
    """``[publisher]``, required: who republishes, the store and the templates."""
    crawl: Politeness = Politeness()
    """``[crawl]``: politeness defaults for every source; a source's ``[sources.crawl]``
    overrides any of them."""
    dedup: Dedup = Dedup()
    """``[dedup]``: when two articles are one story, and when stored ones are fetched
    again."""
    extraction: Extraction = Extraction()
    """``[extraction]``: what one page's extraction may cost."""
    cluster: Cluster | None = None
    """``[cluster]``: crawl on several machines through one Redis; without the table
    everything runs in one process."""
    sources: list[Source] = []
    """``[[sources]]``: the sites to crawl, each named uniquely."""
    partners: list[Partner] = []
    """``[[partners]]``: where articles go, each named uniquely, of a ``kind``."""
    path: Path = Path(DEFAULT_CONFIG)
    """The file the configuration was read from, set by :func:`load_config` and not a
    key of the file; relative paths in it start at its folder."""

    @model_validator(mode="after")
    def _partners_name_known_sources(self) -> Config:
        known = {source.name for source in self.sources}
        for name in self.dedup.prefer:
            if name not in known:
                raise ValueError(f"dedup.prefer names unknown source {name!r}")
        names: set[str] = set()
        for partner in self.partners:
            if partner.name in names:
                raise ValueError(f"two partners are named {partner.name!r}")
            names.add(partner.name)
            for source in partner.sources:
                if source not in known:
                    raise ValueError(f"partner {partner.name!r} names unknown source {source!r}")
        return self

    def partner(self, name: str) -> WordPressPartner | WebhookPartner | AtomPartner:
        for partner in self.partners:
            if partner.name == name:
                return partner
        known = ", ".join(p.name for p in self.partners) or "none"
        raise UnknownName(f"{self.path}: no partner named {name!r} (known: {known})")

    def resolve(self, path: Path) -> Path:
        """A path from the config, relative ones taken from the config file's folder."""
        return path if path.is_absolute() else self.path.parent / path

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[Source]) -> list[Source]:
        seen: set[str] = set()
        for source in sources:
            if source.name in seen:
                raise ValueError(f"two sources are named {source.name!r}")
            seen.add(source.name)
        return sources

    @property
    def store_path(self) -> Path:
        return self.resolve(self.publisher.store)

    def source(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise UnknownName(f"{self.path}: no source named {name!r} (known: {known})")

    def enabled_sources(self, names: list[str] | tuple[str, ...] = ()) -> list[Source]:
        if names:
            return [self.source(name) for name in names]
        return [source for source in self.sources if source.enabled]


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to use: explicit path, then $SYNDICATOR_CONFIG, then the default."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the config file, or raise :class:`ConfigError`."""
    file = config_path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{file}: config file not found (write one with `syndicator init`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    if "path" in raw:
        raise ConfigError(f"{file}: path: unknown key")
    try:
        config = Config(**raw, path=file)
    except ValidationError as exc:
        raise ConfigError(f"{file}: {_describe(exc, raw)}") from None
    from syndicator.templates import TemplateProblem, check_templates

    try:
        check_templates(config.publisher)
    except TemplateProblem as exc:
        raise ConfigError(f"{file}: {exc}") from None
    return config


def _describe(exc: ValidationError, raw: dict[str, Any]) -> str:
    errors = exc.errors()
    first = errors[0]
    key = _key_path(first["loc"], raw)
    problem = {
        "extra_forbidden": "unknown key",
        "missing": "required key is missing",
    }.get(first["type"], first["msg"].removeprefix("Value error, "))
    if first["type"] not in ("extra_forbidden", "missing") and "input" in first:
        value = first["input"]
        secret = "must not carry" in problem  # never echo a value that holds a secret
        # a message quoting the text it got needs no "(got ...)"; a number is always added
        said = isinstance(value, str) and repr(value) in problem
        if isinstance(value, str | int | float | bool) and not said and not secret:
            problem += f" (got {value!r})"
    more = (
        f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})" if len(errors) > 1 else ""
    )
    return f"{key}: {problem}{more}" if key else f"{problem}{more}"


def _key_path(loc: tuple[int | str, ...], raw: dict[str, Any]) -> str:
    """``('sources', 0, 'feeds', 1)`` -> ``sources[0] (name).feeds[1]``."""
    out = ""
    node: Any = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                out += f" ({node['name']})"
        elif isinstance(node, dict) and node.get("kind") == part and part not in node:
            continue  # the tag of a discriminated union (partners' kind) is not a key
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out
