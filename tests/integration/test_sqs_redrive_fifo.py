"""Dead-letter redrive, message move tasks and FIFO queues
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html)."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from tests.functions import unique_name
from tests.lamina_server import LaminaServer


@pytest.fixture(scope="module")
def sqs(server: LaminaServer):  # type: ignore[no-untyped-def]
    return server.client("sqs")


def _arn(sqs, url: str) -> str:  # type: ignore[no-untyped-def]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _with_dlq(sqs, max_receives: int = 2, fifo: bool = False) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    suffix = ".fifo" if fifo else ""
    extra = {"FifoQueue": "true"} if fifo else {}
    dlq = sqs.create_queue(QueueName=unique_name("dlq") + suffix, Attributes=extra)["QueueUrl"]
    source = sqs.create_queue(QueueName=unique_name("src") + suffix, Attributes={
        **extra, "VisibilityTimeout": "0",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": max_receives})})["QueueUrl"]
    return source, dlq


def test_redrive_to_dead_letter_queue_after_max_receive_count(sqs) -> None:  # type: ignore[no-untyped-def]
    source, dlq = _with_dlq(sqs, max_receives=2)
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison")["MessageId"]
    for attempt in (1, 2):
        got = sqs.receive_message(QueueUrl=source, AttributeNames=["All"])["Messages"][0]
        assert got["Attributes"]["ApproximateReceiveCount"] == str(attempt)
    # The third receive moves it to the dead-letter queue instead of handing it out.
    assert "Messages" not in sqs.receive_message(QueueUrl=source)
    dead = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=2, AttributeNames=["All"])["Messages"][0]
    assert dead["MessageId"] == sent and dead["Body"] == "poison"
    assert dead["Attributes"]["DeadLetterQueueSourceArn"] == _arn(sqs, source)
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [source]
    assert sqs.list_dead_letter_source_queues(QueueUrl=source)["queueUrls"] == []


def test_redrive_policy_must_name_an_existing_queue_of_the_same_type(sqs) -> None:  # type: ignore[no-untyped-def]
    fifo_dlq = sqs.create_queue(QueueName=unique_name("d") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    for target in (_arn(sqs, fifo_dlq), "arn:aws:sqs:us-east-1:000000000000:nothing-here"):
        with pytest.raises(ClientError) as error:
            sqs.create_queue(QueueName=unique_name("s"), Attributes={
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": 1})})
        assert error.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_message_move_task_returns_messages_to_their_source(sqs) -> None:  # type: ignore[no-untyped-def]
    source, dlq = _with_dlq(sqs, max_receives=1)
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"VisibilityTimeout": "30"})
    sqs.send_message_batch(QueueUrl=source, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(4)])
    for _ in range(4):
        sqs.change_message_visibility(QueueUrl=source, VisibilityTimeout=0, ReceiptHandle=sqs.receive_message(
            QueueUrl=source)["Messages"][0]["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)  # all moved
    counts = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert counts["Attributes"]["ApproximateNumberOfMessages"] == "4"
    with pytest.raises(ClientError) as error:
        sqs.start_message_move_task(SourceArn=_arn(sqs, source))  # not a dead-letter queue
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
    handle = sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))["TaskHandle"]
    assert handle
    deadline = time.monotonic() + 20
    bodies: list[str] = []
    while len(bodies) < 4 and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, WaitTimeSeconds=2,
                                           VisibilityTimeout=30).get("Messages", []):
            bodies.append(message["Body"])
    assert sorted(bodies) == ["m0", "m1", "m2", "m3"]
    tasks = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq), MaxResults=10)["Results"]
    assert tasks[0]["Status"] == "COMPLETED" and tasks[0]["ApproximateNumberOfMessagesMoved"] == 4


def test_fifo_orders_each_group_and_holds_it_while_in_flight(sqs) -> None:  # type: ignore[no-untyped-def]
    url = sqs.create_queue(QueueName=unique_name("order") + ".fifo",
                           Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for i in range(6):
        for group in ("a", "b"):
            sent = sqs.send_message(QueueUrl=url, MessageBody=f"{group}{i}", MessageGroupId=group)
            assert len(sent["SequenceNumber"]) == 20
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in first] == ["a0", "a1", "a2"]
    assert first[0]["Attributes"]["MessageGroupId"] == "a"
    # Group a has messages in flight: only group b is receivable now.
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == [f"b{i}" for i in range(6)]
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    for message in first:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in rest] == ["a3", "a4", "a5"]


def test_fifo_deduplication_by_id_and_by_content(sqs) -> None:  # type: ignore[no-untyped-def]
    url = sqs.create_queue(QueueName=unique_name("dedup") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    one = sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d1")
    two = sqs.send_message(QueueUrl=url, MessageBody="y", MessageGroupId="g", MessageDeduplicationId="d1")
    assert one["MessageId"] == two["MessageId"]
    with pytest.raises(ClientError) as error:  # no dedup id and no content-based deduplication
        sqs.send_message(QueueUrl=url, MessageBody="z", MessageGroupId="g")
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=url, MessageBody="z", MessageDeduplicationId="d2")
    assert error.value.response["Error"]["Code"] == "MissingParameter"
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=url, MessageBody="z", MessageGroupId="g", MessageDeduplicationId="d3",
                         DelaySeconds=1)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
    content = sqs.create_queue(QueueName=unique_name("cbd") + ".fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup",
        "FifoThroughputLimit": "perMessageGroupId"})["QueueUrl"]
    a = sqs.send_message(QueueUrl=content, MessageBody="same", MessageGroupId="g1")
    b = sqs.send_message(QueueUrl=content, MessageBody="same", MessageGroupId="g1")
    c = sqs.send_message(QueueUrl=content, MessageBody="same", MessageGroupId="g2")  # per-group scope
    assert a["MessageId"] == b["MessageId"] != c["MessageId"]
    got = sqs.receive_message(QueueUrl=content, MaxNumberOfMessages=10)["Messages"]
    assert len(got) == 2
    assert sum(1 for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 1


def test_fifo_attributes_only_on_fifo_queues(sqs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as error:
        sqs.create_queue(QueueName=unique_name("std"), Attributes={"ContentBasedDeduplication": "true"})
    assert error.value.response["Error"]["Code"] == "InvalidAttributeName"
    with pytest.raises(ClientError) as error:
        sqs.create_queue(QueueName=unique_name("nofifo"), Attributes={"FifoQueue": "true"})
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
