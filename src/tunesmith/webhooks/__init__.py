"""Outbound HTTP: the SSRF guard, webhook signatures and single signed callback deliveries.

Retry scheduling and the outbox live in ``tunesmith.tasks``; this package makes one attempt at a time.
"""

from tunesmith.webhooks.guard import (
    EgressPolicy,
    EgressRefusedError,
    UnsafeURLError,
    guarded_client,
    parse_networks,
    validate_url,
)
from tunesmith.webhooks.sender import DeliveryOutcome, WebhookSender
from tunesmith.webhooks.signing import decode_secret, kie_signature, new_webhook_secret, sign, sign_kie

__all__ = [
    "DeliveryOutcome",
    "EgressPolicy",
    "EgressRefusedError",
    "UnsafeURLError",
    "WebhookSender",
    "decode_secret",
    "guarded_client",
    "kie_signature",
    "new_webhook_secret",
    "parse_networks",
    "sign",
    "sign_kie",
    "validate_url",
]
