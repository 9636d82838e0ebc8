"""Republish adapters: one module per kind of partner site.

An adapter turns one stored article into what its partner expects and sends
it, raising :class:`PartnerError` with a one-line reason when that fails.
How often to retry, and what the store records, is the publisher's job.

An adapter has ``open()``, ``deliver(article, remember_media)`` and
``remote_key(article)``, the idempotency key the publisher stores before a
delivery's first request. The key is kept for the article's life (WordPress:
the post's slug) unless the adapter also has ``keeps_key(article, key)``,
saying whether a stored key still names the delivery at hand (webhooks: a
message id per delivery).
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import httpx

# 4xx answers worth another try; every other 4xx is the partner saying "no" for good
RETRYABLE_4XX = (408, 409, 425, 429)
# the longest a partner's Retry-After makes us wait (as long as our own backoff's longest)
RETRY_AFTER_CAP = 6 * 3600.0
# delay-seconds as RFC 9110 writes it, and with a fraction as some servers send it
_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")


class PartnerError(Exception):
    """A delivery failed; ``str()`` is one readable line.

    ``permanent``: retrying the same request cannot help. ``disable``: the
    partner said to stop (webhook 410). ``retry_after``: seconds the partner
    asked us to wait. ``credentials``: the partner refused our login or role:
    no article's fault, so its deliveries wait, unharmed, for credentials that
    work.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        disable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
        credentials: bool = False,
    ) -> None:
        super().__init__(message)
        self.credentials = credentials
        self.permanent = (permanent or disable) and not credentials
        self.disable = disable
        self.retry_after = retry_after
        self.status = status
        self.payload: Any = None  # the partner's error body, when it sent one


class PartnerConflict(Exception):
    """The partner's copy was edited there since our last write: an update would
    overwrite the edit, so it is not sent; ``str()`` says what changed."""


@dataclass
class Delivered:
    remote_id: str | None
    remote_url: str | None
    media_id: str | None = None
    # the copy as our write left it, to tell a later edit on the partner's side
    modified: str | None = None
    fingerprint: str | None = None


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now, at most :data:`RETRY_AFTER_CAP`: a
    number of seconds, or an HTTP date (a past one is 0). ``None`` for anything
    else (a negative or malformed number, a broken date): the partner's wish
    is unreadable, so our own backoff decides."""
    value = (value or "").strip()
    if not value:
        return None
    if _SECONDS.fullmatch(value):
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000": UTC, from a source that does not know better
            when = when.replace(tzinfo=UTC)
        seconds = max(0.0, when.timestamp() - time.time())
    if not math.isfinite(seconds):  # 400 digits make a float, an infinite one
        return RETRY_AFTER_CAP
    return min(seconds, RETRY_AFTER_CAP)


def error_for_status(response: httpx.Response, what: str, detail: str = "") -> PartnerError:
    """The failure an answer other than 2xx means. A redirect is one too: we
    do not follow it (the partner's address is the one the operator allowed),
    so nothing was delivered, and retrying the same address cannot help."""
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("Location") or "nowhere (no Location header)"
        return PartnerError(
            f"{what}: HTTP {status} redirect to {' '.join(location.split())[:300]}; not "
            "followed, so nothing was delivered (set the partner's url to the new "
            "address if it moved)",
            permanent=True,
            status=status,
        )
    message = f"{what}: HTTP {status}" + (f" {detail}" if detail else "")
    transient = status >= 500 or status in RETRYABLE_4XX
    return PartnerError(
        message,
        permanent=not transient,
        retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        status=status,
        credentials=status == 401,  # our secret, not the article: it waits
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


def unexpected_error(exc: Exception, what: str) -> PartnerError:
    """Our own code failed on this delivery or partner (an answer it did not
    expect, a value it cannot write, a bug): one line, and another try later,
    as a fix or a changed answer may help."""
    detail = " ".join(str(exc).split())
    return PartnerError(f"{what}: failed unexpectedly ({type(exc).__name__}: {detail})")


def article_excerpt(article: dict[str, Any], words: int = 55) -> str:
    text = article.get("description") or article.get("body_text") or ""
    cut = text.split()
    return " ".join(cut[:words]) + (" …" if len(cut) > words else "")
