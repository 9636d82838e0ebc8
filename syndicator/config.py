"""The configuration file: one TOML file, validated with pydantic.

Every problem is reported as one line naming the file, the key and what is
wrong (:class:`ConfigError`), because the usual reader is a cron mail.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from syndicator.errors import ConfigError

DEFAULT_CONFIG = Path("data") / "syndicator.toml"
CONFIG_ENV = "SYNDICATOR_CONFIG"


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    if parts.username or parts.password:
        # the message must not repeat the URL: it holds a secret
        raise ValueError(
            "a URL must not carry a user name or password; partners take secrets from "
            "environment variables (password_env, secret_env)"
        )
    return value


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None
    return value


def _iso_date(value: str) -> str:
    from syndicator.dates import to_utc_iso

    parsed = to_utc_iso(value)
    if parsed is None:
        raise ValueError(f"not a date: {value!r}")
    return parsed


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Regex = Annotated[str, AfterValidator(_regex)]
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Politeness(_Strict):
    """How hard a site may be crawled. ``[crawl]`` sets the defaults, a
    source's ``[sources.crawl]`` overrides any of them for that source."""

    obey_robots: bool | None = None
    delay: Annotated[float, Field(ge=0)] | None = None
    concurrency_per_domain: Annotated[int, Field(ge=1, le=64)] | None = None
    autothrottle: bool | None = None
    timeout: Annotated[float, Field(gt=0)] | None = None
    retries: Annotated[int, Field(ge=0, le=10)] | None = None
    max_response_bytes: Annotated[int, Field(ge=1024)] | None = None


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

    @model_validator(mode="after")
    def _selectors_compile(self) -> TeaserSelectors:
        from syndicator.teasers import check_selector

        for selector in [*self.block, self.item, self.link, self.title, self.excerpt, self.image]:
            if selector:
                check_selector(selector)
        return self


class Source(_Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
    title: str | None = None
    enabled: bool = True
    feeds: list[HttpUrl] = []
    sitemaps: list[HttpUrl] = []
    sections: list[HttpUrl] = []
    article_pattern: Regex | None = None
    section_depth: Annotated[int, Field(ge=1, le=100)] = 1
    follow_teasers: bool = False
    min_words: Annotated[int, Field(ge=1)] = 80
    max_articles_per_run: Annotated[int, Field(ge=1)] = 5000
    allow_networks: list[IPNetwork] = []
    teasers: TeaserSelectors = TeaserSelectors()
    crawl: Politeness = Politeness()

    @model_validator(mode="after")
    def _needs_somewhere_to_start(self) -> Source:
        if not (self.feeds or self.sitemaps or self.sections):
            raise ValueError("a source needs at least one of feeds, sitemaps or sections")
        if self.sections and not self.article_pattern:
            raise ValueError("sections need an article_pattern to tell articles from other links")
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
    teaser_words: Annotated[int, Field(ge=1, le=200)] = 30
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
    since: Annotated[str, AfterValidator(_iso_date)] | None = None
    concurrency: Annotated[int, Field(ge=1, le=32)] = 4
    timeout: Annotated[float, Field(gt=0)] = 30.0
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 12
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
    author: Annotated[int, Field(ge=1)] | None = None
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
    entries: Annotated[int, Field(ge=1, le=1000)] = 50
    title: str | None = None
    feed_url: HttpUrl | None = None


Partner = Annotated[WordPressPartner | WebhookPartner | AtomPartner, Field(discriminator="kind")]


class Recheck(_Strict):
    max_age_days: Annotated[float, Field(gt=0)]
    every_hours: Annotated[float, Field(gt=0)]


class Dedup(_Strict):
    """Near-duplicate detection and when to look at stored articles again."""

    threshold: Annotated[float, Field(gt=0, le=1)] = 0.4
    containment: Annotated[float, Field(gt=0, le=1)] = 0.8
    prefer: list[str] = []
    recheck: list[Recheck] = [
        Recheck(max_age_days=1, every_hours=1),
        Recheck(max_age_days=7, every_hours=6),
        Recheck(max_age_days=30, every_hours=24),
    ]


def _redis_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ValueError(f"not a redis://, rediss:// or unix:// URL: {value!r}")
    if parts.username or parts.password:
        # the message must not repeat the URL: it holds a secret
        raise ValueError(
            "a URL must not carry a user name or password; name the variable that holds "
            "the password in password_env, or the whole URL in redis_url_env"
        )
    return value


class Cluster(_Strict):
    """``[cluster]``: crawl on several machines through one Redis (scrapy-redis).
    Without this table everything runs in one process."""

    redis_url: Annotated[str, AfterValidator(_redis_url)] | None = None
    redis_url_env: EnvName | None = None  # a variable holding the whole URL (with password)
    password_env: EnvName | None = None
    key_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]+$", max_length=64)] = "syndicator"
    fingerprint_ttl_hours: Annotated[float, Field(gt=0)] = 168.0
    worker_concurrency: Annotated[int, Field(ge=1, le=512)] = 16
    extract_processes: Annotated[int, Field(ge=0, le=64)] = 0  # 0: one per core
    worker_timeout: Annotated[float, Field(ge=1)] = 30.0
    wait_timeout: Annotated[float, Field(gt=0)] = 3600.0

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
        raise ConfigError(f"{self.path}: no partner named {name!r}")

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
        raise ConfigError(f"{self.path}: no source named {name!r}")

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
        if (
            isinstance(value, str | int | float | bool)
            and repr(value) not in problem
            and not secret
        ):
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
