"""Decoding ``Content-Encoding: aws-chunked`` request bodies (S3 streaming uploads).

Such a body is a run of chunks ``<hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n``,
a last chunk of size 0, optional trailing headers (``x-amz-checksum-crc32:<b64>``),
then an empty line. ``x-amz-content-sha256`` names the form:

- ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD``: every chunk is signed, each signature
  chained from the previous one, the first from the seed signature (the
  request's own)
  (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html);
- ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER``: the same, then trailing
  headers signed by ``x-amz-trailer-signature``, chained from the last chunk
  (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html);
- ``STREAMING-UNSIGNED-PAYLOAD-TRAILER``: plain chunks and trailing headers,
  nothing signed past the request head (what botocore sends over HTTPS).

``decode`` expects ``sigv4.verify`` to have accepted the request (the seed).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from lamina.gateway.sigv4 import (
    ALGORITHM,
    EMPTY_SHA256,
    STREAMING_PAYLOADS,
    STREAMING_SIGNED,
    STREAMING_SIGNED_TRAILER,
    STREAMING_UNSIGNED_TRAILER,
    Signature,
    SignatureProblem,
    signing_key,
)
from lamina.protocol.http import HttpRequest

TRAILER_SIGNATURE = "x-amz-trailer-signature"
# A chunk header is "<hex size>;chunk-signature=<64 hex>": far below this. The
# bound stops a body without line breaks from being scanned end to end per chunk.
_MAX_CHUNK_HEADER = 4096
_MAX_SIZE_DIGITS = 16
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
_INCOMPLETE = "You did not provide the number of bytes specified by the Content-Length HTTP header."
_BAD_TRAILER = ("The request contained trailing data that was not well-formed or did not conform to our "
                "published schema.")
_BAD_CHUNK_SIGNATURE = ("The request signature we calculated does not match the signature you provided. "
                        "Check your key and signing method.")


@dataclass(slots=True)
class DecodedBody:
    data: bytes
    trailers: dict[str, str]  # lower-case names; x-amz-trailer-signature left out


class ChunkSigner:
    """The chain of signatures that follows a seed signature, one link per chunk."""

    def __init__(self, key: bytes, amz_date: str, scope: str, seed_signature: str) -> None:
        self._key = key
        self._middle = f"\n{amz_date}\n{scope}\n"
        self.previous = seed_signature

    def _link(self, kind: str, tail: str) -> str:
        string_to_sign = f"{ALGORITHM}-{kind}{self._middle}{self.previous}\n{tail}"
        self.previous = hmac.digest(self._key, string_to_sign.encode(), "sha256").hex()
        return self.previous

    def chunk(self, data: bytes | memoryview) -> str:
        """The signature of the next chunk, holding ``data``."""
        return self._link("PAYLOAD", f"{EMPTY_SHA256}\n{hashlib.sha256(data).hexdigest()}")

    def trailer(self, trailers: dict[str, str]) -> str:
        """The signature of the trailing headers, which follow the last chunk."""
        canonical = "".join(f"{name}:{value}\n" for name, value in sorted(trailers.items()))
        return self._link("TRAILER", hashlib.sha256(canonical.encode()).hexdigest())


def decode(request: HttpRequest, sig: Signature, secret: str) -> DecodedBody:
    """The decoded body and trailing headers of an aws-chunked request whose seed ``verify`` accepted.

    Raises SignatureProblem: ``mismatch`` for a chunk or trailer whose signature is wrong,
    ``incomplete_body`` / ``malformed_body`` for a body that is cut short or unreadable.
    """
    mode = request.headers.get("x-amz-content-sha256", "")
    if mode not in STREAMING_PAYLOADS:
        raise ValueError(f"not an aws-chunked streaming payload: {mode!r}")
    signer = None
    if mode != STREAMING_UNSIGNED_TRAILER:
        key = signing_key(secret, sig.date, sig.region, sig.service)
        signer = ChunkSigner(key, sig.amz_date, sig.scope, sig.signature)
    decoded = decode_chunks(request.body, mode, signer)
    _check_declared(request, decoded)
    return decoded


def _check_declared(request: HttpRequest, decoded: DecodedBody) -> None:
    declared_length = request.headers.get("x-amz-decoded-content-length")
    if declared_length is not None and declared_length.strip() != str(len(decoded.data)):
        raise SignatureProblem("incomplete_body", _INCOMPLETE)
    declared_trailers = request.headers.get("x-amz-trailer", "")
    for name in declared_trailers.split(","):
        name = name.strip().lower()
        if name and name not in decoded.trailers:
            raise SignatureProblem("malformed_body", _BAD_TRAILER)


def decode_chunks(body: bytes, mode: str, signer: ChunkSigner | None) -> DecodedBody:
    """Decode an aws-chunked ``body`` sent in streaming ``mode``; ``signer`` checks signed chunks."""
    view = memoryview(body)
    parts: list[memoryview] = []
    pos = 0
    while True:
        size, chunk_signature, start = _chunk_header(body, pos)
        end = start + size
        if end + (2 if size else 0) > len(body):
            raise SignatureProblem("incomplete_body", _INCOMPLETE)
        if signer is not None:
            if chunk_signature is None:
                raise SignatureProblem("malformed_body", "A chunk of a signed aws-chunked body has no chunk-signature.")
            if not hmac.compare_digest(signer.chunk(view[start:end]).encode(), chunk_signature):
                raise SignatureProblem("mismatch", _BAD_CHUNK_SIGNATURE)
        if size == 0:
            pos = start
            break
        if body[end:end + 2] != b"\r\n":
            raise SignatureProblem("malformed_body", "An aws-chunked chunk is longer than its declared size.")
        parts.append(view[start:end])
        pos = end + 2
    trailers, trailer_signature = _trailer_section(body, pos)
    if mode == STREAMING_SIGNED and trailers:
        raise SignatureProblem("malformed_body", _BAD_TRAILER)
    if mode == STREAMING_SIGNED_TRAILER and signer is not None:
        if trailer_signature is None:
            raise SignatureProblem("malformed_body", _BAD_TRAILER)
        if not hmac.compare_digest(signer.trailer(trailers).encode(), trailer_signature):
            raise SignatureProblem("mismatch", _BAD_CHUNK_SIGNATURE)
    return DecodedBody(b"".join(parts), trailers)


def _chunk_header(body: bytes, pos: int) -> tuple[int, bytes | None, int]:
    """(data size, chunk-signature if any, where the data starts) of the chunk header at ``pos``."""
    eol = body.find(b"\r\n", pos, pos + _MAX_CHUNK_HEADER)
    if eol < 0:
        if len(body) - pos < _MAX_CHUNK_HEADER:
            raise SignatureProblem("incomplete_body", _INCOMPLETE)
        raise SignatureProblem("malformed_body", "An aws-chunked chunk header is not terminated.")
    size_text, _, extensions = body[pos:eol].partition(b";")
    size_text = size_text.strip()
    if not size_text or len(size_text) > _MAX_SIZE_DIGITS or not _HEX_DIGITS.issuperset(size_text):
        raise SignatureProblem("malformed_body", "An aws-chunked chunk size is not a hexadecimal number.")
    chunk_signature = None
    for extension in extensions.split(b";") if extensions else ():
        name, _, value = extension.partition(b"=")
        if name.strip() == b"chunk-signature":
            chunk_signature = value.strip()
    return int(size_text, 16), chunk_signature, eol + 2


def _trailer_section(body: bytes, pos: int) -> tuple[dict[str, str], bytes | None]:
    """The trailing headers after the last chunk, and the trailer signature among them."""
    trailers: dict[str, str] = {}
    signature = None
    while pos < len(body):
        eol = body.find(b"\r\n", pos)
        line, pos = (body[pos:], len(body)) if eol < 0 else (body[pos:eol], eol + 2)
        if not line:
            # Some clients put an empty line between the last chunk and the trailers;
            # an empty line after them (or at the very end) closes the section.
            if trailers or signature is not None or pos >= len(body):
                break
            continue
        name, colon, value = line.partition(b":")
        if not colon or not name.strip():
            raise SignatureProblem("malformed_body", _BAD_TRAILER)
        try:
            key, text = name.strip().decode("ascii").lower(), value.strip().decode("ascii")
        except UnicodeDecodeError:
            raise SignatureProblem("malformed_body", _BAD_TRAILER) from None
        if key == TRAILER_SIGNATURE:
            signature = value.strip()
        else:
            trailers[key] = text
    if pos < len(body):
        raise SignatureProblem("malformed_body", _BAD_TRAILER)
    return trailers, signature
