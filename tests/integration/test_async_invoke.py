"""Asynchronous invocation: durable acceptance, retries, destinations
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, python_zip, unique_name
from tests.lamina_server import LAMBDA_TRUST, LaminaServer
from tests.recorder import Recorder

# The function reports each attempt to the test's recorder (tests/recorder.py) under event["key"]; it fails
# while the recorder has seen no more than event["fail_times"] attempts for that key.
RECORDER = """
import json, time, urllib.request

def report(url, document):
    request = urllib.request.Request(url, json.dumps(document).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as reply:
        return json.loads(reply.read())

def handler(event, context):
    seen = report(event["recorder"], {"key": event["key"], "id": context.aws_request_id, "t": time.time(),
                                      "n": event.get("n")})["seen"]
    if seen <= event.get("fail_times", 0):
        raise RuntimeError("attempt %d fails" % seen)
    return {"ok": seen}
"""

# A destination function: reports every invocation record it receives under the key "record".
COLLECTOR = """
import json, urllib.request

def handler(event, context):
    document = {"key": "record:" + event["requestPayload"]["key"], "record": event}
    request = urllib.request.Request(event["requestPayload"]["recorder"], json.dumps(document).encode(),
                                     {"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()
"""


@pytest.fixture(scope="module")
def fast_retries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaminaServer]:
    """A lamina whose retry waits are short (the waits are settings; Lambda's are 60 s and 120 s)."""
    node = LaminaServer(tmp_path_factory.mktemp("async") / "data",
                        extra_env={"LAMINA_ASYNC_RETRY_DELAYS": "0.2,0.4", "LAMINA_ASYNC_BACKOFF_START": "0.1"})
    node.start()
    try:
        node.create_role()
        # Destinations are sent with the execution role's permissions: the collectors are Lambda functions.
        node.client("iam").attach_role_policy(RoleName=ROLE.rsplit("/", 1)[1],
                                              PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaRole")
        yield node
    finally:
        node.stop()


def _function(client, source: str = RECORDER, role: str = ROLE) -> str:  # type: ignore[no-untyped-def]
    name = unique_name("async")
    client.create_function(FunctionName=name, Runtime="python3.11", Role=role, Handler="app.handler",
                           Code={"ZipFile": python_zip(source)})
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    return name


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    found = Recorder()
    try:
        yield found
    finally:
        found.close()


def _event(recorder: Recorder, **extra: object) -> dict:
    return {"recorder": recorder.url, "key": unique_name("event"), **extra}


def _count(recorder: Recorder, key: str, count: int, timeout: float = 30.0) -> list[dict]:
    recorder.wait_for(lambda records: sum(r.get("key") == key for r in records) >= count, timeout)
    return recorder.of(key)


def test_event_is_accepted_and_delivered(fast_retries: LaminaServer, recorder: Recorder) -> None:
    client = fast_retries.client("lambda")
    name = _function(client)
    event = _event(recorder, n=1)
    response = client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event).encode())
    assert response["StatusCode"] == 202
    [call] = _count(recorder, event["key"], 1)
    assert call["id"] == response["ResponseMetadata"]["RequestId"]


def test_function_errors_are_retried_twice_with_the_waits(fast_retries: LaminaServer, recorder: Recorder) -> None:
    client = fast_retries.client("lambda")
    name = _function(client)
    event = _event(recorder, fail_times=5)
    client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event).encode())
    calls = _count(recorder, event["key"], 3)
    time.sleep(1.0)  # proving a negative: no 4th attempt comes after the retries are spent
    assert len(recorder.of(event["key"])) == 3
    assert calls[1]["t"] - calls[0]["t"] >= 0.2
    assert calls[2]["t"] - calls[1]["t"] >= 0.4
    assert len({c["id"] for c in calls}) == 1  # the same request id on every attempt


def test_maximum_retry_attempts_and_failure_destination(fast_retries: LaminaServer, recorder: Recorder) -> None:
    client = fast_retries.client("lambda")
    name = _function(client)
    collector = _function(client, COLLECTOR)
    collector_arn = client.get_function(FunctionName=collector)["Configuration"]["FunctionArn"]
    config = client.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": collector_arn}})
    assert config["MaximumRetryAttempts"] == 0
    assert config["FunctionArn"].endswith(f":{name}:$LATEST")
    event = _event(recorder, fail_times=5)
    response = client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event).encode())
    [delivered] = _count(recorder, "record:" + event["key"], 1)
    assert len(recorder.of(event["key"])) == 1
    record = delivered["record"]
    context = record["requestContext"]
    assert context["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert context["condition"] == "RetriesExhausted"
    assert context["approximateInvokeCount"] == 1
    assert context["functionArn"].endswith(f":function:{name}")
    assert record["requestPayload"] == event
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                         "functionError": "Unhandled"}
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    assert record["version"] == "1.0"


