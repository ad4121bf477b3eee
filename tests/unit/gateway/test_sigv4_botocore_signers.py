"""Requests signed by botocore's own SigV4 signers are accepted once they have
crossed the wire: raw percent-encoded path, raw query, lower-cased headers.

The matrix pairs every path with every service, and rotates query strings,
headers, bodies and methods so that each of those meets each service too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config

from lamina.gateway.sigv4 import UNSIGNED_PAYLOAD, read_signature, verify

SERVICES = [("lambda", "us-east-1"), ("sqs", "eu-west-1"), ("sts", "us-east-1"), ("s3", "us-west-2"),
            ("monitoring", "ap-southeast-2")]
# Paths as clients put them on the wire (already percent-encoded once).
PATHS = [
    "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn/invocations",
    "/colon:at@sub-delims!$&'()*,;=",  # characters a URL path may carry unencoded
    "/with%20space/and%20more",
    "/100%25/literal-percent",
    "/%E2%82%AC/%F0%9F%98%80/caf%C3%A9",
    "/tilde~and.dots-_/x",
    "/a+b/c%2Bd",
    "/trailing/slash/",
    "/double//slash",
    "/dot/./segments/../here",
    "/",
]
# Query strings: a raw URL query (str) or AWSRequest params (list of pairs).
QUERIES: list[str | list[tuple[str, str]] | None] = [
    None,
    [("Action", "ListQueues"), ("Version", "2012-11-05")],
    [("tag", "b"), ("tag", "a"), ("tag", "")],  # repeated keys, one empty value
    [("empty", ""), ("max-keys", "10")],
    [("q", "a b+c/d:e~f*g'h!(é)€"), ("k y", "v&=w")],  # characters that need encoding
    "acl",  # a key without "=" (S3 sub-resources)
    "marker=abc&max-keys=10&prefix=a%2Fb",
]
HEADER_SETS: list[list[tuple[str, str]]] = [
    [],
    [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AmazonSQS.SendMessage")],
    [("X-Amz-Meta-Note", "  several   inner    spaces  ")],
    [("X-Custom", "first"), ("X-Custom", "second  value")],  # one header sent twice
]
BODIES = [b"", b'{"FunctionName": "my-fn", "n": 1}', bytes(range(256)),
          b"Action=GetCallerIdentity&Version=2011-06-15"]
METHODS = ["GET", "POST", "PUT", "DELETE"]
ENDPOINTS = ["http://127.0.0.1:9060", "https://{service}.{region}.amazonaws.com"]


@dataclass(frozen=True)
class Case:
    service: str
    region: str
    method: str
    url: str
    params: list[tuple[str, str]] | None
    headers: list[tuple[str, str]]
    body: bytes
    with_token: bool

    def build(self, body: bytes | None = None) -> AWSRequest:
        request = AWSRequest(method=self.method, url=self.url, data=self.body if body is None else body,
                             params=list(self.params) if self.params else None)
        for name, value in self.headers:
            request.headers[name] = value  # HTTPHeaders appends: repeated names stay repeated
        return request


def _cases() -> list[Case]:
    cases = []
    for s, (service, region) in enumerate(SERVICES):
        for p, path in enumerate(PATHS):
            query = QUERIES[(p + s) % len(QUERIES)]
            endpoint = ENDPOINTS[(p + s) % 2].format(service=service, region=region)
            url = endpoint + path + (f"?{query}" if isinstance(query, str) else "")
            cases.append(Case(service, region, METHODS[(p + s) % len(METHODS)], url,
                              query if isinstance(query, list) else None,
                              HEADER_SETS[(p + 2 * s) % len(HEADER_SETS)], BODIES[(p + 3 * s) % len(BODIES)],
                              with_token=(p + s) % 2 == 0))
    return cases


CASES = _cases()
NOW = dt.timedelta(seconds=30)


def _case_id(case: Case) -> str:
    return f"{case.service}-{case.method}-{case.url.split('/', 3)[-1][:40]}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_authorization_header_signature_is_accepted(case, frozen_signing_clock, credentials,
                                                      session_credentials, secret, wire):
    creds = session_credentials if case.with_token else credentials
    signer_class = S3SigV4Auth if case.service == "s3" else SigV4Auth
    request = case.build()
    signer_class(creds, case.service, case.region).add_auth(request)

    http = wire(request)
    sig = read_signature(http)

    assert sig is not None and not sig.presigned
    assert (sig.access_key, sig.region, sig.service) == (creds.access_key, case.region, case.service)
    assert sig.session_token == creds.token
    verify(http, sig, secret, now=frozen_signing_clock + NOW)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_presigned_query_signature_is_accepted(case, frozen_signing_clock, credentials,
                                               session_credentials, secret, wire):
    creds = session_credentials if case.with_token else credentials
    signer_class = S3SigV4QueryAuth if case.service == "s3" else SigV4QueryAuth
    request = case.build(body=b"")  # a presigned URL carries its parameters, not a body
    signer_class(creds, case.service, case.region, expires=300).add_auth(request)

    http = wire(request)
    sig = read_signature(http)

    assert sig is not None and sig.presigned and sig.expires == 300
    assert sig.session_token == creds.token
    verify(http, sig, secret, now=frozen_signing_clock + NOW)


def test_query_spaces_sent_as_plus_are_read_as_spaces(frozen_signing_clock, credentials, secret, wire):
    # botocore signs "%20" but its URL encoder sends "+" (as Go's url.Values does);
    # AWS reads "+" in a query as a space.
    request = AWSRequest(method="GET", url="https://sqs.eu-west-1.amazonaws.com/",
                         params=[("QueueNamePrefix", "my queue")])
    SigV4Auth(credentials, "sqs", "eu-west-1").add_auth(request)
    http = wire(request)

    assert http.query == "QueueNamePrefix=my+queue"
    verify(http, read_signature(http), secret, now=frozen_signing_clock)


def test_lower_case_percent_escapes_in_the_query_are_canonicalised(frozen_signing_clock, credentials, secret,
                                                                   wire):
    request = AWSRequest(method="GET", url="https://sqs.eu-west-1.amazonaws.com/",
                         params=[("Prefix", "a/b:c")])
    SigV4Auth(credentials, "sqs", "eu-west-1").add_auth(request)
    http = wire(request)
    http.query = http.query.replace("%2F", "%2f").replace("%3A", "%3a")

    verify(http, read_signature(http), secret, now=frozen_signing_clock)


def test_date_header_stands_in_for_x_amz_date(frozen_signing_clock, credentials, secret, wire):
    # botocore signs with the Date header instead of X-Amz-Date when the request has one.
    request = AWSRequest(method="POST", url="https://monitoring.ap-southeast-2.amazonaws.com/",
                         data=b"Action=ListMetrics&Version=2010-08-01",
                         headers={"Date": "Mon, 01 Jan 2001 00:00:00 GMT"})
    SigV4Auth(credentials, "monitoring", "ap-southeast-2").add_auth(request)
    http = wire(request)

    assert "x-amz-date" not in http.headers
    sig = read_signature(http)
    assert sig.amz_date == frozen_signing_clock.strftime("%Y%m%dT%H%M%SZ")
    verify(http, sig, secret, now=frozen_signing_clock)


def test_presigned_form_body_moves_into_the_signed_query(frozen_signing_clock, credentials, secret, wire):
    request = AWSRequest(method="GET", url="https://sts.amazonaws.com/",
                         data={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    SigV4QueryAuth(credentials, "sts", "us-east-1", expires=60).add_auth(request)
    http = wire(request)

    assert http.body == b"" and "Action=GetCallerIdentity" in http.query
    verify(http, read_signature(http), secret, now=frozen_signing_clock)


def test_s3_unsigned_payload_is_accepted_without_binding_the_body(frozen_signing_clock, credentials, secret,
                                                                  wire):
    # https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html (unsigned payload option)
    request = AWSRequest(method="PUT", url="https://s3.us-west-2.amazonaws.com/bkt/key", data=b"payload")
    request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    S3SigV4Auth(credentials, "s3", "us-west-2").add_auth(request)
    http = wire(request)

    assert http.headers["x-amz-content-sha256"] == UNSIGNED_PAYLOAD
    verify(http, read_signature(http), secret, now=frozen_signing_clock)
    http.body = b"another payload"
    verify(http, read_signature(http), secret, now=frozen_signing_clock)
