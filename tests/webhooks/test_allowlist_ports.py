"""Allowlist entries with a port (issue 27): ``host:port`` opens that port only, at submit and at connect."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address

import pytest
from tests.support.receiver import WebhookReceiver

from tunesmith.webhooks.guard import (
    AllowEntry,
    EgressPolicy,
    EgressRefusedError,
    UnsafeURLError,
    guarded_client,
    parse_networks,
    validate_url,
)


def policy(*entries: str) -> EgressPolicy:
    return EgressPolicy(allow_networks=parse_networks(entries))


def test_entries_of_every_form_parse() -> None:
    assert parse_networks(["10.0.0.0/8", "192.168.1.5", "example.internal:8443", "[::1]:9000", "10.0.0.5:8080",
                           "[fd00::1]", "10.0.0.0/8:443", " Hooks.Internal:80 "]) == (
        IPv4Network("10.0.0.0/8"),
        IPv4Network("192.168.1.5/32"),
        AllowEntry(8443, host="example.internal"),
        AllowEntry(9000, network=IPv6Network("::1/128")),
        AllowEntry(8080, network=IPv4Network("10.0.0.5/32")),
        IPv6Network("fd00::1/128"),
        AllowEntry(443, network=IPv4Network("10.0.0.0/8")),
        AllowEntry(80, host="hooks.internal"),
    )


@pytest.mark.parametrize(("entry", "problem"), [
    ("intranet", "not a valid network: .*a host name needs a port"),
    ("10.0.0.5:0", "no valid port"),
    ("10.0.0.5:65536", "no valid port"),
    ("hooks.internal:http", "no valid port"),
    ("[::1]x", r"not a valid \[IPv6\]:port"),
    ("[::1", r"not a valid \[IPv6\]:port"),
    ("[::1]:", "no valid port"),
    ("256.1.1.1:80", "not a valid network"),
    ("10.1.2.3/16:80", "host bits set"),
    ("user@hooks.internal:80", "not a valid host name"),
    (":80", "not a valid host name"),
])
def test_malformed_entries_are_refused_by_name(entry: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_networks([entry])


def test_an_address_entry_with_a_port_allows_that_port_only() -> None:
    allowed = policy("10.0.0.5:8080")
    assert validate_url("http://10.0.0.5:8080/cb", allowed) == "http://10.0.0.5:8080/cb"
    with pytest.raises(UnsafeURLError, match="10.0.0.5 is a private"):
        validate_url("http://10.0.0.5:8081/cb", allowed)
    with pytest.raises(UnsafeURLError, match="private"):
        validate_url("http://10.0.0.5/cb", allowed)  # the scheme's port 80


def test_the_servers_own_api_port_is_refused_when_another_port_is_allowlisted() -> None:
    """The issue's case: the receiver on 9000 is allowlisted, the API on 8000 of the same host is not."""
    allowed = policy("127.0.0.1:9000", "[::1]:9000")
    assert validate_url("http://127.0.0.1:9000/cb", allowed)
    assert validate_url("http://[::1]:9000/cb", allowed)
    for own_api in ("http://127.0.0.1:8000/api/v1/generate", "http://[::1]:8000/api/v1/generate",
                    "http://[::ffff:127.0.0.1]:8000/cb"):
        with pytest.raises(UnsafeURLError, match="loopback"):
            validate_url(own_api, allowed)


def test_entries_without_a_port_keep_allowing_every_port() -> None:
    allowed = policy("10.0.0.0/8", "192.168.1.5")
    for url in ("http://10.1.2.3:8080/cb", "https://10.1.2.3/cb", "http://192.168.1.5:22/cb"):
        assert validate_url(url, allowed)
    with pytest.raises(UnsafeURLError, match="private"):
        validate_url("http://192.168.1.6/cb", allowed)


def test_a_network_entry_with_a_port() -> None:
    allowed = policy("10.0.0.0/8:443")
    assert validate_url("https://10.9.8.7/cb", allowed)
    with pytest.raises(UnsafeURLError, match="private"):
        validate_url("http://10.9.8.7/cb", allowed)


def test_refusal_reason_needs_the_port_for_port_entries() -> None:
    allowed = policy("10.0.0.5:8080")
    address = ip_address("10.0.0.5")
    assert allowed.refusal_reason(address, 8080) is None
    assert allowed.refusal_reason(address, 8081) is not None
    assert allowed.refusal_reason(address) is not None


def test_a_host_name_entry_matches_the_name_and_port_not_the_address() -> None:
    allowed = policy("hooks.internal:8443")
    loopback = ip_address("127.0.0.1")
    assert allowed.refusal_reason(loopback, 8443, "hooks.internal") is None
    assert allowed.refusal_reason(loopback, 8443, "HOOKS.internal") is None
    assert allowed.refusal_reason(loopback, 8000, "hooks.internal") is not None
    assert allowed.refusal_reason(loopback, 8443, "other.internal") is not None
    assert allowed.refusal_reason(loopback, 8443) is not None  # an IP literal URL names no host


@pytest.mark.anyio
async def test_connect_time_allows_the_allowlisted_port_only(receiver: WebhookReceiver) -> None:
    other_port = receiver.port + 1 if receiver.port < 65535 else receiver.port - 1
    allowed = policy(f"127.0.0.1:{other_port}")
    async with guarded_client(allowed, 5.0) as client:
        with pytest.raises(EgressRefusedError, match="loopback"):
            await client.get(receiver.url("/cb"))
    async with guarded_client(policy(f"127.0.0.1:{receiver.port}"), 5.0) as client:
        assert (await client.get(receiver.url("/cb"))).status_code == 200
    assert [r.path for r in receiver.requests] == ["/cb"]


@pytest.mark.anyio
async def test_connect_time_host_name_entry(receiver: WebhookReceiver) -> None:
    async with guarded_client(policy(f"localhost:{receiver.port}"), 5.0) as client:
        assert (await client.get(receiver.url("/named", host="localhost"))).status_code == 200
        with pytest.raises(EgressRefusedError, match="loopback"):
            await client.get(receiver.url("/literal"))  # 127.0.0.1 by address: the name entry does not apply
    async with guarded_client(policy(f"localhost:{receiver.port + 1}"), 5.0) as client:
        with pytest.raises(EgressRefusedError, match="forbidden address"):
            await client.get(receiver.url("/other-port", host="localhost"))
    assert [r.path for r in receiver.requests] == ["/named"]
