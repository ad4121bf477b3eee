"""The exact requests boto3 and the aws CLI send are accepted.

Each operation runs through the real client; botocore's ``before-send`` event
hands us the signed request it was about to put on the wire, and answers it
with a canned response so no server is needed.
"""

from __future__ import annotations

import io
import json
import zlib
from base64 import b64encode
from typing import Callable

import boto3
import pytest
from awscli.clidriver import create_clidriver
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.config import Config
from urllib3.response import HTTPResponse as Urllib3Response

from lamina.gateway import aws_chunked
from lamina.gateway.sigv4 import STREAMING_UNSIGNED_TRAILER, read_signature, verify
from lamina.protocol.http import HttpRequest

ENDPOINT = "http://127.0.0.1:9060"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"
QUEUE_URL = f"{ENDPOINT}/123456789012/my-queue"
STS_RESPONSE = (b"<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>"
                b"</GetCallerIdentityResult></GetCallerIdentityResponse>")


class Capture:
    """A before-send hook: records each request and answers it with ``body``."""

    def __init__(self, body: bytes = b"{}") -> None:
        self.body = body
        self.requests: list[AWSPreparedRequest] = []

    def __call__(self, request: AWSPreparedRequest, **_: object) -> AWSResponse:
        self.requests.append(request)
        raw = Urllib3Response(body=io.BytesIO(self.body), status=200, preload_content=False)
        return AWSResponse(request.url, 200, {"ETag": '"etag"'}, raw)

    @property
    def only(self) -> AWSPreparedRequest:
        assert len(self.requests) == 1
        return self.requests[0]


@pytest.fixture
def session(session_credentials) -> boto3.Session:
    return boto3.Session(aws_access_key_id=session_credentials.access_key,
                         aws_secret_access_key=session_credentials.secret_key,
                         aws_session_token=session_credentials.token, region_name="us-east-1")


def client(session: boto3.Session, service: str, capture: Capture, endpoint: str = ENDPOINT, **config):
    made = session.client(service, endpoint_url=endpoint, config=Config(retries={"max_attempts": 0}, **config))
    made.meta.events.register("before-send", capture)
    return made


def accept(http: HttpRequest, secret: str, now) -> None:
    sig = read_signature(http)
    assert sig is not None
    verify(http, sig, secret, now=now)


# --- boto3 -------------------------------------------------------------------------------------------

def test_boto3_lambda_invoke_with_an_arn(session, frozen_signing_clock, secret, wire):
    capture = Capture()
    client(session, "lambda", capture).invoke(FunctionName=FUNCTION_ARN, Payload=b'{"k": "v"}')
    http = wire(capture.only)

    assert http.path == ("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012"
                         "%3Afunction%3Amy-fn/invocations")
    assert read_signature(http).session_token == session.get_credentials().token
    accept(http, secret, frozen_signing_clock)


def test_boto3_sqs_send_message(session, frozen_signing_clock, secret, wire):
    capture = Capture()
    client(session, "sqs", capture).send_message(QueueUrl=QUEUE_URL, MessageBody="hi  there é ✓")
    http = wire(capture.only)

    assert http.headers["x-amz-target"] == "AmazonSQS.SendMessage"
    accept(http, secret, frozen_signing_clock)


def test_boto3_sts_get_caller_identity_form_body(session, frozen_signing_clock, secret, wire):
    capture = Capture(STS_RESPONSE)
    client(session, "sts", capture).get_caller_identity()
    http = wire(capture.only)

    assert http.body == b"Action=GetCallerIdentity&Version=2011-06-15"
    accept(http, secret, frozen_signing_clock)


def test_boto3_s3_put_object_over_http_signs_the_payload(session, frozen_signing_clock, secret, wire):
    capture = Capture(b"")
    client(session, "s3", capture).put_object(Bucket="bkt", Key="dir/a b+c:d~e%f.txt", Body=b"hello world")
    http = wire(capture.only)

    assert http.path == "/bkt/dir/a%20b%2Bc%3Ad~e%25f.txt"
    assert http.headers["x-amz-content-sha256"] != "UNSIGNED-PAYLOAD"
    accept(http, secret, frozen_signing_clock)


def test_boto3_s3_put_object_over_https_streams_an_unsigned_trailer(session, frozen_signing_clock, secret, wire):
    # Over HTTPS botocore sends aws-chunked with the checksum as a trailing header.
    capture = Capture(b"")
    client(session, "s3", capture, endpoint="https://127.0.0.1:9443").put_object(
        Bucket="bkt", Key="key.bin", Body=b"hello world" * 1000)
    http = wire(capture.only)

    assert http.headers["x-amz-content-sha256"] == STREAMING_UNSIGNED_TRAILER
    assert http.headers["content-encoding"] == "aws-chunked"
    sig = read_signature(http)
    verify(http, sig, secret, now=frozen_signing_clock)
    decoded = aws_chunked.decode(http, sig, secret)
    assert decoded.data == b"hello world" * 1000
    expected_crc = b64encode(zlib.crc32(decoded.data).to_bytes(4, "big")).decode()
    assert decoded.trailers == {"x-amz-checksum-crc32": expected_crc}


