"""REST APIs (API Gateway v1) as SAM's Api event sets them up: RestApi, Resource, Method, AWS_PROXY
Integration, Deployment, Stage; invoked with httpx
(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html)."""

from __future__ import annotations

import base64

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.functions import unique_name
from tests.http_clients import allow_api_gateway, create_python_function, request
from tests.lamina_server import LaminaServer

ECHO = """
import base64, json

def handler(event, context):
    query = event.get("queryStringParameters") or {}
    if query.get("shape") == "text":
        return "not a proxy response"
    if query.get("shape") == "fail":
        raise RuntimeError("boom")
    if query.get("shape") == "binary":
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"}, "isBase64Encoded": True,
                "body": base64.b64encode(b"\\x89PNG-bytes").decode()}
    return {"statusCode": 200, "multiValueHeaders": {"X-Multi": ["a", "b"]}, "body": json.dumps(event)}
"""


@pytest.fixture(scope="module")
def rest_api(server: LaminaServer) -> dict:
    """What SAM's ``Api`` event creates: /items/{id} GET and /{proxy+} ANY, deployed to stage "prod"."""
    arn = allow_api_gateway(server, create_python_function(server, unique_name("rest"), ECHO))
    client = server.client("apigateway")
    api = client.create_rest_api(name=unique_name("sam"), binaryMediaTypes=["image/png"])
    root = api["rootResourceId"]
    items = client.create_resource(restApiId=api["id"], parentId=root, pathPart="items")
    item = client.create_resource(restApiId=api["id"], parentId=items["id"], pathPart="{id}")
    proxy = client.create_resource(restApiId=api["id"], parentId=root, pathPart="{proxy+}")
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"
    for resource, method in ((item, "GET"), (proxy, "ANY")):
        client.put_method(restApiId=api["id"], resourceId=resource["id"], httpMethod=method, authorizationType="NONE")
        client.put_integration(restApiId=api["id"], resourceId=resource["id"], httpMethod=method, type="AWS_PROXY",
                               integrationHttpMethod="POST", uri=uri)
    client.create_deployment(restApiId=api["id"], stageName="prod", variables={"env": "production"})
    return {**api, "url": f"http://{api['id']}.execute-api.us-east-1.localhost:{server.port}", "item": item}


def test_proxy_event(server: LaminaServer, rest_api: dict) -> None:
    response = request(server, "GET", rest_api["url"] + "/prod/items/42?tag=a&tag=b",
                       headers={"X-Custom": "yes", "Cookie": "c=1"})
    assert response.status_code == 200
    assert response.headers.get_list("x-multi") == ["a", "b"]
    event = response.json()
    assert event["resource"] == "/items/{id}" and event["path"] == "/items/42"
    assert event["httpMethod"] == "GET" and event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"tag": "b"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"]}
    assert event["headers"]["x-custom"] == "yes" and event["multiValueHeaders"]["x-custom"] == ["yes"]
    assert event["stageVariables"] == {"env": "production"}
    context = event["requestContext"]
    assert context["stage"] == "prod" and context["resourcePath"] == "/items/{id}"
    assert context["resourceId"] == rest_api["item"]["id"] and context["path"] == "/prod/items/42"
    assert event["isBase64Encoded"] is False and event["body"] is None


def test_greedy_resource_and_any_method(server: LaminaServer, rest_api: dict) -> None:
    event = request(server, "DELETE", rest_api["url"] + "/prod/a/b/c").json()
    assert event["resource"] == "/{proxy+}" and event["pathParameters"] == {"proxy": "a/b/c"}


def test_binary_media_types(server: LaminaServer, rest_api: dict) -> None:
    event = request(server, "POST", rest_api["url"] + "/prod/upload", content=b"\x00\x01",
                    headers={"Content-Type": "image/png"}).json()
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x00\x01"
    text = request(server, "POST", rest_api["url"] + "/prod/upload", content=b"plain",
                   headers={"Content-Type": "text/plain"}).json()
    assert text["isBase64Encoded"] is False and text["body"] == "plain"
    image = request(server, "GET", rest_api["url"] + "/prod/img?shape=binary", headers={"Accept": "image/png"})
    assert image.content == b"\x89PNG-bytes"


