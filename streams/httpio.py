"""HTTP helpers shared by the feed poller, push ingest and the webhook.

``read_capped``: ``StreamReader.read(n)`` returns *up to* ``n`` bytes, whatever has arrived, not the
whole body (a large feed or push came back cut at the first chunk); this reads to the end, with a
limit. ``retry_after_seconds``: a ``Retry-After`` header, in seconds or as an HTTP date.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from aiohttp import StreamReader

CHUNK = 64 * 1024


async def read_capped(stream: StreamReader, max_bytes: int) -> bytes | None:
    """The whole body, or ``None`` as soon as it passes ``max_bytes`` (nothing more is read)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream.iter_chunked(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (``120`` or an HTTP date); ``None`` if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None
