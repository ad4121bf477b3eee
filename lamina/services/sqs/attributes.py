"""Queue attributes: which exist, their ranges and defaults, as CreateQueue and SetQueueAttributes take them
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html).

Values travel as strings; they are checked once here and stored in their normalised form, so
that reading one back (and comparing on CreateQueue of an existing queue) needs no parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from lamina.services.sqs.errors import InvalidAttributeName, InvalidAttributeValue, invalid_value

MAX_MESSAGE_SIZE = 262_144
MAX_VISIBILITY = 43_200


@dataclass(frozen=True, slots=True)
class IntRange:
    low: int
    high: int


_INTEGERS = {
    "DelaySeconds": IntRange(0, 900),
    "MaximumMessageSize": IntRange(1024, MAX_MESSAGE_SIZE),
    "MessageRetentionPeriod": IntRange(60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": IntRange(0, 20),
    "VisibilityTimeout": IntRange(0, MAX_VISIBILITY),
    "KmsDataKeyReusePeriodSeconds": IntRange(60, 86_400),
}
_CHOICES = {
    "SqsManagedSseEnabled": ("true", "false"),
    "ContentBasedDeduplication": ("true", "false"),
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
_DOCUMENTS = ("Policy", "RedrivePolicy", "RedriveAllowPolicy")
FIFO_ONLY = ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
SETTABLE = (*_INTEGERS, *_CHOICES, *_DOCUMENTS, "KmsMasterKeyId")
COUNTED = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
           "ApproximateNumberOfMessagesDelayed")
READ_ONLY = ("CreatedTimestamp", "LastModifiedTimestamp", "QueueArn", "FifoQueue", *COUNTED)
READABLE = frozenset({"All", *SETTABLE, *READ_ONLY})

DEFAULTS = {
    "DelaySeconds": "0",
    "MaximumMessageSize": str(MAX_MESSAGE_SIZE),
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}
FIFO_DEFAULTS = {"ContentBasedDeduplication": "false", "DeduplicationScope": "queue",
                 "FifoThroughputLimit": "perQueue"}


@dataclass(frozen=True, slots=True)
class RedrivePolicy:
    dead_letter_arn: str
    max_receive_count: int


def _int_value(name: str, value: str) -> str:
    limits = _INTEGERS[name]
    try:
        number = int(value.strip())
    except ValueError:
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.") from None
    if not limits.low <= number <= limits.high:
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    return str(number)


def _json_document(value: str) -> Any:
    """The JSON in an attribute's value, or None when it is not JSON (each caller says what it expected)."""
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return None


def _redrive(value: str) -> str:
    if value == "":
        return ""
    document = _json_document(value)
    if not isinstance(document, dict):
        raise invalid_value("RedrivePolicy", value, "Redrive policy is not a valid JSON map.")
    for key in ("deadLetterTargetArn", "maxReceiveCount"):
        if key not in document:
            raise invalid_value("RedrivePolicy", value, f"Redrive policy does not contain mandatory attribute: {key}.")
    count = document["maxReceiveCount"]
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= 1000:
        raise invalid_value("RedrivePolicy", value, f"Invalid value for maxReceiveCount: {document['maxReceiveCount']}, "
                                                    "valid values are from 1 to 1000 both inclusive.")
    return orjson.dumps({"deadLetterTargetArn": str(document["deadLetterTargetArn"]),
                         "maxReceiveCount": count}).decode()


def _redrive_allow(value: str) -> str:
    if value == "":
        return ""
    document = _json_document(value)
    permission = document.get("redrivePermission") if isinstance(document, dict) else None
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise invalid_value("RedriveAllowPolicy", value,
                            "Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.")
    sources = document.get("sourceQueueArns")
    if (permission == "byQueue") != bool(sources) or (sources and len(sources) > 10):
        raise invalid_value("RedriveAllowPolicy", value,
                            "Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.")
    return orjson.dumps(document).decode()


def _policy(value: str) -> str:
    if value == "":
        return ""
    document = _json_document(value)
    if not isinstance(document, dict):
        raise InvalidAttributeValue("Invalid value for the parameter Policy.")
    return value


def normalise(given: dict[str, str], fifo: bool) -> dict[str, str]:
    """Checked, normalised values of settable attributes ("" clears a document attribute)."""
    result: dict[str, str] = {}
    for name, value in given.items():
        if name not in SETTABLE or (name in FIFO_ONLY and not fifo):
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if name in _INTEGERS:
            result[name] = _int_value(name, value)
        elif name in _CHOICES:
            if value not in _CHOICES[name]:
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
            result[name] = value
        elif name == "RedrivePolicy":
            result[name] = _redrive(value)
        elif name == "RedriveAllowPolicy":
            result[name] = _redrive_allow(value)
        elif name == "Policy":
            result[name] = _policy(value)
        else:
            result[name] = value
    scope = result.get("DeduplicationScope")
    if result.get("FifoThroughputLimit") == "perMessageGroupId" and scope == "queue":
        # High throughput needs per-group deduplication
        # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/high-throughput-fifo.html).
        raise InvalidAttributeValue("Invalid value for the parameter FifoThroughputLimit. Reason: To use "
                                    "perMessageGroupId for FifoThroughputLimit, DeduplicationScope must be "
                                    "messageGroup.")
    return result


def redrive_policy(attributes: dict[str, str]) -> RedrivePolicy | None:
    text = attributes.get("RedrivePolicy")
    if not text:
        return None
    document: dict[str, Any] = orjson.loads(text)
    return RedrivePolicy(document["deadLetterTargetArn"], int(document["maxReceiveCount"]))


def redrive_allows(attributes: dict[str, str], source_arn: str) -> bool:
    """Whether the queue with these attributes may be the dead-letter queue of ``source_arn``."""
    text = attributes.get("RedriveAllowPolicy")
    if not text:
        return True
    document = orjson.loads(text)
    permission = document.get("redrivePermission")
    if permission == "denyAll":
        return False
    return permission == "allowAll" or source_arn in document.get("sourceQueueArns", ())
