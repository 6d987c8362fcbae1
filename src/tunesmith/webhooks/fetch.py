"""Download one user-supplied URL to a local file through the egress guard, size-capped and time-boxed.

Used by ``/api/file-url-upload`` and by every ``uploadUrl`` on another host. Rules:

* the URL is checked by :func:`~tunesmith.webhooks.guard.validate_url` and every connection by the
  guarded client, so private, loopback, link-local and metadata addresses are refused unless the operator
  allowlisted them (``egress.allow_networks``);
* redirects are **refused**, not followed: a 3xx answer fails with a message asking for the final URL.
  Following them safely needs every hop re-checked, and a file host that redirects is rare; refusing is
  the smaller attack surface;
* the size limit is enforced twice: a declared ``Content-Length`` over the limit is refused before the
  body is read, and the body is counted while it streams, so a server that lies is cut off at the limit;
* one deadline covers connecting, waiting and reading;
* on any failure the partial file is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import anyio
import httpx
from httpx_secure import SSRFProtectionError

from tunesmith.errors import SourceUnavailable
from tunesmith.webhooks.guard import EgressPolicy, UnsafeURLError, guarded_client, validate_url

USER_AGENT = "Tunesmith-Fetch/0.1"
CONNECT_TIMEOUT_S = 10.0
"""Longest wait for DNS plus the TCP/TLS connection, in seconds (within the total deadline)."""


class FetchError(SourceUnavailable):
    """The URL could not be fetched (network error, timeout, non-2xx answer); the message says why."""


class FetchRefused(FetchError):
    """The URL is not allowed (egress policy, a redirect); nothing was downloaded."""


class FetchTooLarge(FetchError):
    """The file is larger than the limit (declared or counted while streaming)."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A downloaded file: where it is, its size in bytes and the ``Content-Type`` the server declared
    (informational only; the type is sniffed from the bytes)."""

    path: Path
    size: int
    declared_type: str | None


async def fetch_to_file(url: str, dest: Path, *, policy: EgressPolicy, max_bytes: int,
                        timeout_s: float) -> Fetched:
    """GET ``url`` into ``dest`` (created or replaced); at most ``max_bytes`` bytes within ``timeout_s`` s."""
    try:
        target = validate_url(url, policy)
    except UnsafeURLError as exc:
        raise FetchRefused(exc.message) from None
    try:
        with anyio.fail_after(timeout_s):
            return await _download(target, dest, policy, max_bytes, timeout_s)
    except TimeoutError:
        dest.unlink(missing_ok=True)
        raise FetchError(f"the download did not finish within {timeout_s:g} s") from None
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


def fetch_to_file_sync(url: str, dest: Path, *, policy: EgressPolicy, max_bytes: int,
                       timeout_s: float) -> Fetched:
    """:func:`fetch_to_file` for synchronous callers (request threads, the worker); not inside an event loop."""
    run = partial(fetch_to_file, url, dest, policy=policy, max_bytes=max_bytes, timeout_s=timeout_s)
    return anyio.run(run)


async def _download(url: str, dest: Path, policy: EgressPolicy, max_bytes: int, timeout_s: float) -> Fetched:
    timeout = httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s))
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    try:
        async with guarded_client(policy, timeout, headers=headers) as client, client.stream("GET", url) as answer:
            _check_answer(answer, max_bytes)
            size = await _save(answer, dest, max_bytes)
            return Fetched(dest, size, answer.headers.get("content-type"))
    except SSRFProtectionError as exc:
        raise FetchRefused(getattr(exc, "reason", None) or str(exc)) from None
    except httpx.TimeoutException:
        raise FetchError(f"the server did not answer within {timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from None


def _check_answer(answer: httpx.Response, max_bytes: int) -> None:
    if answer.is_redirect:
        where = answer.headers.get("location", "another address")
        raise FetchRefused(f"the server redirects (HTTP {answer.status_code} to {where}); redirects are not "
                           "followed, give the final URL")
    if not answer.is_success:
        raise FetchError(f"the server answered HTTP {answer.status_code}")
    declared = answer.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchTooLarge(f"the file is {int(declared)} bytes; the limit is {max_bytes} bytes")


async def _save(answer: httpx.Response, dest: Path, max_bytes: int) -> int:
    """Stream the body into ``dest``, stopping as soon as it exceeds ``max_bytes``."""
    size = 0
    with dest.open("wb") as handle:
        async for chunk in answer.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchTooLarge(f"the file is larger than the limit of {max_bytes} bytes")
            handle.write(chunk)
    if size == 0:
        raise FetchError("the server sent an empty file")
    return size
