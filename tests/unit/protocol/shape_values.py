"""Deterministic values for every member of a shape, satisfying its constraints where possible.

Used to drive the round-trip tests: a value for each member exercises each
wire rule (nesting, lists, maps, locationNames, timestamps, blobs) of every
operation of a model.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from botocore.model import Shape

TIMESTAMP = dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc)
BLOB = b"\x00bin\xff\x10"
# Characters that need escaping in XML, URLs or JSON, for body strings without a pattern.
AWKWARD = " &<>\"'é/+=%"
_CANDIDATES = ("sample", "a", "1", "abc123", "arn:aws:iam::123456789012:role/sample",
               "arn:aws:lambda:us-east-1:123456789012:function:sample", "us-east-1", "2024-01-01",
               "123456789012", "https://example.com/sample", "sample@example.com", "A1", "*", "$LATEST",
               "sg-12345678", "{}", "/", "a.b", "0.0.0.0/0", "1.0")
MAX_DEPTH = 6


def _fits(shape: Shape, text: str) -> bool:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and len(text) < low or high is not None and len(text) > high:
        return False
    pattern = shape.metadata.get("pattern")
    if pattern:
        try:
            return re.fullmatch(pattern, text, re.DOTALL) is not None
        except re.error:
            return True
    return True


def _sized(text: str, shape: Shape) -> str:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and len(text) < low:
        text = text + "x" * (low - len(text))
    if high is not None and len(text) > high:
        text = text[:high]
    return text


class ValueMaker:
    """Builds a params or result dict for a shape.

    ``located`` says which locations may carry the value (header values must
    be plain ASCII); ``skip_located`` leaves out members bound to the URI,
    query string or headers (query, json and cbor have none on the wire).
    """

    def __init__(self, *, status_code: int = 200, list_size: int = 2) -> None:
        self.status_code = status_code
        self.list_size = list_size

    def make(self, shape: Shape) -> Any:
        return self._value(shape, "value", (), None)

    def _value(self, shape: Shape, hint: str, stack: tuple[str, ...], location: str | None) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, stack, location)
        if kind == "list":
            size = self._size(shape)
            items = [self._value(shape.member, f"{hint}{i}", stack, location) for i in range(size)]
            return None if None in items else items
        if kind == "map":
            size = self._size(shape)
            keys = self._keys(shape.key, hint, size, location)
            values = [self._value(shape.value, f"{hint}{i}", stack, location) for i in range(len(keys))]
            return None if None in values else dict(zip(keys, values))
        return self._scalar(shape, hint, location)

    def _size(self, shape: Shape) -> int:
        low, high = shape.metadata.get("min", 1) or 1, shape.metadata.get("max")
        size = max(low, self.list_size)
        return min(size, high) if high is not None else size

    def _keys(self, shape: Shape, hint: str, size: int, location: str | None) -> list[Any]:
        if shape.enum:
            return list(shape.enum[:size])
        keys = [self._scalar(shape, f"key{i}", "header") for i in range(size)]
        if len(set(keys)) < len(keys):
            keys = keys[:1]
        return keys

    def _structure(self, shape: Shape, stack: tuple[str, ...], location: str | None) -> Any:
        if shape.metadata.get("document"):
            return {"doc": [1, "two", True, {"nested": None}]}
        if stack.count(shape.name) >= 1 or len(stack) >= MAX_DEPTH:
            return None
        stack = stack + (shape.name,)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            serialization = member.serialization
            if serialization.get("eventstream") or member.metadata.get("eventstream"):
                continue
            where = serialization.get("location", location)
            if where == "statusCode":
                out[name] = self.status_code
                continue
            value = self._value(member, name, stack, where)
            if value is None:
                continue
            out[name] = value
            if shape.metadata.get("union"):
                break
        return out

    def _scalar(self, shape: Shape, hint: str, location: str | None) -> Any:
        kind = shape.type_name
        meta = shape.metadata
        if kind == "string":
            if shape.serialization.get("jsonvalue"):
                return {"json": ["value", 1]}
            if shape.enum:
                return shape.enum[0]
            base = _sized(hint[:1].lower() + hint[1:] + "1", shape)
            if not meta.get("pattern") and location is None and _fits(shape, base + AWKWARD):
                return base + AWKWARD
            if location in ("header", "headers"):
                base = base.lower() if location == "headers" else base
            if _fits(shape, base):
                return base
            for candidate in _CANDIDATES:
                sized = _sized(candidate, shape)
                if _fits(shape, sized):
                    return sized
            return base
        if kind in ("integer", "long"):
            low, high = meta.get("min"), meta.get("max")
            value = 3 if low is None else max(low, 3) if high is None or high >= 3 else low
            return min(value, high) if high is not None else value
        if kind in ("float", "double"):
            low, high = meta.get("min"), meta.get("max")
            value = 1.5
            if low is not None and value < low:
                value = float(low)
            if high is not None and value > high:
                value = float(high)
            return value
        if kind == "boolean":
            return True
        if kind == "blob":
            low = meta.get("min") or 0
            return BLOB + b"b" * max(0, low - len(BLOB))
        if kind == "timestamp":
            return TIMESTAMP
        return hint
