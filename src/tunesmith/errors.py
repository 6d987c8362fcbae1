"""The one exception tree. Each error carries the hosted API's body ``code``; the API layer maps it to the
``{code, msg, data}`` envelope in exactly one place (``api.errors``).

    TunesmithError
    ├── BadRequest              400  invalid parameters
    │   ├── TooLong             413  prompt / style / title over the model's limit
    │   ├── UnsupportedMediaType 415 a JSON endpoint sent a body that is not JSON (by its Content-Type)
    │   └── Unprocessable       422  validation failed (endpoints documenting 422, e.g. persona)
    ├── Unauthorized            401  missing, unknown or revoked API key
    ├── NotFound                404  unknown path, or a task of another key
    ├── InsufficientCredits     429  balance below the operation's cost
    ├── TooManyRequests         430  the key's request rate is over its limit (with ``Retry-After``)
    │   └── TooManyTasks        405  the key's queued and running tasks are at its cap (with ``Retry-After``)
    ├── Conflict                409  the record already exists
    ├── LinkError               403/410  a file link that is tampered with or expired
    ├── SourceUnavailable       451  an ``uploadUrl`` on another host could not be fetched
    ├── ServiceUnavailable      455  the server cannot store work now (disk full, database unwritable)
    └── EngineError             500/501  generation failed (the task fails, credits are refunded)
"""

from __future__ import annotations


class TunesmithError(Exception):
    code: int = 500
    http_status: int = 500
    retry_after_s: int | None = None
    """Seconds after which the same call may succeed, sent as the ``Retry-After`` header; ``None``: none sent."""

    def __init__(self, message: str, *, data: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data  # the envelope's ``data`` (most errors carry none)


class BadRequest(TunesmithError):
    code = 400
    http_status = 400


class TooLong(BadRequest):
    code = 413
    http_status = 413


class UnsupportedMediaType(BadRequest):
    """A JSON endpoint got a ``Content-Type`` other than ``application/json`` or ``application/*+json``
    (not in the hosted API's tables, which never see such a request; HTTP's own code for it)."""

    code = 415
    http_status = 415


class Unprocessable(BadRequest):
    code = 422
    http_status = 422


class Unauthorized(TunesmithError):
    code = 401
    http_status = 401


class NotFound(TunesmithError):
    code = 404
    http_status = 404


class TooManyRequests(TunesmithError):
    """The hosted API's 430, "call frequency too high, retry later": the key's request rate is over its limit.
    Mirrored as HTTP 429 (Too Many Requests), HTTP's status for throttling, which clients pair with
    ``Retry-After``."""

    code = 430
    http_status = 429

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class TooManyTasks(TooManyRequests):
    """The hosted API's 405, "rate limit exceeded (调用超过限制)": the key already has as many queued and running
    tasks as it may. Mirrored as HTTP 429 as well: HTTP's own 405 means "method not allowed"."""

    code = 405


class Conflict(TunesmithError):
    code = 409
    http_status = 409


class InsufficientCredits(TunesmithError):
    code = 429
    http_status = 429


class LinkError(TunesmithError):
    """A file link that cannot be served; ``http_status`` is 403 (bad signature) or 410 (expired)."""

    code = 403
    http_status = 403

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        if expired:
            self.code = 410
            self.http_status = 410


class SourceUnavailable(TunesmithError):
    """Download failed: the source media of a request could not be fetched (the hosted API's 451)."""

    code = 451
    http_status = 451


class ServiceUnavailable(TunesmithError):
    """The hosted API's 455, "system maintenance": the server cannot take paid work now (its disk is nearly
    full or its database refuses writes), so the call is refused before anything is debited. Mirrored as
    HTTP 503 with ``Retry-After``."""

    code = 455
    http_status = 503

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class EngineError(TunesmithError):
    """Generation failed. ``retryable`` errors may be tried again on another attempt. ``code`` is the task's
    ``errorCode`` and the error callback's ``code``: 501 (generation failed) unless the input was at fault,
    e.g. 400 for an upload of the wrong kind found only by listening to it."""

    code = 501
    http_status = 500

    def __init__(self, message: str, *, retryable: bool = False, code: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        if code is not None:
            self.code = code

    def __reduce__(self) -> tuple[object, ...]:  # keep code and retryable across the engine process pool
        return (_engine_error, (type(self), self.message, self.retryable, self.code))


def _engine_error(cls: type[EngineError], message: str, retryable: bool, code: int) -> EngineError:
    return cls(message, retryable=retryable, code=code)
