"""HTTP APIs (API Gateway v2) through boto3, invoked with httpx: routes, payload formats, stages,
CORS, authorizers and the documented errors
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api.html)."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import httpx
import pytest
from botocore.exceptions import ClientError
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.functions import unique_name
from tests.gate import Gate
from tests.http_clients import allow_api_gateway, create_python_function, request
from tests.lamina_server import LaminaServer

ECHO = """
import base64, json, socket

def handler(event, context):
    query = event.get("queryStringParameters") or {}
    if query.get("shape") == "malformed":
        return {"statusCode": "not a number"}
    if query.get("shape") == "fail":
        raise RuntimeError("boom")
    if query.get("shape") == "binary":
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "isBase64Encoded": True, "body": event.get("body") or ""}
    if query.get("gate"):  # wait until the test opens its gate (tests/gate.py)
        with socket.create_connection(("127.0.0.1", int(query["gate"]))) as gate:
            gate.recv(1)
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}
"""

AUTHORIZER = """
CALLS = {"count": 0}

def handler(event, context):
    CALLS["count"] += 1
    token = event["identitySource"][0]
    return {"isAuthorized": token == "let-me-in", "context": {"calls": CALLS["count"], "who": token}}
"""

POLICY_AUTHORIZER = """
def handler(event, context):
    effect = "Allow" if event["authorizationToken"] == "allow" else "Deny"
    return {"principalId": "user-1", "context": {"tier": "gold"},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
"""


@pytest.fixture(scope="module")
def echo_arn(server: LaminaServer) -> str:
    return allow_api_gateway(server, create_python_function(server, unique_name("api"), ECHO, Timeout=10))


@pytest.fixture(scope="module")
def routed_api(server: LaminaServer, echo_arn: str) -> dict:
    """Routes of every kind on one API, each to the echo function; a $default and a named stage."""
    client = server.client("apigatewayv2")
    api = client.create_api(Name=unique_name("routes"), ProtocolType="HTTP",
                            CorsConfiguration={"AllowOrigins": ["https://site.example"], "AllowMethods": ["GET", "POST"],
                                               "AllowHeaders": ["authorization"], "MaxAge": 30})
    api_id = api["ApiId"]
    v2 = client.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=echo_arn,
                                   PayloadFormatVersion="2.0")["IntegrationId"]
    v1 = client.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", PayloadFormatVersion="1.0",
                                   IntegrationUri="${stageVariables.function}")["IntegrationId"]
    for key, integration in (("GET /items/{id}", v2), ("GET /items/special", v2), ("ANY /items/{id}", v2),
                             ("POST /files/{proxy+}", v2), ("GET /v1/{name}", v1), ("$default", v2)):
        client.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration}")
    client.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True, StageVariables={"function": echo_arn})
    client.create_stage(ApiId=api_id, StageName="beta", AutoDeploy=True,
                        StageVariables={"function": echo_arn, "color": "blue"})
    return api


def _get(server: LaminaServer, api: dict, path: str, method: str = "GET", **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
    return request(server, method, api["ApiEndpoint"] + path, **kwargs)


def test_quick_create_serves_every_path(server: LaminaServer, echo_arn: str) -> None:
    client = server.client("apigatewayv2")
    api = client.create_api(Name=unique_name("quick"), ProtocolType="HTTP", Target=echo_arn)
    assert api["ApiEndpoint"] == f"http://{api['ApiId']}.execute-api.us-east-1.localhost:{server.port}"
    routes = client.get_routes(ApiId=api["ApiId"])["Items"]
    assert [r["RouteKey"] for r in routes] == ["$default"]
    assert [s["StageName"] for s in client.get_stages(ApiId=api["ApiId"])["Items"]] == ["$default"]
    event = _get(server, api, "/anything/here?a=1&a=2").json()
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/anything/here" and event["queryStringParameters"] == {"a": "1,2"}
    assert event["requestContext"]["apiId"] == api["ApiId"] and event["requestContext"]["stage"] == "$default"


def test_most_specific_route_wins(server: LaminaServer, routed_api: dict) -> None:
    special = _get(server, routed_api, "/items/special").json()
    assert special["routeKey"] == "GET /items/special" and "pathParameters" not in special
    by_id = _get(server, routed_api, "/items/a%20b").json()
    assert by_id["routeKey"] == "GET /items/{id}" and by_id["pathParameters"] == {"id": "a b"}
    deleted = _get(server, routed_api, "/items/7", method="DELETE").json()
    assert deleted["routeKey"] == "ANY /items/{id}"
    greedy = _get(server, routed_api, "/files/a/b/c.txt", method="POST").json()
    assert greedy["routeKey"] == "POST /files/{proxy+}" and greedy["pathParameters"] == {"proxy": "a/b/c.txt"}
    fallback = _get(server, routed_api, "/nothing/matches").json()
    assert fallback["routeKey"] == "$default"


def test_no_route_is_404_not_found(server: LaminaServer, echo_arn: str) -> None:
    client = server.client("apigatewayv2")
    api = client.create_api(Name=unique_name("noroute"), ProtocolType="HTTP")
    integration = client.create_integration(ApiId=api["ApiId"], IntegrationType="AWS_PROXY",
                                            IntegrationUri=echo_arn, PayloadFormatVersion="2.0")
    client.create_route(ApiId=api["ApiId"], RouteKey="GET /only", Target=f"integrations/{integration['IntegrationId']}")
    client.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    assert _get(server, api, "/only").status_code == 200
    missing = _get(server, api, "/other")
    assert missing.status_code == 404 and missing.json() == {"message": "Not Found"}


def test_named_stage_and_stage_variables(server: LaminaServer, routed_api: dict) -> None:
    event = _get(server, routed_api, "/beta/items/5").json()
    assert event["requestContext"]["stage"] == "beta"
    assert event["rawPath"] == "/beta/items/5" and event["pathParameters"] == {"id": "5"}
    assert event["stageVariables"] == {"function": event["stageVariables"]["function"], "color": "blue"}


def test_payload_format_1(server: LaminaServer, routed_api: dict) -> None:
    response = _get(server, routed_api, "/v1/widget?tag=a&tag=b", headers={"X-Thing": "1"})
    event = response.json()
    assert event["version"] == "1.0" and event["resource"] == "/v1/{name}"
    assert event["httpMethod"] == "GET" and event["path"] == "/v1/widget"
    assert event["pathParameters"] == {"name": "widget"}
    assert event["queryStringParameters"] == {"tag": "b"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"]}
    assert event["multiValueHeaders"]["x-thing"] == ["1"]
    assert event["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"


def test_cookies_and_binary_bodies(server: LaminaServer, routed_api: dict) -> None:
    event = _get(server, routed_api, "/items/1", headers={"Cookie": "a=1; b=2"}).json()
    assert event["cookies"] == ["a=1", "b=2"]
    payload = bytes(range(256)) * 4
    echoed = _get(server, routed_api, "/items/1?shape=binary", method="PUT", content=payload,
                  headers={"Content-Type": "application/octet-stream"})
    assert echoed.status_code == 200 and echoed.content == payload
    text = _get(server, routed_api, "/items/1", method="PUT", content=b'{"a":1}',
                headers={"Content-Type": "application/json"}).json()
    assert text["body"] == '{"a":1}' and text["isBase64Encoded"] is False


def test_cors_configuration(server: LaminaServer, routed_api: dict) -> None:
    preflight = _get(server, routed_api, "/items/1", method="OPTIONS", headers={
        "Origin": "https://site.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://site.example"
    assert preflight.headers["access-control-allow-methods"] == "GET,POST"
    actual = _get(server, routed_api, "/items/1", headers={"Origin": "https://site.example"})
    assert actual.headers["access-control-allow-origin"] == "https://site.example"


def test_malformed_answer_is_502_and_function_error_500(server: LaminaServer, routed_api: dict) -> None:
    malformed = _get(server, routed_api, "/items/1?shape=malformed")
    assert malformed.status_code == 502 and malformed.json() == {"message": "Internal Server Error"}
    failed = _get(server, routed_api, "/items/1?shape=fail")
    assert failed.status_code == 500 and failed.json() == {"message": "Internal Server Error"}


def test_request_over_10_mb_is_413(server: LaminaServer, routed_api: dict) -> None:
    response = _get(server, routed_api, "/items/1", method="POST", content=b"x" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413


def test_path_form(server: LaminaServer, routed_api: dict) -> None:
    response = httpx.get(f"{server.endpoint}/_lamina/execute-api/{routed_api['ApiId']}/beta/items/9")
    assert response.status_code == 200 and response.json()["pathParameters"] == {"id": "9"}


def test_control_plane_errors(server: LaminaServer, routed_api: dict) -> None:
    client = server.client("apigatewayv2")
    with pytest.raises(ClientError) as missing:
        client.get_api(ApiId="doesnotexist")
    assert missing.value.response["Error"]["Code"] == "NotFoundException"
    with pytest.raises(ClientError) as duplicate:
        client.create_route(ApiId=routed_api["ApiId"], RouteKey="GET /items/{id}")
    assert duplicate.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(ClientError) as bad:
        client.create_route(ApiId=routed_api["ApiId"], RouteKey="GET /{proxy+}/tail")
    assert bad.value.response["Error"]["Code"] == "BadRequestException"


def test_deployment_pins_what_a_stage_serves(server: LaminaServer, echo_arn: str) -> None:
    client = server.client("apigatewayv2")
    api = client.create_api(Name=unique_name("deploy"), ProtocolType="HTTP")
    api_id = api["ApiId"]
    integration = client.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=echo_arn,
                                            PayloadFormatVersion="2.0")["IntegrationId"]
    client.create_route(ApiId=api_id, RouteKey="GET /one", Target=f"integrations/{integration}")
    client.create_stage(ApiId=api_id, StageName="prod")
    assert _get(server, api, "/prod/one").status_code == 404  # nothing deployed yet
    client.create_deployment(ApiId=api_id, StageName="prod")
    assert _get(server, api, "/prod/one").status_code == 200
    client.create_route(ApiId=api_id, RouteKey="GET /two", Target=f"integrations/{integration}")
    assert _get(server, api, "/prod/two").status_code == 404  # not deployed
    client.create_deployment(ApiId=api_id, StageName="prod")
    assert _get(server, api, "/prod/two").status_code == 200


def test_apis_survive_a_restart(fresh_server: LaminaServer) -> None:
    server = fresh_server.start()
    server.create_role()
    arn = allow_api_gateway(server, create_python_function(server, "echo", ECHO))
    api = server.client("apigatewayv2").create_api(Name="kept", ProtocolType="HTTP", Target=arn)
    server.kill()
    server.start()
    assert _get(server, api, "/after").json()["rawPath"] == "/after"


class _Issuer:
    """An OpenID issuer on loopback: discovery document and JWKS, and tokens signed by its key."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "key-1"})
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks.json"}
                elif self.path == "/jwks.json":
                    body = {"keys": [issuer.key.as_dict(private=False)]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def token(self, **claims: object) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": "my-app", "sub": "user-7", "iat": now, "exp": now + 300, **claims}
        return jwt.encode({"alg": "RS256", "kid": "key-1"}, body, self.key)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def issuer() -> Iterator[_Issuer]:
    found = _Issuer()
    try:
        yield found
    finally:
        found.close()


def test_jwt_authorizer(server: LaminaServer, echo_arn: str, issuer: _Issuer) -> None:
    client = server.client("apigatewayv2")
    api = client.create_api(Name=unique_name("jwt"), ProtocolType="HTTP")
    api_id = api["ApiId"]
    authorizer = client.create_authorizer(
        ApiId=api_id, Name="jwt", AuthorizerType="JWT", IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": issuer.url, "Audience": ["my-app"]})["AuthorizerId"]
    integration = client.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=echo_arn,
                                            PayloadFormatVersion="2.0")["IntegrationId"]
    client.create_route(ApiId=api_id, RouteKey="GET /secure", Target=f"integrations/{integration}",
                        AuthorizationType="JWT", AuthorizerId=authorizer)
    client.create_route(ApiId=api_id, RouteKey="GET /admin", Target=f"integrations/{integration}",
                        AuthorizationType="JWT", AuthorizerId=authorizer, AuthorizationScopes=["admin"])
    client.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)

    def call(path: str, token: str | None) -> httpx.Response:
        return _get(server, api, path, headers={"Authorization": f"Bearer {token}"} if token else {})

    allowed = call("/secure", issuer.token(scope="read write"))
    assert allowed.status_code == 200
    jwt_context = allowed.json()["requestContext"]["authorizer"]["jwt"]
    assert jwt_context["claims"]["sub"] == "user-7" and jwt_context["scopes"] == ["read", "write"]
    assert call("/secure", None).json() == {"message": "Unauthorized"}
    assert call("/secure", issuer.token(aud="someone-else")).status_code == 401
    assert call("/secure", issuer.token(exp=int(time.time()) - 10)).status_code == 401
    assert call("/secure", issuer.token()[:-4] + "AAAA").status_code == 401
    forged_key = RSAKey.generate_key(2048, parameters={"kid": "key-1"})
    forged = jwt.encode({"alg": "RS256", "kid": "key-1"}, {"iss": issuer.url, "aud": "my-app",
                                                           "exp": int(time.time()) + 60}, forged_key)
    assert call("/secure", forged).status_code == 401
    assert call("/admin", issuer.token(scope="read")).json() == {"message": "Forbidden"}
    assert call("/admin", issuer.token(scope="admin")).status_code == 200


def test_lambda_authorizer_with_caching(server: LaminaServer, echo_arn: str) -> None:
    client = server.client("apigatewayv2")
    authorizer_arn = allow_api_gateway(server, create_python_function(server, unique_name("authz"), AUTHORIZER))
    api = client.create_api(Name=unique_name("lambda-auth"), ProtocolType="HTTP")
    api_id = api["ApiId"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{authorizer_arn}/invocations"
    authorizer = client.create_authorizer(
        ApiId=api_id, Name="simple", AuthorizerType="REQUEST", AuthorizerUri=uri,
        AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True,
        IdentitySource=["$request.header.X-Token"], AuthorizerResultTtlInSeconds=300)["AuthorizerId"]
    integration = client.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=echo_arn,
                                            PayloadFormatVersion="2.0")["IntegrationId"]
    client.create_route(ApiId=api_id, RouteKey="GET /guarded", Target=f"integrations/{integration}",
                        AuthorizationType="CUSTOM", AuthorizerId=authorizer)
    client.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)

    first = _get(server, api, "/guarded", headers={"X-Token": "let-me-in"})
    assert first.status_code == 200
    assert first.json()["requestContext"]["authorizer"]["lambda"] == {"calls": 1, "who": "let-me-in"}
    cached = _get(server, api, "/guarded", headers={"X-Token": "let-me-in"})
    assert cached.json()["requestContext"]["authorizer"]["lambda"]["calls"] == 1  # answered from the cache
    denied = _get(server, api, "/guarded", headers={"X-Token": "wrong"})
    assert denied.status_code == 403 and denied.json() == {"message": "Forbidden"}
    missing = _get(server, api, "/guarded")
    assert missing.status_code == 401 and missing.json() == {"message": "Unauthorized"}