def test_success_destination(fast_retries: LaminaServer, recorder: Recorder) -> None:
    client = fast_retries.client("lambda")
    name = _function(client)
    collector_arn = client.get_function(FunctionName=_function(client, COLLECTOR))["Configuration"]["FunctionArn"]
    client.put_function_event_invoke_config(FunctionName=name,
                                            DestinationConfig={"OnSuccess": {"Destination": collector_arn}})
    event = _event(recorder)
    client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event).encode())
    [delivered] = _count(recorder, "record:" + event["key"], 1)
    assert delivered["record"]["requestContext"]["condition"] == "Success"
    assert delivered["record"]["responsePayload"] == {"ok": 1}


def test_destinations_are_sent_with_the_execution_roles_permissions(fast_retries: LaminaServer,
                                                                    recorder: Recorder) -> None:
    # https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html: the execution role
    # needs permission to send to the destination (here lambda:InvokeFunction on the collector).
    iam, client = fast_retries.client("iam"), fast_retries.client("lambda")
    role = unique_name("dest-role")
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    name = _function(client, role=role_arn)
    collector_arn = client.get_function(FunctionName=_function(client, COLLECTOR))["Configuration"]["FunctionArn"]
    client.put_function_event_invoke_config(FunctionName=name,
                                            DestinationConfig={"OnSuccess": {"Destination": collector_arn}})
    refused = _event(recorder)
    client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(refused).encode())
    _count(recorder, refused["key"], 1)
    cloudwatch = fast_retries.client("cloudwatch")

    def delivery_failures() -> float:
        points = cloudwatch.get_metric_statistics(
            Namespace="AWS/Lambda", MetricName="DestinationDeliveryFailures", Statistics=["Sum"], Period=60,
            Dimensions=[{"Name": "FunctionName", "Value": name}],
            StartTime=time.time() - 600, EndTime=time.time() + 60)["Datapoints"]
        return sum(p["Sum"] for p in points)

    deadline = time.monotonic() + 30
    while delivery_failures() < 1:
        assert time.monotonic() < deadline, "the refused delivery was never counted"
        time.sleep(0.1)  # the metric is the only outward sign of a refused delivery, as in AWS
    assert recorder.of("record:" + refused["key"]) == []
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaRole")
    allowed = _event(recorder)
    client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(allowed).encode())
    [delivered] = _count(recorder, "record:" + allowed["key"], 1)
    assert delivered["record"]["requestContext"]["condition"] == "Success"


def test_event_invoke_config_operations(fast_retries: LaminaServer) -> None:
    client = fast_retries.client("lambda")
    name = _function(client)
    with pytest.raises(ClientError) as missing:
        client.get_function_event_invoke_config(FunctionName=name)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    client.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=120)
    updated = client.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    assert (updated["MaximumEventAgeInSeconds"], updated["MaximumRetryAttempts"]) == (120, 1)
    listed = client.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert [c["MaximumRetryAttempts"] for c in listed] == [1]
    with pytest.raises(ClientError) as out_of_range:
        client.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=21601)
    assert out_of_range.value.response["Error"]["Code"] == "ValidationException"
    client.delete_function_event_invoke_config(FunctionName=name)
    with pytest.raises(ClientError):
        client.get_function_event_invoke_config(FunctionName=name)


def test_async_payload_limit_is_256kb(fast_retries: LaminaServer) -> None:
    client = fast_retries.client("lambda")
    name = _function(client)
    with pytest.raises(ClientError) as refused:
        client.invoke(FunctionName=name, InvocationType="Event",
                      Payload=json.dumps({"pad": "a" * 270_000}).encode())
    assert refused.value.response["Error"]["Code"] == "RequestTooLargeException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_kill_9_during_a_burst_loses_no_accepted_event(fresh_server: LaminaServer, recorder: Recorder) -> None:
    fresh_server.start().create_role()
    client = fresh_server.client("lambda", max_pool_connections=32)
    name = _function(client)
    key = unique_name("burst")
    accepted: list[int] = []

    def send(n: int) -> int | None:
        try:
            client.invoke(FunctionName=name, InvocationType="Event",
                          Payload=json.dumps({"recorder": recorder.url, "key": key, "n": n}).encode())
            return n
        except Exception:
            return None  # refused or cut off by the kill: not accepted, so not owed

    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(send, n) for n in range(2000)]
        for index, future in enumerate(futures):
            result = future.result()
            if result is not None:
                accepted.append(result)
            if index == 1000:
                fresh_server.kill()
    assert len(accepted) >= 1000
    fresh_server.start()
    owed = set(accepted)
    recorder.wait_for(lambda records: owed <= {r["n"] for r in records if r.get("key") == key}, timeout=180)
