"""Local partner sites that receive republished posts, for the tests and the demo.

Each runs on 127.0.0.1 in a daemon thread (``start()``/``stop()`` or a
``with`` block; ``port=0`` takes a free port), logs every request in
``.requests``, and misbehaves on demand through ``.faults``.
"""

from syndicator.demo.receivers.faults import Fault, FaultPlan, RecordedRequest
from syndicator.demo.receivers.webhook import WebhookReceiver, new_secret
from syndicator.demo.receivers.wordpress import WordPressReceiver

__all__ = [
    "Fault",
    "FaultPlan",
    "RecordedRequest",
    "WebhookReceiver",
    "WordPressReceiver",
    "new_secret",
]