def test_lambda_authorizer_policy_response(server: LaminaServer, echo_arn: str) -> None:
    client = server.client("apigatewayv2")
    authorizer_arn = allow_api_gateway(server, create_python_function(server, unique_name("policy"),
                                                                      POLICY_AUTHORIZER))
    api = client.create_api(Name=unique_name("policy-auth"), ProtocolType="HTTP")
    api_id = api["ApiId"]
    authorizer = client.create_authorizer(
        ApiId=api_id, Name="policy", AuthorizerType="REQUEST", AuthorizerUri=authorizer_arn,
        AuthorizerPayloadFormatVersion="1.0", IdentitySource=["$request.header.Authorization"])["AuthorizerId"]
    integration = client.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=echo_arn,
                                            PayloadFormatVersion="1.0")["IntegrationId"]
    client.create_route(ApiId=api_id, RouteKey="GET /p/{id}", Target=f"integrations/{integration}",
                        AuthorizationType="CUSTOM", AuthorizerId=authorizer)
    client.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    allowed = _get(server, api, "/p/1", headers={"Authorization": "allow"})
    assert allowed.status_code == 200
    assert allowed.json()["requestContext"]["authorizer"]["lambda"] == {"tier": "gold", "principalId": "user-1"}
    assert _get(server, api, "/p/1", headers={"Authorization": "deny"}).status_code == 403


