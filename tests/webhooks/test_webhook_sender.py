"""One delivery attempt against a real loopback receiver, through the connect-time guard."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
from ipaddress import IPv4Address, IPv4Network, IPv6Network

import pytest
from standardwebhooks import Webhook
from tests.support.receiver import Reply, WebhookReceiver

from tunesmith.webhooks.guard import EgressPolicy
from tunesmith.webhooks.sender import DeliveryOutcome, WebhookSender
from tunesmith.webhooks.signing import new_webhook_secret

pytestmark = pytest.mark.anyio

# Both loopback networks: "localhost" may resolve to ::1 as well, and every resolved address must pass.
LOOPBACK = EgressPolicy(allow_networks=(IPv4Network("127.0.0.0/8"), IPv6Network("::1/128")))
BODY = json.dumps({"code": 200, "msg": "ok", "data": {"callbackType": "complete", "task_id": "t1"}}).encode()


async def deliver(sender: WebhookSender, url: str, secret: str | None = None) -> DeliveryOutcome:
    return await sender.deliver(
        url, BODY, msg_id="t1:complete", secret=secret or new_webhook_secret(), task_id="t1"
    )


async def test_delivers_signed_json_to_an_allowlisted_host(receiver: WebhookReceiver) -> None:
    secret = new_webhook_secret()
    async with WebhookSender(LOOPBACK) as sender:
        outcome = await deliver(sender, receiver.url("/hooks/suno", host="localhost"), secret)
    assert outcome.ok and outcome.status_code == 200 and outcome.error is None and not outcome.refused
    assert outcome.duration_ms > 0
    [request] = receiver.requests
    assert (request.method, request.path, request.body) == ("POST", "/hooks/suno", BODY)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "Tunesmith-Webhooks/0.1"
    assert request.headers["webhook-id"] == "t1:complete"
    assert Webhook(secret).verify(request.body, request.headers) == json.loads(BODY)
    timestamp = request.headers["x-webhook-timestamp"]
    assert timestamp == request.headers["webhook-timestamp"]
    kie = hmac.new(secret.encode(), f"t1.{timestamp}".encode(), hashlib.sha256).digest()
    assert request.headers["x-webhook-signature"] == base64.b64encode(kie).decode()


async def test_host_name_resolving_to_loopback_is_refused_without_allowlist(
    receiver: WebhookReceiver,
) -> None:
    async with WebhookSender(EgressPolicy()) as sender:
        outcome = await deliver(sender, receiver.url(host="localhost"))
    assert not outcome.ok and outcome.refused and outcome.status_code is None
    assert outcome.error is not None and "localhost resolves to a forbidden address" in outcome.error
    assert "is a loopback address" in outcome.error
    assert receiver.requests == []


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "2130706433", "[::ffff:127.0.0.1]", "169.254.169.254", "10.1.2.3"]
)
async def test_ip_literal_targets_are_refused_without_sending(receiver: WebhookReceiver, host: str) -> None:
    async with WebhookSender(EgressPolicy()) as sender:
        outcome = await deliver(sender, receiver.url(host=host))
    assert not outcome.ok and outcome.refused
    assert outcome.error is not None and "is not allowed" in outcome.error
    assert receiver.requests == []


async def test_rebinding_between_lookups_is_caught_at_connect_time(
    receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-flight lookup sees a public address; the connection's own lookup gets loopback."""

    async def public_answer(*_: object) -> list[IPv4Address]:
        return [IPv4Address("93.184.216.34")]

    monkeypatch.setattr("tunesmith.webhooks.guard._resolve_addresses", public_answer)
    async with WebhookSender(EgressPolicy()) as sender:
        outcome = await deliver(sender, receiver.url(host="localhost"))
    assert not outcome.ok and outcome.refused
    assert (
        outcome.error == f"refused to connect to localhost:{receiver.port}: 127.0.0.1 is a loopback address"
    )
    assert receiver.requests == []


@pytest.mark.parametrize("status", [200, 201, 202, 204])
async def test_any_2xx_is_success(receiver: WebhookReceiver, status: int) -> None:
    receiver.respond(status)
    async with WebhookSender(LOOPBACK) as sender:
        outcome = await deliver(sender, receiver.url())
    assert outcome == DeliveryOutcome(True, status, None, outcome.duration_ms)


@pytest.mark.parametrize(("status", "retry_after"), [(500, None), (404, None), (410, None), (429, 120.0)])
async def test_error_statuses_fail(receiver: WebhookReceiver, status: int, retry_after: float | None) -> None:
    receiver.respond(status, headers={"Retry-After": "120"} if retry_after else None)
    async with WebhookSender(LOOPBACK) as sender:
        outcome = await deliver(sender, receiver.url())
    assert not outcome.ok and not outcome.refused
    assert outcome.status_code == status
    assert outcome.error == f"receiver answered HTTP {status}"
    assert outcome.retry_after_s == retry_after


async def test_redirect_is_a_failure_and_not_followed(receiver: WebhookReceiver) -> None:
    receiver.respond(302, headers={"Location": receiver.url("/elsewhere")})
    async with WebhookSender(LOOPBACK) as sender:
        outcome = await deliver(sender, receiver.url("/cb"))
    assert not outcome.ok and outcome.status_code == 302
    assert outcome.error == "receiver answered HTTP 302 (redirects are not followed)"
    assert [r.path for r in receiver.requests] == ["/cb"]


async def test_slow_receiver_times_out_after_the_timeout(receiver: WebhookReceiver) -> None:
    receiver.respond(200, delay_s=5.0)
    async with WebhookSender(LOOPBACK, timeout_s=0.5) as sender:
        outcome = await deliver(sender, receiver.url())
    assert not outcome.ok and outcome.status_code is None and not outcome.refused
    assert outcome.error == "no answer within 0.5 s"
    assert 400 <= outcome.duration_ms < 2000
    assert len(receiver.requests) == 1


async def test_closed_port_is_a_connection_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with WebhookSender(LOOPBACK) as sender:
        outcome = await deliver(sender, f"http://127.0.0.1:{port}/cb")
    assert not outcome.ok and outcome.status_code is None and not outcome.refused
    assert outcome.error is not None and outcome.error.startswith("request failed: ConnectError")


async def test_unsignable_secret_is_reported_not_raised(receiver: WebhookReceiver) -> None:
    async with WebhookSender(LOOPBACK) as sender:
        outcome = await deliver(sender, receiver.url(), secret="not-a-whsec-secret")
    assert not outcome.ok and outcome.status_code is None
    assert outcome.error == "cannot sign the callback: webhook secret must start with 'whsec_'"
    assert receiver.requests == []


async def test_one_sender_serves_many_deliveries_and_reopens_after_close(receiver: WebhookReceiver) -> None:
    receiver.enqueue(Reply(status=500), Reply(status=200))
    sender = WebhookSender(LOOPBACK)
    first = await deliver(sender, receiver.url())
    second = await deliver(sender, receiver.url())
    await sender.aclose()
    third = await deliver(sender, receiver.url())
    await sender.aclose()
    assert [first.status_code, second.status_code, third.status_code] == [500, 200, 200]
    stamps = [r.headers["webhook-id"] for r in receiver.requests]
    assert stamps == ["t1:complete"] * 3


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="timeout_s must be positive, got 0"):
        WebhookSender(LOOPBACK, timeout_s=0)
