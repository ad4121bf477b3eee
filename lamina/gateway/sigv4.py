"""AWS Signature Version 4: reading a request's signature and checking it.

Both forms clients use are read: the ``Authorization`` header and the
presigned query string (``X-Amz-Signature``). The canonical request is built
as the SigV4 specification describes
(https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
non-S3 services normalise the path and URI-encode it a second time, S3 signs
the path exactly as sent. Error messages are AWS's own (see
https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html).

Verification runs on every request, so the hot path avoids ``strptime``,
``urllib`` quoting of already-plain strings and repeated key derivation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

from lamina.protocol.http import HttpRequest

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
STREAMING_PAYLOADS = frozenset({STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER})
# AWS refuses requests whose signing time is more than 15 minutes from its clock.
MAX_CLOCK_SKEW = dt.timedelta(minutes=15)
# S3 refuses presigned URLs that claim to live longer than a week.
MAX_PRESIGNED_EXPIRES = 604800
_QUERY_AUTH_PARAMS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders",
                      "X-Amz-Date")
_UTC = dt.timezone.utc
_AMZ_FORMAT = "%Y%m%dT%H%M%SZ"
# Unreserved characters (and, in a path, its escapes) need no quoting: most requests skip urllib.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~/%]*")
_PLAIN_QUERY_PART = re.compile(r"[A-Za-z0-9\-._~]*")
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


class SignatureProblem(Exception):
    """Why a request's signature (or signed body) cannot be accepted.

    ``kind`` picks the wire error; the gateway maps it per protocol:
      missing               no signature at all (MissingAuthenticationToken / AccessDenied)
      malformed             IncompleteSignature (S3: AuthorizationHeaderMalformed / AuthorizationQueryParametersError)
      unknown_key           access key not known (UnrecognizedClientException / InvalidAccessKeyId)
      mismatch              SignatureDoesNotMatch (JSON protocols: InvalidSignatureException)
      expired               signed too far from now (S3: RequestTimeTooSkewed; presigned: AccessDenied)
      invalid_content_sha256  S3 x-amz-content-sha256 missing or not a valid value (InvalidRequest / InvalidArgument)
      payload_mismatch      body does not hash to x-amz-content-sha256 (XAmzContentSHA256Mismatch)
      incomplete_body       aws-chunked body truncated or shorter than declared (IncompleteBody)
      malformed_body        aws-chunked framing or trailer unreadable (InvalidRequest / MalformedTrailerError)
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(slots=True)
class Signature:
    """What a signed request says about itself."""

    access_key: str
    date: str  # YYYYMMDD of the credential scope
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str  # YYYYMMDDTHHMMSSZ
    presigned: bool
    expires: int | None = None
    session_token: str | None = None
    terminator: str = TERMINATOR

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{self.terminator}"


_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
             "Check your AWS Secret Access Key and signing method. Consult the service documentation "
             "for details.")


def read_signature(request: HttpRequest) -> Signature | None:
    """The request's SigV4 signature, ``None`` if it is unsigned; raises on a malformed one."""
    auth = request.headers.get("authorization")
    # Parse the query only when it could hold auth parameters: most requests carry none.
    query_auth = "X-Amz-" in request.query and any(
        key in _QUERY_AUTH_PARAMS for key, _ in request.query_params)
    if auth is not None:
        if query_auth and "X-Amz-Algorithm" in request.query_dict():
            raise SignatureProblem("malformed", "Found both 'X-Amz-Algorithm' as a query-string param and "
                                   "'Authorization' as HTTP header.")
        return _from_header(request, auth)
    if query_auth:
        return _from_query(request)
    return None


def _parse_credential(text: str) -> tuple[str, str, str, str, str]:
    parts = text.split("/")
    if len(parts) != 5:
        raise SignatureProblem("malformed", "Credential must have exactly 5 slash-delimited elements, "
                               f"e.g. keyid/date/region/service/term, got '{text}'")
    return parts[0], parts[1], parts[2], parts[3], parts[4]


