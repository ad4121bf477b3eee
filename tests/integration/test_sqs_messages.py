"""SQS messages through boto3: send/receive/delete, batches, visibility, delays, long polling, digests, limits
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/)."""

from __future__ import annotations

import hashlib
import threading
import time

import pytest
from botocore.exceptions import ClientError

from tests.functions import unique_name
from tests.lamina_server import LaminaServer


@pytest.fixture(scope="module")
def sqs(server: LaminaServer):  # type: ignore[no-untyped-def]
    return server.client("sqs")


def _queue(sqs, **attributes: str) -> str:  # type: ignore[no-untyped-def]
    return sqs.create_queue(QueueName=unique_name("msg"), Attributes=attributes)["QueueUrl"]


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return error.value.response["Error"]["Code"]


def test_send_receive_delete_with_attributes_and_digests(sqs) -> None:  # type: ignore[no-untyped-def]
    url = _queue(sqs)
    body = "héllo wörld"
    sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes={
        "colour": {"DataType": "String", "StringValue": "blue"},
        "size": {"DataType": "Number", "StringValue": "12"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
        "kind": {"DataType": "String.custom", "StringValue": "x"},
    }, MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"}})
    # boto3 checks MD5OfMessageBody and MD5OfMessageAttributes itself; the body digest is the plain MD5.
    assert sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    assert "MD5OfMessageAttributes" in sent and "MD5OfMessageSystemAttributes" in sent
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], AttributeNames=["All"],
                              MessageSystemAttributeNames=["All"])["Messages"]
    assert len(got) == 1
    message = got[0]
    assert message["MessageId"] == sent["MessageId"] and message["Body"] == body
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert message["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01\xff"
    assert message["MessageAttributes"]["size"] == {"DataType": "Number", "StringValue": "12"}
    system = message["Attributes"]
    assert system["ApproximateReceiveCount"] == "1"
    assert system["AWSTraceHeader"] == "Root=1-abc"
    assert abs(int(system["SentTimestamp"]) / 1000 - time.time()) < 30
    assert "ApproximateFirstReceiveTimestamp" in system and "SenderId" in system
    # Only the attributes asked for are returned.
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["colour"])["Messages"][0]
    assert set(again["MessageAttributes"]) == {"colour"} and "Attributes" not in again
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                    "ApproximateNumberOfMessagesNotVisible"])
    assert counts["Attributes"] == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}


def test_message_size_limit(sqs) -> None:  # type: ignore[no-untyped-def]
    url = _queue(sqs)
    sqs.send_message(QueueUrl=url, MessageBody="x" * 262_144)
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 262_145)
    assert _code(error) == "InvalidParameterValue"
    assert "262144" in error.value.response["Error"]["Message"]
    small = _queue(sqs, MaximumMessageSize="1024")
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=small, MessageBody="x" * 1025)
    assert _code(error) == "InvalidParameterValue"
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=url, MessageBody="bad \x01 character")
    assert _code(error) == "InvalidMessageContents"
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=url, MessageBody="")
    assert _code(error) in ("MissingParameter", "InvalidParameterValue")


def test_batch_limits_and_per_entry_errors(sqs) -> None:  # type: ignore[no-untyped-def]
    url = _queue(sqs)
    with pytest.raises(ClientError) as error:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "m"} for i in range(11)])
    assert _code(error) == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    with pytest.raises(ClientError) as error:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "1"}, {"Id": "a", "MessageBody": "2"}])
    assert _code(error) == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    with pytest.raises(ClientError) as error:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "bad id!", "MessageBody": "1"}])
    assert _code(error) == "AWS.SimpleQueueService.InvalidBatchEntryId"
    with pytest.raises(ClientError) as error:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x" * 30_000} for i in range(10)])
    assert _code(error) == "AWS.SimpleQueueService.BatchRequestTooLong"
    result = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "ok1", "MessageBody": "one"},
        {"Id": "bad", "MessageBody": "two", "DelaySeconds": 901},
        {"Id": "ok2", "MessageBody": "three"},
    ])
    assert sorted(e["Id"] for e in result["Successful"]) == ["ok1", "ok2"]
    assert [(e["Id"], e["SenderFault"], e["Code"]) for e in result["Failed"]] == [("bad", True, "InvalidParameterValue")]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in got) == ["one", "three"]
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": "a", "ReceiptHandle": got[0]["ReceiptHandle"]},
        {"Id": "b", "ReceiptHandle": got[1]["ReceiptHandle"]},
        {"Id": "c", "ReceiptHandle": "not-a-handle"},
    ])
    assert sorted(e["Id"] for e in deleted["Successful"]) == ["a", "b"]
    assert [(e["Id"], e["Code"]) for e in deleted["Failed"]] == [("c", "ReceiptHandleIsInvalid")]
    with pytest.raises(ClientError) as error:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert _code(error) == "InvalidParameterValue"


