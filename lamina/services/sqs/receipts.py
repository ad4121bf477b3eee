"""Receipt handles: which receive of which message a handle stands for.

A handle names the queue, the message and one receive of it; the token of the
latest receive is stored with the message, so a handle from an earlier receive
is recognised as expired
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html#receipt-handle).
The token carries the receive time, from which the 12-hour limit on a
message's visibility is counted.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from lamina.services.sqs.errors import ReceiptHandleIsInvalid


@dataclass(frozen=True, slots=True)
class Receipt:
    queue_id: int
    seq: int
    token: str

    @property
    def received_at(self) -> float:
        return int(self.token.split("-", 1)[0], 16) / 1000.0


def new_token(now: float) -> str:
    return f"{int(now * 1000):x}-{os.urandom(6).hex()}"


def encode(queue_id: int, seq: int, token: str) -> str:
    return base64.b64encode(f"{queue_id}:{seq}:{token}".encode()).decode()


def decode(handle: str) -> Receipt:
    try:
        queue_id, seq, token = base64.b64decode(handle.encode(), validate=True).decode().split(":")
        receipt = Receipt(int(queue_id), int(seq), token)
        receipt.received_at  # noqa: B018 - a token whose time does not parse is no handle of ours
        return receipt
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.') from None
