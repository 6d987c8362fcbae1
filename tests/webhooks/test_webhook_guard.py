from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address

import pytest

from tunesmith.errors import BadRequest
from tunesmith.webhooks.guard import EgressPolicy, UnsafeURLError, parse_networks, validate_url

PUBLIC = EgressPolicy()
LOOPBACK_ALLOWED = EgressPolicy(allow_networks=(IPv4Network("127.0.0.0/8"), IPv6Network("::1/128")))


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://example.com/hooks/suno", "https://example.com/hooks/suno"),
        ("http://example.com:8080/cb?x=1", "http://example.com:8080/cb?x=1"),
        ("HTTPS://Example.COM/cb", "https://example.com/cb"),
        ("  https://example.com/cb \n", "https://example.com/cb"),
        ("https://example.com/a b/é", "https://example.com/a%20b/%C3%A9"),
        ("https://bücher.example/cb", "https://xn--bcher-kva.example/cb"),
        ("http://8.8.8.8/cb", "http://8.8.8.8/cb"),
        ("http://[2606:4700:4700::1111]/cb", "http://[2606:4700:4700::1111]/cb"),
        ("http://[::ffff:8.8.8.8]/cb", "http://[::ffff:8.8.8.8]/cb"),
        # Host names are not resolved at submit time; the connect-time guard judges them.
        ("http://localhost:9000/cb", "http://localhost:9000/cb"),
        ("http://internal.corp/cb", "http://internal.corp/cb"),
    ],
)
def test_accepts_public_urls_and_normalises_them(url: str, normalised: str) -> None:
    assert validate_url(url, PUBLIC) == normalised


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/cb", "scheme 'ftp' is not allowed"),
        ("file:///etc/passwd", "scheme 'file' is not allowed"),
        ("gopher://example.com/", "scheme 'gopher' is not allowed"),
        ("example.com/cb", "has no scheme; use http, https"),
        ("https://example.com/a\nb", "non-printable"),
        ("http:///cb", "has no host"),
        ("http://user:pass@example.com/cb", "user name or password"),
        ("http://user@example.com/cb", "user name or password"),
        ("http://example.com:0/cb", "port 0"),
        ("http://exa%6dple.com/", "percent-encoded"),
        ("http://[fe80::1%25eth0]/", "IPv6 zone"),
        ("http://[::1/", "not valid"),
    ],
)
def test_rejects_bad_url_shapes(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError, match=reason):
        validate_url(url, PUBLIC)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://127.1.2.3:8080/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://10.0.0.5/", "private"),
        ("http://172.16.3.4/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("http://224.0.0.1/", "multicast"),
        ("http://192.0.2.1/", "special-purpose"),
        ("http://240.0.0.1/", "special-purpose"),
        ("http://[::1]/", "loopback"),
        ("http://[::]/", "unspecified"),
        ("http://[fd12:3456::1]/", "unique local"),
        ("http://[fc00::1]/", "unique local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fec0::1]/", "site-local"),
        ("http://[ff02::1]/", "multicast"),
        ("http://[::ffff:127.0.0.1]/", "embeds an IPv4 address: 127.0.0.1 is a loopback"),
        ("http://[::ffff:169.254.169.254]/", "embeds an IPv4 address: 169.254.169.254 is link-local"),
        ("http://[::ffff:10.0.0.1]/", "embeds an IPv4 address: 10.0.0.1 is a private"),
        ("http://[64:ff9b::a9fe:a9fe]/", "embeds an IPv4 address: 169.254.169.254"),
        ("http://[2002:c0a8:101::]/", "embeds an IPv4 address: 192.168.1.1"),
        ("http://[64:ff9b:1::a00:1]/", "local-use NAT64"),
        ("http://[::127.0.0.1]/", "IPv4-compatible"),
        ("http://[2001:db8::1]/", "special-purpose"),
    ],
)
def test_rejects_non_public_ip_literals(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError, match=reason):
        validate_url(url, PUBLIC)


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://2130706433/", "127.0.0.1"),  # one decimal number
        ("http://0x7f000001/", "127.0.0.1"),  # one hex number
        ("http://017700000001/", "127.0.0.1"),  # one octal number
        ("http://0x7f.1/", "127.0.0.1"),  # two parts, hex first
        ("http://127.1/", "127.0.0.1"),  # short form
        ("http://10.0x0.1/", "10.0.0.1"),
        ("http://0177.1/", "127.0.0.1"),  # octal first part
        ("http://0xA9.0xFE.0xA9.0xFE/", "169.254.169.254"),
        ("http://2852039166/", "169.254.169.254"),
        ("http://127.0.0.1./", "127.0.0.1"),  # trailing dot
        ("http://127。0。0。1/", "127.0.0.1"),  # ideographic full stops, normalised by IDNA
    ],
)
def test_rejects_numeric_ipv4_spellings(url: str, address: str) -> None:
    with pytest.raises(UnsafeURLError, match=f"{address} is"):
        validate_url(url, PUBLIC)


