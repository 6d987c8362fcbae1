"""Per-key limits on floods: request rates (code 430) and the cap on unfinished tasks (code 405).

The hosted API documents both codes (``shared/reference/suno-api.md`` §1.3) without saying which limit gives
which; their wording decides it here:

* **430** "call frequency too high, retry later" (您的调用频率过高) is about *frequency*: a key that sends more
  requests per window than its budget. Third-party docs give the hosted budget as 20 requests per 10 s (§1.6).
* **405** "rate limit exceeded" (调用超过限制, "calls over the limit") is about an *amount*: a key that already
  has ``limits.max_active_tasks`` queued or running tasks. Checked in the submit transaction
  (:func:`tunesmith.tasks.service.submit`), so parallel submits cannot overshoot it and a refusal debits
  nothing and stores no task. The upload API's 405 means "method not allowed" (§3.23), so uploads only
  ever get 430.

Both carry ``Retry-After`` (whole seconds). Budgets are per key and by HTTP method, so every authenticated
route counts without a list of routes to keep in step:

* **calls** (POST): creating tasks — free ones such as recovery included —, the synchronous operations
  (style, persona, timestamped lyrics) and uploads; ``limits.calls_per_window``, default the hosted 20 per
  10 s.
* **reads** (GET): record-info polling and credits; ``limits.reads_per_window``, default 300 per 10 s:
  kie's "at most 3 queries/s per task" for 10 tasks at once. A client polling two tasks every 2 s uses 1/s;
  a flood of hundreds per second is refused.

Each budget is a token bucket: ``N`` requests at once, refilled at ``N / window_s`` per second, so a steady
client is never refused and a burst is answered as soon as it has a token again. Refused requests take no
token. Unknown keys are refused by authentication first and never get a bucket, so memory grows with the
number of keys, not with traffic. The buckets live behind :class:`RateStore`; :class:`MemoryRateStore` is
the one for a single server process (thread-safe: the server answers on several threads). Several API servers
behind one balancer need a shared store (Redis, PostgreSQL) with the same one-method interface.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from tunesmith.config import LimitsSettings
from tunesmith.errors import TooManyRequests
from tunesmith.tasks.service import ActiveCap

READ_METHODS = frozenset({"GET", "HEAD"})
"""HTTP methods spent from the reads budget; every other method is a call."""


class Budget(str, Enum):
    CALLS = "calls"
    READS = "reads"


@dataclass(frozen=True)
class Rate:
    """``requests`` per ``window_s`` seconds (``requests`` > 0)."""

    requests: int
    window_s: float

    @property
    def per_s(self) -> float:
        return self.requests / self.window_s


class RateStore(Protocol):
    """Where the token buckets live."""

    def take(self, name: str, rate: Rate) -> float:
        """Spend one request from bucket ``name`` filled at ``rate``: 0.0 when allowed, else the seconds until
        one is (nothing is spent then)."""


class MemoryRateStore:
    """Token buckets in this process's memory, one per name; ``clock`` gives seconds (monotonic)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # name → (tokens, when they were counted)

    def take(self, name: str, rate: Rate) -> float:
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(name, (float(rate.requests), now))
            tokens = min(float(rate.requests), tokens + (now - then) * rate.per_s)
            spent = tokens >= 1.0
            self._buckets[name] = (tokens - 1.0 if spent else tokens, now)
        return 0.0 if spent else (1.0 - tokens) / rate.per_s


class KeyLimiter:
    """The limits of ``settings`` for every key; rates are kept in ``store``."""

    def __init__(self, settings: LimitsSettings, store: RateStore | None = None) -> None:
        self.store: RateStore = store or MemoryRateStore()
        self.cap = ActiveCap(tasks=settings.max_active_tasks, retry_after_s=settings.busy_retry_after_s)
        self._rates = {
            Budget.CALLS: Rate(settings.calls_per_window, settings.window_s),
            Budget.READS: Rate(settings.reads_per_window, settings.window_s),
        }

    def check(self, key_id: int, method: str) -> None:
        """Count one request of ``method`` by key ``key_id``; raises ``TooManyRequests`` (430) over its budget."""
        budget = Budget.READS if method.upper() in READ_METHODS else Budget.CALLS
        rate = self._rates[budget]
        if rate.requests <= 0:
            return
        wait_s = self.store.take(f"{key_id}:{budget.value}", rate)
        if wait_s > 0:
            retry = max(1, math.ceil(wait_s))
            raise TooManyRequests(f"Your call frequency is too high, please retry later: this key may make "
                                  f"{rate.requests} {budget.value} per {rate.window_s:g} s; retry in {retry} s",
                                  retry_after_s=retry)
