"""File Upload API shapes (``suno-api.md`` §3.23): the three request bodies, ``uploadPath``/``fileName``
rules, base64 decoding and the answer, which (unlike the rest of the API) carries ``success`` too.

Rules (Tunesmith's; the hosted doc only says "no leading/trailing slash"):

* ``uploadPath``: relative, 1–10 segments joined by ``/``, at most 200 characters; a segment is letters
  (any script), digits, ``.``, ``_``, ``-``, and may not start with a dot (so no ``.``/``..`` and no hidden
  or reserved folders). Trailing slashes are dropped; a leading slash (an absolute path), backslashes,
  empty segments, NUL and other control characters are refused with 400.
* ``fileName``: a plain name (no ``/`` or ``\\``), at most 100 characters, the same characters plus space,
  ``(``, ``)`` and ``+``; not starting with a dot or space. Absent: a random name with the extension of
  the sniffed type (base64, URL) or the multipart part's own file name (stream; its directory dropped).
* The wire ``filePath`` is ``<uploadPath>/<fileName>``; the same path for the same API key overwrites.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tunesmith.errors import BadRequest
from tunesmith.storage.links import LinkSigner
from tunesmith.storage.uploads import UploadRecord

UPLOADED = "File uploaded successfully"
PATH_MAX, SEGMENTS_MAX, SEGMENT_MAX, NAME_MAX = 200, 10, 64, 100
_PATH_EXTRA, _NAME_EXTRA = "._-", "._- ()+"
_DATA_URI = re.compile(r"data:([\w.+-]+/[\w.+-]+)?(?:;[\w.+-]+=[\w.+-]+)*;base64,", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class UploadTarget:
    """Where an upload goes: the cleaned ``upload_path`` and ``file_name`` (``None``: choose one)."""

    upload_path: str
    file_name: str | None


def required_text(body: dict[str, Any], name: str) -> str:
    """A required string field: absent, null or empty is "Missing required parameter: <name>"."""
    value = body.get(name)
    if value is None or value == "":
        raise BadRequest(f"Missing required parameter: {name}")
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string")
    return value


def upload_target(upload_path: object, file_name: object) -> UploadTarget:
    """Clean and check ``uploadPath`` and the optional ``fileName`` (see the module rules)."""
    if upload_path is None or upload_path == "":
        raise BadRequest("Missing required parameter: uploadPath")
    if not isinstance(upload_path, str):
        raise BadRequest("uploadPath must be a string")
    if file_name is not None and not isinstance(file_name, str):
        raise BadRequest("fileName must be a string")
    return UploadTarget(clean_upload_path(upload_path), clean_file_name(file_name) if file_name else None)


def clean_upload_path(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    _refuse_control(value, "uploadPath")
    if "\\" in value:
        raise BadRequest("uploadPath must use '/' between folders, not backslashes")
    if value.startswith("/"):
        raise BadRequest("uploadPath must be relative (no leading '/'), e.g. audio/user-uploads")
    value = value.rstrip("/")
    segments = value.split("/")
    if not value or len(value) > PATH_MAX or len(segments) > SEGMENTS_MAX:
        raise BadRequest(f"uploadPath must have 1-{SEGMENTS_MAX} folders and at most {PATH_MAX} characters")
    for segment in segments:
        if segment in ("", ".", ".."):
            raise BadRequest(f"uploadPath must not contain empty, '.' or '..' folders: {value!r}")
        _check_name(segment, "uploadPath", _PATH_EXTRA, SEGMENT_MAX)
    return value


def clean_file_name(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    _refuse_control(value, "fileName")
    if "/" in value or "\\" in value:
        raise BadRequest("fileName must be a plain file name, without folders (put those in uploadPath)")
    if value in (".", ".."):
        raise BadRequest("fileName must not be '.' or '..'")
    _check_name(value, "fileName", _NAME_EXTRA, NAME_MAX)
    if value.endswith((" ", ".")):
        raise BadRequest("fileName must not end with a space or a dot")
    return value


def client_file_name(value: str | None) -> str | None:
    """The multipart part's own file name, directory dropped (some clients send a full path)."""
    if not value:
        return None
    base = value.replace("\\", "/").rsplit("/", 1)[-1]
    return clean_file_name(base) if base else None


def decode_base64_data(value: str, max_bytes: int) -> bytes:
    """``base64Data`` → bytes: plain base64 (standard or URL-safe, line breaks and missing padding
    tolerated) or a ``data:<mime>;base64,…`` URI; over ``max_bytes`` decoded is refused before decoding."""
    found = _DATA_URI.match(value)
    if value[:5].lower() == "data:" and found is None:
        raise BadRequest("base64Data is a data URI but not a base64 one (expected data:<mime>;base64,...)")
    text = re.sub(r"\s+", "", value[found.end():] if found else value)
    if len(text) * 3 // 4 - text.count("=") > max_bytes:
        raise BadRequest(f"base64Data decodes to more than {max_bytes} bytes, the limit for this route; "
                         "use /api/file-stream-upload for larger files")
    text = text.translate(str.maketrans("-_", "+/")).rstrip("=")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("base64Data is not valid base64") from None
    if not data:
        raise BadRequest("base64Data decodes to an empty file")
    return data


def base64_body_limit(max_base64_bytes: int) -> int:
    """Largest JSON body of the base64 route in bytes: 1.5 × the decoded cap (base64 is 4/3; line-wrapped
    base64 with JSON-escaped CRLFs is 1.40) plus 64 KiB for a data URI prefix and the other fields."""
    return max_base64_bytes * 3 // 2 + 64 * 1024


def upload_answer(upload: UploadRecord, signer: LinkSigner) -> dict[str, Any]:
    """The §3.23 success envelope."""
    return {"success": True, "code": 200, "msg": UPLOADED, "data": {
        "fileName": upload.file_name, "filePath": upload.path,
        "downloadUrl": download_url(upload, signer), "fileSize": upload.size,
        "mimeType": upload.mime_type, "uploadedAt": iso_millis(upload.created_at),
    }}


def download_url(upload: UploadRecord, signer: LinkSigner) -> str:
    """A signed ``/files/…`` link that works without the API key until the upload's retention ends (or
    the usual link lifetime, if that is shorter)."""
    expires = upload.expires_at.replace(tzinfo=UTC).timestamp()
    return signer.url("files", upload.blob_key, now=min(time.time(), expires - signer.ttl_s))


def iso_millis(value: datetime) -> str:
    """Naive UTC → ``2025-01-01T12:00:00.000Z``."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _refuse_control(value: str, field: str) -> None:
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        raise BadRequest(f"{field} must not contain control characters")


def _check_name(value: str, field: str, extra: str, limit: int) -> None:
    if len(value) > limit:
        raise BadRequest(f"{field}: {value[:20]!r}... is longer than {limit} characters")
    if value.startswith((".", " ")):
        raise BadRequest(f"{field}: {value!r} must not start with a dot or a space")
    bad = next((ch for ch in value if not (ch.isalnum() or ch in extra)), None)
    if bad is not None:
        raise BadRequest(f"{field}: {value!r} contains {bad!r}; use letters, digits and {extra.strip()!r}")
