"""SSRF guard for every outbound request (callbacks now, fetched ``uploadUrl`` files later).

Two checks, because either alone is bypassable:

* ``validate_url`` runs when a URL is submitted. It judges the URL's shape and any IP literal in it
  (including the numeric forms ``http://2130706433/`` and ``http://0x7f.1/`` that resolvers accept) and
  never resolves host names, so a slow or hostile DNS server cannot stall a submit.
* ``guarded_client`` enforces the policy when a connection is made. Before each request (every redirect
  hop included) it resolves the host and refuses if *any* address is off limits; then httpx-secure pins
  the connection to the address it validated at connect time, so a DNS answer that changes between the
  two lookups (DNS rebinding) still cannot reach an internal address.

Both checks share ``EgressPolicy.refusal_reason``: a literal accepted at submit is accepted at connect.

The operator's allowlist (``egress.allow_networks``, read by ``parse_networks``) opens private destinations:
a network or an address opens every port of it; an entry with a port (``10.0.0.5:8080``, ``[::1]:9000``,
``10.0.0.0/8:443``, ``hooks.internal:8443``) opens only that port, so allowlisting a receiver does not also
open the server's own API or a database on the same host. A host name entry must name its port (it stands
for one service) and matches the URL's host name, whatever private addresses it resolves to.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from ipaddress import (
    IPv4Address,
    IPv4Network,
    IPv6Address,
    IPv6Network,
    ip_address,
    ip_network,
)

import anyio
import httpx
from httpx_secure import SSRFProtectionError, httpx_ssrf_protection

from tunesmith.errors import BadRequest

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

_DEFAULT_PORTS = {"http": 80, "https": 443}
_CGNAT = IPv4Network("100.64.0.0/10")
_RFC1918 = (IPv4Network("10.0.0.0/8"), IPv4Network("172.16.0.0/12"), IPv4Network("192.168.0.0/16"))
_NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")
_NAT64_LOCAL_USE = IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = IPv6Network("::/96")
_UNIQUE_LOCAL = IPv6Network("fc00::/7")
# Validated addresses are reused for new connections this long; short, so that a retry minutes later
# follows a legitimately moved receiver instead of a stale answer.
_DNS_CACHE_TTL_S = 30.0


class UnsafeURLError(BadRequest, ValueError):
    """A URL that outbound requests must not use; the message names the reason (a 400 at submit)."""


class EgressRefusedError(SSRFProtectionError):
    """A request refused by the guarded client before any data was sent; ``reason`` says why."""

    def __init__(
        self,
        reason: str,
        *,
        hostname: str,
        ip_addr: IPAddress | None,
        port: int,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(
            f"refused to connect to {hostname}:{port}: {reason}",
            request=request,
            hostname=hostname,
            ip_addr=ip_addr,
            port=port,
        )
        self.reason = reason


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """An allowlist entry limited to one port: a network (or single address) or a host name (IDNA, lower
    case), exactly one of the two."""

    port: int
    network: IPNetwork | None = None
    host: str | None = None

    def admits(self, address: IPAddress, port: int | None, host: str | None) -> bool:
        if port != self.port:
            return False
        if self.network is not None:
            return address in self.network
        return host is not None and host.lower() == self.host


Allowed = IPNetwork | AllowEntry
"""An allowlist entry: a bare network allows every port."""


@dataclass(frozen=True, slots=True)
class EgressPolicy:
    """Where outbound requests may go. Public (globally reachable) addresses are always allowed."""

    allow_networks: tuple[Allowed, ...] = ()
    """Operator allowlist: destinations reachable even though private, loopback or link-local."""
    allowed_schemes: tuple[str, ...] = ("http", "https")
    """Lower-case URL schemes accepted."""
    max_url_length: int = 2048
    """Longest accepted URL, in characters."""
    allowed_ports: tuple[int, ...] | None = None
    """Ports a URL may name (explicitly or by scheme default); ``None`` accepts any port."""

    def refusal_reason(self, address: IPAddress, port: int | None = None, host: str | None = None) -> str | None:
        """Why ``address`` (on TCP ``port``, reached by the name ``host``) must not be contacted, or ``None`` when
        it may be. Entries limited to a port never match an unknown ``port``."""
        embedded = _embedded_ipv4(address)
        if self._allowlisted(address, port, host) or (
                embedded is not None and self._allowlisted(embedded, port, host)):
            return None
        if embedded is not None:
            inner = _ip_refusal(embedded)
            return None if inner is None else f"{address} embeds an IPv4 address: {inner}"
        return _ip_refusal(address)

    def _allowlisted(self, address: IPAddress, port: int | None, host: str | None) -> bool:
        return any(entry.admits(address, port, host) if isinstance(entry, AllowEntry) else address in entry
                   for entry in self.allow_networks)


def parse_networks(entries: Iterable[str]) -> tuple[Allowed, ...]:
    """The allowlist from its settings strings: a network or address (``"10.1.0.0/16"``, ``"192.168.1.5"``,
    ``"fd00::/8"``) allows every port; ``"10.0.0.5:8080"``, ``"10.0.0.0/8:443"``, ``"[::1]:9000"`` and
    ``"hooks.internal:8443"`` allow that port only (IPv6 with a port in brackets)."""
    return tuple(_parse_entry(entry.strip()) for entry in entries)


def _parse_entry(entry: str) -> Allowed:
    if entry.startswith("["):
        return _parse_bracketed(entry)
    try:
        return ip_network(entry, strict=True)
    except ValueError as error:
        target, colon, digits = entry.rpartition(":")
        if not colon or "/" in digits:
            hint = "" if "/" in entry or ":" in entry else " (a host name needs a port: name:port)"
            raise ValueError(f"egress allowlist entry {entry!r} is not a valid network: {error}{hint}") from None
    port = _entry_port(entry, digits)
    if "/" in target or ":" in target or _is_number(target.rstrip(".").rpartition(".")[2]):
        return AllowEntry(port, network=_entry_network(entry, target))  # meant as an address or a network
    return AllowEntry(port, host=_entry_host(entry, target))


def _parse_bracketed(entry: str) -> Allowed:
    """``[IPv6]`` (every port) or ``[IPv6]:port``."""
    inside, bracket, rest = entry[1:].partition("]")
    port = _entry_port(entry, rest[1:]) if bracket and rest.startswith(":") else None
    if not bracket or (rest and port is None):
        raise ValueError(f"egress allowlist entry {entry!r} is not a valid [IPv6]:port")
    network = _entry_network(entry, inside)
    return network if port is None else AllowEntry(port, network=network)


def _entry_port(entry: str, digits: str) -> int:
    if not (digits.isascii() and digits.isdigit() and 0 < int(digits) < 65536):
        raise ValueError(f"egress allowlist entry {entry!r} has no valid port (1-65535)")
    return int(digits)


def _entry_network(entry: str, text: str) -> IPNetwork:
    try:
        return ip_network(text, strict=True)
    except ValueError as error:
        raise ValueError(f"egress allowlist entry {entry!r} is not a valid network: {error}") from None


def _entry_host(entry: str, name: str) -> str:
    """``name`` as URL hosts are compared (IDNA, lower case)."""
    try:
        host = httpx.URL(f"http://{name}/").raw_host.decode("ascii")
    except httpx.InvalidURL:
        host = ""
    if not host or any(char in name for char in "/\\@?#%[]") or (name.isascii() and host != name.lower()):
        raise ValueError(f"egress allowlist entry {entry!r} is not a valid host name")
    return host


def validate_url(url: str, policy: EgressPolicy) -> str:
    """Check a submitted outbound URL and return it normalised (IDNA host, lower-case scheme).

    Host names are not resolved here; ``guarded_client`` checks their addresses at connect time.
    Raises ``UnsafeURLError`` naming the first problem found.
    """
    url = url.strip()  # surrounding whitespace is a paste accident, not part of the address
    if len(url) > policy.max_url_length:
        raise UnsafeURLError(f"URL is {len(url)} characters long; the limit is {policy.max_url_length}")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise UnsafeURLError(f"URL is not valid: {error}") from None
    if parsed.scheme not in policy.allowed_schemes:
        allowed = ", ".join(policy.allowed_schemes)
        scheme = f"scheme {parsed.scheme!r} is not allowed" if parsed.scheme else "has no scheme"
        raise UnsafeURLError(f"URL {scheme}; use {allowed}")
    if parsed.userinfo:
        raise UnsafeURLError("URL must not contain a user name or password")
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise UnsafeURLError("URL has no host")
    port = _port_of(parsed)
    _check_port(port, policy)
    literal = parse_ip_literal(host)
    if literal is not None:
        reason = policy.refusal_reason(literal, port)
        if reason is not None:
            raise UnsafeURLError(f"URL host {host!r} is not allowed: {reason}")
    normalised = str(parsed)
    if len(normalised) > policy.max_url_length:
        raise UnsafeURLError(
            f"URL is {len(normalised)} characters long once normalised; the limit is {policy.max_url_length}"
        )
    return normalised


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a URL host denotes without DNS, or ``None`` for a host name.

    IPv4 follows the WHATWG URL rules, which match what ``inet_aton`` resolvers accept: a host whose
    last label is numeric is an address of 1-4 decimal, octal (``0``-prefixed) or hex (``0x``) parts.
    Raises ``UnsafeURLError`` for hosts that are neither a valid address nor a plain name.
    """
    if "%" in host:
        raise UnsafeURLError(f"URL host {host!r} must not be percent-encoded or carry an IPv6 zone")
    if ":" in host:
        try:
            return IPv6Address(host)
        except ValueError:
            raise UnsafeURLError(f"URL host {host!r} is not a valid IPv6 address") from None
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()
    if not _is_number(labels[-1]):
        return None
    return _parse_ipv4_parts(host, labels)


