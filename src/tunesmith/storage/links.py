"""Signed, expiring file links: ``/files/<key>?exp=<unix s>&sig=<HMAC>``.

The key contains the track's random UUID, so links are unguessable; the HMAC covers key and expiry,
so a changed key or a prolonged expiry is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from pathlib import Path
from urllib.parse import quote

from tunesmith.errors import LinkError

MAX_EXP_DIGITS = 12
"""Longest ``exp`` read (unix seconds stay 10 digits until the year 2286)."""


class LinkSigner:
    def __init__(self, secret: bytes, base_url: str, ttl_s: int) -> None:
        self._secret = secret
        self.base_url = base_url.rstrip("/")
        self.ttl_s = ttl_s

    def _sig(self, path: str, exp: int) -> str:
        mac = hmac.new(self._secret, f"{path}\n{exp}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")

    def url(self, route: str, key: str, *, now: float | None = None) -> str:
        """An absolute signed URL for ``route`` (``files`` or ``stream``) and blob ``key``."""
        exp = int((now or time.time()) + self.ttl_s)
        path = f"/{route}/{key}"
        return f"{self.base_url}{quote(path)}?exp={exp}&sig={self._sig(path, exp)}"

    def verify(self, route: str, key: str, exp: str | None, sig: str | None) -> None:
        """Raise :class:`LinkError` unless the link is authentic and unexpired. Any ``exp`` that is not a
        short ASCII number, and any ``sig`` that is not ASCII, is simply not a valid signature."""
        path = f"/{route}/{key}"
        expiry = _expiry(exp)
        if expiry is None or not sig:
            raise LinkError("This file link is not signed; use the URL returned by the API")
        if not sig.isascii() or not hmac.compare_digest(self._sig(path, expiry), sig):
            raise LinkError("This file link has an invalid signature (it was changed or is not ours)")
        if expiry < time.time():
            raise LinkError("This file link has expired; query the task again for a fresh link",
                            expired=True)


def _expiry(exp: str | None) -> int | None:
    """``exp`` as unix seconds: ASCII digits only (``str.isdigit`` also accepts ``²`` and ``٣``)."""
    if not exp or len(exp) > MAX_EXP_DIGITS or not (exp.isascii() and exp.isdigit()):
        return None
    return int(exp)


def load_or_create_secret(path: Path, configured: str | None) -> bytes:
    """The link-signing secret: the configured one, else one generated once into the data dir."""
    if configured:
        return configured.encode()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip().encode()
