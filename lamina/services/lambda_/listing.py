"""Marker/MaxItems pagination as Lambda's List* operations do it."""

from __future__ import annotations

import base64
from typing import Any

from lamina.services.lambda_.errors import InvalidParameterValueException

DEFAULT_PAGE = 50


def _encode(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode()


def _decode(marker: str) -> str:
    try:
        return base64.urlsafe_b64decode(marker.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameterValueException(f"Invalid marker: {marker}") from None


def paginate(items: list[dict[str, Any]], marker: str | None, max_items: int | None,
             key: str) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``items`` (sorted by ``key``) after ``marker``, and the marker of the next page."""
    ordered = sorted(items, key=lambda item: item[key])
    if marker:
        after = _decode(marker)
        ordered = [item for item in ordered if item[key] > after]
    size = max_items or DEFAULT_PAGE
    page = ordered[:size]
    next_marker = _encode(page[-1][key]) if len(ordered) > size else None
    return page, next_marker
