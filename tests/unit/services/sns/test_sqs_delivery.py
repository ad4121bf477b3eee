"""Delivery to SQS subscriptions through the QueueSender interface (lamina/services/interfaces.py), the
contract the SQS service implements: the SNS envelope by default, the bare message with raw delivery."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest

from lamina.services.sns.delivery import DeliveryError, deliver


class Queues:
    """Stands in for the SQS service's provider: records what it is given through the interface."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_to_queue(self, queue_arn: str, body: str, *, attributes=None, group_id=None,  # type: ignore[no-untyped-def]
                            deduplication_id=None, sender=None) -> str:
        self.sent.append({"queue": queue_arn, "body": body, "attributes": attributes, "group": group_id,
                          "sender": sender})
        return "message-id"


def platform(peers: dict[str, Any]) -> Any:
    return SimpleNamespace(peer=peers.get, settings=SimpleNamespace())


SUBSCRIPTION = {"SubscriptionArn": "arn:aws:sns:us-east-1:1:t:sub", "TopicArn": "arn:aws:sns:us-east-1:1:t",
                "Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:1:q", "Attributes": {},
                "BaseUrl": "http://127.0.0.1:9060"}
MESSAGE = {"MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-1:1:t", "Subject": "S", "Message": "hello",
           "Timestamp": "2026-01-01T00:00:00.000Z",
           "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"}}}


def test_envelope_by_default() -> None:
    queues = Queues()
    asyncio.run(deliver(platform({"sqs": queues}), None, SUBSCRIPTION, "Notification", MESSAGE))  # type: ignore[arg-type]
    [sent] = queues.sent
    body = json.loads(sent["body"])
    assert sent["queue"] == SUBSCRIPTION["Endpoint"]
    assert (body["Type"], body["Message"], body["Subject"]) == ("Notification", "hello", "S")
    assert body["MessageAttributes"] == {"a": {"Type": "String", "Value": "x"}}


def test_raw_delivery_sends_the_message_and_its_attributes() -> None:
    queues = Queues()
    raw = {**SUBSCRIPTION, "Attributes": {"RawMessageDelivery": "true"}}
    asyncio.run(deliver(platform({"sqs": queues}), None, raw, "Notification", MESSAGE))  # type: ignore[arg-type]
    assert queues.sent == [{"queue": SUBSCRIPTION["Endpoint"], "body": "hello",
                            "attributes": MESSAGE["MessageAttributes"], "group": None,
                            "sender": {"service": "sns.amazonaws.com", "arn": MESSAGE["TopicArn"], "account": "1"}}]


def test_without_sqs_the_error_names_it() -> None:
    with pytest.raises(DeliveryError, match="does not serve SQS"):
        asyncio.run(deliver(platform({}), None, SUBSCRIPTION, "Notification", MESSAGE))  # type: ignore[arg-type]