def test_documented_errors(server: LaminaServer, rest_api: dict) -> None:
    unknown_stage = request(server, "GET", rest_api["url"] + "/nostage/items/1")
    assert unknown_stage.status_code == 403 and unknown_stage.json() == {"message": "Forbidden"}
    malformed = request(server, "GET", rest_api["url"] + "/prod/items/1?shape=text")
    assert malformed.status_code == 502 and malformed.json() == {"message": "Internal server error"}
    failed = request(server, "GET", rest_api["url"] + "/prod/items/1?shape=fail")
    assert failed.status_code == 502


def test_unknown_resource_is_missing_authentication_token(server: LaminaServer) -> None:
    client = server.client("apigateway")
    arn = allow_api_gateway(server, create_python_function(server, unique_name("rest-one"), ECHO))
    api = client.create_rest_api(name=unique_name("one"))
    resource = client.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="only")
    client.put_method(restApiId=api["id"], resourceId=resource["id"], httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api["id"], resourceId=resource["id"], httpMethod="GET", type="AWS_PROXY",
                           integrationHttpMethod="POST", uri=arn)
    deployment = client.create_deployment(restApiId=api["id"])
    client.create_stage(restApiId=api["id"], stageName="dev", deploymentId=deployment["id"])
    base = f"{server.endpoint}/_lamina/execute-api/{api['id']}/dev"
    assert httpx.get(base + "/only").status_code == 200
    missing = httpx.get(base + "/other")
    assert missing.status_code == 403 and missing.json() == {"message": "Missing Authentication Token"}
    assert httpx.post(base + "/only").status_code == 403


def test_control_plane(server: LaminaServer, rest_api: dict) -> None:
    client = server.client("apigateway")
    paths = sorted(r["path"] for r in client.get_resources(restApiId=rest_api["id"])["items"])
    assert paths == ["/", "/items", "/items/{id}", "/{proxy+}"]
    method = client.get_method(restApiId=rest_api["id"], resourceId=rest_api["item"]["id"], httpMethod="GET")
    assert method["methodIntegration"]["type"] == "AWS_PROXY"
    stage = client.get_stage(restApiId=rest_api["id"], stageName="prod")
    assert stage["variables"] == {"env": "production"}
    updated = client.update_stage(restApiId=rest_api["id"], stageName="prod",
                                  patchOperations=[{"op": "replace", "path": "/variables/extra", "value": "1"}])
    assert updated["variables"] == {"env": "production", "extra": "1"}
    with pytest.raises(ClientError) as missing:
        client.get_rest_api(restApiId="nope")
    assert missing.value.response["Error"]["Code"] == "NotFoundException"
    assert any(a["id"] == rest_api["id"] for a in client.get_rest_apis()["items"])


def test_the_function_policy_must_let_api_gateway_invoke(server: LaminaServer) -> None:
    # "Execution failed due to configuration error: Invalid permissions on Lambda function": a 500.
    client = server.client("apigateway")
    arn = create_python_function(server, unique_name("rest-unpermitted"), ECHO)
    api = client.create_rest_api(name=unique_name("perm"))
    resource = client.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="only")
    client.put_method(restApiId=api["id"], resourceId=resource["id"], httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api["id"], resourceId=resource["id"], httpMethod="GET", type="AWS_PROXY",
                           integrationHttpMethod="POST", uri=arn)
    client.create_deployment(restApiId=api["id"], stageName="dev")
    url = f"{server.endpoint}/_lamina/execute-api/{api['id']}/dev/only"
    refused = httpx.get(url)
    assert refused.status_code == 500 and refused.json() == {"message": "Internal server error"}
    # The source ARN AWS documents for REST APIs: api-id/stage/METHOD/resource-path.
    allow_api_gateway(server, arn, f"arn:aws:execute-api:us-east-1:000000000000:{api['id']}/*/GET/only")
    assert httpx.get(url).status_code == 200