@pytest.fixture(scope="module")
def impatient_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaminaServer]:
    """A lamina whose API integration timeout is 1 s (the default is AWS's 30 s)."""
    node = LaminaServer(tmp_path_factory.mktemp("impatient") / "data",
                        extra_env={"LAMINA_API_INTEGRATION_TIMEOUT": "1"}).start()
    try:
        node.create_role()
        yield node
    finally:
        node.stop()


def test_integration_timeout_is_504(impatient_server: LaminaServer) -> None:
    arn = allow_api_gateway(impatient_server, create_python_function(impatient_server, "slow", ECHO, Timeout=30))
    api = impatient_server.client("apigatewayv2").create_api(Name="slow", ProtocolType="HTTP", Target=arn)
    gate = Gate()
    try:
        # The function waits at the gate, which opens only after the answer: API Gateway answers at its 1 s
        # integration timeout, not when the function ends, however long the cold start took.
        response = _get(impatient_server, api, f"/?gate={gate.port}")
        assert response.status_code == 504
        assert response.json() == {"message": "Service Unavailable"}
        gate.open()
        # The timed-out invocation goes on running, as in AWS, and ends once the gate is open.
        report = _wait_for_report(impatient_server, "/aws/lambda/slow", response.headers["apigw-requestid"])
        assert "Status: timeout" not in report
    finally:
        gate.close()
    # Its environment is idle again: an answer within the timeout is passed on. (Sent while the first
    # invocation ran, it would wait for a second cold start, which on a loaded machine can itself take
    # longer than the 1 s timeout: a 504 that AWS gives too.)
    answered = _get(impatient_server, api, "/fast")
    assert answered.status_code == 200 and answered.json()["rawPath"] == "/fast"


