"""Webhook partners: a signed JSON POST per delivery (Standard Webhooks).

The payload (version 1) is documented in docs/partners.md. ``webhook-id`` is
``<article id>-<revision>-<random>``, made at a delivery's first attempt and
kept in ``deliveries.remote_key`` before the request goes out: every retry of
that delivery, after a crash too, carries the same id, so a receiver can drop
repeats; each new delivery of the article (the first, each update, also one
back to an earlier text) gets a new id, so a receiver never drops new text.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from syndicator import __version__
from syndicator.config import WebhookPartner
from syndicator.deliveries import revision_hash
from syndicator.partners import (
    Delivered,
    PartnerError,
    article_excerpt,
    error_for_status,
    transport_error,
)
from syndicator.urls import normalize_url

PAYLOAD_VERSION = 1
ARTICLE_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "title",
    "author",
    "published_at",
    "published_local",
    "modified_at",
    "language",
    "image_url",
    "tags",
    "republish_html",
    "body_text",
)


def payload(article: dict[str, Any], event: str) -> dict[str, Any]:
    data = {field: article.get(field) for field in ARTICLE_FIELDS}
    data["excerpt"] = article_excerpt(article)
    data["revision"] = revision_hash(article)
    data["teasers"] = [
        {
            **{k: t.get(k) for k in ("position", "title", "excerpt", "image_url")},
            # stored as the page links it; a partner gets it without tracking parameters
            "url": normalize_url(t.get("url") or ""),
        }
        for t in article.get("teasers") or []
    ]
    data["source"] = {"name": article.get("source"), "title": article.get("source_title")}
    return {
        "type": event,
        "version": PAYLOAD_VERSION,
        "generator": f"syndicator/{__version__}",
        "data": data,
    }


class WebhookAdapter:
    def __init__(self, partner: WebhookPartner, client: httpx.AsyncClient, secret: str) -> None:
        self.partner = partner
        self.client = client
        try:
            self.signer = Webhook(secret)
        except Exception as exc:
            raise PartnerError(
                f"{partner.name}: the secret in ${partner.secret_env} is not a valid "
                f"whsec_ secret ({type(exc).__name__})",
                permanent=True,
            ) from None

    async def open(self) -> None:
        pass

    def remote_key(self, article: dict[str, Any]) -> str:
        """A new message id, for a new delivery of the article as it is now."""
        return f"{article['id']}-{revision_hash(article)}-{secrets.token_hex(6)}"

    def keeps_key(self, article: dict[str, Any], key: str) -> bool:
        """Whether a stored message id still names the delivery of this text. An
        article that changed since (an update, or a change while a delivery was
        being retried) is a new delivery: under the old id, a receiver that saw
        the old text would drop the new one as a repeat."""
        return key.split("-")[1:2] == [revision_hash(article)]

    async def deliver(self, article: dict[str, Any], remember_media: Any = None) -> Delivered:
        if article.get("delivery_withdrawn_at"):
            event = "article.restored"  # the partner removed its copy when told to
        elif article.get("remote_id"):
            event = "article.updated"
        else:
            event = "article.published"
        message_id = article.get("remote_key") or self.remote_key(article)
        await self._post(message_id, payload(article, event))
        return Delivered(message_id, None)

    def withdrawal_key(self, article: dict[str, Any]) -> str:
        """The withdrawal's message id: kept across its retries, like a delivery's."""
        stored = article.get("remote_key") or ""
        if stored.split("-")[1:2] == ["withdrawn"]:
            return stored
        return f"{article['id']}-withdrawn-{secrets.token_hex(6)}"

    async def withdraw(self, article: dict[str, Any]) -> tuple[str, str]:
        """Tell the partner to take its copy down: a signed ``article.withdrawn``."""
        message_id = article.get("remote_key") or self.withdrawal_key(article)
        data = {
            "id": article["id"],
            "url": article.get("url"),
            "title": article.get("title"),
            "reason": article.get("withdrawn_reason"),
            "withdrawn_at": article.get("withdrawn_at"),
            "source": {"name": article.get("source")},
        }
        event = {
            "type": "article.withdrawn",
            "version": PAYLOAD_VERSION,
            "generator": f"syndicator/{__version__}",
            "data": data,
        }
        await self._post(message_id, event)
        return f"article.withdrawn {message_id}", message_id

    async def _post(self, message_id: str, event: dict[str, Any]) -> None:
        body = json.dumps(event, ensure_ascii=False, sort_keys=True)
        now = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self.signer.sign(message_id, now, body),
        }
        what = f"{self.partner.name}: webhook POST"
        try:
            response = await self.client.post(
                self.partner.url, content=body.encode(), headers=headers
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, what) from None
        if response.status_code == 410:
            raise PartnerError(
                f"{self.partner.name}: the webhook answered 410 Gone, so the partner is "
                "disabled; re-enable it with `syndicator retry --partner "
                f"{self.partner.name}`",
                disable=True,
                status=410,
            )
        if not response.is_success:  # a redirect too: it was not delivered
            raise error_for_status(response, what, " ".join(response.text.split())[:200])
