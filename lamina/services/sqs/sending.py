"""Turning a SendMessage (or batch entry, or in-process send) into a message for a given queue, with the
checks AWS makes (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html)."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from typing import Any

from lamina.random_ids import random_uuid
from lamina.services.sqs import digests, message_input
from lamina.services.sqs.errors import InvalidParameterValue, MissingParameter, invalid_value
from lamina.services.sqs.messages import Message, pack_extra
from lamina.services.sqs.queues import Queue

# MessageGroupId and MessageDeduplicationId: 1 to 128 alphanumeric or punctuation characters.
_GROUP_OR_DEDUP = re.compile(r"^[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}$")
NOT_FOR_THIS_QUEUE = "The request include parameter that is not valid for this queue type."
DEDUP_INTERVAL = 300.0  # FIFO deduplication interval (5 minutes)


@dataclass(slots=True)
class Outgoing:
    """A checked message on its way into a queue."""

    message: Message
    attributes_md5: str | None
    system_md5: str | None
    dedup_scope: str | None  # FIFO: the scope its deduplication id is remembered in


def _check_id(name: str, value: str) -> None:
    if not _GROUP_OR_DEDUP.match(value):
        raise invalid_value(name, value, f"{name} can only include alphanumeric and punctuation characters. "
                                         "1 to 128 in length.")


def _system_attributes(given: dict[str, dict[str, Any]] | None) -> tuple[str | None, str | None]:
    """(AWSTraceHeader, its MD5): the one system attribute a sender may set."""
    if not given:
        return None, None
    for name, value in given.items():
        if name != "AWSTraceHeader":
            raise InvalidParameterValue(f"Message system attribute name '{name}' is invalid.")
        if value.get("DataType") != "String" or not value.get("StringValue"):
            raise InvalidParameterValue("Message system attribute 'AWSTraceHeader' must be of type String and "
                                        "have a non-empty value.")
    header = given["AWSTraceHeader"]["StringValue"]
    return header, digests.attributes_md5({"AWSTraceHeader": {"DataType": "String", "StringValue": header}})


def prepare(queue: Queue, seq: int, entry: dict[str, Any], sender: str, now: float | None = None) -> Outgoing:
    """``entry`` has SendMessage's members (MessageBody, DelaySeconds, MessageAttributes, ...)."""
    now = time.time() if now is None else now
    body = entry.get("MessageBody")
    if body is None:
        raise MissingParameter("The request must contain the parameter MessageBody.")
    message_input.check_body(body)
    attributes = entry.get("MessageAttributes")
    size = len(body.encode()) + message_input.check_attributes(attributes)
    if size > queue.max_size:
        raise InvalidParameterValue(f"One or more parameters are invalid. Reason: Message must be shorter than "
                                    f"{queue.max_size} bytes.")
    trace_header, system_md5 = _system_attributes(entry.get("MessageSystemAttributes"))
    delay = entry.get("DelaySeconds")
    group_id, dedup_id = entry.get("MessageGroupId"), entry.get("MessageDeduplicationId")
    scope = None
    if queue.fifo:
        if delay is not None:
            raise invalid_value("DelaySeconds", delay, NOT_FOR_THIS_QUEUE)
        if not group_id:
            raise MissingParameter("The request must contain the parameter MessageGroupId.")
        if not dedup_id:
            if not queue.content_dedup:
                raise InvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or "
                                            "MessageDeduplicationId provided explicitly")
            dedup_id = hashlib.sha256(body.encode()).hexdigest()
        _check_id("MessageDeduplicationId", dedup_id)
        scope = group_id if queue.dedup_per_group else ""
    else:
        if dedup_id is not None:
            raise invalid_value("MessageDeduplicationId", dedup_id, NOT_FOR_THIS_QUEUE)
        if delay is not None and not 0 <= delay <= 900:
            raise invalid_value("DelaySeconds", delay, "DelaySeconds must be >= 0 and <= 900")
    if group_id is not None:
        # Standard queues take a group id too (fair queues); it is kept and returned as MessageGroupId.
        _check_id("MessageGroupId", group_id)
    plain = message_input.plain_attributes(attributes)
    extra = pack_extra(plain, s=sender, t=trace_header)
    visible_at = now + (queue.delay if delay is None else delay)
    message = Message(seq, random_uuid(), body, digests.body_md5(body), extra, now, 0, None, group_id,
                      dedup_id, now + queue.retention, visible_at)
    return Outgoing(message, digests.attributes_md5(plain) if plain else None, system_md5, scope)


def result_of(outgoing: Outgoing) -> dict[str, Any]:
    """SendMessage's result members for a sent message."""
    message = outgoing.message
    result: dict[str, Any] = {"MessageId": message.message_id, "MD5OfMessageBody": message.md5}
    if outgoing.attributes_md5:
        result["MD5OfMessageAttributes"] = outgoing.attributes_md5
    if outgoing.system_md5:
        result["MD5OfMessageSystemAttributes"] = outgoing.system_md5
    if outgoing.dedup_scope is not None:
        result["SequenceNumber"] = sequence_number(message.seq)
    return result


def sequence_number(seq: int) -> str:
    """FIFO sequence numbers: large, increasing, not consecutive; 20 digits here as in AWS."""
    return f"{seq:020d}"