@pytest.mark.parametrize(
    "url",
    [
        "http://1.2.3.4.5/",
        "http://256.1.1.1/",
        "http://1.2.3.256/",
        "http://example.123/",
        "http://0177.0.0.1/",
    ],
)
def test_rejects_malformed_numeric_hosts(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        validate_url(url, PUBLIC)


def test_length_cap() -> None:
    base = "https://example.com/"
    assert validate_url(base + "a" * (2048 - len(base)), PUBLIC)
    with pytest.raises(UnsafeURLError, match="2049 characters long; the limit is 2048"):
        validate_url(base + "a" * (2049 - len(base)), PUBLIC)
    # Percent-encoding makes "é" six characters: the stored form must fit too.
    with pytest.raises(UnsafeURLError, match="once normalised; the limit is 2048"):
        validate_url(base + "é" * 1000, PUBLIC)


def test_allowlisted_networks_open_private_literals() -> None:
    assert validate_url("http://127.0.0.1:8000/cb", LOOPBACK_ALLOWED) == "http://127.0.0.1:8000/cb"
    assert validate_url("http://[::1]:8000/cb", LOOPBACK_ALLOWED) == "http://[::1]:8000/cb"
    assert validate_url("http://2130706433/cb", LOOPBACK_ALLOWED) == "http://2130706433/cb"
    assert validate_url("http://[::ffff:127.0.0.1]/cb", LOOPBACK_ALLOWED)
    with pytest.raises(UnsafeURLError, match="private"):
        validate_url("http://10.0.0.1/cb", LOOPBACK_ALLOWED)


def test_port_allowlist() -> None:
    policy = EgressPolicy(allowed_ports=(443, 8443))
    assert validate_url("https://example.com/cb", policy)
    assert validate_url("https://example.com:8443/cb", policy)
    with pytest.raises(UnsafeURLError, match="port 80 is not allowed; allowed ports: 443, 8443"):
        validate_url("http://example.com/cb", policy)


def test_scheme_allowlist() -> None:
    with pytest.raises(UnsafeURLError, match="scheme 'http' is not allowed; use https"):
        validate_url("http://example.com/cb", EgressPolicy(allowed_schemes=("https",)))


def test_unsafe_url_error_is_a_value_error_and_a_400() -> None:
    with pytest.raises(UnsafeURLError) as caught:
        validate_url("http://127.0.0.1/", PUBLIC)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, BadRequest)
    assert caught.value.code == 400


def test_refusal_reason_for_addresses() -> None:
    assert PUBLIC.refusal_reason(ip_address("93.184.216.34")) is None
    assert PUBLIC.refusal_reason(ip_address("2606:4700::1111")) is None
    assert PUBLIC.refusal_reason(ip_address("127.0.0.1")) == "127.0.0.1 is a loopback address"
    assert LOOPBACK_ALLOWED.refusal_reason(ip_address("127.0.0.1")) is None
    assert LOOPBACK_ALLOWED.refusal_reason(ip_address("::ffff:127.0.0.2")) is None


def test_parse_networks() -> None:
    assert parse_networks(["10.1.0.0/16", "::1/128"]) == (IPv4Network("10.1.0.0/16"), IPv6Network("::1/128"))
    assert parse_networks([]) == ()
    with pytest.raises(ValueError, match="'10.1.2.3/16' is not a valid network: .*host bits set"):
        parse_networks(["10.1.2.3/16"])
    with pytest.raises(ValueError, match="'intranet' is not a valid network"):
        parse_networks(["intranet"])
