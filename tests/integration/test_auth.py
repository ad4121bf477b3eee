"""SigV4 on every request: refusals carry each protocol's code and shape."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.lamina_server import LaminaServer
from tests.raw_requests import send

LIST = "/2015-03-31/functions/"


def test_root_key_is_accepted(server: LaminaServer) -> None:
    key, secret = server.credentials()
    response = send(server.endpoint, "GET", LIST, key=key, secret=secret)
    assert response.status == 200, response.body


def test_wrong_secret_is_invalid_signature(server: LaminaServer) -> None:
    key, _ = server.credentials()
    client = boto3.client("lambda", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id=key, aws_secret_access_key="not-the-secret")
    with pytest.raises(ClientError) as refused:
        client.list_functions()
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidSignatureException"
    assert error["Message"].startswith("The request signature we calculated does not match")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unknown_key_is_unrecognized_client(server: LaminaServer) -> None:
    client = boto3.client("lambda", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id="AKIAUNKNOWNUNKNOWN00", aws_secret_access_key="x")
    with pytest.raises(ClientError) as refused:
        client.list_functions()
    assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert refused.value.response["Error"]["Message"] == "The security token included in the request is invalid."


@pytest.mark.parametrize("tamper", ["query", "body"])
def test_tampered_request_is_invalid_signature(server: LaminaServer, tamper: str) -> None:
    key, secret = server.credentials()
    path = "/2015-03-31/functions/some-function/invocations"
    if tamper == "query":
        response = send(server.endpoint, "GET", LIST + "?MaxItems=1", key=key, secret=secret,
                        sent_path=LIST + "?MaxItems=2")
    else:
        response = send(server.endpoint, "POST", path, b'{"a": 1}', key=key, secret=secret,
                        sent_body=b'{"a": 2}')
    assert response.status == 403
    assert response.headers["x-amzn-errortype"] == "InvalidSignatureException"


@pytest.mark.parametrize("minutes", [20, 16, -16])
def test_requests_outside_15_minutes_are_refused(server: LaminaServer, minutes: int) -> None:
    key, secret = server.credentials()
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes)
    response = send(server.endpoint, "GET", LIST, key=key, secret=secret, when=when)
    assert response.status == 403
    assert response.headers["x-amzn-errortype"] == "InvalidSignatureException"
    expected = "Signature expired:" if minutes > 0 else "Signature not yet current:"
    assert response.json()["message"].startswith(expected)


def test_request_14_minutes_old_is_accepted(server: LaminaServer) -> None:
    key, secret = server.credentials()
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=14)
    assert send(server.endpoint, "GET", LIST, key=key, secret=secret, when=when).status == 200


def test_unsigned_request_is_refused(server: LaminaServer) -> None:
    response = send(server.endpoint, "GET", LIST, sign=False)
    assert response.status == 403
    assert response.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"


def test_auth_off_accepts_any_well_formed_signature(fresh_server: LaminaServer) -> None:
    fresh_server.extra_args = ["--auth", "off"]
    fresh_server.start()
    assert "authentication is OFF" in fresh_server.output()
    client = boto3.client("lambda", endpoint_url=fresh_server.endpoint, region_name="us-east-1",
                          aws_access_key_id="AKIAANYTHING", aws_secret_access_key="anything")
    assert client.list_functions()["Functions"] == []
    assert send(fresh_server.endpoint, "GET", LIST, sign=False).status == 403
