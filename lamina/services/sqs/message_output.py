"""A received message as ReceiveMessage returns it: the system and message attributes the receiver asked
for (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html)."""

from __future__ import annotations

from typing import Any, Iterable

from lamina.services.sqs import digests
from lamina.services.sqs.messages import Message
from lamina.services.sqs.sending import sequence_number


def system_attributes(message: Message, fifo: bool) -> dict[str, str]:
    """Every system attribute the message has."""
    found = {
        "SenderId": message.extra.get("s", ""),
        "SentTimestamp": str(int(message.sent_at * 1000)),
        "ApproximateReceiveCount": str(message.receives),
        "ApproximateFirstReceiveTimestamp": str(int((message.first_received_at or message.sent_at) * 1000)),
    }
    if fifo:
        found["SequenceNumber"] = sequence_number(message.seq)
        found["MessageDeduplicationId"] = message.dedup_id or ""
    if message.group_id is not None:
        found["MessageGroupId"] = message.group_id
    if "t" in message.extra:
        found["AWSTraceHeader"] = message.extra["t"]
    if "d" in message.extra:
        found["DeadLetterQueueSourceArn"] = message.extra["d"]
    return found


def _selected_attributes(message: Message, names: list[str]) -> dict[str, dict[str, Any]]:
    attributes = message.attributes
    if not attributes or not names:
        return {}
    if "All" in names or ".*" in names:
        return attributes
    prefixes = tuple(name[:-1] for name in names if name.endswith(".*"))
    return {name: value for name, value in attributes.items()
            if name in names or (prefixes and name.startswith(prefixes))}


def rendered(message: Message, fifo: bool, system_names: Iterable[str], attribute_names: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {"MessageId": message.message_id, "ReceiptHandle": message.handle,
                              "MD5OfBody": message.md5, "Body": message.body}
    wanted = set(system_names)
    if wanted:
        available = system_attributes(message, fifo)
        chosen_system = available if "All" in wanted else {k: v for k, v in available.items() if k in wanted}
        if chosen_system:  # names the message has none of give no Attributes member at all
            result["Attributes"] = chosen_system
    chosen = _selected_attributes(message, attribute_names)
    if chosen:
        result["MessageAttributes"] = chosen
        result["MD5OfMessageAttributes"] = digests.attributes_md5(chosen)
    return result