def _from_header(request: HttpRequest, auth: str) -> Signature:
    algorithm, _, rest = auth.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureProblem("malformed", f"Unsupported AWS 'algorithm': '{algorithm}'.")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        part = part.strip()
        if not part:
            continue
        key, eq, value = part.partition("=")
        if not eq:
            raise SignatureProblem("malformed", f"'{part}' not a valid key=value pair (missing equal-sign) "
                                   f"in Authorization header: '{auth}'")
        fields[key.strip()] = value.strip()
    headers = request.headers
    amz_date = headers.get("x-amz-date") or _http_date_to_amz(headers.get("date", ""))
    # AWS lists every missing piece at once, in this order, then echoes the header.
    problems = [f"Authorization header requires '{k}' parameter."
                for k in ("Credential", "Signature", "SignedHeaders") if not fields.get(k)]
    if not amz_date:
        problems.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if problems:
        raise SignatureProblem("malformed", " ".join(problems) + f" Authorization={auth}")
    access_key, date, region, service, terminator = _parse_credential(fields["Credential"])
    return Signature(access_key, date, region, service, tuple(fields["SignedHeaders"].split(";")),
                     fields["Signature"], amz_date, presigned=False,
                     session_token=headers.get("x-amz-security-token"), terminator=terminator)


def _from_query(request: HttpRequest) -> Signature:
    params = request.query_dict()
    missing = [f"AWS query-string parameters must include '{k}'." for k in _QUERY_AUTH_PARAMS if not params.get(k)]
    if missing:
        raise SignatureProblem("malformed", " ".join(missing) + " Re-examine the query-string parameters.")
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise SignatureProblem("malformed", f"Unsupported AWS 'algorithm': '{params['X-Amz-Algorithm']}'.")
    access_key, date, region, service, terminator = _parse_credential(params["X-Amz-Credential"])
    expires = _presigned_expires(params.get("X-Amz-Expires"), service)
    return Signature(access_key, date, region, service, tuple(params["X-Amz-SignedHeaders"].split(";")),
                     params["X-Amz-Signature"], params["X-Amz-Date"], presigned=True, expires=expires,
                     session_token=params.get("X-Amz-Security-Token"), terminator=terminator)


def _presigned_expires(text: str | None, service: str) -> int | None:
    """X-Amz-Expires, as S3 checks it (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html)."""
    if text is None:
        if service == "s3":
            raise SignatureProblem("malformed", "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                                   "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                                   "X-Amz-Expires parameters.")
        return None  # other services then hold the URL to the usual 15-minute window
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise SignatureProblem("malformed", "X-Amz-Expires should be a number")
    if text.startswith("-"):
        raise SignatureProblem("malformed", "X-Amz-Expires must be non-negative")
    expires = int(text)
    if expires > MAX_PRESIGNED_EXPIRES:
        raise SignatureProblem("malformed", "X-Amz-Expires must be less than a week (in seconds) that is 604800")
    return expires


def _http_date_to_amz(text: str) -> str:
    if not text:
        return ""
    try:
        return parsedate_to_datetime(text).astimezone(_UTC).strftime(_AMZ_FORMAT)
    except (TypeError, ValueError):
        return ""


def signing_time(sig: Signature) -> dt.datetime:
    return _amz_time(sig.amz_date)


@lru_cache(maxsize=256)  # a client signs many requests within the same second
def _amz_time(text: str) -> dt.datetime:
    # Sliced by hand: strptime costs more than the rest of the verification together.
    if (len(text) == 16 and text[8] == "T" and text[15] == "Z" and text.isascii()
            and text[:8].isdigit() and text[9:15].isdigit()):
        try:
            return dt.datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[9:11]),
                               int(text[11:13]), int(text[13:15]), tzinfo=_UTC)
        except ValueError:
            pass
    raise SignatureProblem("malformed", f"Date must be in ISO-8601 'basic format'. Got '{text}'. "
                           "See http://en.wikipedia.org/wiki/ISO_8601")


