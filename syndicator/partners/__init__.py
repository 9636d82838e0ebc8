"""Republish adapters: one module per kind of partner site.

An adapter turns one stored article into what its partner expects and sends
it, raising :class:`PartnerError` with a one-line reason when that fails.
How often to retry, and what the store records, is the publisher's job.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Any

import httpx

# 4xx answers worth another try; every other 4xx is the partner saying "no" for good
RETRYABLE_4XX = (408, 409, 425, 429)


class PartnerError(Exception):
    """A delivery failed; ``str()`` is one readable line.

    ``permanent``: retrying the same request cannot help. ``disable``: the
    partner said to stop (webhook 410). ``retry_after``: seconds the partner
    asked us to wait.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        disable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent or disable
        self.disable = disable
        self.retry_after = retry_after
        self.status = status
        self.payload: Any = None  # the partner's error body, when it sent one


@dataclass
class Delivered:
    remote_id: str | None
    remote_url: str | None
    media_id: str | None = None


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_for_status(response: httpx.Response, what: str, detail: str = "") -> PartnerError:
    status = response.status_code
    message = f"{what}: HTTP {status}" + (f" {detail}" if detail else "")
    transient = status >= 500 or status in RETRYABLE_4XX
    return PartnerError(
        message,
        permanent=not transient,
        retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        status=status,
    )


def transport_error(exc: httpx.HTTPError, what: str) -> PartnerError:
    kind = {
        httpx.ConnectTimeout: "connection timed out",
        httpx.ReadTimeout: "no answer in time",
        httpx.WriteTimeout: "sending timed out",
        httpx.PoolTimeout: "no free connection in time",
        httpx.ConnectError: "cannot connect",
        httpx.RemoteProtocolError: "connection closed without an answer",
        httpx.ReadError: "connection lost while reading the answer",
    }.get(type(exc), type(exc).__name__)
    detail = " ".join(str(exc).split())
    return PartnerError(f"{what}: {kind}" + (f" ({detail})" if detail else ""))


def article_excerpt(article: dict[str, Any], words: int = 55) -> str:
    text = article.get("description") or article.get("body_text") or ""
    cut = text.split()
    return " ".join(cut[:words]) + (" …" if len(cut) > words else "")