def _wait_for_report(server: LaminaServer, group: str, request_id: str, timeout: float = 30) -> str:
    """The invocation's REPORT line, once it has been written (Lambda writes it when the function has
    returned and its environment is free for the next invocation)."""
    logs = server.client("logs")
    deadline = time.monotonic() + timeout
    while True:
        try:
            events = logs.filter_log_events(logGroupName=group)["events"]
        except logs.exceptions.ResourceNotFoundException:  # the group is made with the first line
            events = []
        found = [e["message"] for e in events if e["message"].startswith(f"REPORT RequestId: {request_id}\t")]
        if found or time.monotonic() > deadline:
            assert found, f"no REPORT line for {request_id} in {group}"
            return found[0]
        time.sleep(0.05)  # the Logs API offers no event for a new line; its clients poll too


def test_access_log_lines(server: LaminaServer, echo_arn: str) -> None:
    client = server.client("apigatewayv2")
    api = client.create_api(Name=unique_name("logged"), ProtocolType="HTTP", Target=echo_arn)
    group = f"/apigw/{api['ApiId']}"
    client.update_stage(ApiId=api["ApiId"], StageName="$default", AccessLogSettings={
        "DestinationArn": f"arn:aws:logs:us-east-1:000000000000:log-group:{group}",
        "Format": "$context.requestId $context.httpMethod $context.routeKey $context.status"})
    response = _get(server, api, "/logged/path", method="POST")
    request_id = response.headers["apigw-requestid"]
    expected = f"{request_id} POST $default 200"
    assert expected in _log_messages(server, group)


