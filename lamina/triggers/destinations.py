"""Delivering to a destination or dead-letter target by ARN, through the peer service's interface.

Lambda sends invocation records to SQS, SNS, Lambda or EventBridge destinations
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html) and
failed events to a dead-letter queue or topic with the attributes RequestID,
ErrorCode and ErrorMessage
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from lamina.services.platform import Platform

log = logging.getLogger("lamina.destinations")


class DeliveryFailed(Exception):
    """The destination could not take the delivery (missing service or resource)."""


# May the sender (the function's execution role) do this action on this resource?
Permission = Callable[[str, str], Awaitable[bool]]
_ACTIONS = {"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction",
            "events": "events:PutEvents"}


async def _check(allowed: Permission | None, service: str, target: str) -> None:
    action = _ACTIONS.get(service)
    if allowed is not None and action is not None and not await allowed(action, target):
        raise DeliveryFailed(f"the function's execution role is not allowed {action} on {target}")


def _service_of(arn: str) -> str:
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise DeliveryFailed(f"not an ARN: {arn}")
    return parts[2]


async def deliver_record(platform: Platform, destination: str, record: dict[str, Any], success: bool,
                         allowed: Permission | None = None) -> None:
    """Send an invocation record to an OnSuccess/OnFailure destination."""
    service = _service_of(destination)
    body = orjson.dumps(record).decode()
    peer = platform.peer(service)
    if peer is None:
        raise DeliveryFailed(f"lamina does not serve {service}, so destination {destination} cannot be reached")
    await _check(allowed, service, destination)
    if service == "sqs":
        await peer.send_to_queue(destination, body)
    elif service == "sns":
        await peer.publish_to_topic(destination, body)
    elif service == "lambda":
        await peer.queue_invocation(destination, body.encode(), source={"service": "lambda.amazonaws.com"})
    elif service == "events":
        detail_type = ("Lambda Function Invocation Result - Success" if success
                       else "Lambda Function Invocation Result - Failure")
        await peer.put_events_to_bus(destination, [{
            "Source": "lambda", "DetailType": detail_type, "Detail": body,
            "Resources": [record["requestContext"]["functionArn"], destination]}])
    else:
        raise DeliveryFailed(f"{service} is not a destination type Lambda supports: {destination}")


async def deliver_dead_letter(platform: Platform, target: str, payload: str, request_id: str,
                              error_code: str, error_message: str, allowed: Permission | None = None) -> None:
    """Send the failed event itself to the function's DeadLetterConfig target (SQS or SNS)."""
    service = _service_of(target)
    attributes = {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "String", "StringValue": error_code},
        "ErrorMessage": {"DataType": "String", "StringValue": error_message[:1024]},
    }
    peer = platform.peer(service)
    if peer is None:
        raise DeliveryFailed(f"lamina does not serve {service}, so dead-letter target {target} cannot be reached")
    await _check(allowed, service, target)
    if service == "sqs":
        await peer.send_to_queue(target, payload, attributes=attributes)
    elif service == "sns":
        await peer.publish_to_topic(target, payload, attributes=attributes)
    else:
        raise DeliveryFailed(f"A dead-letter target must be an SQS queue or SNS topic: {target}")
