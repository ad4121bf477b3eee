"""Invoke (RequestResponse and DryRun) through boto3 against a real lamina."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, python_zip, unique_name

SOURCE = """
import os

def handler(event, context):
    print("handling", event.get("n"))
    if event.get("fail"):
        raise ValueError("boom: " + str(event["fail"]))
    return {"echo": event, "pid": os.getpid(), "request_id": context.aws_request_id,
            "function_name": context.function_name, "memory": context.memory_limit_in_mb}
"""


@pytest.fixture(scope="module")
def function(server) -> str:  # type: ignore[no-untyped-def]
    client = server.client("lambda")
    name = unique_name("invoke")
    client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": python_zip(SOURCE)}, MemorySize=256)
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    return name


def _invoke(client, name: str, event: object, **kwargs):  # type: ignore[no-untyped-def]
    response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **kwargs)
    return response, json.loads(response["Payload"].read())


def test_result_and_context(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    response, body = _invoke(lambda_client, function, {"n": 1})
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["echo"] == {"n": 1}
    assert body["function_name"] == function and body["memory"] == "256"
    assert body["request_id"] == response["ResponseMetadata"]["RequestId"]
    assert "server" not in response["ResponseMetadata"]["HTTPHeaders"]  # AWS does not name it; uvicorn would


def test_warm_environment_is_reused(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    _, first = _invoke(lambda_client, function, {"n": 1})
    _, second = _invoke(lambda_client, function, {"n": 2})
    assert first["pid"] == second["pid"]


def test_handler_exception_is_the_aws_error_payload(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    response, body = _invoke(lambda_client, function, {"fail": "x"})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "boom: x"
    assert body["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert any("raise ValueError" in line for line in body["stackTrace"])


def test_log_tail(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    response, _ = _invoke(lambda_client, function, {"n": 42}, LogType="Tail")
    log = base64.b64decode(response["LogResult"]).decode()
    request_id = response["ResponseMetadata"]["RequestId"]
    assert f"START RequestId: {request_id} Version: $LATEST" in log
    assert "handling 42" in log
    assert f"END RequestId: {request_id}" in log
    assert f"REPORT RequestId: {request_id}" in log and "Billed Duration:" in log
    assert "Memory Size: 256 MB" in log


def test_dry_run(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    response = lambda_client.invoke(FunctionName=function, InvocationType="DryRun")
    assert response["StatusCode"] == 204


def test_qualified_names(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{function}"
    for name in (arn, f"{arn}:$LATEST", f"000000000000:function:{function}", f"{function}:$LATEST"):
        response, body = _invoke(lambda_client, name, {"n": 5})
        assert body["echo"] == {"n": 5}, name


def test_payload_over_6mb_is_refused(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as refused:
        lambda_client.invoke(FunctionName=function, Payload=json.dumps({"x": "a" * 6_300_000}).encode())
    assert refused.value.response["Error"]["Code"] == "RequestTooLargeException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_non_json_payload_is_refused(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as refused:
        lambda_client.invoke(FunctionName=function, Payload=b"{not json")
    assert refused.value.response["Error"]["Code"] == "InvalidRequestContentException"


def test_missing_function(lambda_client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as missing:
        lambda_client.invoke(FunctionName="nope-" + unique_name(), Payload=b"{}")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
