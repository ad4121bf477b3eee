"""Every way a SigV4 signature is refused, with the kind and AWS's message.

Messages follow https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html
and the wording AWS services answer with.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest

from lamina.gateway.sigv4 import (
    UNSIGNED_PAYLOAD,
    Signature,
    SignatureProblem,
    check_scope,
    check_time,
    read_signature,
    verify,
)
from lamina.protocol.http import HttpRequest

INVOKE_URL = ("https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/"
              "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn/invocations")
MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")


@pytest.fixture
def invoke(frozen_signing_clock, session_credentials, wire) -> HttpRequest:
    """A Lambda Invoke signed in the Authorization header, as it arrives."""
    request = AWSRequest(method="POST", url=INVOKE_URL + "?Qualifier=live", data=b'{"k": "v"}',
                         headers={"X-Amz-Invocation-Type": "Event"})
    SigV4Auth(session_credentials, "lambda", "us-east-1").add_auth(request)
    return wire(request)


@pytest.fixture
def put_object(frozen_signing_clock, credentials, wire) -> HttpRequest:
    request = AWSRequest(method="PUT", url="https://s3.us-east-1.amazonaws.com/bkt/key.txt", data=b"hello")
    S3SigV4Auth(credentials, "s3", "us-east-1").add_auth(request)
    return wire(request)


@pytest.fixture
def presigned_get(frozen_signing_clock, credentials, wire) -> HttpRequest:
    request = AWSRequest(method="GET", url="https://s3.us-east-1.amazonaws.com/bkt/key.txt")
    S3SigV4QueryAuth(credentials, "s3", "us-east-1", expires=600).add_auth(request)
    return wire(request)


def refusal(request: HttpRequest, secret: str, now: dt.datetime) -> SignatureProblem:
    with pytest.raises(SignatureProblem) as caught:
        verify(request, read_signature(request), secret, now=now)
    return caught.value


def unreadable(request: HttpRequest) -> SignatureProblem:
    with pytest.raises(SignatureProblem) as caught:
        read_signature(request)
    return caught.value


def with_authorization(request: HttpRequest, value: str) -> HttpRequest:
    request.headers["authorization"] = value
    return request


def replace_in_query(request: HttpRequest, old: str, new: str) -> HttpRequest:
    assert old in request.query
    request.query = request.query.replace(old, new)
    request._query_params = None
    return request


# --- the baseline is accepted ------------------------------------------------------------------------

def test_the_untouched_requests_are_accepted(invoke, put_object, presigned_get, secret, frozen_signing_clock):
    for request in (invoke, put_object, presigned_get):
        verify(request, read_signature(request), secret, now=frozen_signing_clock)


def test_an_unsigned_request_has_no_signature():
    assert read_signature(HttpRequest("GET", "/", "Action=ListQueues", {"host": "localhost"})) is None


# --- wrong key, tampering ----------------------------------------------------------------------------

def test_wrong_secret_is_a_mismatch(invoke, frozen_signing_clock):
    problem = refusal(invoke, "not-the-secret", frozen_signing_clock)
    assert (problem.kind, problem.message) == ("mismatch", MISMATCH)


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda r: setattr(r, "body", b'{"k": "w"}'), id="body"),
    pytest.param(lambda r: r.headers.update({"x-amz-invocation-type": "RequestResponse"}), id="signed-header"),
    pytest.param(lambda r: r.headers.update({"host": "evil.example.com"}), id="host"),
    pytest.param(lambda r: setattr(r, "path", r.path.replace("my-fn", "other-fn")), id="path"),
    pytest.param(lambda r: setattr(r, "method", "PUT"), id="method"),
    pytest.param(lambda r: replace_in_query(r, "Qualifier=live", "Qualifier=dev"), id="query-value"),
    pytest.param(lambda r: replace_in_query(r, "Qualifier=live", "Qualifier=live&x=1"), id="query-added"),
    pytest.param(lambda r: r.headers.update({"x-amz-date": "20260314T150927Z"}), id="date"),
    pytest.param(lambda r: r.headers.update({"x-amz-security-token": "other-token"}), id="session-token"),
])
def test_tampering_with_a_signed_part_is_a_mismatch(invoke, secret, frozen_signing_clock, tamper):
    tamper(invoke)
    assert refusal(invoke, secret, frozen_signing_clock).kind == "mismatch"


def test_unsigned_headers_may_change(invoke, secret, frozen_signing_clock):
    invoke.headers["user-agent"] = "something else"
    invoke.headers["x-forwarded-for"] = "10.0.0.1"
    verify(invoke, read_signature(invoke), secret, now=frozen_signing_clock)


def test_tampered_presigned_url_is_a_mismatch(presigned_get, secret, frozen_signing_clock):
    presigned_get.path = "/bkt/other.txt"
    assert refusal(presigned_get, secret, frozen_signing_clock).kind == "mismatch"


def test_a_signature_that_is_not_hex_is_a_mismatch_not_a_crash(invoke, secret, frozen_signing_clock):
    with_authorization(invoke, invoke.headers["authorization"].rsplit("=", 1)[0] + "=zé✓")
    assert refusal(invoke, secret, frozen_signing_clock).kind == "mismatch"


def test_host_must_be_signed(invoke, secret, frozen_signing_clock):
    auth = invoke.headers["authorization"]
    with_authorization(invoke, auth.replace("SignedHeaders=host;", "SignedHeaders="))
    problem = refusal(invoke, secret, frozen_signing_clock)
    assert (problem.kind, problem.message) == (
        "mismatch", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")


def test_host_must_be_signed_in_a_presigned_url(presigned_get, secret, frozen_signing_clock):
    replace_in_query(presigned_get, "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date")
    assert refusal(presigned_get, secret, frozen_signing_clock).message.startswith("'Host' or ':authority'")


# --- time ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("minutes", [16, 20])
def test_a_request_signed_too_long_ago_has_expired(invoke, secret, frozen_signing_clock, minutes):
    now = frozen_signing_clock + dt.timedelta(minutes=minutes)
    problem = refusal(invoke, secret, now)
    fmt = "%Y%m%dT%H%M%SZ"
    assert problem.kind == "expired"
    assert problem.message == (
        f"Signature expired: 20260314T150926Z is now earlier than "
        f"{(now - dt.timedelta(minutes=15)).strftime(fmt)} ({now.strftime(fmt)} - 15 min.)")


def test_a_request_signed_in_the_future_is_not_yet_current(invoke, secret, frozen_signing_clock):
    problem = refusal(invoke, secret, frozen_signing_clock - dt.timedelta(minutes=16))
    assert problem.kind == "expired"
    assert problem.message == ("Signature not yet current: 20260314T150926Z is still later than "
                               "20260314T150826Z (20260314T145326Z + 15 min.)")


@pytest.mark.parametrize("offset", [dt.timedelta(minutes=15), dt.timedelta(minutes=-15)])
def test_fifteen_minutes_either_way_is_still_accepted(invoke, secret, frozen_signing_clock, offset):
    verify(invoke, read_signature(invoke), secret, now=frozen_signing_clock + offset)


def test_presigned_url_lives_until_x_amz_expires(presigned_get, secret, frozen_signing_clock):
    # Presigned URLs outlive the 15-minute window: X-Amz-Expires decides.
    verify(presigned_get, read_signature(presigned_get), secret, now=frozen_signing_clock + dt.timedelta(seconds=600))
    problem = refusal(presigned_get, secret, frozen_signing_clock + dt.timedelta(seconds=601))
    assert (problem.kind, problem.message) == ("expired", "Request has expired")


def test_presigned_url_dated_in_the_future_is_refused(presigned_get, secret, frozen_signing_clock):
    problem = refusal(presigned_get, secret, frozen_signing_clock - dt.timedelta(minutes=16))
    assert problem.kind == "expired" and problem.message.startswith("Signature not yet current")


def test_non_s3_presigned_url_without_expiry_keeps_the_15_minute_window(frozen_signing_clock):
    # Only S3 insists on X-Amz-Expires; without it the usual clock-skew window applies.
    sig = Signature("AKID", "20260314", "us-east-1", "sts", ("host",), "0" * 64, "20260314T150926Z",
                    presigned=True, expires=None)
    check_time(sig, frozen_signing_clock + dt.timedelta(minutes=15))
    with pytest.raises(SignatureProblem) as caught:
        check_time(sig, frozen_signing_clock + dt.timedelta(minutes=16))
    assert caught.value.kind == "expired" and caught.value.message.startswith("Signature expired")


def test_malformed_x_amz_date(invoke, secret, frozen_signing_clock):
    invoke.headers["x-amz-date"] = "2026-03-14T15:09:26Z"
    problem = refusal(invoke, secret, frozen_signing_clock)
    assert (problem.kind, problem.message) == (
        "malformed", "Date must be in ISO-8601 'basic format'. Got '2026-03-14T15:09:26Z'. "
                     "See http://en.wikipedia.org/wiki/ISO_8601")


# --- malformed Authorization headers -----------------------------------------------------------------

def test_wrong_algorithm(invoke):
    with_authorization(invoke, invoke.headers["authorization"].replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"))
    problem = unreadable(invoke)
    assert (problem.kind, problem.message) == ("malformed", "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.")


@pytest.mark.parametrize("drop, message", [
    ("Credential", "Authorization header requires 'Credential' parameter."),
    ("SignedHeaders", "Authorization header requires 'SignedHeaders' parameter."),
    ("Signature", "Authorization header requires 'Signature' parameter."),
])
def test_missing_authorization_parameter(invoke, drop, message):
    auth = invoke.headers["authorization"]
    algorithm, rest = auth.split(" ", 1)
    kept = ", ".join(p for p in rest.split(", ") if not p.startswith(drop + "="))
    with_authorization(invoke, f"{algorithm} {kept}")
    problem = unreadable(invoke)
    assert problem.kind == "malformed"
    assert problem.message == f"{message} Authorization={algorithm} {kept}"


def test_all_missing_parameters_are_reported_together(invoke):
    del invoke.headers["x-amz-date"]
    with_authorization(invoke, "AWS4-HMAC-SHA256 Foo=Bar")
    assert unreadable(invoke).message == (
        "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4-HMAC-SHA256 Foo=Bar")


def test_parameter_without_equal_sign(invoke):
    with_authorization(invoke, "AWS4-HMAC-SHA256 Credential, Signature=abc")
    assert unreadable(invoke).message == (
        "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: "
        "'AWS4-HMAC-SHA256 Credential, Signature=abc'")


def test_credential_with_too_few_elements(invoke):
    auth = invoke.headers["authorization"]
    with_authorization(invoke, auth.replace("/us-east-1/lambda/aws4_request", "/us-east-1/lambda"))
    problem = unreadable(invoke)
    assert problem.kind == "malformed"
    assert problem.message == ("Credential must have exactly 5 slash-delimited elements, "
                               "e.g. keyid/date/region/service/term, "
                               "got 'AKIAIOSFODNN7EXAMPLE/20260314/us-east-1/lambda'")


def test_wrong_scope_terminator(invoke, secret, frozen_signing_clock):
    auth = invoke.headers["authorization"]
    with_authorization(invoke, auth.replace("/aws4_request", "/aws5_request"))
    problem = refusal(invoke, secret, frozen_signing_clock)
    assert (problem.kind, problem.message) == (
        "mismatch", "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.")


def test_scope_date_must_match_the_request_date(invoke, secret, frozen_signing_clock):
    auth = invoke.headers["authorization"]
    with_authorization(invoke, auth.replace("/20260314/", "/20260313/"))
    problem = refusal(invoke, secret, frozen_signing_clock)
    assert (problem.kind, problem.message) == (
        "mismatch", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                    "'20260313' != '20260314', from '20260314T150926Z'.")


def test_scope_region_and_service_are_checked_against_the_endpoint(invoke):
    sig = read_signature(invoke)
    check_scope(sig, region="us-east-1", service="lambda")
    with pytest.raises(SignatureProblem) as caught:
        check_scope(sig, region="eu-west-1", service="sqs")
    assert (caught.value.kind, caught.value.message) == (
        "mismatch", "Credential should be scoped to a valid region, not 'us-east-1'. "
                    "Credential should be scoped to correct service: 'sqs'.")


def test_header_and_query_signatures_together(invoke):
    replace_in_query(invoke, "Qualifier=live", "Qualifier=live&X-Amz-Algorithm=AWS4-HMAC-SHA256")
    assert unreadable(invoke).message == ("Found both 'X-Amz-Algorithm' as a query-string param and "
                                          "'Authorization' as HTTP header.")


# --- malformed presigned URLs ------------------------------------------------------------------------

def test_presigned_url_missing_parameters(presigned_get):
    for name in ("X-Amz-Credential", "X-Amz-Signature"):
        start = presigned_get.query.index(name + "=")
        end = presigned_get.query.find("&", start)
        replace_in_query(presigned_get, presigned_get.query[start:None if end < 0 else end + 1], "")
    problem = unreadable(presigned_get)
    assert (problem.kind, problem.message) == (
        "malformed", "AWS query-string parameters must include 'X-Amz-Credential'. "
                     "AWS query-string parameters must include 'X-Amz-Signature'. "
                     "Re-examine the query-string parameters.")


def test_presigned_url_wrong_algorithm(presigned_get):
    replace_in_query(presigned_get, "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256")
    assert unreadable(presigned_get).message == "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'."


@pytest.mark.parametrize("value, message", [
    ("soon", "X-Amz-Expires should be a number"),
    ("-5", "X-Amz-Expires must be non-negative"),
    ("604801", "X-Amz-Expires must be less than a week (in seconds) that is 604800"),
])
def test_presigned_url_bad_expiry(presigned_get, value, message):
    replace_in_query(presigned_get, "X-Amz-Expires=600", f"X-Amz-Expires={value}")
    problem = unreadable(presigned_get)
    assert (problem.kind, problem.message) == ("malformed", message)


def test_s3_presigned_url_requires_x_amz_expires(presigned_get):
    replace_in_query(presigned_get, "X-Amz-Expires=600&", "")
    assert unreadable(presigned_get).message.startswith(
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, ")


# --- x-amz-content-sha256 ----------------------------------------------------------------------------

def test_s3_body_that_does_not_match_its_declared_hash(put_object, secret, frozen_signing_clock):
    put_object.body = b"jello"
    problem = refusal(put_object, secret, frozen_signing_clock)
    assert (problem.kind, problem.message) == (
        "payload_mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")


def test_s3_body_mismatch_with_a_wrong_secret_is_a_signature_mismatch(put_object, frozen_signing_clock):
    put_object.body = b"jello"
    assert refusal(put_object, "not-the-secret", frozen_signing_clock).kind == "mismatch"


def test_s3_declared_hash_swapped_for_unsigned_payload_is_a_mismatch(put_object, secret, frozen_signing_clock):
    # The declared value is part of what was signed: it cannot be relaxed after signing.
    put_object.headers["x-amz-content-sha256"] = UNSIGNED_PAYLOAD
    put_object.body = b"anything"
    assert refusal(put_object, secret, frozen_signing_clock).kind == "mismatch"


@pytest.mark.parametrize("value", [None, "not-a-hash", hashlib.sha256(b"hello").hexdigest()[:-1]])
def test_s3_requires_a_valid_x_amz_content_sha256(put_object, secret, frozen_signing_clock, value):
    if value is None:
        del put_object.headers["x-amz-content-sha256"]
    else:
        put_object.headers["x-amz-content-sha256"] = value
    assert refusal(put_object, secret, frozen_signing_clock).kind == "invalid_content_sha256"


def test_non_s3_services_always_sign_the_body(frozen_signing_clock, credentials, secret, wire):
    # A client that declares UNSIGNED-PAYLOAD to Lambda signed a canonical request without the
    # body hash; Lambda computes it from the body, so the signature cannot match.
    request = AWSRequest(method="POST", url=INVOKE_URL, data=b'{"k": "v"}',
                         headers={"X-Amz-Content-SHA256": UNSIGNED_PAYLOAD})
    SigV4Auth(credentials, "lambda", "us-east-1").add_auth(request)
    http = wire(request)
    assert http.headers["x-amz-content-sha256"] == UNSIGNED_PAYLOAD
    assert refusal(http, secret, frozen_signing_clock).kind == "mismatch"
