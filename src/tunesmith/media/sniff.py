"""What a file is, from its first bytes (magic numbers), never from its name.

Uploads and ``uploadUrl`` sources are judged here: the File Upload API names the sniffed type as
``mimeType``, and only the audio types (plus MP4/WebM containers, which often carry just audio) reach
ffmpeg, with the demuxer forced to the sniffed format.
"""

from __future__ import annotations

from pathlib import Path

HEAD_BYTES = 4096
"""How many leading bytes :func:`sniff_file` reads; enough for an ID3 tag's header and the Ogg/EBML headers."""

EXTENSIONS: dict[str, str] = {
    "audio/mpeg": ".mp3", "audio/wav": ".wav", "audio/flac": ".flac", "audio/ogg": ".ogg", "audio/opus": ".opus",
    "audio/mp4": ".m4a", "audio/aac": ".aac", "audio/aiff": ".aiff", "video/mp4": ".mp4", "video/webm": ".webm",
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
}
"""Every type :func:`sniff` can answer, with the file extension a generated name gets."""

DEMUXERS: dict[str, str] = {
    "audio/mpeg": "mp3", "audio/wav": "wav", "audio/flac": "flac", "audio/ogg": "ogg", "audio/opus": "ogg",
    "audio/mp4": "mov", "audio/aac": "aac", "audio/aiff": "aiff", "video/mp4": "mov", "video/webm": "matroska",
}
"""The ffmpeg demuxer for each type that may hold audio (forced, so no other demuxer ever parses user bytes)."""

_M4A_BRANDS = (b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B ")


def sniff(head: bytes) -> str | None:
    """The MIME type of a file starting with ``head`` (give it :data:`HEAD_BYTES`), or ``None`` if unknown."""
    for check in (_image, _chunked, _container, _ogg, _id3, _mpeg_frame):
        found = check(head)
        if found is not None:
            return found
    return None


def sniff_file(path: Path) -> str | None:
    """:func:`sniff` on the first :data:`HEAD_BYTES` of the file at ``path``."""
    with path.open("rb") as handle:
        return sniff(handle.read(HEAD_BYTES))


def is_audio(mime: str | None) -> bool:
    """True for the types ffmpeg may decode as audio: ``audio/*`` and the MP4/WebM containers."""
    return mime is not None and mime in DEMUXERS


def is_image(mime: str | None) -> bool:
    return mime is not None and mime.startswith("image/")


def _image(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None


def _chunked(head: bytes) -> str | None:
    """RIFF/RF64/BW64 WAVE, RIFF WEBP, IFF AIFF/AIFC and FLAC's ``fLaC`` marker."""
    if head[:4] in (b"RIFF", b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "audio/aiff"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    return None


def _container(head: bytes) -> str | None:
    """ISO BMFF (``ftyp``: M4A brands are audio, other brands MP4 video) and EBML (WebM only)."""
    if head[4:8] == b"ftyp":
        size = int.from_bytes(head[:4], "big")
        brands = [head[8:12]] + [head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)]
        return "audio/mp4" if any(b in _M4A_BRANDS for b in brands) else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"\x42\x82\x84webm" in head[:64] else None
    return None


def _ogg(head: bytes) -> str | None:
    """Ogg by the codec of its first page: Vorbis and FLAC are ``audio/ogg``, Opus ``audio/opus``."""
    if not head.startswith(b"OggS") or len(head) < 28:
        return None
    payload = head[27 + head[26]:]
    if payload.startswith(b"OpusHead"):
        return "audio/opus"
    if payload.startswith((b"\x01vorbis", b"\x7fFLAC", b"Speex   ")):
        return "audio/ogg"
    return None  # Theora video, skeleton streams and the like


def _id3(head: bytes) -> str | None:
    """An ID3v2 tag; what follows it decides (FLAC and AAC may carry one too, MP3 is the common case)."""
    if not head.startswith(b"ID3") or len(head) < 10:
        return None
    size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)
    after = head[10 + size + (10 if head[5] & 0x10 else 0):]
    if after.startswith(b"fLaC"):
        return "audio/flac"
    if _adts(after):
        return "audio/aac"
    return "audio/mpeg"  # the tag can outgrow the head we read; ID3v2 is an MP3 convention


def _mpeg_frame(head: bytes) -> str | None:
    """A bare MPEG audio frame (MP3 without a tag) or an AAC ADTS frame, checked field by field."""
    if _adts(head):
        return "audio/aac"
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    if version == 1 or layer == 0 or bitrate in (0, 15) or rate == 3:
        return None
    return "audio/mpeg"


def _adts(head: bytes) -> bool:
    """An ADTS header: sync 0xFFF, layer 00, a valid sampling-frequency index."""
    return len(head) >= 7 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0 and (head[2] >> 2) & 0xF < 13
