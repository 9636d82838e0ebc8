"""The Redis connection: its URL from the config, and patience when Redis is away.

Every command goes through :class:`PatientRedis`, so a worker, the ingest
process or the coordinator that loses Redis logs one clear line, waits and
retries, instead of crashing with a traceback half way through a crawl.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any
from urllib.parse import urlsplit

import redis
from redis.exceptions import BusyLoadingError, ConnectionError, TimeoutError
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_fixed

from syndicator.config import Cluster, ConfigError

logger = logging.getLogger("syndicator.cluster")
RETRY_SECONDS = 2
REMIND_SECONDS = 30.0  # a reminder this often while Redis stays away
UNAVAILABLE = (ConnectionError, TimeoutError, BusyLoadingError, OSError)


def redis_url(cluster: Cluster) -> tuple[str, str | None]:
    """The URL to connect to and the password, from the config and the environment."""
    url = cluster.redis_url
    if cluster.redis_url_env:
        url = os.environ.get(cluster.redis_url_env)
        if not url:
            raise ConfigError(
                f"cluster.redis_url_env: the variable {cluster.redis_url_env} is not set"
            )
    password = None
    if cluster.password_env:
        password = os.environ.get(cluster.password_env)
        if password is None:
            raise ConfigError(
                f"cluster.password_env: the variable {cluster.password_env} is not set"
            )
    assert url is not None  # the config requires one of the two
    return url, password


def public_url(url: str) -> str:
    """The URL without credentials, for log lines."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}"
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path or ''}"


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()).rstrip(".")
    for known in ("Connection refused", "Connection reset by peer", "Timeout", "loading"):
        if known.lower() in text.lower():
            return known.lower()
    return text or type(exc).__name__


class PatientRedis(redis.Redis):
    """A Redis client whose commands wait for Redis to come back.

    scrapy-redis builds its client from ``REDIS_PARAMS["redis_cls"]``, so its
    scheduler and queue get the same patience as syndicator's own calls.
    """

    def execute_command(self, *args: Any, **options: Any) -> Any:
        return self.patiently(super().execute_command, *args, **options)

    def patiently(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        retrying = Retrying(
            retry=retry_if_exception_type(UNAVAILABLE),
            wait=wait_fixed(RETRY_SECONDS),
            before_sleep=self._waiting,
            reraise=True,
        )
        result = retrying(call, *args, **kwargs)
        outage = _outages.pop(self.where, None)
        if outage is not None:
            _recoveries[0] += 1
            away = time.monotonic() - outage[0]
            logger.warning("redis back at %s after %.0f s", self.where, away)
        return result

    @property
    def where(self) -> str:
        kwargs = self.connection_pool.connection_kwargs
        if "path" in kwargs:
            return f"unix://{kwargs['path']}"
        return f"redis://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"

    def _waiting(self, state: RetryCallState) -> None:
        """One line when Redis goes away (whichever client notices first), a
        reminder every half minute while it stays away."""
        now = time.monotonic()
        outage = _outages.get(self.where)
        if outage is not None and now - outage[1] < REMIND_SECONDS:
            return
        exc = state.outcome.exception() if state.outcome else None
        still = "" if outage is None else f"still, after {now - outage[0]:.0f} s, "
        _outages[self.where] = [outage[0] if outage else now, now]
        logger.warning(
            "redis unavailable at %s (%s%s); retrying in %d s",
            self.where,
            still,
            _reason(exc) if exc else "no answer",
            RETRY_SECONDS,
        )


# Redis address -> [when it went away, when that was last logged]: one report per
# outage for all the clients of a process
_outages: dict[str, list[float]] = {}
_recoveries = [0]


def recoveries() -> int:
    """How many outages this process has seen end: a call that failed
    meanwhile may have taken effect in Redis without its answer arriving."""
    return _recoveries[0]


REDIS_PARAMS: dict[str, Any] = {
    "redis_cls": "syndicator.cluster.connection.PatientRedis",
    "socket_connect_timeout": 10,
    # blocking pops wait at most a few seconds, so a dead connection shows within this
    "socket_timeout": 30,
    "health_check_interval": 15,
}


def connect(cluster: Cluster) -> PatientRedis:
    url, password = redis_url(cluster)
    params = {k: v for k, v in REDIS_PARAMS.items() if k != "redis_cls"}
    if password is not None:
        params["password"] = password
    return PatientRedis.from_url(url, **params)
