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
    # TOML has inf and nan; no number in this file means either
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


MAX_DELAY = 300  # seconds: a longer pause between two requests to a site is a mistake


class Politeness(_Strict):
    """How hard a site may be crawled. ``[crawl]`` sets the defaults, a
    source's ``[sources.crawl]`` overrides any of them for that source."""

    obey_robots: bool | None = None
    delay: Annotated[float, within(0, MAX_DELAY, "seconds")] | None = None
    concurrency_per_domain: Annotated[int, within(1, 64)] | None = None
    autothrottle: bool | None = None
    timeout: Annotated[float, within(1, 600, "seconds")] | None = None
    retries: Annotated[int, within(0, 10)] | None = None
    max_response_bytes: Annotated[int, within(1024, 1 << 30, "bytes")] | None = None


DEFAULT_POLITENESS = Politeness(
    obey_robots=True,
    delay=0.5,
    concurrency_per_domain=2,
    autothrottle=True,
    timeout=30.0,
    retries=2,
    max_response_bytes=10 * 1024 * 1024,
)


class TeaserSelectors(_Strict):
    """Where a source's related-story blocks are. Each selector is CSS, or
    XPath when it starts with ``/`` or ``(``."""

    block: list[str] = []
    item: str | None = None
    link: str | None = None
    title: str | None = None
    excerpt: str | None = None
    image: str | None = None
    use_defaults: bool = True
    # use the places of related-story blocks learned from the source's other
    # pages (syndicator.teaser_places); false leaves each page to itself
    learn: bool = True

    @model_validator(mode="after")
    def _selectors_compile(self) -> TeaserSelectors:
        from syndicator.teasers import check_selector

        for selector in [*self.block, self.item, self.link, self.title, self.excerpt, self.image]:
            if selector:
                check_selector(selector)
        return self


class BoilerplateLearning(_Strict):
    """What a source's repeated lines teach (syndicator.boilerplate)."""

    # learn the lines the source repeats across its articles and cut them
    learn: bool = True
    # articles of a site a line must be in before it is learned
    min_pages: Annotated[int, within(2, 10_000)] = 3


class QualityGate(_Strict):
    """The checks a source's copies pass before partners get them
    (syndicator.quality_gate); a copy that fails one is held."""

    enabled: bool = True
    require_title: bool = True
    # 0: only the source's min_words (a drop, not a hold)
    min_words: Annotated[int, within(0, 100_000)] = 0
    # held when the body has fewer words than this times the page's description's
    min_description_ratio: Annotated[float, within(0, 10)] = 1.0
    max_link_share: Annotated[float, within(0, 1)] = 0.5
    max_boilerplate_share: Annotated[float, within(0, 1)] = 0.5
    # the source's language ("en"); unset: that of most of its latest articles
    language: str | None = None
    # held without teasers when at least this share of the source's latest
    # articles show some; 0 turns the check off
    teasers_expected: Annotated[float, within(0, 1)] = 0.9


