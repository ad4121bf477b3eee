"""Lambda event-source mappings for SQS queues: the API and the delivery semantics
(https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).

Functions are sandboxed and cannot write the test's files, so they report what they received by posting
it to an HTTP sink on the loopback interface.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any, Iterator

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, python_zip, unique_name
from tests.http_sink import HttpSink, Received
from tests.lamina_server import LAMBDA_TRUST, LaminaServer

# Posts the batch it received to the sink; reports messages whose body starts with "fail" as failed.
REPORTER = """
import json, os, time, urllib.request

def handler(event, context):
    started = time.time()
    records = event["Records"]
    time.sleep(float(os.environ.get("PAUSE", "0")))
    request = urllib.request.Request(os.environ["SINK"], data=json.dumps(records).encode(), method="POST",
                                     headers={"X-Count": str(len(records)), "X-Started": repr(started),
                                              "X-Ended": repr(time.time())})
    urllib.request.urlopen(request, timeout=30).read()
    if os.environ.get("MODE") == "raise":
        raise RuntimeError("this batch fails")
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records
                                  if r["body"].startswith("fail")]}
"""


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    receiver = HttpSink().start()
    try:
        yield receiver
    finally:
        receiver.stop()


SQS_POLLING = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"


def _let_the_role_poll(server: LaminaServer) -> None:
    """Lambda polls with the execution role, which needs sqs:ReceiveMessage, DeleteMessage, GetQueueAttributes."""
    server.client("iam").attach_role_policy(RoleName=ROLE.rsplit("/", 1)[1], PolicyArn=SQS_POLLING)


@pytest.fixture(scope="module")
def sqs(server: LaminaServer):  # type: ignore[no-untyped-def]
    _let_the_role_poll(server)
    return server.client("sqs")


def _function(client, sink: HttpSink, timeout: int = 10, **env: str) -> str:  # type: ignore[no-untyped-def]
    name = unique_name("esm")
    client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": python_zip(REPORTER)}, Timeout=timeout,
                           Environment={"Variables": {"SINK": sink.url, **env}})
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    return name


def _queue(sqs, name: str | None = None, **attributes: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    url = sqs.create_queue(QueueName=name or unique_name("esmq"), Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _records(sink: HttpSink) -> list[dict[str, Any]]:
    return [record for received in list(sink.received) for record in received.json()]


def _count(posts: list[Received]) -> int:
    """Records received so far, from a header: re-reading every body on each post would be quadratic."""
    return sum(int(post.headers["x-count"]) for post in posts)


def _wait_state(client, uuid: str, state: str, timeout: float = 10) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        found = client.get_event_source_mapping(UUID=uuid)
        if found["State"] == state or time.monotonic() > deadline:
            assert found["State"] == state
            return found
        time.sleep(0.05)  # the API offers no event for state changes; Lambda's clients poll too


def _send(sqs, url: str, bodies: list[str], **extra: Any) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(bodies), 10):
        entries = [{"Id": str(i), "MessageBody": body, **extra}
                   for i, body in enumerate(bodies[start:start + 10])]
        result = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert not result.get("Failed")


def test_api_shapes_and_state_transitions(lambda_client, sqs, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    name = _function(lambda_client, sink)
    _, arn = _queue(sqs)
    created = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=5,
                                                        FunctionResponseTypes=["ReportBatchItemFailures"],
                                                        ScalingConfig={"MaximumConcurrency": 2})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["State"] == "Creating"
    assert created["BatchSize"] == 5 and created["MaximumBatchingWindowInSeconds"] == 0
    assert created["EventSourceArn"] == arn and created["FunctionArn"].endswith(f":function:{name}")
    assert created["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert created["ScalingConfig"] == {"MaximumConcurrency": 2}
    assert created["EventSourceMappingArn"].endswith(f":event-source-mapping:{created['UUID']}")
    uuid = created["UUID"]
    assert _wait_state(lambda_client, uuid, "Enabled")["StateTransitionReason"] == "USER_INITIATED"
    listed = lambda_client.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [uuid]
    assert [m["UUID"] for m in lambda_client.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]] == [uuid]
    with pytest.raises(ClientError) as error:
        lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    assert error.value.response["Error"]["Code"] == "ResourceConflictException"
    disabled = lambda_client.update_event_source_mapping(UUID=uuid, Enabled=False, BatchSize=7)
    assert disabled["State"] == "Disabling" and disabled["BatchSize"] == 7
    _wait_state(lambda_client, uuid, "Disabled")
    assert lambda_client.update_event_source_mapping(UUID=uuid, Enabled=True)["State"] == "Enabling"
    _wait_state(lambda_client, uuid, "Enabled")
    assert lambda_client.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    deadline = time.monotonic() + 10
    while lambda_client.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)  # the API offers no event for the deletion finishing
    with pytest.raises(ClientError) as error:
        lambda_client.get_event_source_mapping(UUID=uuid)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_validation_errors(lambda_client, sqs, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    name = _function(lambda_client, sink)
    _, arn = _queue(sqs)
    _, fifo_arn = _queue(sqs, unique_name("esmf") + ".fifo", FifoQueue="true")
    _, short_arn = _queue(sqs, VisibilityTimeout="5")

    def refused(code: str, **params: Any) -> str:
        with pytest.raises(ClientError) as error:
            lambda_client.create_event_source_mapping(**{"FunctionName": name, "EventSourceArn": arn, **params})
        assert error.value.response["Error"]["Code"] == code, error.value.response
        return error.value.response["Error"]["Message"]

    assert "batch window" in refused("InvalidParameterValueException", BatchSize=11)
    # The model's maximums are checked first, as Lambda's ValidationException (boto3 checks minimums itself).
    refused("ValidationException", BatchSize=10001)
    refused("ValidationException", ScalingConfig={"MaximumConcurrency": 1001})
    refused("ValidationException", FunctionResponseTypes=["Nonsense"])
    refused("InvalidParameterValueException", StartingPosition="LATEST")
    refused("InvalidParameterValueException", FilterCriteria={"Filters": [{"Pattern": "{not json"}]})
    refused("InvalidParameterValueException", EventSourceArn=fifo_arn, BatchSize=11,
            MaximumBatchingWindowInSeconds=1)
    assert "visibility timeout" in refused("InvalidParameterValueException", EventSourceArn=short_arn)
    refused("InvalidParameterValueException", EventSourceArn=arn.replace(arn.rsplit(":", 1)[1], "no-such-queue"))
    refused("ResourceNotFoundException", FunctionName=unique_name("missing"))
    # BatchSize above 10 is allowed once a batching window of at least one second is set.
    fine = lambda_client.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, BatchSize=100,
                                                     MaximumBatchingWindowInSeconds=1, Enabled=False)
    assert fine["BatchSize"] == 100
    _wait_state(lambda_client, fine["UUID"], "Disabled")
    with pytest.raises(ClientError) as error:
        lambda_client.update_event_source_mapping(UUID=fine["UUID"], MaximumBatchingWindowInSeconds=0)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as error:
        lambda_client.get_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # Deleting the function deletes its mappings.
    lambda_client.delete_function(FunctionName=name)
    with pytest.raises(ClientError) as error:
        lambda_client.get_event_source_mapping(UUID=fine["UUID"])
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_event_shape_and_filters(lambda_client, sqs, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    name = _function(lambda_client, sink)
    url, arn = _queue(sqs)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, BatchSize=10,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"kind": ["keep"]}})}]})
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "drop"}))
    sent = sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "keep"}), MessageAttributes={
        "colour": {"DataType": "String", "StringValue": "blue"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}})
    sink.wait_for(lambda got: len(got) >= 1)
    [record] = _records(sink)
    assert record["messageId"] == sent["MessageId"]
    assert json.loads(record["body"]) == {"kind": "keep"}
    assert record["md5OfBody"] == sent["MD5OfMessageBody"]
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn
    assert record["awsRegion"] == "us-east-1" and record["receiptHandle"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"]["colour"] == {"stringValue": "blue", "binaryValue": None,
                                                     "stringListValues": [], "binaryListValues": [],
                                                     "dataType": "String"}
    assert record["messageAttributes"]["raw"]["binaryValue"] == "AQI="
    # Both messages are gone: the handled one deleted after success, the filtered one deleted unseen.
    deadline = time.monotonic() + 10
    while True:
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        if counts["ApproximateNumberOfMessages"] == counts["ApproximateNumberOfMessagesNotVisible"] == "0":
            break
        assert time.monotonic() < deadline, counts
        time.sleep(0.05)  # the deletion follows the function's answer; nothing announces it


def test_ten_thousand_messages_delivered_exactly_once(lambda_client, sqs, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    name = _function(lambda_client, sink)
    url, arn = _queue(sqs)
    bodies = [f"m{i}" for i in range(10_000)]
    _send(sqs, url, bodies)
    started = time.monotonic()
    lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10)
    sink.wait_for(lambda got: _count(got) >= 10_000, timeout=60)
    elapsed = time.monotonic() - started
    counted = Counter(r["body"] for r in _records(sink))
    assert set(counted) == set(bodies)
    assert max(counted.values()) == 1, [b for b, n in counted.items() if n > 1][:10]
    deadline = time.monotonic() + 10
    while True:
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        if counts["ApproximateNumberOfMessages"] == counts["ApproximateNumberOfMessagesNotVisible"] == "0":
            break
        assert time.monotonic() < deadline, counts
        time.sleep(0.05)  # deletions follow the last answers; nothing announces them
    print(f"10,000 messages in {elapsed:.1f}s")


def test_reported_failures_return_and_reach_the_dead_letter_queue(lambda_client, sqs, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    # A 1-second function timeout allows a 1-second visibility timeout, so failed messages return quickly.
    name = _function(lambda_client, sink, timeout=1)
    dlq_url, dlq_arn = _queue(sqs)
    url, arn = _queue(sqs, VisibilityTimeout="1", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
    _send(sqs, url, ["ok-1", "fail-1", "ok-2", "fail-2", "ok-3"])
    created = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10,
                                                        FunctionResponseTypes=["ReportBatchItemFailures"])
    dead: list[dict[str, Any]] = []
    deadline = time.monotonic() + 20
    while len(dead) < 2 and time.monotonic() < deadline:
        dead += sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=5).get("Messages", [])
    assert sorted(m["Body"] for m in dead) == ["fail-1", "fail-2"]
    seen = Counter(r["body"] for r in _records(sink))
    assert seen == {"ok-1": 1, "ok-2": 1, "ok-3": 1, "fail-1": 2, "fail-2": 2}
    lambda_client.delete_event_source_mapping(UUID=created["UUID"])


def test_function_error_returns_the_whole_batch(lambda_client, sqs, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    name = _function(lambda_client, sink, timeout=1, MODE="raise")
    dlq_url, dlq_arn = _queue(sqs)
    url, arn = _queue(sqs, VisibilityTimeout="1", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}))
    _send(sqs, url, ["a", "b", "c"])
    lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10,
                                              FunctionResponseTypes=["ReportBatchItemFailures"])
    dead: list[dict[str, Any]] = []
    deadline = time.monotonic() + 20
    while len(dead) < 3 and time.monotonic() < deadline:
        dead += sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=5).get("Messages", [])
    assert sorted(m["Body"] for m in dead) == ["a", "b", "c"]


def test_fifo_order_per_group_under_concurrency(lambda_client, sqs, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    name = _function(lambda_client, sink, PAUSE="0.05")  # long enough for batches to overlap
    url, arn = _queue(sqs, unique_name("esmo") + ".fifo", FifoQueue="true", ContentBasedDeduplication="true")
    groups = [f"g{i}" for i in range(8)]
    for n in range(40):
        entries = [{"Id": g, "MessageBody": f"{g}:{n:03d}", "MessageGroupId": g} for g in groups[:4]]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
        entries = [{"Id": g, "MessageBody": f"{g}:{n:03d}", "MessageGroupId": g} for g in groups[4:]]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=5,
                                              ScalingConfig={"MaximumConcurrency": 8})
    sink.wait_for(lambda got: _count(got) >= 320, timeout=60)
    by_group: dict[str, list[str]] = {}
    for received in list(sink.received):
        for record in received.json():
            by_group.setdefault(record["attributes"]["MessageGroupId"], []).append(record["body"])
    for group, bodies in by_group.items():
        assert bodies == [f"{group}:{n:03d}" for n in range(40)], group
    assert set(by_group) == set(groups)
    # Batches really ran concurrently: some invocations overlapped in time.
    spans = sorted((float(p.headers["x-started"]), float(p.headers["x-ended"])) for p in sink.received)
    assert any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:]))


def test_mappings_survive_a_restart(fresh_server: LaminaServer, sink: HttpSink) -> None:
    fresh_server.start().create_role()
    _let_the_role_poll(fresh_server)
    client, sqs = fresh_server.client("lambda"), fresh_server.client("sqs")
    name = _function(client, sink)
    url, arn = _queue(sqs)
    uuid = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["UUID"]
    _wait_state(client, uuid, "Enabled")
    fresh_server.kill()
    fresh_server.start()
    client, sqs = fresh_server.client("lambda"), fresh_server.client("sqs")
    assert client.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"
    sqs.send_message(QueueUrl=url, MessageBody="after restart")
    sink.wait_for(lambda got: any(x["body"] == "after restart" for r in got for x in r.json()))


def test_deleting_the_queue_leaves_the_mapping_quiet(lambda_client, sqs, sink: HttpSink, server: LaminaServer) -> None:  # type: ignore[no-untyped-def]
    name = _function(lambda_client, sink)
    url, arn = _queue(sqs)
    uuid = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["UUID"]
    _wait_state(lambda_client, uuid, "Enabled")
    sqs.delete_queue(QueueUrl=url)
    before = server.output().count(uuid)
    time.sleep(2)  # a poller that spins on the missing queue would log many failures meanwhile
    assert server.output().count(uuid) - before <= 1
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_quick_successive_changes_leave_no_poller_behind(lambda_client, sqs, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    name = _function(lambda_client, sink)
    url, arn = _queue(sqs)
    uuid = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["UUID"]
    lambda_client.update_event_source_mapping(UUID=uuid, BatchSize=5)
    lambda_client.update_event_source_mapping(UUID=uuid, Enabled=False)
    _wait_state(lambda_client, uuid, "Disabled")
    sqs.send_message(QueueUrl=url, MessageBody="nobody should take this")
    time.sleep(1.5)  # an orphaned poller would deliver within this; absence cannot be awaited
    assert sink.received == []
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "1"
    lambda_client.update_event_source_mapping(UUID=uuid, Enabled=True)
    sink.wait_for(lambda got: _count(got) >= 1)


def _most_at_once(spans: list[tuple[float, float]]) -> int:
    edges = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most


def test_maximum_concurrency_caps_the_pollers(lambda_client, sqs, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    name = _function(lambda_client, sink, PAUSE="0.2")
    url, arn = _queue(sqs)
    _send(sqs, url, [f"c{i}" for i in range(60)])
    lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1,
                                              ScalingConfig={"MaximumConcurrency": 3})
    sink.wait_for(lambda got: _count(got) >= 60, timeout=40)
    spans = [(float(p.headers["x-started"]), float(p.headers["x-ended"])) for p in sink.received]
    # The pollers scaled up with the backlog, and never past the cap.
    assert _most_at_once(spans) == 3


def test_throttled_batches_wait_in_the_queue(lambda_client, sqs, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    name = _function(lambda_client, sink)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    url, arn = _queue(sqs)
    _send(sqs, url, ["held"])
    uuid = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["UUID"]
    _wait_state(lambda_client, uuid, "Enabled")
    time.sleep(1.5)  # the poller meets the throttle meanwhile; absence of delivery cannot be awaited
    assert sink.received == []
    lambda_client.delete_function_concurrency(FunctionName=name)
    sink.wait_for(lambda got: _count(got) >= 1, timeout=15)
    assert [r["body"] for r in _records(sink)] == ["held"]


def test_the_execution_role_must_be_able_to_poll(server: LaminaServer, sqs, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    iam, client = server.client("iam"), server.client("lambda")
    role = unique_name("no-poll")
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    name = _function(client, sink)
    client.update_function_configuration(FunctionName=name, Role=role_arn)
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    _, arn = _queue(sqs)
    with pytest.raises(ClientError) as refused:
        client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert refused.value.response["Error"]["Message"] == (
        "The provided execution role does not have permissions to call ReceiveMessage on SQS")
    iam.attach_role_policy(RoleName=role, PolicyArn=SQS_POLLING)
    assert client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["State"] == "Creating"
