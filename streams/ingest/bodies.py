"""Reading an HTTP body with a size limit (feeds fetched, documents pushed).

``StreamReader.read(n)`` returns *up to* ``n`` bytes, whatever has arrived, not the whole body: a
large feed or push came back cut at the first chunk. ``read_capped`` reads to the end.
"""

from __future__ import annotations

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