class Source(_Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
    title: str | None = None
    enabled: bool = True
    feeds: list[HttpUrl] = []
    sitemaps: list[HttpUrl] = []
    sections: list[HttpUrl] = []
    article_pattern: Regex | None = None
    section_depth: Annotated[int, within(1, 100)] = 1
    # nested sitemap indexes: 1 reads only the configured sitemaps, 2 also what
    # they list, 3 (the default) one level of index inside an index as well
    sitemap_depth: Annotated[int, within(1, 10)] = 3
    follow_teasers: bool = False
    # a brief of 20 words is news; shorter bodies are a page's leftovers
    min_words: Annotated[int, within(1, 100_000)] = 15
    max_articles_per_run: Annotated[int, within(1, 1_000_000)] = 5000
    # sitemaps listed in indexes fetched per run (newest first), and how many of
    # them are remembered for runs in which the index has not changed
    max_sitemaps_per_run: Annotated[int, within(1, 10_000)] = 100
    allow_networks: list[IPNetwork] = []
    teasers: TeaserSelectors = TeaserSelectors()
    boilerplate: BoilerplateLearning = BoilerplateLearning()
    gate: QualityGate = QualityGate()
    crawl: Politeness = Politeness()

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
    name: str
    contact_url: HttpUrl
    sites: list[str] = []
    store: Path = Path("syndicator.db")
    nofollow_links: bool = True
    teaser_words: Annotated[int, within(1, 200)] = 30
    disclaimer_template: str | None = None
    attribution_template: str | None = None
    teaser_template: str | None = None
    republish_template: str | None = None


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
    name: PartnerName
    enabled: bool = True
    sources: list[str] = []
    since: IsoDate | None = None
    concurrency: Annotated[int, within(1, 32)] = 4
    timeout: Annotated[float, within(1, 600, "seconds")] = 30.0
    max_attempts: Annotated[int, within(1, 100)] = 12
    allow_networks: list[IPNetwork] = []

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
    kind: Literal["wordpress"]
    url: HttpUrl
    username: str
    password_env: EnvName
    status: Literal["publish", "draft", "pending", "private"] = "publish"
    author: Annotated[int, within(1, 2**63 - 1)] | None = None
    categories: list[str] = []
    tags: Literal["tags", "categories", "none"] = "tags"
    term_map: dict[str, str] = {}
    create_terms: bool = True
    featured_image: bool = True
    post_date: Literal["original", "delivery"] = "original"


class WebhookPartner(_Partner):
    kind: Literal["webhook"]
    url: HttpUrl
    secret_env: EnvName


class AtomPartner(_Partner):
    kind: Literal["atom"]
    path: Path
    entries: Annotated[int, within(1, 1000)] = 50
    title: str | None = None
    feed_url: HttpUrl | None = None


Partner = Annotated[WordPressPartner | WebhookPartner | AtomPartner, Field(discriminator="kind")]


class Recheck(_Strict):
    max_age_days: Annotated[float, within(0, 3650, "days", above=True)]
    every_hours: Annotated[float, within(0, 8760, "hours", above=True)]


class Dedup(_Strict):
    """Near-duplicate detection and when to look at stored articles again."""

    threshold: Annotated[float, within(0, 1, above=True)] = 0.4
    containment: Annotated[float, within(0, 1, above=True)] = 0.8
    prefer: list[str] = []
    recheck: list[Recheck] = [
        Recheck(max_age_days=1, every_hours=1),
        Recheck(max_age_days=7, every_hours=6),
        Recheck(max_age_days=30, every_hours=24),
    ]


class Extraction(_Strict):
    """``[extraction]``: what one page's extraction may cost. A page over
    either budget is dropped with the reason, and the other pages go on."""

    timeout: Annotated[float, within(0, 600, "seconds", above=True)] = 20.0  # of one page
    max_memory_mb: Annotated[int, within(256, 65536, "MB")] = 1024  # per extraction process


class Cluster(_Strict):
    """``[cluster]``: crawl on several machines through one Redis (scrapy-redis).
    Without this table everything runs in one process."""

    redis_url: RedisUrl | None = None
    redis_url_env: EnvName | None = None  # a variable holding the whole URL (with password)
    password_env: EnvName | None = None
    key_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]+$", max_length=64)] = "syndicator"
    fingerprint_ttl_hours: Annotated[float, within(0, 8760, "hours", above=True)] = 168.0
    worker_concurrency: Annotated[int, within(1, 512)] = 16
    extract_processes: Annotated[int, within(0, 64)] = 0  # 0: one per core
    worker_timeout: Annotated[float, within(1, 3600, "seconds")] = 30.0
    wait_timeout: Annotated[float, within(0, 7 * 86400, "seconds", above=True)] = 3600.0

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
    publisher: Publisher
    crawl: Politeness = Politeness()
    dedup: Dedup = Dedup()
    extraction: Extraction = Extraction()
    cluster: Cluster | None = None
    sources: list[Source] = []
    partners: list[Partner] = []
    path: Path = Path(DEFAULT_CONFIG)

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
        check_templates(config)
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
