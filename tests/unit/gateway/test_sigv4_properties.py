"""Property: whatever path, query and header values a client signs with
botocore, the request is accepted once it has crossed the wire, and is refused
with a different secret."""

from __future__ import annotations

import datetime as dt
import string
from urllib.parse import quote

import botocore.auth
import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamina.gateway.sigv4 import SignatureProblem, read_signature, verify

SIGNED_AT = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
SECRET = "property-secret"

# Segments: any text, percent-encoded the way SDKs encode labels; some kept raw
# when a URL allows them there unencoded.
segments = st.one_of(
    st.text(min_size=0, max_size=12).map(lambda s: quote(s, safe="~")),
    st.text(alphabet=string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@", max_size=12),
    st.sampled_from([".", ".."]),
)
paths = st.lists(segments, max_size=6).map(lambda parts: "/" + "/".join(parts))
params = st.lists(st.tuples(st.text(min_size=1, max_size=10), st.text(max_size=10)), max_size=5)
header_values = st.text(alphabet=string.ascii_letters + string.digits + " \t-_.,;:/=+", max_size=20)
headers = st.dictionaries(st.sampled_from(["X-Amz-Meta-A", "X-Amz-Meta-B", "X-Custom", "Content-Type"]),
                          header_values, max_size=3)
bodies = st.binary(max_size=64)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(botocore.auth, "get_current_datetime",
                        lambda remove_tzinfo=True: SIGNED_AT.replace(tzinfo=None))


@settings(max_examples=300, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(service=st.sampled_from(["lambda", "sqs", "s3"]), method=st.sampled_from(["GET", "POST", "PUT"]),
       path=paths, query=params, header_map=headers, body=bodies)
def test_any_botocore_signed_request_is_accepted(wire, service, method, path, query, header_map, body):
    request = AWSRequest(method=method, url="https://svc.example.com" + path, data=body, params=query or None)
    for name, value in header_map.items():
        request.headers[name] = value
    signer = S3SigV4Auth if service == "s3" else SigV4Auth
    signer(Credentials("AKIDPROPERTY", SECRET), service, "eu-west-1").add_auth(request)

    http = wire(request)
    sig = read_signature(http)
    verify(http, sig, SECRET, now=SIGNED_AT)
    with pytest.raises(SignatureProblem):
        verify(http, sig, SECRET + "x", now=SIGNED_AT)
