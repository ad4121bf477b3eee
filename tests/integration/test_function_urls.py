"""Function URLs: the configuration API through boto3, and the URLs themselves through httpx
(https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html,
https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.engine.test_response_streaming import CUSTOM_STREAMING, NODE_STREAMING
from tests.functions import unique_name
from tests.gate import Gate
from tests.http_clients import allow_public_url, create_function, create_python_function, request
from tests.identities import allow, make_user, policy

ECHO = """
import base64, json

def handler(event, context):
    shape = (event.get("queryStringParameters") or {}).get("shape")
    if shape == "string":
        return "just text"
    if shape == "object":
        return {"plain": True}
    if shape == "binary":
        return {"statusCode": 200, "headers": {"content-type": "image/png"}, "isBase64Encoded": True,
                "body": base64.b64encode(bytes(range(256))).decode()}
    if shape == "fail":
        raise RuntimeError("boom")
    if shape == "malformed":
        return {"statusCode": "teapot"}
    return {"statusCode": 201, "headers": {"x-echo": "yes", "content-type": "application/json"},
            "cookies": ["a=1; Path=/", "b=2"], "body": json.dumps(event)}
"""


@pytest.fixture(scope="module")
def echo_url(server) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    name = unique_name("url")
    create_python_function(server, name, ECHO)
    config = server.client("lambda").create_function_url_config(
        FunctionName=name, AuthType="NONE",
        Cors={"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "PUT"],
              "AllowHeaders": ["x-custom"], "ExposeHeaders": ["x-echo"], "MaxAge": 60})
    allow_public_url(server.client("lambda"), name)
    return name, config["FunctionUrl"]


def test_configuration_lifecycle(server, lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name("urlcfg")
    create_python_function(server, name, ECHO)
    created = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    url = created["FunctionUrl"]
    allow_public_url(lambda_client, name)
    assert request(server, "GET", url).status_code == 201
    assert url.startswith("http://") and f".lambda-url.us-east-1.localhost:{server.port}/" in url
    assert created["InvokeMode"] == "BUFFERED" and created["AuthType"] == "NONE"
    with pytest.raises(ClientError) as conflict:
        lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert conflict.value.response["Error"]["Code"] == "ResourceConflictException"
    updated = lambda_client.update_function_url_config(FunctionName=name, AuthType="AWS_IAM",
                                                       InvokeMode="RESPONSE_STREAM")
    assert updated["FunctionUrl"] == url and updated["AuthType"] == "AWS_IAM"
    assert lambda_client.get_function_url_config(FunctionName=name)["InvokeMode"] == "RESPONSE_STREAM"
    listed = lambda_client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert [c["FunctionUrl"] for c in listed] == [url]
    lambda_client.delete_function_url_config(FunctionName=name)
    with pytest.raises(ClientError) as missing:
        lambda_client.get_function_url_config(FunctionName=name)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert request(server, "GET", url).status_code == 403  # the URL is gone with its configuration


def test_url_of_a_deleted_function_stops_answering(server, lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name("urlgone")
    create_python_function(server, name, ECHO)
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    allow_public_url(lambda_client, name)
    assert request(server, "GET", url).status_code == 201
    lambda_client.delete_function(FunctionName=name)
    assert request(server, "GET", url).status_code == 403


def test_event_is_payload_format_2(server, echo_url) -> None:  # type: ignore[no-untyped-def]
    _, url = echo_url
    response = request(server, "POST", url + "items/a%20b?x=1&x=2&y=",
                       headers={"Cookie": "session=abc; theme=dark", "Content-Type": "application/json",
                                "X-Repeated": "one"},
                       content=b'{"hello": "world"}')
    assert response.status_code == 201
    event = response.json()
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/items/a%20b"
    assert event["rawQueryString"] == "x=1&x=2&y="
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["cookies"] == ["session=abc", "theme=dark"]
    assert "cookie" not in event["headers"] and event["headers"]["x-repeated"] == "one"
    assert event["body"] == '{"hello": "world"}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["http"]["method"] == "POST" and context["http"]["sourceIp"] == "127.0.0.1"
    assert context["accountId"] == "anonymous" and context["domainName"] == url.split("/")[2].split(":")[0]
    assert context["apiId"] == context["domainPrefix"] and len(context["apiId"]) == 32
    assert event["pathParameters"] is None and event["stageVariables"] is None


def test_source_ip_is_the_connection_not_a_forwarded_for_header(server, echo_url) -> None:  # type: ignore[no-untyped-def]
    # As in AWS, the caller cannot choose the address its event (and aws:SourceIp) carries.
    _, url = echo_url
    event = request(server, "GET", url, headers={"X-Forwarded-For": "203.0.113.9"}).json()
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    assert event["headers"]["x-forwarded-for"] == "203.0.113.9"


def test_response_description_is_honoured(server, echo_url) -> None:  # type: ignore[no-untyped-def]
    _, url = echo_url
    response = request(server, "GET", url)
    assert response.status_code == 201
    assert response.headers["x-echo"] == "yes"
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]


def test_binary_request_and_response_bodies(server, echo_url) -> None:  # type: ignore[no-untyped-def]
    _, url = echo_url
    payload = bytes(range(256))
    event = request(server, "POST", url, content=payload,
                    headers={"Content-Type": "application/octet-stream"}).json()
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == payload
    response = request(server, "GET", url + "?shape=binary")
    assert response.headers["content-type"] == "image/png" and response.content == payload


def test_plain_results_become_json_bodies(server, echo_url) -> None:  # type: ignore[no-untyped-def]
    _, url = echo_url
    text = request(server, "GET", url + "?shape=string")
    assert text.status_code == 200 and text.headers["content-type"] == "application/json"
    assert text.text == "just text"
    obj = request(server, "GET", url + "?shape=object")
    assert obj.status_code == 200 and obj.json() == {"plain": True}


def test_function_errors_and_malformed_answers_are_502(server, echo_url) -> None:  # type: ignore[no-untyped-def]
    _, url = echo_url
    assert request(server, "GET", url + "?shape=fail").status_code == 502
    assert request(server, "GET", url + "?shape=malformed").status_code == 502


def test_path_form_reaches_the_same_function(server, echo_url) -> None:  # type: ignore[no-untyped-def]
    _, url = echo_url
    url_id = url.split("/")[2].split(".")[0]
    response = httpx.get(f"{server.endpoint}/_lamina/lambda-url/{url_id}/some/path?q=1")
    assert response.status_code == 201
    event = response.json()
    assert event["rawPath"] == "/some/path" and event["queryStringParameters"] == {"q": "1"}


def test_cors_preflight_and_response_headers(server, echo_url) -> None:  # type: ignore[no-untyped-def]
    _, url = echo_url
    preflight = request(server, "OPTIONS", url, headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "X-Custom"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert preflight.headers["access-control-allow-methods"] == "GET,PUT"
    assert preflight.headers["access-control-allow-headers"] == "x-custom"
    assert preflight.headers["access-control-max-age"] == "60"
    actual = request(server, "GET", url, headers={"Origin": "https://app.example"})
    assert actual.headers["access-control-allow-origin"] == "https://app.example"
    assert actual.headers["access-control-expose-headers"] == "x-echo"
    stranger = request(server, "GET", url, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in stranger.headers


def test_request_over_the_payload_limit_is_413(server, echo_url) -> None:  # type: ignore[no-untyped-def]
    _, url = echo_url
    response = request(server, "POST", url, content=b"x" * (6 * 1024 * 1024 + 1),
                       headers={"Content-Type": "text/plain"})
    assert response.status_code == 413


def test_aws_iam_urls_need_a_valid_signature(server, lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name("urliam")
    create_python_function(server, name, ECHO)
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    assert request(server, "GET", url).status_code == 403
    key, secret = server.credentials()
    signed = AWSRequest(method="GET", url=url, headers={})
    SigV4Auth(Credentials(key, secret), "lambda", "us-east-1").add_auth(signed)
    response = request(server, "GET", url, headers=dict(signed.headers))
    assert response.status_code == 201
    iam = response.json()["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] == key and iam["accountId"] == "000000000000"
    forged = AWSRequest(method="GET", url=url, headers={})
    SigV4Auth(Credentials(key, "not-the-secret"), "lambda", "us-east-1").add_auth(forged)
    assert request(server, "GET", url, headers=dict(forged.headers)).status_code == 403


def _signed_get(server, url: str, key: str, secret: str, token: str | None = None) -> int:  # type: ignore[no-untyped-def]
    signed = AWSRequest(method="GET", url=url, headers={})
    SigV4Auth(Credentials(key, secret, token), "lambda", "us-east-1").add_auth(signed)
    return request(server, "GET", url, headers=dict(signed.headers)).status_code


def test_aws_iam_urls_need_invoke_function_url_permission(server, lambda_client) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html: identity policy or function policy.
    name = unique_name("urlperm")
    arn = create_python_function(server, name, ECHO)
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    nobody = make_user(server)
    assert _signed_get(server, url, nobody.access_key_id, nobody.secret_access_key) == 403
    url_only = make_user(server, policy(allow("lambda:InvokeFunctionUrl", arn)))
    assert _signed_get(server, url, url_only.access_key_id, url_only.secret_access_key) == 403
    allowed = make_user(server, policy(
        allow("lambda:InvokeFunctionUrl", arn, Condition={"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}}),
        allow("lambda:InvokeFunction", arn, Condition={"Bool": {"lambda:InvokedViaFunctionUrl": "true"}})))
    assert _signed_get(server, url, allowed.access_key_id, allowed.secret_access_key) == 201
    lambda_client.add_permission(FunctionName=name, StatementId="nobody-url", Action="lambda:InvokeFunctionUrl",
                                 Principal=nobody.arn, FunctionUrlAuthType="AWS_IAM")
    lambda_client.add_permission(FunctionName=name, StatementId="nobody-invoke", Action="lambda:InvokeFunction",
                                 Principal=nobody.arn, InvokedViaFunctionUrl=True)
    assert _signed_get(server, url, nobody.access_key_id, nobody.secret_access_key) == 201


def test_aws_iam_url_callers_policies_see_their_source_address(server, lambda_client) -> None:  # type: ignore[no-untyped-def]
    # aws:SourceIp is a global condition key: an identity policy may allow a URL from some networks only
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip).
    name = unique_name("urlip")
    arn = create_python_function(server, name, ECHO)
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]

    def from_network(cidr: str):  # type: ignore[no-untyped-def]
        where = {"IpAddress": {"aws:SourceIp": cidr}}
        return make_user(server, policy(allow("lambda:InvokeFunctionUrl", arn, Condition=where),
                                        allow("lambda:InvokeFunction", arn, Condition=where)))

    loopback, elsewhere = from_network("127.0.0.0/8"), from_network("192.0.2.0/24")
    assert _signed_get(server, url, loopback.access_key_id, loopback.secret_access_key) == 201
    assert _signed_get(server, url, elsewhere.access_key_id, elsewhere.secret_access_key) == 403


def test_public_urls_need_a_policy_granting_everyone_both_actions(server, lambda_client) -> None:  # type: ignore[no-untyped-def]
    # https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html: "your function's resource-based policy is
    # always in effect and must grant public access"; since October 2025 InvokeFunction too.
    name = unique_name("urlpublic")
    create_python_function(server, name, ECHO)
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    assert request(server, "GET", url).status_code == 403
    lambda_client.add_permission(FunctionName=name, StatementId="url", Principal="*",
                                 Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE")
    assert request(server, "GET", url).status_code == 403
    lambda_client.add_permission(FunctionName=name, StatementId="invoke", Principal="*",
                                 Action="lambda:InvokeFunction", InvokedViaFunctionUrl=True)
    assert request(server, "GET", url).status_code == 201
    # A grant for AWS_IAM URLs does not open a NONE one.
    other = unique_name("urlpublic")
    create_python_function(server, other, ECHO)
    other_url = lambda_client.create_function_url_config(FunctionName=other, AuthType="NONE")["FunctionUrl"]
    lambda_client.add_permission(FunctionName=other, StatementId="url", Principal="*",
                                 Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="AWS_IAM")
    lambda_client.add_permission(FunctionName=other, StatementId="invoke", Principal="*",
                                 Action="lambda:InvokeFunction", InvokedViaFunctionUrl=True)
    assert request(server, "GET", other_url).status_code == 403


@pytest.mark.parametrize("files,runtime,handler", [
    (NODE_STREAMING, "nodejs20.x", "app.handler"),
    (CUSTOM_STREAMING, "provided.al2023", "function.handler"),
], ids=["nodejs", "custom-runtime"])
def test_streamed_response_reaches_the_client_before_the_function_returns(
        server, lambda_client, tmp_path: Path, files, runtime, handler) -> None:  # type: ignore[no-untyped-def]
    name = unique_name("stream")
    create_function(server, name, files, runtime, handler, Timeout=20)
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE",
                                                   InvokeMode="RESPONSE_STREAM")["FunctionUrl"]
    allow_public_url(lambda_client, name)
    gate = Gate()
    host = url.split("/")[2]
    received: list[bytes] = []
    with httpx.Client(timeout=30) as client:
        with client.stream("POST", f"{server.endpoint}/", headers={"Host": host, "Content-Type": "application/json"},
                           content=json.dumps({"gate": gate.port})) as response:
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/plain"
            for chunk in response.iter_raw():
                received.append(chunk)
                # The function waits at this gate before it writes the rest and returns.
                gate.open()
    gate.close()
    assert b"".join(received) == b"first;second"
    assert received[0] == b"first;"


def test_streamed_http_response_prelude(server, lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name("prelude")
    source = {"app.mjs": """
        export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
          const stream = awslambda.HttpResponseStream.from(responseStream, {
            statusCode: 207, headers: {"x-streamed": "yes", "content-type": "text/csv"}, cookies: ["s=1"]});
          stream.write("a,b\\n");
          stream.end("1,2\\n");
        });
    """}
    create_function(server, name, source, "nodejs20.x", "app.handler")
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE",
                                                   InvokeMode="RESPONSE_STREAM")["FunctionUrl"]
    allow_public_url(lambda_client, name)
    response = request(server, "GET", url)
    assert response.status_code == 207
    assert response.headers["x-streamed"] == "yes" and response.headers["content-type"] == "text/csv"
    assert response.headers["set-cookie"] == "s=1"
    assert response.text == "a,b\n1,2\n"


def test_response_stream_mode_with_a_runtime_that_does_not_stream(server, lambda_client) -> None:  # type: ignore[no-untyped-def]
    """Python runtimes have no response streaming in Lambda: the whole answer is sent when it is ready."""
    name = unique_name("pystream")
    create_python_function(server, name, ECHO)
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE",
                                                   InvokeMode="RESPONSE_STREAM")["FunctionUrl"]
    allow_public_url(lambda_client, name)
    response = request(server, "GET", url + "?shape=object")
    assert response.status_code == 200 and response.json() == {"plain": True}
