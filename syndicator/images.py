"""Featured images: fetched on an article's behalf, and judged by their bytes.

What a source calls its main image (``og:image``) is fetched with the
article's own source's network allowance (one guarded client per source,
:class:`ClientsBySource`), streamed, and cut off at ``MAX_IMAGE_BYTES`` of
*decoded* bytes (so a compression bomb stops too) and after
``MAX_IMAGE_SECONDS`` for the whole download (a server dripping a byte now
and then passes every per-read timeout). Redirects are followed through the
same guarded client, so each hop is judged like the first.

What it is, is read from its first bytes, never from the server's
Content-Type or the URL's file name: JPEG, PNG, GIF, WebP and AVIF are
images; anything else (HTML, SVG, which can carry scripts, or a file that is
merely labelled ``image/png``) is not. The partner gets it under a name and
type chosen here from that sniff (``syndicator-<article id>.png``,
``image/png``), so a source cannot choose what a partner's site stores and
serves.

Anything wrong raises :class:`ImageLeftOut` with one line saying why; the
article then goes out without a featured image.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

import httpx

from syndicator.netguard import NetworkRefusedError
from syndicator.partners import transport_error

MAX_IMAGE_BYTES = 10 * 1024 * 1024
# the whole download, redirects included; a partner with a shorter timeout gets that one
MAX_IMAGE_SECONDS = 30.0
ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9"


class ImageLeftOut(Exception):
    """The featured image cannot be used; ``str()`` is one line saying why."""


@dataclass(frozen=True)
class Image:
    data: bytes
    mime_type: str
    extension: str


def _avif(data: bytes) -> bool:
    """An ISO-BMFF file whose ``ftyp`` box names the AVIF brand (``avif`` for a
    still image, ``avis`` for a sequence), as its major or a compatible brand."""
    if data[4:8] != b"ftyp":
        return False
    size = int.from_bytes(data[:4], "big")
    if not 16 <= size <= min(len(data), 4096) or size % 4:
        return False
    brands = [data[8:12]] + [data[at : at + 4] for at in range(16, size, 4)]
    return b"avif" in brands or b"avis" in brands


def sniff(data: bytes) -> tuple[str, str] | None:
    """``(mime type, extension)`` of the image the bytes are, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    if _avif(data):
        return "image/avif", "avif"
    return None


def looks_like(data: bytes) -> str:
    """What bytes that are no image look like, for the note that says so."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        return "empty"
    if b"<svg" in head:
        return "looks like SVG"
    if head.startswith(b"<?xml") and b"<html" not in head:
        return "looks like XML"
    if head.startswith(b"<"):
        return "looks like HTML"
    if head.startswith(b"%pdf"):
        return "looks like PDF"
    if head.startswith((b"{", b"[")):
        return "looks like JSON"
    return "starts with bytes " + data[:8].hex(" ")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _decoder(encoding: str) -> Callable[[bytes, int], bytes]:
    """``decode(raw bytes, at most n bytes out)`` for a Content-Encoding.

    httpx inflates each network read whole: one 64 KB read of a gzip bomb is
    64 MB in memory before anything can count it. Here no call gives more than
    the room left under the limit. Images are compressed already and are asked
    for without an encoding; a server that sends one anyway gets gzip or
    deflate read, and anything else refused."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return lambda data, room: data
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)  # a gzip or a zlib header
        return inflate.decompress
    raise ImageLeftOut(f"sent with Content-Encoding {encoding!r}, which was not asked for")


async def _read(response: httpx.Response, max_bytes: int) -> bytes:
    if response.status_code != 200:
        raise ImageLeftOut(f"the source answered HTTP {response.status_code}")
    encoding = response.headers.get("Content-Encoding", "")
    length = response.headers.get("Content-Length", "")
    # a plain body says its size up front: no need to read any of it
    too_large = ImageLeftOut(f"larger than {_megabytes(max_bytes)}")
    if not encoding and length.isdigit() and int(length) > max_bytes:
        raise too_large
    decode, data = _decoder(encoding), bytearray()
    async for raw in response.aiter_raw():
        try:
            data += decode(raw, max_bytes - len(data) + 1)
        except zlib.error as exc:
            raise ImageLeftOut(f"could not be decoded ({encoding}: {exc})") from None
        if len(data) > max_bytes:  # counted decoded: a compression bomb stops here too
            raise too_large
    return bytes(data)


async def fetch_image(
    client: httpx.AsyncClient,
    url: str,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    seconds: float = MAX_IMAGE_SECONDS,
) -> Image:
    """Download ``url`` with ``client`` and return it if it is an image by its bytes;
    raise :class:`ImageLeftOut` otherwise."""
    try:
        async with asyncio.timeout(seconds):
            headers = {"Accept": ACCEPT, "Accept-Encoding": "identity"}
            request = client.stream("GET", url, headers=headers, follow_redirects=True)
            async with request as response:
                data = await _read(response, max_bytes)
    except TimeoutError:
        raise ImageLeftOut(f"took longer than {seconds:g} s") from None
    except NetworkRefusedError as exc:
        raise ImageLeftOut(f"not fetched: {exc}") from None
    except httpx.HTTPError as exc:
        raise ImageLeftOut(str(transport_error(exc, "could not be fetched"))) from None
    except httpx.InvalidURL as exc:
        raise ImageLeftOut(f"could not be fetched: {exc}") from None
    kind = sniff(data)
    if kind is None:
        raise ImageLeftOut(f"not an image by its bytes ({looks_like(data)})")
    return Image(data, *kind)


class ClientsBySource:
    """One client per source, made by ``make(source name)`` when first asked
    for, all closed together: every fetch made for an article goes through the
    client of the article's own source, with that source's networks only."""

    def __init__(self, make: Callable[[str], httpx.AsyncClient]) -> None:
        self._make = make
        self._clients: dict[str, httpx.AsyncClient] = {}

    def __call__(self, source: str) -> httpx.AsyncClient:
        if source not in self._clients:
            self._clients[source] = self._make(source)
        return self._clients[source]

    async def __aenter__(self) -> ClientsBySource:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
