"""The rules every SQS batch operation shares: 1 to 10 entries with distinct, well-formed ids, and
per-entry results (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html)."""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable

from lamina.protocol.errors import ServiceError
from lamina.services.sqs.errors import (
    BatchEntryIdsNotDistinct,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    TooManyEntriesInBatchRequest,
)

MAX_ENTRIES = 10
_ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def check_entries(entries: list[dict[str, Any]], entry_kind: str) -> None:
    if not entries:
        raise EmptyBatchRequest(f"There should be at least one {entry_kind} in the request.")
    if len(entries) > MAX_ENTRIES:
        raise TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {MAX_ENTRIES}. You have sent {len(entries)}.")
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry["Id"]
        if not _ENTRY_ID.match(entry_id):
            raise InvalidBatchEntryId("A batch entry id can only contain alphanumeric characters, hyphens and "
                                      "underscores. It can be at most 80 letters long.")
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)


def failure(entry_id: str, error: ServiceError) -> dict[str, Any]:
    return {"Id": entry_id, "SenderFault": error.sender_fault, "Code": error.code, "Message": error.message}


async def each(entries: list[dict[str, Any]], run: Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]
               ) -> dict[str, Any]:
    """Run ``run`` per entry; an entry's service error fails that entry only."""
    successful, failed = [], []
    for entry in entries:
        try:
            result = await run(entry)
        except ServiceError as error:
            failed.append(failure(entry["Id"], error))
            continue
        successful.append({"Id": entry["Id"], **(result or {})})
    return {"Successful": successful, "Failed": failed}
