"""The HTTP/1.1 protocol ``tunesmith serve`` runs: uvicorn's h11 protocol, answering a request its HTTP parser
refuses with the ``{code, msg, data}`` envelope instead of uvicorn's plain text.

Such a request never reaches the app (no route, no key, no debit): a request line plus headers over
:data:`MAX_HEAD_BYTES`, a malformed request line or header, a body framing h11 cannot read. The answer is
HTTP 400 with body code 400 and the connection is closed, as uvicorn does.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

MAX_HEAD_BYTES = 16 * 1024
"""Largest request line plus headers the parser buffers (h11's own default); longer heads get the 400."""
PARSER_MESSAGE = f"Invalid HTTP request: malformed, or its request line and headers exceed {MAX_HEAD_BYTES} bytes"


class EnvelopeH11Protocol(H11Protocol):
    """uvicorn's h11 protocol whose parser-level 400 is the envelope (JSON) rather than plain text."""

    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"code": 400, "msg": PARSER_MESSAGE, "data": None}, separators=(",", ":")).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()