def guarded_client(
    policy: EgressPolicy,
    timeout: httpx.Timeout | float,
    *,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    max_redirects: int = 3,
) -> httpx.AsyncClient:
    """An ``AsyncClient`` that refuses, at connect time, every address ``policy`` does not permit.

    Refusals raise ``EgressRefusedError`` (an ``httpx.RequestError``) before any request data is sent.
    Redirects are off by default; when enabled, every hop is validated again. Proxies from the
    environment are ignored (``trust_env=False``) because a proxy would hide the real destination.
    """

    async def preflight(request: httpx.Request) -> None:
        await _preflight(request, policy)

    client = httpx.AsyncClient(
        timeout=timeout,
        headers=dict(headers or {}),
        follow_redirects=follow_redirects,
        max_redirects=max_redirects,
        trust_env=False,
        event_hooks={"request": [preflight]},
    )

    def validate_connect(hostname: str, address: IPAddress, port: int) -> bool:
        reason = policy.refusal_reason(address, port, hostname)
        if reason is not None:
            raise EgressRefusedError(reason, hostname=hostname, ip_addr=address, port=port)
        return True

    return httpx_ssrf_protection(
        client,
        check_globally_reachable=False,
        custom_validator=validate_connect,
        dns_cache_ttl=_DNS_CACHE_TTL_S,
    )


