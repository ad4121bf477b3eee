"""IAM's paging: ``Marker`` / ``MaxItems`` in, ``IsTruncated`` / ``Marker`` out (at most 100 by default)
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html)."""

from __future__ import annotations

import base64
from typing import Any, Sequence

from lamina.services.iam.errors import InvalidInputException

DEFAULT_MAX_ITEMS = 100


def page(items: Sequence[Any], marker: str | None, max_items: int | None, member: str) -> dict[str, Any]:
    """``{member: items on this page, "IsTruncated": bool, "Marker": next marker if truncated}``."""
    start = 0
    if marker:
        try:
            start = int(base64.urlsafe_b64decode(marker.encode()).decode())
        except ValueError:
            raise InvalidInputException("Invalid Marker.") from None
    size = max_items or DEFAULT_MAX_ITEMS
    chunk = list(items[start:start + size])
    result: dict[str, Any] = {member: chunk, "IsTruncated": start + size < len(items)}
    if result["IsTruncated"]:
        result["Marker"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return result


def with_path_prefix(items: list[dict[str, Any]], prefix: str | None, name_key: str) -> list[dict[str, Any]]:
    chosen = [i for i in items if not prefix or i.get("Path", "/").startswith(prefix)]
    return sorted(chosen, key=lambda i: i[name_key].lower())
