"""The event an SQS event-source mapping sends to a function, and how the function's answer is read
(https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event,
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting)."""

from __future__ import annotations

import base64
from typing import Any

import orjson


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """A message attribute as the Lambda event writes it: lowerCamelCase, binary values base64-encoded."""
    binary = value.get("BinaryValue")
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": base64.b64encode(binary).decode() if binary is not None else None,
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value["DataType"],
    }


def record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One ``Records[]`` entry from a message as ReceiveMessage renders it (all attributes asked for)."""
    attributes = message.get("MessageAttributes") or {}
    entry: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {name: _message_attribute(value) for name, value in attributes.items()},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        entry["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return entry


def filterable(entry: dict[str, Any]) -> dict[str, Any]:
    """The record as filter patterns see it: a JSON body is matched as an object, any other body as a string
    (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-sqs)."""
    try:
        body = orjson.loads(entry["body"])
    except orjson.JSONDecodeError:
        body = entry["body"]
    return {**entry, "body": body}


def failed_items(payload: bytes, message_ids: list[str]) -> list[str] | None:
    """The message ids a ReportBatchItemFailures answer names as failed; None when the answer is malformed
    (then Lambda treats the whole batch as failed). An empty or null list, or any answer without
    ``batchItemFailures``, means every message succeeded."""
    try:
        answer = orjson.loads(payload) if payload.strip() else None
    except orjson.JSONDecodeError:
        return []
    if not isinstance(answer, dict) or answer.get("batchItemFailures") is None:
        return []
    failures = answer["batchItemFailures"]
    if not isinstance(failures, list):
        return None
    known, failed = set(message_ids), []
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or identifier not in known:
            return None  # an empty, missing or unknown id fails the whole batch
        failed.append(identifier)
    return failed