async def _preflight(request: httpx.Request, policy: EgressPolicy) -> None:
    """Refuse a request whose URL is unsafe or whose host resolves to any address off limits."""
    host = request.url.raw_host.decode("ascii")
    port = _port_of(request.url)
    try:
        validate_url(str(request.url), policy)
    except UnsafeURLError as error:
        message = str(error)
        raise EgressRefusedError(message, hostname=host, ip_addr=None, port=port, request=request) from None
    if parse_ip_literal(host) is not None:
        return
    for address in await _resolve_addresses(request, host, port):
        reason = policy.refusal_reason(address, port, host)
        if reason is not None:
            raise EgressRefusedError(
                f"{host} resolves to a forbidden address: {reason}",
                hostname=host,
                ip_addr=address,
                port=port,
                request=request,
            )


async def _resolve_addresses(request: httpx.Request, host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to, within the request's connect timeout."""
    connect_timeout = request.extensions.get("timeout", {}).get("connect")
    with anyio.move_on_after(connect_timeout):
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise httpx.ConnectError(f"cannot resolve host {host!r}: {error}", request=request) from None
        return [ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    raise httpx.ConnectTimeout(f"resolving host {host!r} timed out", request=request)


def _ip_refusal(address: IPAddress) -> str | None:
    """Why a (non-allowlisted, unwrapped) address is off limits, or ``None`` if it is public."""
    checks: tuple[tuple[bool, str], ...] = (
        (address.is_unspecified, "is the unspecified address"),
        (address.is_loopback, "is a loopback address"),
        (address.is_link_local, "is link-local (where cloud metadata services such as 169.254.169.254 live)"),
        (address in _CGNAT, "is in the carrier-grade NAT range 100.64.0.0/10"),
        (any(address in network for network in _RFC1918), "is a private (RFC 1918) address"),
        (address in _UNIQUE_LOCAL, "is a unique local IPv6 address (fc00::/7)"),
        (address.is_multicast, "is a multicast address"),
        (address in _NAT64_LOCAL_USE, "is in the local-use NAT64 prefix 64:ff9b:1::/48"),
        (address in _IPV4_COMPATIBLE, "is a deprecated IPv4-compatible IPv6 address"),
        (isinstance(address, IPv6Address) and address.is_site_local, "is a site-local IPv6 address"),
        (address.is_private, "is a special-purpose address (documentation, benchmarking or protocol use)"),
        (address.is_reserved, "is a reserved address"),
        (not address.is_global, "is not globally reachable"),
    )
    return next((f"{address} {reason}" for refused, reason in checks if refused), None)


def _embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 destination inside an IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4 IPv6 address."""
    if isinstance(address, IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64_WELL_KNOWN:
        return IPv4Address(address.packed[-4:])
    return address.sixtofour


def _is_number(label: str) -> bool:
    if label[:2].lower() == "0x":
        return all(char in "0123456789abcdefABCDEF" for char in label[2:])
    return label.isascii() and label.isdigit()


def _parse_ipv4_parts(host: str, labels: list[str]) -> IPv4Address:
    malformed = UnsafeURLError(f"URL host {host!r} looks like an IPv4 address but is malformed")
    if len(labels) > 4 or not all(_is_number(label) for label in labels):
        raise malformed
    parts = [_parse_ipv4_number(label) for label in labels]
    if any(part > 255 for part in parts[:-1]) or parts[-1] >= 256 ** (5 - len(parts)):
        raise malformed
    value = parts[-1]
    for index, part in enumerate(parts[:-1]):
        value += part << (8 * (3 - index))
    return IPv4Address(value)


def _parse_ipv4_number(label: str) -> int:
    if label[:2].lower() == "0x":
        return int(label[2:] or "0", 16)
    if len(label) > 1 and label.startswith("0"):
        if any(char in "89" for char in label):
            raise UnsafeURLError(f"URL host part {label!r} is not a valid octal number")
        return int(label, 8)
    return int(label)


def _port_of(url: httpx.URL) -> int:
    return url.port if url.port is not None else _DEFAULT_PORTS.get(url.scheme, 0)


def _check_port(port: int, policy: EgressPolicy) -> None:
    if not 0 < port < 65536:
        raise UnsafeURLError(f"URL port {port} is not a usable TCP port")
    if policy.allowed_ports is not None and port not in policy.allowed_ports:
        allowed = ", ".join(str(p) for p in policy.allowed_ports)
        raise UnsafeURLError(f"URL port {port} is not allowed; allowed ports: {allowed}")
