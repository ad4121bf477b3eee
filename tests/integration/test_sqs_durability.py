"""SQS durability: an acknowledged send survives kill -9, and a received, undeleted message comes back after
its visibility timeout across a restart."""

from __future__ import annotations

import time

from tests.lamina_server import LaminaServer


def test_acknowledged_messages_survive_kill_9(fresh_server: LaminaServer) -> None:
    fresh_server.start()
    sqs = fresh_server.client("sqs")
    url = sqs.create_queue(QueueName="durable", Attributes={"VisibilityTimeout": "2"})["QueueUrl"]
    fifo = sqs.create_queue(QueueName="durable.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    sent = {sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")["MessageId"] for i in range(20)}
    sqs.send_message(QueueUrl=fifo, MessageBody="f", MessageGroupId="g", MessageDeduplicationId="d")
    in_flight = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=5)["Messages"]
    assert len(in_flight) == 5
    received_at = time.monotonic()
    fresh_server.kill()
    fresh_server.start()
    sqs = fresh_server.client("sqs")
    assert sqs.get_queue_url(QueueName="durable")["QueueUrl"] == url
    seen: dict[str, int] = {}
    deadline = time.monotonic() + 20
    while len(seen) < 20 and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5,
                                           AttributeNames=["ApproximateReceiveCount"]).get("Messages", []):
            seen[message["MessageId"]] = int(message["Attributes"]["ApproximateReceiveCount"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert set(seen) == sent
    # The five received before the crash came back only once their 2-second timeout had passed.
    assert time.monotonic() - received_at >= 2
    assert sorted(seen[m["MessageId"]] for m in in_flight) == [2] * 5
    # FIFO deduplication is remembered across the restart too.
    again = sqs.send_message(QueueUrl=fifo, MessageBody="f2", MessageGroupId="g", MessageDeduplicationId="d")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]] == ["f"]
    assert again["MessageId"]
