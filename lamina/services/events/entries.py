"""PutEvents entries: AWS's per-entry checks, the request size limit, and the event envelope
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import orjson

from lamina.random_ids import random_uuid
from lamina.services.events.errors import ValidationException

MAX_REQUEST_BYTES = 256 * 1024
TIME_BYTES = 14  # a given Time counts as 14 bytes


@dataclass(frozen=True, slots=True)
class Rejected:
    code: str
    message: str

    def result(self) -> dict[str, str]:
        return {"ErrorCode": self.code, "ErrorMessage": self.message}


def entry_size(entry: dict[str, Any]) -> int:
    size = TIME_BYTES if entry.get("Time") is not None else 0
    for member in ("Source", "DetailType", "Detail"):
        size += len((entry.get(member) or "").encode())
    size += sum(len(resource.encode()) for resource in entry.get("Resources") or [])
    return size


def check_size(entries: list[dict[str, Any]]) -> None:
    if sum(entry_size(entry) for entry in entries) > MAX_REQUEST_BYTES:
        raise ValidationException("Total size of the entries in the request is over the limit.")


def check(entry: dict[str, Any], *, trusted: bool) -> Rejected | dict[str, Any]:
    """The parsed detail, or why the entry is rejected. ``trusted``: lamina's own events may use
    ``aws.*`` sources, which callers may not."""
    for member in ("Source", "DetailType", "Detail"):
        if not entry.get(member):
            return Rejected("InvalidArgument",
                            f"Parameter {member} is not valid. Reason: {member} is a required argument.")
    if entry["Source"].startswith("aws.") and not trusted:
        return Rejected("NotAuthorizedForSourceException", "Not authorized for the source.")
    try:
        detail = orjson.loads(entry["Detail"])
    except orjson.JSONDecodeError:
        return Rejected("MalformedDetail", "Detail is malformed.")
    if not isinstance(detail, dict):
        return Rejected("MalformedDetail", "Detail is malformed.")
    return detail


def iso_time(moment: datetime | float | str | None) -> str:
    if isinstance(moment, str):  # an event forwarded from another bus keeps its time
        return moment
    if moment is None:
        moment = time.time()
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(entry: dict[str, Any], detail: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    """The event as rules see it and targets receive it."""
    return {"version": "0", "id": random_uuid(), "detail-type": entry["DetailType"], "source": entry["Source"],
            "account": account, "time": iso_time(entry.get("Time")), "region": region,
            "resources": list(entry.get("Resources") or []), "detail": detail}
