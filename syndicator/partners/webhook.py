"""Webhook partners: a signed JSON POST per article revision (Standard Webhooks).

The payload (version 1) is documented in the README. ``webhook-id`` is
``<article id>-<revision>``: the same for every retry of one revision, so a
receiver can drop repeats; a new revision of the article gets a new id.
"""

from __future__ import annotations

import json
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

PAYLOAD_VERSION = 1
ARTICLE_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "title",
    "author",
    "published_at",
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
        {k: t.get(k) for k in ("position", "title", "url", "excerpt", "image_url")}
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
        return f"{article['id']}-{revision_hash(article)}"

    async def deliver(self, article: dict[str, Any], remember_media: Any = None) -> Delivered:
        event = "article.updated" if article.get("remote_id") else "article.published"
        message_id = self.remote_key(article)
        body = json.dumps(payload(article, event), ensure_ascii=False, sort_keys=True)
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
        if response.status_code >= 400:
            raise error_for_status(response, what, " ".join(response.text.split())[:200])
        return Delivered(message_id, None)
