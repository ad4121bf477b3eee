"""The MD5 digests SQS returns for bodies and attributes, which the SDKs check on every send and receive
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation)."""

from __future__ import annotations

import hashlib
import struct
from typing import Any

_STRING_TRANSPORT = b"\x01"
_BINARY_TRANSPORT = b"\x02"


def body_md5(body: str) -> str:
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def _field(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def attributes_md5(attributes: dict[str, dict[str, Any]]) -> str:
    """Each attribute in name order: name, data type, transport type (1 string/number, 2 binary), value;
    each length-prefixed (4 bytes, big-endian) except the one-byte transport type."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        digest.update(_field(name.encode()))
        digest.update(_field(data_type.encode()))
        if data_type.startswith("Binary"):
            digest.update(_BINARY_TRANSPORT)
            digest.update(_field(bytes(value["BinaryValue"])))
        else:
            digest.update(_STRING_TRANSPORT)
            digest.update(_field(value["StringValue"].encode()))
    return digest.hexdigest()
