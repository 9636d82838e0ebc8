"""How often a delivery is tried (:mod:`syndicator.publish`): a few times within
the run when the failure looks brief, then later with exponential backoff and
jitter (or after the partner's ``Retry-After``; either at most six hours); and
a breaker that rests a partner for the run after a few transport failures in a
row."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from syndicator.partners import RETRY_AFTER_CAP, PartnerError
from syndicator.publish_report import PartnerReport

IN_RUN_TRIES = 3
IN_RUN_MAX_WAIT = 10.0  # seconds; a longer Retry-After is honoured in a later run
BACKOFF_BASE = 60.0
BACKOFF_CAP = RETRY_AFTER_CAP  # our longest wait, and the longest a partner can ask for
BREAKER_AFTER = 3  # consecutive transport failures after which a partner rests until next run


def backoff_until(attempts: int, retry_after: float | None) -> str:
    """When to try again: the partner's Retry-After, else exponential backoff with jitter."""
    if retry_after is not None:
        delay = min(retry_after, BACKOFF_CAP) if math.isfinite(retry_after) else BACKOFF_CAP
    else:
        delay = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
        delay *= random.uniform(0.75, 1.25)
    return (datetime.now(UTC) + timedelta(seconds=delay)).replace(microsecond=0).isoformat()


def transient(exc: BaseException) -> bool:
    return (
        isinstance(exc, PartnerError)
        and not exc.permanent
        and (exc.retry_after or 0) <= IN_RUN_MAX_WAIT
    )


def in_run_wait(state: Any) -> float:
    exc = state.outcome.exception()
    if isinstance(exc, PartnerError) and exc.retry_after is not None:
        return exc.retry_after
    return min(0.5 * 2 ** (state.attempt_number - 1), 4.0) * random.uniform(0.5, 1.5)


def resting(breaker: dict[str, int], report: PartnerReport) -> bool:
    """Whether the partner looks down, or said to stop: the rest waits for a later run."""
    if breaker["failures"] >= BREAKER_AFTER or breaker.get("stopped"):
        report.retrying += 0 if breaker.get("stopped") else 1
        return True
    return False


async def tries(attempt: Callable[[], Any]) -> Any:
    """``attempt()`` again while it fails in a way that may pass within the run."""
    async for retry in AsyncRetrying(
        stop=stop_after_attempt(IN_RUN_TRIES),
        wait=in_run_wait,
        retry=retry_if_exception(transient),
        reraise=True,
    ):
        with retry:
            return await attempt()
    raise AssertionError("unreachable: AsyncRetrying reraises")  # pragma: no cover
