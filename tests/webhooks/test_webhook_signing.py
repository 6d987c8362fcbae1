from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from tunesmith.webhooks.signing import decode_secret, kie_signature, new_webhook_secret, sign, sign_kie

BODY = b'{"code":200,"msg":"All generated successfully.","data":{"callbackType":"complete","task_id":"t1"}}'


def test_new_secret_format() -> None:
    secret = new_webhook_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret[len("whsec_") :], validate=True)) == 32
    assert new_webhook_secret() != secret


def test_signature_verifies_with_standardwebhooks() -> None:
    secret = new_webhook_secret()
    now = int(time.time())
    headers = sign(secret, "t1:complete", now, BODY)
    assert headers["webhook-id"] == "t1:complete"
    assert headers["webhook-timestamp"] == str(now)
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(BODY, headers) == {
        "code": 200,
        "msg": "All generated successfully.",
        "data": {"callbackType": "complete", "task_id": "t1"},
    }


def test_signature_matches_the_spec_formula() -> None:
    key = bytes(range(32))
    secret = "whsec_" + base64.b64encode(key).decode()
    expected = hmac.new(key, b"msg_1.1700000000." + BODY, hashlib.sha256).digest()
    headers = sign(secret, "msg_1", 1_700_000_000, BODY)
    assert headers["webhook-signature"] == "v1," + base64.b64encode(expected).decode()


@pytest.mark.parametrize("tamper", ["body", "id", "secret"])
def test_tampering_fails_verification(tamper: str) -> None:
    secret = new_webhook_secret()
    headers = sign(secret, "t1:first", int(time.time()), BODY)
    body = BODY
    if tamper == "body":
        body = BODY.replace(b"200", b"500")
    elif tamper == "id":
        headers["webhook-id"] = "t1:complete"
    else:
        secret = new_webhook_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)


def test_stale_timestamp_fails_verification() -> None:
    secret = new_webhook_secret()
    headers = sign(secret, "t1:text", int(time.time()) - 3600, BODY)
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(BODY, headers)


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("", "must start with 'whsec_'"),
        ("sk_live_abc", "must start with 'whsec_'"),
        ("whsec_not*base64", "not valid base64"),
        ("whsec_" + base64.b64encode(b"short").decode(), "encodes 5 bytes"),
        ("whsec_" + base64.b64encode(bytes(65)).decode(), "encodes 65 bytes"),
    ],
)
def test_malformed_secrets_are_rejected(secret: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        decode_secret(secret)
    with pytest.raises(ValueError, match=reason):
        sign(secret, "m", 1, BODY)


def test_non_utf8_body_is_rejected() -> None:
    with pytest.raises(ValueError, match="UTF-8"):
        sign(new_webhook_secret(), "m", 1, b"\xff\xfe")


def test_kie_signature() -> None:
    key = "whsec_" + base64.b64encode(bytes(32)).decode()
    expected = base64.b64encode(
        hmac.new(key.encode(), b"task-42.1700000000", hashlib.sha256).digest()
    ).decode()
    assert kie_signature(key, "task-42", 1_700_000_000) == expected
    assert sign_kie(key, "task-42", 1_700_000_000) == {
        "X-Webhook-Timestamp": "1700000000",
        "X-Webhook-Signature": expected,
    }
