"""Marker/MaxItems pagination as Lambda's List* operations do it."""

from __future__ import annotations

import base64
from typing import Any, Callable

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
             key: Callable[[dict[str, Any]], str]) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``items`` in ``key`` order after ``marker``, and the marker of the next page."""
    ordered = sorted(items, key=key)
    if marker:
        after = _decode(marker)
        ordered = [item for item in ordered if key(item) > after]
    size = max_items or DEFAULT_PAGE
    page = ordered[:size]
    next_marker = _encode(key(page[-1])) if len(ordered) > size else None
    return page, next_marker


def by_name(item: dict[str, Any]) -> str:
    return item["FunctionName"]


def by_version(item: dict[str, Any]) -> str:
    """$LATEST first, then versions in number order (as ListVersionsByFunction lists them)."""
    version = item["Version"]
    return "" if version == "$LATEST" else f"{int(version):010d}"


def by_function_then_version(item: dict[str, Any]) -> str:
    return f"{item['FunctionName']}\0{by_version(item)}"


def page_result(items: list[dict[str, Any]], params: dict[str, Any], list_key: str,
                key: Callable[[dict[str, Any]], str]) -> dict[str, Any]:
    """A List* operation's result: one page under ``list_key`` and ``NextMarker`` when more remain."""
    page, marker = paginate(items, params.get("Marker"), params.get("MaxItems"), key)
    result: dict[str, Any] = {list_key: page}
    if marker:
        result["NextMarker"] = marker
    return result