def _log_messages(server: LaminaServer, group: str) -> list[str]:
    """The group's messages, read through the Logs API (reads see every line written before them)."""
    events = server.client("logs").filter_log_events(logGroupName=group)["events"]
    return [event["message"].rstrip("\n") for event in events]


def test_binary_event_body_is_base64(server: LaminaServer, routed_api: dict) -> None:
    event = _get(server, routed_api, "/items/1", method="PUT", content=b"\x00\xff",
                 headers={"Content-Type": "image/png"}).json()
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x00\xff"



def test_route_metrics(server: LaminaServer, echo_arn: str) -> None:
    """Published to CloudWatch when the node serves it (the CloudWatch service lands separately)."""
    client = server.client("apigatewayv2")
    api = client.create_api(Name=unique_name("metrics"), ProtocolType="HTTP", Target=echo_arn)
    client.update_stage(ApiId=api["ApiId"], StageName="$default", DefaultRouteSettings={"DetailedMetricsEnabled": True})
    assert _get(server, api, "/counted").status_code == 200
    cloudwatch = server.client("cloudwatch")
    dimensions = [{"Name": "ApiId", "Value": api["ApiId"]}, {"Name": "Stage", "Value": "$default"},
                  {"Name": "Route", "Value": "$default"}]
    now = time.time()
    stats = cloudwatch.get_metric_statistics(Namespace="AWS/ApiGateway", MetricName="Count", Dimensions=dimensions,
                                             StartTime=now - 600, EndTime=now + 60, Period=60, Statistics=["Sum"])
    assert sum(point["Sum"] for point in stats["Datapoints"]) == 1
    # Every figure of the request, under the API's dimension set too.
    for name, statistic, expected in (("Count", "Sum", 1), ("4xx", "Sum", 0), ("5xx", "Sum", 0),
                                      ("Latency", "SampleCount", 1), ("IntegrationLatency", "SampleCount", 1)):
        stats = cloudwatch.get_metric_statistics(
            Namespace="AWS/ApiGateway", MetricName=name, Dimensions=dimensions[:1], StartTime=now - 600,
            EndTime=now + 60, Period=60, Statistics=[statistic])
        assert sum(point[statistic] for point in stats["Datapoints"]) == expected, name


def test_large_headers_pass_through(server: LaminaServer, routed_api: dict) -> None:
    large = "v" * 8000  # HTTP APIs accept request headers up to 10 KB in all
    event = _get(server, routed_api, "/items/1", headers={"X-Large": large}).json()
    assert event["headers"]["x-large"] == large


def test_the_function_policy_must_let_api_gateway_invoke(server: LaminaServer) -> None:
    # Without a permission for apigateway.amazonaws.com, API Gateway answers 500
    # (https://repost.aws/knowledge-center/api-gateway-http-lambda-integrations).
    arn = create_python_function(server, unique_name("unpermitted"), ECHO)
    client = server.client("apigatewayv2")
    api = client.create_api(Name=unique_name("perm"), ProtocolType="HTTP", Target=arn)
    assert _get(server, api, "/").status_code == 500
    other = client.create_api(Name=unique_name("perm"), ProtocolType="HTTP", Target=arn)
    region, account = arn.split(":")[3:5]
    allow_api_gateway(server, arn, f"arn:aws:execute-api:{region}:{account}:{other['ApiId']}/*")
    assert _get(server, api, "/").status_code == 500  # a grant for another API
    assert _get(server, other, "/").status_code == 200
