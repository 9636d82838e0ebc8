"""What one value of the config file may be: an http(s) URL, a regular
expression, a date, an IP network, a Redis URL, a number within its range.

Each refusal is a ``ValueError`` whose message :mod:`syndicator.config` puts
after the key's name, so it reads as one line: ``crawl.delay: must be from 0
to 300 seconds (got inf)``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)


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


def _network(value: Any) -> Any:
    """``127.0.0.1/8`` names an address, not a network: say which network to write."""
    if isinstance(value, str):
        try:
            ipaddress.ip_network(value)
        except ValueError as exc:
            if "host bits set" not in str(exc):
                raise ValueError(f"not an IP network: {value!r}") from None
            network = ipaddress.ip_network(value, strict=False)
            raise ValueError(
                f"{value!r} has host bits set; write the network, {str(network)!r}"
            ) from None
    return value


def within(low: float, high: float, unit: str = "", *, above: bool = False) -> WrapValidator:
    """A number from ``low`` to ``high`` (more than ``low`` when ``above``), never
    inf or nan; anything else is refused with one message naming the whole range."""
    first = f"more than {low:,}" if above else f"from {low:,}"
    wanted = f"{first} {'and at most' if above else 'to'} {high:,}{f' {unit}' * bool(unit)}"

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            number = handler(value)  # the type's own parsing: int or (finite) float
        except ValidationError as exc:
            kind = exc.errors()[0]["type"]
            if kind == "int_from_float":
                raise ValueError(f"must be a whole number {wanted}") from None
            if kind == "finite_number":
                raise ValueError(f"must be {wanted}") from None
            raise
        if not (low < number if above else low <= number) or not number <= high:
            raise ValueError(f"must be {wanted}")
        return number

    return WrapValidator(check)


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


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Regex = Annotated[str, AfterValidator(_regex)]
IsoDate = Annotated[str, AfterValidator(_iso_date)]
RedisUrl = Annotated[str, AfterValidator(_redis_url)]
IPNetwork = Annotated[ipaddress.IPv4Network | ipaddress.IPv6Network, BeforeValidator(_network)]
