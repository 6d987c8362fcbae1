from __future__ import annotations

import tunesmith.webhooks as webhooks


def test_public_names_are_exactly_the_intended_ones() -> None:
    assert set(webhooks.__all__) == {
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
    }
    assert all(hasattr(webhooks, name) for name in webhooks.__all__)
