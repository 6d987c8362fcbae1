"""The guarded client on its own, as the upload fetcher will use it (redirects on, re-checked per hop)."""

from __future__ import annotations

from ipaddress import IPv4Network

import httpx
import pytest
from tests.support.receiver import Reply, WebhookReceiver

from tunesmith.webhooks.guard import EgressPolicy, EgressRefusedError, guarded_client

pytestmark = pytest.mark.anyio

ONLY_127_0_0_1 = EgressPolicy(allow_networks=(IPv4Network("127.0.0.1/32"),))


async def test_redirects_inside_the_policy_are_followed(receiver: WebhookReceiver) -> None:
    receiver.enqueue(Reply(302, headers={"Location": receiver.url("/final")}), Reply(200))
    async with guarded_client(ONLY_127_0_0_1, 5.0, follow_redirects=True) as client:
        response = await client.get(receiver.url("/start"))
    assert response.status_code == 200
    assert [r.path for r in receiver.requests] == ["/start", "/final"]


async def test_redirect_hop_to_a_forbidden_address_is_refused(receiver: WebhookReceiver) -> None:
    hop = f"http://127.0.0.2:{receiver.port}/internal"
    receiver.respond(302, headers={"Location": hop})
    async with guarded_client(ONLY_127_0_0_1, 5.0, follow_redirects=True) as client:
        with pytest.raises(EgressRefusedError, match="127.0.0.2 is a loopback address") as caught:
            await client.get(receiver.url("/start"))
    assert caught.value.hostname == "127.0.0.2"
    assert [r.path for r in receiver.requests] == ["/start"]


async def test_redirects_are_off_by_default(receiver: WebhookReceiver) -> None:
    receiver.respond(302, headers={"Location": receiver.url("/final")})
    async with guarded_client(ONLY_127_0_0_1, 5.0) as client:
        response = await client.get(receiver.url("/start"))
    assert response.status_code == 302
    assert [r.path for r in receiver.requests] == ["/start"]


async def test_environment_proxies_are_ignored(
    receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.1:3128")
    monkeypatch.setenv("ALL_PROXY", "http://10.0.0.1:3128")
    async with guarded_client(ONLY_127_0_0_1, 5.0) as client:
        response = await client.get(receiver.url())
    assert response.status_code == 200


async def test_refusal_is_an_httpx_request_error(receiver: WebhookReceiver) -> None:
    async with guarded_client(EgressPolicy(), 5.0) as client:
        with pytest.raises(httpx.RequestError) as caught:
            await client.get(receiver.url(host="localhost"))
    assert isinstance(caught.value, EgressRefusedError)
    assert caught.value.reason.startswith("localhost resolves to a forbidden address")
    assert receiver.requests == []


async def test_unresolvable_host_is_a_connect_error() -> None:
    async with guarded_client(EgressPolicy(), 5.0) as client:
        with pytest.raises(httpx.ConnectError, match="cannot resolve host 'no-such-host.invalid'"):
            await client.get("http://no-such-host.invalid/")
