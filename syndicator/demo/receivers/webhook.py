"""A local webhook partner: receives Standard Webhooks deliveries on 127.0.0.1.

Every POST to ``/hook`` is verified with the ``standardwebhooks`` library
(HMAC-SHA256 over ``id.timestamp.body``, timestamps within five minutes).
A valid delivery whose ``webhook-id`` was seen before is accepted again but
flagged as a duplicate, as a receiver that deduplicates would.
"""

from __future__ import annotations

import base64
import json
import secrets
from http import HTTPStatus
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from syndicator.demo.receivers.faults import Receiver, Request, Response, json_response


def new_secret() -> str:
    """A fresh signing secret in the Standard Webhooks format (``whsec_`` + base64)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookReceiver(Receiver):
    """Accepts signed webhook deliveries at :attr:`url`; ``status`` is what valid ones get."""

    def __init__(
        self,
        secret: str | None = None,
        port: int = 0,
        state_file: Path | None = None,
        status: int = 200,
    ) -> None:
        super().__init__(port, state_file)
        self.secret = secret or new_secret()
        self.status = status
        self.deliveries: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self._webhook = Webhook(self.secret)

    @property
    def url(self) -> str:
        return self.base_url + "/hook"

    def unique(self) -> dict[str, dict[str, Any]]:
        """The latest payload of each webhook-id delivered."""
        return {delivery["id"]: delivery["payload"] for delivery in self.deliveries}

    def respond(self, request: Request) -> Response:
        if request.path != "/hook":
            return json_response(404, {"error": "Not Found"})
        if request.method != "POST":
            return json_response(405, {"error": "Method Not Allowed"}, {"Allow": "POST"})
        headers = {key.lower(): value for key, value in request.headers.items()}
        msg_id = headers.get("webhook-id")
        try:
            self._webhook.verify(request.body, headers, json_parse=False)
        except (WebhookVerificationError, ValueError) as error:
            # ValueError covers malformed signatures and bodies that are not UTF-8
            return self._reject(msg_id, headers, 401, str(error) or "invalid signature")
        try:
            payload = json.loads(request.body)
        except ValueError:
            return self._reject(msg_id, headers, 400, "body is not JSON")
        if not 200 <= self.status < 300:
            return json_response(self.status, {"error": HTTPStatus(self.status).phrase})
        duplicate = any(delivery["id"] == msg_id for delivery in self.deliveries)
        self.deliveries.append(
            {
                "id": msg_id,
                "timestamp": int(float(headers["webhook-timestamp"])),
                "payload": payload,
                "duplicate": duplicate,
            }
        )
        self.save_state()
        if self.status == 204:
            return Response(204)
        return json_response(self.status, {"received": True, "duplicate": duplicate})

    def _reject(
        self, msg_id: str | None, headers: dict[str, str], status: int, reason: str
    ) -> Response:
        self.rejected.append(
            {
                "id": msg_id,
                "timestamp": headers.get("webhook-timestamp"),
                "status": status,
                "reason": reason,
            }
        )
        self.save_state()
        return json_response(status, {"error": reason})

    def dump_state(self) -> dict[str, Any]:
        return {"deliveries": self.deliveries, "rejected": self.rejected}

    def load_state(self, state: dict[str, Any]) -> None:
        self.deliveries = state.get("deliveries", [])
        self.rejected = state.get("rejected", [])
