"""One signed webhook delivery attempt through the SSRF-guarded client.

Reproduces the hosted callback contract: ``POST`` of the JSON body to ``callBackUrl``, the receiver has
15 s to answer, only 2xx counts. Redirects are not followed (a 3xx is a failure, as Standard Webhooks
says). Retries, their schedule and the outbox are the caller's; this module makes exactly one attempt
and reports what happened without raising.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import anyio
import httpx
from httpx_secure import SSRFProtectionError

from tunesmith.webhooks.guard import EgressPolicy, UnsafeURLError, guarded_client, validate_url
from tunesmith.webhooks.signing import sign, sign_kie

USER_AGENT = "Tunesmith-Webhooks/0.1"
CONNECT_TIMEOUT_S = 5.0
"""Longest wait for DNS plus the TCP/TLS connection, in seconds (within the total timeout)."""


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """The result of one attempt. ``error`` is ``None`` exactly when ``ok``."""

    ok: bool
    """True only for a 2xx answer."""
    status_code: int | None
    """HTTP status of the answer; ``None`` when none arrived (refused, timed out, connection failed)."""
    error: str | None
    """Why the attempt failed, for logs and the outbox row."""
    duration_ms: float
    """Wall time of the attempt in milliseconds."""
    refused: bool = False
    """The egress policy refused the target; retrying the same URL will not help."""
    retry_after_s: float | None = None
    """Seconds the receiver asked to wait (``Retry-After`` on a non-2xx answer), if it said."""


class WebhookSender:
    """Delivers signed callbacks; keeps one guarded ``AsyncClient``, created on first use.

    Use it from one event loop and close it with ``aclose()`` (or ``async with``).
    """

    def __init__(self, policy: EgressPolicy, timeout_s: float = 15.0) -> None:
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s}")
        self._policy = policy
        self._timeout_s = timeout_s
        self._client: httpx.AsyncClient | None = None

    async def deliver(
        self, url: str, body: bytes, *, msg_id: str, secret: str, task_id: str
    ) -> DeliveryOutcome:
        """POST ``body`` (UTF-8 JSON) to ``url`` once, signed with ``secret``; never raises for I/O.

        ``msg_id`` becomes ``webhook-id`` (keep it stable across retries); ``task_id`` feeds the
        kie.ai-compatible signature. Every attempt gets a fresh timestamp and signature.
        """
        started = time.perf_counter()
        try:
            target = validate_url(url, self._policy)
        except UnsafeURLError as error:
            return _failure(started, str(error), refused=True)
        try:
            headers = self._headers(body, msg_id=msg_id, secret=secret, task_id=task_id)
        except ValueError as error:
            return _failure(started, f"cannot sign the callback: {error}")
        try:
            with anyio.fail_after(self._timeout_s):
                # Streamed and never read: the answer's body is irrelevant and may be huge.
                async with self._get_client().stream(
                    "POST", target, content=body, headers=headers
                ) as response:
                    return _outcome(started, response)
        except SSRFProtectionError as error:
            return _failure(started, str(error), refused=True)
        except httpx.ConnectTimeout as error:
            return _failure(started, f"could not connect in time: {error}")
        except (TimeoutError, httpx.TimeoutException):
            return _failure(started, f"no answer within {self._timeout_s:g} s")
        except httpx.HTTPError as error:
            return _failure(started, f"request failed: {type(error).__name__}: {error}")

    async def aclose(self) -> None:
        """Close the client; a later ``deliver`` opens a new one."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def __aenter__(self) -> WebhookSender:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None:
            timeout = httpx.Timeout(self._timeout_s, connect=min(CONNECT_TIMEOUT_S, self._timeout_s))
            self._client = guarded_client(self._policy, timeout, headers={"User-Agent": USER_AGENT})
        return self._client

    @staticmethod
    def _headers(body: bytes, *, msg_id: str, secret: str, task_id: str) -> dict[str, str]:
        timestamp = int(time.time())
        return {
            "Content-Type": "application/json",
            **sign(secret, msg_id, timestamp, body),
            **sign_kie(secret, task_id, timestamp),
        }


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _failure(started: float, error: str, *, refused: bool = False) -> DeliveryOutcome:
    return DeliveryOutcome(
        ok=False, status_code=None, error=error, duration_ms=_elapsed_ms(started), refused=refused
    )


def _outcome(started: float, response: httpx.Response) -> DeliveryOutcome:
    status = response.status_code
    if 200 <= status < 300:
        return DeliveryOutcome(ok=True, status_code=status, error=None, duration_ms=_elapsed_ms(started))
    error = f"receiver answered HTTP {status}"
    if 300 <= status < 400:
        error += " (redirects are not followed)"
    return DeliveryOutcome(
        ok=False,
        status_code=status,
        error=error,
        duration_ms=_elapsed_ms(started),
        retry_after_s=_retry_after_s(response.headers.get("Retry-After")),
    )


def _retry_after_s(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; ``None`` if absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
