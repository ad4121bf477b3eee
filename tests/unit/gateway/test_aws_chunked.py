"""Decoding aws-chunked bodies: AWS's published examples, bodies built by the
documented algorithm, botocore's own encoder, and every refusal."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import zlib
from base64 import b64encode

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

from lamina.gateway.aws_chunked import decode
from lamina.gateway.sigv4 import (
    STREAMING_SIGNED,
    STREAMING_SIGNED_TRAILER,
    STREAMING_UNSIGNED_TRAILER,
    SignatureProblem,
    read_signature,
    verify,
)
from lamina.protocol.http import HttpRequest

EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EXAMPLE_TIME = dt.datetime(2013, 5, 24, tzinfo=dt.timezone.utc)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def example_request(mode: str, signed_headers: str, seed: str, body: bytes) -> HttpRequest:
    headers = {
        "host": "s3.amazonaws.com",
        "x-amz-date": "20130524T000000Z",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "x-amz-content-sha256": mode,
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": "66560",
        "content-length": str(len(body)),
        "authorization": ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                          f"SignedHeaders={signed_headers},Signature={seed}"),
    }
    if mode == STREAMING_SIGNED_TRAILER:
        headers["x-amz-trailer"] = "x-amz-checksum-crc32c"
    return HttpRequest("PUT", "/examplebucket/chunkObject.txt", "", headers, body)


def example_body(signatures: list[str], tail: bytes) -> bytes:
    return (f"10000;chunk-signature={signatures[0]}\r\n".encode() + b"a" * 65536 + b"\r\n"
            + f"400;chunk-signature={signatures[1]}\r\n".encode() + b"a" * 1024 + b"\r\n"
            + f"0;chunk-signature={signatures[2]}\r\n".encode() + tail)


def test_the_published_chunked_upload_example_decodes():
    # https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html, "Example: PUT Object":
    # 65 KiB of "a" in a 64 KiB chunk, a 1 KiB chunk and the final empty chunk.
    body = example_body(["ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
                         "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
                         "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"], b"\r\n")
    request = example_request(
        STREAMING_SIGNED,
        "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
        "x-amz-storage-class", "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", body)
    assert len(body) == 66824  # the example's Content-Length

    sig = read_signature(request)
    verify(request, sig, EXAMPLE_SECRET, now=EXAMPLE_TIME)
    decoded = decode(request, sig, EXAMPLE_SECRET)

    assert decoded.data == b"a" * 66560 and decoded.trailers == {}


def test_the_published_trailer_example_decodes():
    # https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html, "Example: PUT Object".
    body = example_body(["b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
                         "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
                         "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"],
                        b"x-amz-checksum-crc32c:sOO8/Q==\r\n"
                        b"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
                        b"\r\n\r\n")
    request = example_request(
        STREAMING_SIGNED_TRAILER,
        "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;"
        "x-amz-trailer", "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e", body)

    sig = read_signature(request)
    verify(request, sig, EXAMPLE_SECRET, now=EXAMPLE_TIME)
    decoded = decode(request, sig, EXAMPLE_SECRET)

    assert decoded.data == b"a" * 66560
    assert decoded.trailers == {"x-amz-checksum-crc32c": "sOO8/Q=="}


# --- bodies built by the documented algorithm, on a botocore-signed request head ---------------------

class ChunkedUpload:
    """A streaming upload as the doc describes it: a signed head, then chained chunk signatures."""

    def __init__(self, mode: str, credentials, signed_at: dt.datetime, decoded_length: int,
                 trailer: str | None = None) -> None:
        request = AWSRequest(method="PUT", url="https://s3.us-east-1.amazonaws.com/bkt/big.bin", headers={
            "Content-Encoding": "aws-chunked", "X-Amz-Content-SHA256": mode,
            "X-Amz-Decoded-Content-Length": str(decoded_length)})
        if trailer:
            request.headers["X-Amz-Trailer"] = trailer
        # SigV4Auth signs x-amz-content-sha256 as given (S3SigV4Auth would replace it with a hash).
        SigV4Auth(credentials, "s3", "us-east-1").add_auth(request)
        self.head = request
        self.amz_date = signed_at.strftime("%Y%m%dT%H%M%SZ")
        self.scope = f"{self.amz_date[:8]}/us-east-1/s3/aws4_request"
        self.key = ("AWS4" + credentials.secret_key).encode()
        for part in (self.amz_date[:8], "us-east-1", "s3", "aws4_request"):
            self.key = hmac.new(self.key, part.encode(), hashlib.sha256).digest()
        self.previous = request.headers["Authorization"].rsplit("Signature=", 1)[1]

    def _sign(self, kind: str, hashed: str) -> str:
        string_to_sign = "\n".join((f"AWS4-HMAC-SHA256-{kind}", self.amz_date, self.scope, self.previous, hashed))
        self.previous = hmac.new(self.key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        return self.previous

    def chunk(self, data: bytes) -> bytes:
        signature = self._sign("PAYLOAD", f"{EMPTY_SHA256}\n{hashlib.sha256(data).hexdigest()}")
        return f"{len(data):x};chunk-signature={signature}\r\n".encode() + data + (b"\r\n" if data else b"")

    def trailers(self, trailers: dict[str, str]) -> bytes:
        canonical = "".join(f"{k}:{v}\n" for k, v in sorted(trailers.items()))
        signature = self._sign("TRAILER", hashlib.sha256(canonical.encode()).hexdigest())
        lines = "".join(f"{k}:{v}\r\n" for k, v in trailers.items())
        return f"{lines}x-amz-trailer-signature:{signature}\r\n\r\n".encode()

    def request(self, wire, body: bytes) -> HttpRequest:
        http = wire(self.head)
        http.body = body
        return http


def split(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


DATA = bytes(range(256)) * 160  # 40 KiB


@pytest.fixture
def signed_upload(frozen_signing_clock, credentials, wire):
    upload = ChunkedUpload(STREAMING_SIGNED, credentials, frozen_signing_clock, len(DATA))
    body = b"".join(upload.chunk(c) for c in split(DATA, 8192)) + upload.chunk(b"") + b"\r\n"
    return upload.request(wire, body)


@pytest.fixture
def trailer_upload(frozen_signing_clock, credentials, wire):
    upload = ChunkedUpload(STREAMING_SIGNED_TRAILER, credentials, frozen_signing_clock, len(DATA),
                           trailer="x-amz-checksum-sha256")
    checksum = b64encode(hashlib.sha256(DATA).digest()).decode()
    body = (b"".join(upload.chunk(c) for c in split(DATA, 10000)) + upload.chunk(b"")
            + upload.trailers({"x-amz-checksum-sha256": checksum}))
    return upload.request(wire, body)


def decoded(request: HttpRequest, secret: str, now: dt.datetime):
    sig = read_signature(request)
    verify(request, sig, secret, now=now)
    return decode(request, sig, secret)


def refused(request: HttpRequest, secret: str, now: dt.datetime) -> SignatureProblem:
    with pytest.raises(SignatureProblem) as caught:
        decoded(request, secret, now)
    return caught.value


def test_signed_chunks_decode(signed_upload, secret, frozen_signing_clock):
    result = decoded(signed_upload, secret, frozen_signing_clock)
    assert result.data == DATA and result.trailers == {}


def test_signed_chunks_with_a_signed_trailer_decode(trailer_upload, secret, frozen_signing_clock):
    result = decoded(trailer_upload, secret, frozen_signing_clock)
    assert result.data == DATA
    assert result.trailers == {"x-amz-checksum-sha256": b64encode(hashlib.sha256(DATA).digest()).decode()}


def test_a_single_empty_chunk_is_an_empty_body(frozen_signing_clock, credentials, secret, wire):
    upload = ChunkedUpload(STREAMING_SIGNED, credentials, frozen_signing_clock, 0)
    request = upload.request(wire, upload.chunk(b"") + b"\r\n")
    assert decoded(request, secret, frozen_signing_clock).data == b""


@pytest.mark.parametrize("chunk_size", [1, 7, 8192, 1 << 20])
def test_botocore_unsigned_trailer_encoding_decodes(frozen_signing_clock, credentials, secret, wire, chunk_size):
    # What botocore sends over HTTPS: STREAMING-UNSIGNED-PAYLOAD-TRAILER built by its AwsChunkedWrapper.
    upload = ChunkedUpload(STREAMING_UNSIGNED_TRAILER, credentials, frozen_signing_clock, len(DATA),
                           trailer="x-amz-checksum-crc32")
    body = AwsChunkedWrapper(io.BytesIO(DATA), checksum_cls=Crc32Checksum, checksum_name="x-amz-checksum-crc32",
                             chunk_size=chunk_size).read()
    result = decoded(upload.request(wire, body), secret, frozen_signing_clock)

    assert result.data == DATA
    assert result.trailers == {"x-amz-checksum-crc32": b64encode(zlib.crc32(DATA).to_bytes(4, "big")).decode()}


# --- refusals ----------------------------------------------------------------------------------------

def mutate(request: HttpRequest, old: bytes, new: bytes) -> HttpRequest:
    assert old in request.body
    request.body = request.body.replace(old, new, 1)
    return request


def test_tampered_chunk_data_is_a_mismatch(signed_upload, secret, frozen_signing_clock):
    body = bytearray(signed_upload.body)
    body[body.index(b"\r\n") + 100] ^= 1
    signed_upload.body = bytes(body)
    assert refused(signed_upload, secret, frozen_signing_clock).kind == "mismatch"


def test_reordered_chunks_are_a_mismatch(frozen_signing_clock, credentials, secret, wire):
    upload = ChunkedUpload(STREAMING_SIGNED, credentials, frozen_signing_clock, 16384)
    first, second = upload.chunk(b"x" * 8192), upload.chunk(b"y" * 8192)
    request = upload.request(wire, second + first + upload.chunk(b"") + b"\r\n")
    assert refused(request, secret, frozen_signing_clock).kind == "mismatch"


def test_a_dropped_final_chunk_is_incomplete(signed_upload, secret, frozen_signing_clock):
    signed_upload.body = signed_upload.body[:signed_upload.body.rindex(b"0;chunk-signature=")]
    assert refused(signed_upload, secret, frozen_signing_clock).kind == "incomplete_body"


def test_a_truncated_chunk_is_incomplete(signed_upload, secret, frozen_signing_clock):
    signed_upload.body = signed_upload.body[:5000]
    assert refused(signed_upload, secret, frozen_signing_clock).kind == "incomplete_body"


def test_a_chunk_signed_by_another_seed_is_a_mismatch(frozen_signing_clock, credentials, secret, wire):
    honest = ChunkedUpload(STREAMING_SIGNED, credentials, frozen_signing_clock, 10)
    other = ChunkedUpload(STREAMING_SIGNED, credentials, frozen_signing_clock + dt.timedelta(seconds=1), 10)
    request = honest.request(wire, other.chunk(b"0123456789") + other.chunk(b"") + b"\r\n")
    assert refused(request, secret, frozen_signing_clock).kind == "mismatch"


def test_a_chunk_without_its_signature(signed_upload, secret, frozen_signing_clock):
    start = signed_upload.body.index(b";chunk-signature=")
    signed_upload.body = signed_upload.body[:start] + signed_upload.body[start + 81:]
    assert refused(signed_upload, secret, frozen_signing_clock).kind == "malformed_body"


def test_a_chunk_size_that_is_not_hex(signed_upload, secret, frozen_signing_clock):
    mutate(signed_upload, b"2000;", b"2z00;")
    assert refused(signed_upload, secret, frozen_signing_clock).kind == "malformed_body"


def test_a_chunk_longer_than_its_size(frozen_signing_clock, credentials, secret, wire):
    upload = ChunkedUpload(STREAMING_SIGNED, credentials, frozen_signing_clock, 10)
    chunk = upload.chunk(b"0123456789")
    request = upload.request(wire, chunk[:-2] + b"EXTRA\r\n" + upload.chunk(b"") + b"\r\n")
    assert refused(request, secret, frozen_signing_clock).kind == "malformed_body"


def test_decoded_length_must_match_the_declared_one(frozen_signing_clock, credentials, secret, wire):
    upload = ChunkedUpload(STREAMING_SIGNED, credentials, frozen_signing_clock, decoded_length=11)
    request = upload.request(wire, upload.chunk(b"0123456789") + upload.chunk(b"") + b"\r\n")
    assert refused(request, secret, frozen_signing_clock).kind == "incomplete_body"


def test_tampered_signed_trailer_is_a_mismatch(trailer_upload, secret, frozen_signing_clock):
    mutate(trailer_upload, b"x-amz-checksum-sha256:", b"x-amz-checksum-sha256:AAAA")
    assert refused(trailer_upload, secret, frozen_signing_clock).kind == "mismatch"


def test_signed_trailer_without_its_signature(trailer_upload, secret, frozen_signing_clock):
    body = trailer_upload.body
    start = body.index(b"x-amz-trailer-signature:")
    trailer_upload.body = body[:start] + body[body.index(b"\r\n", start) + 2:]
    assert refused(trailer_upload, secret, frozen_signing_clock).kind == "malformed_body"


def test_declared_trailer_must_arrive(frozen_signing_clock, credentials, secret, wire):
    upload = ChunkedUpload(STREAMING_UNSIGNED_TRAILER, credentials, frozen_signing_clock, 3,
                           trailer="x-amz-checksum-crc32")
    request = upload.request(wire, b"3\r\nabc\r\n0\r\n\r\n")
    problem = refused(request, secret, frozen_signing_clock)
    assert problem.kind == "malformed_body"
    assert problem.message == ("The request contained trailing data that was not well-formed or did not "
                               "conform to our published schema.")


def test_trailers_are_refused_where_none_are_expected(signed_upload, secret, frozen_signing_clock):
    signed_upload.body = signed_upload.body[:-2] + b"x-amz-checksum-crc32:AAAAAA==\r\n\r\n"
    assert refused(signed_upload, secret, frozen_signing_clock).kind == "malformed_body"


def test_bytes_after_the_end_are_refused(signed_upload, secret, frozen_signing_clock):
    signed_upload.body += b"junk"
    assert refused(signed_upload, secret, frozen_signing_clock).kind == "malformed_body"


def test_a_trailer_line_without_a_colon(frozen_signing_clock, credentials, secret, wire):
    upload = ChunkedUpload(STREAMING_UNSIGNED_TRAILER, credentials, frozen_signing_clock, 3)
    request = upload.request(wire, b"3\r\nabc\r\n0\r\nnot a header\r\n\r\n")
    assert refused(request, secret, frozen_signing_clock).kind == "malformed_body"
