"""What a sent message may contain: body characters, attributes and size
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from lamina.services.sqs.errors import InvalidMessageContents, InvalidParameterValue, MissingParameter

MAX_ATTRIBUTES = 10
# Characters SQS accepts in bodies and attribute strings: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD |
# #x10000 to #x10FFFF.
_INVALID_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
_DATA_TYPE = re.compile(r"^(String|Number|Binary)(\.[^\s]{1,250})?$")
_VALID_CHARACTERS = ("Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | "
                     "#x10000 to #x10FFFF")


def check_body(body: str) -> None:
    if body == "":
        raise MissingParameter("The request must contain the parameter MessageBody.")
    if _INVALID_CHARACTER.search(body):
        raise InvalidMessageContents(f"Invalid characters found. {_VALID_CHARACTERS}")


def _check_name(name: str) -> None:
    lowered = name.lower()
    if (not _ATTRIBUTE_NAME.match(name) or lowered.startswith(("aws.", "amazon.")) or name.startswith(".")
            or name.endswith(".") or ".." in name):
        raise InvalidParameterValue(
            f"Message (user) attribute name '{name}' is invalid. The attribute name can contain alphanumeric "
            "characters, hyphen (-), underscore (_) and period (.). It can't start with AWS. or Amazon., start or "
            "end with a period, or contain consecutive periods, and must be at most 256 characters long.")


def _check_number(name: str, text: str) -> None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or len(number.as_tuple().digits) > 38:
        raise InvalidParameterValue(f"Can't cast the value of message (user) attribute '{name}' to a number.")


def check_attributes(attributes: dict[str, dict[str, Any]] | None) -> int:
    """Check message attributes; returns their size, which counts towards the message size limit."""
    if not attributes:
        return 0
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}].")
    size = 0
    for name, value in attributes.items():
        _check_name(name)
        data_type = value.get("DataType") or ""
        if not data_type:
            raise InvalidParameterValue(f"The message attribute '{name}' must contain non-empty message "
                                        "attribute type.")
        if not _DATA_TYPE.match(data_type):
            raise InvalidParameterValue(f"The type of message (user) attribute '{name}' is invalid. You must use "
                                        "only the following supported type prefixes: Binary, Number, String.")
        if value.get("StringListValues") or value.get("BinaryListValues"):
            raise InvalidParameterValue(f"Message (user) attribute '{name}': list values are reserved for "
                                        "future use and not supported.")
        base = data_type.split(".", 1)[0]
        if base == "Binary":
            data = value.get("BinaryValue")
            if not data:
                raise InvalidParameterValue(f"The message attribute '{name}' with type 'Binary' must use field "
                                            "'Binary'.")
            size += len(data)
        else:
            text = value.get("StringValue")
            if text is None or text == "":
                raise InvalidParameterValue(f"The message attribute '{name}' must contain non-empty message "
                                            f"attribute value for message attribute type '{base}'.")
            if base == "Number":
                _check_number(name, text)
            elif _INVALID_CHARACTER.search(text):
                raise InvalidMessageContents(f"Invalid characters found in message attribute '{name}'. "
                                             f"{_VALID_CHARACTERS}")
            size += len(text.encode())
        size += len(name.encode()) + len(data_type.encode())
    return size


def plain_attributes(attributes: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Only the members a message keeps (DataType and its one value)."""
    kept: dict[str, dict[str, Any]] = {}
    for name, value in (attributes or {}).items():
        data_type = value["DataType"]
        if data_type.startswith("Binary"):
            kept[name] = {"DataType": data_type, "BinaryValue": bytes(value["BinaryValue"])}
        else:
            kept[name] = {"DataType": data_type, "StringValue": value["StringValue"]}
    return kept