def test_boto3_presigned_s3_get_object_url(session, frozen_signing_clock, secret, wire):
    # boto3 presigns S3 with SigV2 in older regions unless SigV4 is asked for.
    capture = Capture()
    url = client(session, "s3", capture, signature_version="s3v4").generate_presigned_url(
        "get_object", Params={"Bucket": "bkt", "Key": "dir/a b+c.txt"}, ExpiresIn=900)
    http = wire(AWSRequest(method="GET", url=url))

    sig = read_signature(http)
    assert sig.presigned and sig.expires == 900 and sig.service == "s3"
    verify(http, sig, secret, now=frozen_signing_clock)


# botocore signs a presigned URL for the operation's own HTTP method: POST for query-protocol STS.
@pytest.mark.parametrize("service, operation, method", [("sts", "get_caller_identity", "POST"),
                                                        ("lambda", "list_functions", "GET")])
def test_boto3_presigned_non_s3_url(session, frozen_signing_clock, secret, wire, service, operation, method):
    url = client(session, service, Capture()).generate_presigned_url(operation, ExpiresIn=60)
    http = wire(AWSRequest(method=method, url=url))

    sig = read_signature(http)
    assert sig.presigned and sig.service == service and sig.session_token == session.get_credentials().token
    verify(http, sig, secret, now=frozen_signing_clock)


# --- the aws CLI -------------------------------------------------------------------------------------

@pytest.fixture
def aws_cli(monkeypatch, tmp_path, session_credentials, frozen_signing_clock) -> Callable[..., list]:
    """Run an aws CLI command in this process; returns the requests it sent."""
    config = tmp_path / "config"
    # Without this the CLI presigns S3 URLs with SigV2 (see test_boto3_presigned_s3_get_object_url).
    config.write_text("[default]\ns3 =\n    signature_version = s3v4\n")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", session_credentials.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", session_credentials.secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", session_credentials.token)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    def run(*args: str, response: bytes = b"{}") -> list[AWSPreparedRequest]:
        capture = Capture(response)
        driver = create_clidriver()
        driver.session.register("before-send", capture)
        assert driver.main([*args, "--endpoint-url", ENDPOINT]) == 0
        return capture.requests

    return run


def test_cli_lambda_invoke(aws_cli, tmp_path, secret, frozen_signing_clock, wire):
    [request] = aws_cli("lambda", "invoke", "--function-name", FUNCTION_ARN, "--payload", '{"k": "v"}',
                        str(tmp_path / "out.json"))
    http = wire(request)
    assert http.body == b'{"k": "v"}'
    accept(http, secret, frozen_signing_clock)


def test_cli_sqs_send_message(aws_cli, secret, frozen_signing_clock, wire):
    [request] = aws_cli("sqs", "send-message", "--queue-url", QUEUE_URL, "--message-body", "hello  wörld")
    http = wire(request)
    assert json.loads(http.body)["MessageBody"] == "hello  wörld"
    accept(http, secret, frozen_signing_clock)


def test_cli_sts_get_caller_identity(aws_cli, secret, frozen_signing_clock, wire):
    [request] = aws_cli("sts", "get-caller-identity", response=STS_RESPONSE)
    accept(wire(request), secret, frozen_signing_clock)


def test_cli_s3api_put_object(aws_cli, tmp_path, secret, frozen_signing_clock, wire):
    body = tmp_path / "upload.txt"
    body.write_bytes(b"file contents\n" * 100)
    [request] = aws_cli("s3api", "put-object", "--bucket", "bkt", "--key", "reports/2026 q1.txt",
                        "--body", str(body), response=b"")
    http = wire(request)
    assert http.body == body.read_bytes()
    accept(http, secret, frozen_signing_clock)


def test_cli_s3_presign(aws_cli, capsys, secret, frozen_signing_clock, wire):
    assert aws_cli("s3", "presign", "s3://bkt/dir/a b.txt", "--expires-in", "300") == []
    url = capsys.readouterr().out.strip()
    http = wire(AWSRequest(method="GET", url=url))

    sig = read_signature(http)
    assert sig.presigned and sig.expires == 300
    verify(http, sig, secret, now=frozen_signing_clock)
