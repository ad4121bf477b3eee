"""Handing a delivery to its target's service (in process, through lamina/services/interfaces.py),
and dead-lettering one that failed for good
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html)."""

from __future__ import annotations

import logging
from typing import Any

import orjson

from lamina.protocol.errors import ServiceError
from lamina.services.events.targets import service_of
from lamina.services.platform import Platform
from lamina.triggers.event_delivery import DeliveryFailed

log = logging.getLogger("lamina.events")
PEERS = {"lambda": "lambda", "sqs": "sqs", "sns": "sns", "events": "events"}
# A target that does not exist, or may not be called, is not retried: its events go to the DLQ at once.
_FINAL_CODES = ("ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
                "NotFoundException", "NotFound", "AccessDeniedException", "AccessDenied", "AuthorizationError",
                "InvalidParameterValueException")


def _failed(error: ServiceError) -> DeliveryFailed:
    return DeliveryFailed(error.code, error.message, retryable=error.code not in _FINAL_CODES)


async def send(platform: Platform, delivery: dict[str, Any]) -> None:
    """Hand the delivery to its target; DeliveryFailed says why it could not."""
    service = service_of(delivery["arn"]) or ""
    peer = platform.peer(PEERS.get(service, ""))
    if peer is None:
        raise DeliveryFailed("ResourceNotFoundException", f"lamina does not serve {service} on this node",
                             retryable=False)
    try:
        if service == "lambda":
            await peer.queue_invocation(delivery["arn"], delivery["input"].encode(), source={
                "service": "events.amazonaws.com", "arn": delivery["rule"], "account": delivery["account"]})
        elif service == "sqs":
            # The queue's policy must let EventBridge send for the rule
            # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions).
            await peer.send_to_queue(delivery["arn"], delivery["input"], group_id=delivery.get("group"),
                                     deduplication_id=delivery["event"]["id"] if delivery.get("group") else None,
                                     sender=_sender(delivery))
        elif service == "sns":
            await peer.publish_to_topic(delivery["arn"], delivery["input"])
        else:
            await _to_bus(peer, delivery)
    except ServiceError as error:
        raise _failed(error) from None
    except PermissionError as error:  # the queue's policy
        raise DeliveryFailed("AccessDenied", str(error), retryable=False) from None


def _sender(delivery: dict[str, Any]) -> dict[str, str]:
    return {"service": "events.amazonaws.com", "arn": delivery["rule"], "account": delivery["account"]}


async def _to_bus(peer: Any, delivery: dict[str, Any]) -> None:
    """Another bus receives the event itself (source, detail-type, resources, detail and time)."""
    event = delivery["event"]
    entry = {"Source": event["source"], "DetailType": event["detail-type"], "Detail": orjson.dumps(event["detail"])
             .decode(), "Resources": event["resources"], "Time": event["time"]}
    result = (await peer.put_events_to_bus(delivery["arn"], [entry]))[0]
    if result.get("ErrorCode"):
        raise DeliveryFailed(result["ErrorCode"], result.get("ErrorMessage", ""),
                             retryable=result["ErrorCode"] not in _FINAL_CODES)


async def dead_letter(platform: Platform, delivery: dict[str, Any], failure: DeliveryFailed,
                      condition: str | None, retries: int) -> None:
    """Send the event to the target's dead-letter queue, with the documented attributes, or log its loss."""
    queue = delivery.get("dlq")
    peer = platform.peer("sqs")
    if not queue or peer is None:
        log.error("events: event %s to %s dropped after %d retries: %s: %s", delivery["event"]["id"],
                  delivery["arn"], retries, failure.code, failure.message)
        return
    attributes = {"RULE_ARN": delivery["rule"], "TARGET_ARN": delivery["arn"], "ERROR_CODE": failure.code,
                  "ERROR_MESSAGE": failure.message[:1024] or failure.code}
    if condition:
        attributes["EXHAUSTED_RETRY_CONDITION"] = condition
    typed = {name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()}
    typed["RETRY_ATTEMPTS"] = {"DataType": "Number", "StringValue": str(retries)}
    try:
        # The dead-letter queue's policy must let EventBridge send for the rule, as for a target queue.
        await peer.send_to_queue(queue, orjson.dumps(delivery["event"]).decode(), attributes=typed,
                                 sender=_sender(delivery))
    except (ServiceError, PermissionError) as error:
        log.error("events: event %s to %s lost: its dead-letter queue %s refused it (%s)", delivery["event"]["id"],
                  delivery["arn"], queue, error)
