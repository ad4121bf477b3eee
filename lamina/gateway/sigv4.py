"""AWS Signature Version 4: reading a request's signature and checking it.

Both forms clients use are read: the ``Authorization`` header and the
presigned query string (``X-Amz-Signature``). The canonical request is built
as the SigV4 specification describes
(https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
non-S3 services URI-encode the path a second time, S3 does not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

from lamina.protocol.http import HttpRequest

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_PAYLOADS = frozenset({
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
})
# AWS refuses requests whose signing time is more than 15 minutes from its clock.
MAX_CLOCK_SKEW = dt.timedelta(minutes=15)


class SignatureProblem(Exception):
    """Why a request's signature cannot be accepted (``kind`` picks the wire error)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # missing | malformed | unknown_key | mismatch | expired | payload_mismatch
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

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def read_signature(request: HttpRequest) -> Signature | None:
    """The request's SigV4 signature, ``None`` if it is unsigned; raises on a malformed one."""
    auth = request.headers.get("authorization")
    if auth is not None:
        return _from_header(request, auth)
    if "X-Amz-Signature=" in request.query or "x-amz-signature=" in request.query.lower():
        return _from_query(request)
    return None


def _parse_credential(text: str) -> tuple[str, str, str, str]:
    parts = text.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SignatureProblem("malformed", f"Credential should be scoped to a valid region. '{text}'")
    return parts[0], parts[1], parts[2], parts[3]


def _from_header(request: HttpRequest, auth: str) -> Signature:
    algorithm, _, rest = auth.partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureProblem("malformed", f"Unsupported authorization type: {algorithm or auth}")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, _, value = part.strip().partition("=")
        fields[key] = value
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not fields.get(k)]
    if missing:
        raise SignatureProblem(
            "malformed",
            "Authorization header requires " + ", ".join(f"'{k}'" for k in missing)
            + f" parameter. Authorization={auth}")
    access_key, date, region, service = _parse_credential(fields["Credential"])
    amz_date = request.headers.get("x-amz-date") or _http_date_to_amz(request.headers.get("date", ""))
    if not amz_date:
        raise SignatureProblem("malformed", "Authorization header requires existence of either a "
                               "'X-Amz-Date' or a 'Date' header.")
    return Signature(access_key, date, region, service, tuple(fields["SignedHeaders"].split(";")),
                     fields["Signature"], amz_date, presigned=False,
                     session_token=request.headers.get("x-amz-security-token"))


def _from_query(request: HttpRequest) -> Signature:
    params = request.query_dict()
    for key in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"):
        if key not in params:
            raise SignatureProblem("malformed", f"AWS query-string parameters must include '{key}'.")
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise SignatureProblem("malformed", f"Unsupported algorithm: {params['X-Amz-Algorithm']}")
    access_key, date, region, service = _parse_credential(params["X-Amz-Credential"])
    try:
        expires = int(params.get("X-Amz-Expires", "604800"))
    except ValueError:
        raise SignatureProblem("malformed", "X-Amz-Expires should be a number") from None
    return Signature(access_key, date, region, service, tuple(params["X-Amz-SignedHeaders"].split(";")),
                     params["X-Amz-Signature"], params["X-Amz-Date"], presigned=True, expires=expires,
                     session_token=params.get("X-Amz-Security-Token"))


def _http_date_to_amz(text: str) -> str:
    if not text:
        return ""
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    except (TypeError, ValueError):
        return ""


def signing_time(sig: Signature) -> dt.datetime:
    try:
        return dt.datetime.strptime(sig.amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        raise SignatureProblem("malformed", f"Invalid X-Amz-Date: {sig.amz_date}") from None


def check_time(sig: Signature, now: dt.datetime) -> None:
    """Refuse requests signed too far from now, and presigned URLs past their expiry."""
    when = signing_time(sig)
    if sig.presigned:
        if sig.expires is not None and now > when + dt.timedelta(seconds=sig.expires):
            raise SignatureProblem("expired", "Request has expired")
        if when - now > MAX_CLOCK_SKEW:
            raise SignatureProblem("expired", _skew_message(when, now))
        return
    if abs(now - when) > MAX_CLOCK_SKEW:
        raise SignatureProblem("expired", _skew_message(when, now))


def _skew_message(when: dt.datetime, now: dt.datetime) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    if when < now:
        return (f"Signature expired: {when.strftime(fmt)} is now earlier than "
                f"{(now - MAX_CLOCK_SKEW).strftime(fmt)} ({now.strftime(fmt)} - 15 min.)")
    return (f"Signature not yet current: {when.strftime(fmt)} is still later than "
            f"{(now + MAX_CLOCK_SKEW).strftime(fmt)} ({now.strftime(fmt)} + 15 min.)")


def _canonical_path(raw_path: str, service: str) -> str:
    if service == "s3":
        return raw_path or "/"
    # Non-S3 services sign the path URI-encoded once more, after removing dot segments.
    segments: list[str] = []
    for segment in raw_path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    path = "/" + "/".join(segments)
    if raw_path.endswith("/") and path != "/":
        path += "/"
    return quote(path, safe="/~")


def _canonical_query(query: str, presigned: bool) -> str:
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        key, value = unquote(key.replace("+", " ")), unquote(value.replace("+", " "))
        if presigned and key == "X-Amz-Signature":
            continue
        pairs.append((quote(key, safe="-_.~"), quote(value, safe="-_.~")))
    pairs.sort()
    return "&".join(f"{k}={v}" for k, v in pairs)


def _payload_hash(request: HttpRequest, sig: Signature) -> str:
    declared = request.headers.get("x-amz-content-sha256")
    if declared:
        if declared == UNSIGNED_PAYLOAD or declared in STREAMING_PAYLOADS:
            return declared
        if hashlib.sha256(request.body).hexdigest() != declared:
            raise SignatureProblem("payload_mismatch",
                                   "The provided 'x-amz-content-sha256' header does not match what was computed.")
        return declared
    if sig.presigned and sig.service == "s3":
        return UNSIGNED_PAYLOAD
    return hashlib.sha256(request.body).hexdigest() if request.body else EMPTY_SHA256


def canonical_request(request: HttpRequest, sig: Signature) -> str:
    headers = request.headers
    canonical_headers = "".join(
        f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in sig.signed_headers)
    return "\n".join((
        request.method.upper(),
        _canonical_path(request.path, sig.service),
        _canonical_query(request.query, sig.presigned),
        canonical_headers,
        ";".join(sig.signed_headers),
        _payload_hash(request, sig),
    ))


@lru_cache(maxsize=1024)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def expected_signature(request: HttpRequest, sig: Signature, secret: str) -> str:
    string_to_sign = "\n".join((
        ALGORITHM, sig.amz_date, sig.scope,
        hashlib.sha256(canonical_request(request, sig).encode()).hexdigest(),
    ))
    key = signing_key(secret, sig.date, sig.region, sig.service)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def verify(request: HttpRequest, sig: Signature, secret: str, now: dt.datetime | None = None) -> None:
    """Raise SignatureProblem unless ``sig`` is a current, correct signature made with ``secret``."""
    if "host" not in sig.signed_headers and not sig.presigned:
        raise SignatureProblem("malformed", "'Host' or ':authority' must be a 'SignedHeader' in the "
                               "AWS Authorization.")
    check_time(sig, now or dt.datetime.now(dt.timezone.utc))
    if not hmac.compare_digest(expected_signature(request, sig, secret), sig.signature):
        raise SignatureProblem(
            "mismatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation "
            "for details.")
