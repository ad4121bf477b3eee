"""Publishing: a message is checked, then one delivery per matching, confirmed subscription is
queued durably before Publish answers (fan-out happens once, at publish time).

Filter policies decide per subscription (``filter_policy.py``); FIFO topics need a message
group id and a deduplication id (or content-based deduplication).
"""

from __future__ import annotations

import hashlib
import itertools
import time
from typing import Any

import orjson

from lamina.random_ids import random_uuid
from lamina.services.sns import filter_policy, messages
from lamina.services.sns.errors import InvalidParameterException
from lamina.services.sns.subscriptions import SubscriptionTable
from lamina.triggers.sns_delivery import DeliveryWorker

_sequence = itertools.count(int(time.time() * 1000) * 1000)


def new_id() -> str:
    return random_uuid()


def build_message(topic: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """Check one Publish (or PublishBatch entry) and return the message as it is queued."""
    per_protocol = messages.check_message(entry.get("Message") or "", entry.get("MessageStructure"),
                                          entry.get("Subject"))
    messages.check_attributes(entry.get("MessageAttributes"))
    fifo = topic["Attributes"].get("FifoTopic", "false") == "true"
    message: dict[str, Any] = {
        "MessageId": new_id(), "TopicArn": topic["Arn"], "Subject": entry.get("Subject"),
        "Message": entry["Message"], "Timestamp": messages.now_iso(),
        "MessageAttributes": _storable(entry.get("MessageAttributes") or {}),
        "DisplayName": topic["Attributes"].get("DisplayName") or "",
    }
    if per_protocol:
        message["PerProtocol"] = per_protocol
    if fifo:
        if not entry.get("MessageGroupId"):
            raise InvalidParameterException("Invalid parameter: The MessageGroupId parameter is required for FIFO "
                                            "topics")
        if not entry.get("MessageDeduplicationId") and topic["Attributes"].get("ContentBasedDeduplication") != "true":
            raise InvalidParameterException(
                "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
                "MessageDeduplicationId provided explicitly")
        message["MessageGroupId"] = entry["MessageGroupId"]
        message["MessageDeduplicationId"] = (entry.get("MessageDeduplicationId")
                                             or hashlib.sha256(entry["Message"].encode()).hexdigest())
        message["SequenceNumber"] = f"{next(_sequence):020d}"
    return message


def wanted_by(subscription: dict[str, Any], message: dict[str, Any]) -> bool:
    policy_text = subscription["Attributes"].get("FilterPolicy")
    if not policy_text:
        return True
    policy = filter_policy.parse(policy_text)
    if subscription["Attributes"].get("FilterPolicyScope", "MessageAttributes") == "MessageBody":
        try:
            document = orjson.loads(messages.body_for(message, subscription["Protocol"]))
        except orjson.JSONDecodeError:
            return False
        return isinstance(document, dict) and filter_policy.matches(policy, document)
    return filter_policy.matches(policy, filter_policy.attribute_values(message.get("MessageAttributes") or {}))


async def fan_out(worker: DeliveryWorker, subscriptions: SubscriptionTable, built: list[dict[str, Any]]) -> None:
    """Queue the deliveries of already-built messages of one topic."""
    if not built:
        return
    items = []
    for subscription in await subscriptions.of_topic(built[0]["TopicArn"]):
        if not subscription["Confirmed"]:
            continue
        for message in built:
            if wanted_by(subscription, message):
                items.append({"subscription": subscription["SubscriptionArn"], "kind": "Notification",
                              "message": message})
    await worker.enqueue(items)


def _storable(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Binary attribute values kept as base64 text, so queued messages are JSON."""
    import base64

    stored = {}
    for name, attribute in attributes.items():
        attribute = dict(attribute)
        if isinstance(attribute.get("BinaryValue"), (bytes, bytearray)):
            attribute["BinaryValue"] = base64.b64encode(attribute["BinaryValue"]).decode()
        stored[name] = attribute
    return stored