def check_time(sig: Signature, now: dt.datetime) -> None:
    """Refuse requests signed too far from now, and presigned URLs past their expiry."""
    when = signing_time(sig)
    if when - now > MAX_CLOCK_SKEW:
        raise SignatureProblem("expired", _skew_message(when, now))
    if sig.presigned and sig.expires is not None:
        if now > when + dt.timedelta(seconds=sig.expires):
            raise SignatureProblem("expired", "Request has expired")
        return
    if now - when > MAX_CLOCK_SKEW:
        raise SignatureProblem("expired", _skew_message(when, now))


def _skew_message(when: dt.datetime, now: dt.datetime) -> str:
    if when < now:
        return (f"Signature expired: {when.strftime(_AMZ_FORMAT)} is now earlier than "
                f"{(now - MAX_CLOCK_SKEW).strftime(_AMZ_FORMAT)} ({now.strftime(_AMZ_FORMAT)} - 15 min.)")
    return (f"Signature not yet current: {when.strftime(_AMZ_FORMAT)} is still later than "
            f"{(now + MAX_CLOCK_SKEW).strftime(_AMZ_FORMAT)} ({now.strftime(_AMZ_FORMAT)} + 15 min.)")


def check_scope(sig: Signature, region: str | None = None, service: str | None = None) -> None:
    """Refuse a credential scope that does not fit the request; AWS reports every fault at once.

    ``region`` and ``service`` are checked only when given (the caller knows which ones it serves).
    """
    problems = []
    if region is not None and sig.region != region:
        problems.append(f"Credential should be scoped to a valid region, not '{sig.region}'.")
    if service is not None and sig.service != service:
        problems.append(f"Credential should be scoped to correct service: '{service}'.")
    if sig.terminator != TERMINATOR:
        problems.append(f"Credential should be scoped with a valid terminator: '{TERMINATOR}', "
                        f"not '{sig.terminator}'.")
    if sig.date != sig.amz_date[:8]:
        problems.append("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
                        f"HTTP: '{sig.date}' != '{sig.amz_date[:8]}', from '{sig.amz_date}'.")
    if problems:
        raise SignatureProblem("mismatch", " ".join(problems))


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, plus the empty segments ("//") AWS also drops; the
    # same normalisation botocore applies before signing.
    segments: list[str] = []
    for segment in path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if segments:
                segments.pop()
        else:
            segments.append(segment)
    lead = "/" if path.startswith("/") else ""
    trail = "/" if path.endswith("/") and segments else ""
    return lead + "/".join(segments) + trail


def _canonical_path(raw_path: str, service: str) -> str:
    if service == "s3":
        return raw_path or "/"
    if not raw_path:
        return "/"
    if "//" in raw_path or "/." in raw_path or not raw_path.startswith("/"):
        raw_path = _remove_dot_segments(raw_path)
    # The path arrives encoded once; non-S3 services sign it encoded a second time.
    if _PLAIN_PATH.fullmatch(raw_path):
        # Only unreserved characters and escapes: encoding again just escapes the "%".
        return raw_path.replace("%", "%25")
    return quote(raw_path, safe="/~", errors="surrogatepass")


def _canonical_query_part(text: str) -> str:
    if _PLAIN_QUERY_PART.fullmatch(text):
        return text
    # Decode to bytes and encode again so that clients' choices (lower-case hex,
    # "+" for space, unencoded ":") all land on the one canonical spelling.
    raw = unquote_to_bytes(text.replace("+", "%20").encode("utf-8", "surrogatepass"))
    return quote_from_bytes(raw, safe="~")