def test_visibility_timeout_and_change_visibility(sqs) -> None:  # type: ignore[no-untyped-def]
    url = _queue(sqs, VisibilityTimeout="1")
    sqs.send_message(QueueUrl=url, MessageBody="v")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # in flight
    started = time.monotonic()
    second = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20, AttributeNames=["ApproximateReceiveCount"])
    waited = time.monotonic() - started
    # Visible again after the 1-second timeout, and the waiter wakes for it, long before its 20 seconds
    # (the upper bound leaves room for a loaded machine).
    assert 0.5 < waited < 8, waited
    message = second["Messages"][0]
    assert message["Attributes"]["ApproximateReceiveCount"] == "2"
    # The first receive's handle has expired for deletion-by-visibility purposes once received again.
    with pytest.raises(ClientError):
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=10)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=30)
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)
    batch = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "x", "ReceiptHandle": message["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "y", "ReceiptHandle": message["ReceiptHandle"] + "garbage", "VisibilityTimeout": 0}])
    assert [e["Id"] for e in batch["Successful"]] == ["x"] and [e["Id"] for e in batch["Failed"]] == ["y"]
    third = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert third["MessageId"] == message["MessageId"]
    with pytest.raises(ClientError) as error:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=third["ReceiptHandle"], VisibilityTimeout=43201)
    assert _code(error) == "InvalidParameterValue"


def test_delays_queue_and_message(sqs) -> None:  # type: ignore[no-untyped-def]
    url = _queue(sqs, DelaySeconds="2")
    sqs.send_message(QueueUrl=url, MessageBody="queue-delay")
    sqs.send_message(QueueUrl=url, MessageBody="no-delay", DelaySeconds=0)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["no-delay"]
    delayed = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert delayed["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    started = time.monotonic()
    later = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)["Messages"]
    assert later[0]["Body"] == "queue-delay"
    assert time.monotonic() - started < 8  # woken when the delay ends, not at the end of the wait


def test_long_polling_wakes_when_a_message_arrives(sqs, server: LaminaServer) -> None:  # type: ignore[no-untyped-def]
    url = _queue(sqs)
    sender = server.client("sqs")
    result: dict[str, object] = {}

    def receive() -> None:
        started = time.monotonic()
        result["response"] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        result["elapsed"] = time.monotonic() - started

    waiter = threading.Thread(target=receive)
    waiter.start()
    # Wait until the receive is parked on the server: the queue's in-flight count cannot show it, so
    # give the request time to arrive before sending (a send before it arrives would also be received).
    time.sleep(0.5)
    sender.send_message(QueueUrl=url, MessageBody="wake up")
    waiter.join(timeout=25)
    assert result["response"]["Messages"][0]["Body"] == "wake up"  # type: ignore[index]
    assert result["elapsed"] < 8, result["elapsed"]  # well before the 20-second wait ends


def test_long_poll_without_messages_waits_the_whole_time(sqs) -> None:  # type: ignore[no-untyped-def]
    url = _queue(sqs, ReceiveMessageWaitTimeSeconds="1")
    started = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # the queue's default wait applies
    assert 0.9 < time.monotonic() - started < 8


def test_receipt_handle_of_other_queue_is_invalid(sqs) -> None:  # type: ignore[no-untyped-def]
    one, two = _queue(sqs), _queue(sqs)
    sqs.send_message(QueueUrl=one, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=one)["Messages"][0]["ReceiptHandle"]
    with pytest.raises(ClientError) as error:
        sqs.delete_message(QueueUrl=two, ReceiptHandle=handle)
    assert _code(error) == "ReceiptHandleIsInvalid"
    sqs.delete_message(QueueUrl=one, ReceiptHandle=handle)
    sqs.delete_message(QueueUrl=one, ReceiptHandle=handle)  # deleting twice is not an error


def test_an_earlier_receipt_handle_does_not_delete(sqs) -> None:  # type: ignore[no-untyped-def]
    # Standard queues: the request succeeds, but only the latest receive's handle deletes
    # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html).
    url = _queue(sqs)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]
    second = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert counts["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert counts["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "0"
    # FIFO: a handle whose visibility timeout has passed has expired.
    fifo = sqs.create_queue(QueueName=unique_name("exp") + ".fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    sqs.send_message(QueueUrl=fifo, MessageBody="f", MessageGroupId="g")
    handle = sqs.receive_message(QueueUrl=fifo, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    with pytest.raises(ClientError) as error:
        sqs.delete_message(QueueUrl=fifo, ReceiptHandle=handle)
    assert _code(error) == "InvalidParameterValue" and "expired" in error.value.response["Error"]["Message"]


@pytest.mark.slow
def test_messages_past_the_retention_period_are_gone(sqs) -> None:  # type: ignore[no-untyped-def]
    # 60 seconds is the shortest MessageRetentionPeriod SQS accepts.
    url = _queue(sqs, MessageRetentionPeriod="60")
    sqs.send_message(QueueUrl=url, MessageBody="short-lived")
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] == "1"
    time.sleep(61)  # the retention period is the behaviour under test: there is nothing to await
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] == "0"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