def _canonical_query(query: str, presigned: bool) -> str:
    if not query:
        return ""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        key = _canonical_query_part(key)
        if presigned and key == "X-Amz-Signature":
            continue
        pairs.append((key, _canonical_query_part(value)))
    pairs.sort()
    return "&".join(f"{k}={v}" for k, v in pairs)


def _payload_hash(request: HttpRequest, sig: Signature) -> str:
    if sig.service == "s3":
        # S3 signs whatever x-amz-content-sha256 claims (a hash, UNSIGNED-PAYLOAD or a
        # streaming mode); presigned URLs default to UNSIGNED-PAYLOAD.
        declared = request.headers.get("x-amz-content-sha256")
        if declared:
            return declared
        if sig.presigned:
            return UNSIGNED_PAYLOAD
    # Other services always sign the body itself: we never let a header opt out of it.
    return hashlib.sha256(request.body).hexdigest() if request.body else EMPTY_SHA256


def canonical_request(request: HttpRequest, sig: Signature) -> str:
    headers = request.headers
    canonical_headers = "".join(
        f"{name}:{' '.join(headers.get(name.lower(), '').split())}\n" for name in sig.signed_headers)
    return "\n".join((
        request.method.upper(),
        _canonical_path(request.path, sig.service),
        _canonical_query(request.query, sig.presigned),
        canonical_headers,
        ";".join(sig.signed_headers),
        _payload_hash(request, sig),
    ))


@lru_cache(maxsize=4096)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = hmac.digest(("AWS4" + secret).encode(), date.encode(), "sha256")
    for part in (region, service, TERMINATOR):
        key = hmac.digest(key, part.encode(), "sha256")
    return key


def expected_signature(request: HttpRequest, sig: Signature, secret: str) -> str:
    canonical = canonical_request(request, sig).encode("utf-8", "surrogatepass")
    string_to_sign = f"{ALGORITHM}\n{sig.amz_date}\n{sig.scope}\n{hashlib.sha256(canonical).hexdigest()}"
    key = signing_key(secret, sig.date, sig.region, sig.service)
    return hmac.digest(key, string_to_sign.encode("utf-8", "surrogatepass"), "sha256").hex()


def _check_s3_content_sha256(request: HttpRequest, sig: Signature) -> str | None:
    """S3's rules for x-amz-content-sha256; returns the declared body hash to check, if any.

    https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
    """
    declared = request.headers.get("x-amz-content-sha256")
    if declared is None:
        if sig.presigned:
            return None
        raise SignatureProblem("invalid_content_sha256",
                               "Missing required header for this request: x-amz-content-sha256")
    if declared == UNSIGNED_PAYLOAD or declared in STREAMING_PAYLOADS:
        return None
    if not _SHA256_HEX.fullmatch(declared):
        raise SignatureProblem(
            "invalid_content_sha256",
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
            "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "
            "or a valid sha256 value.")
    return declared


def verify(request: HttpRequest, sig: Signature, secret: str, now: dt.datetime | None = None) -> None:
    """Raise SignatureProblem unless ``sig`` is a current, correct signature made with ``secret``.

    Streaming (aws-chunked) bodies are checked here only as far as the seed
    signature; ``lamina.gateway.aws_chunked.decode`` checks the chunks.
    """
    if "host" not in sig.signed_headers:
        raise SignatureProblem("mismatch", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    check_time(sig, now or dt.datetime.now(_UTC))
    check_scope(sig)
    declared_hash = _check_s3_content_sha256(request, sig) if sig.service == "s3" else None
    provided = sig.signature.encode("utf-8", "surrogatepass")
    if not hmac.compare_digest(expected_signature(request, sig, secret).encode(), provided):
        raise SignatureProblem("mismatch", _MISMATCH)
    # Checked after the signature, as S3 does: the hash was signed, the body may still differ from it.
    if declared_hash is not None and hashlib.sha256(request.body).hexdigest() != declared_hash.lower():
        raise SignatureProblem("payload_mismatch",
                               "The provided 'x-amz-content-sha256' header does not match what was computed.")
