"""Reading and writing JSON documents against a model shape (json and rest-json bodies).

Reading checks each value's JSON type against the shape, decodes blobs and
timestamps, and drops members the model does not know, as AWS's JSON
protocols do. Writing does the reverse for results.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from botocore.model import Shape

from lamina.protocol.timestamps import format_timestamp, to_datetime


class JsonShapeError(ValueError):
    """A value in a JSON document does not have the model's type."""

    def __init__(self, path: str, expected: str, value: Any) -> None:
        super().__init__(
            f"Value {_describe(value)} at '{path}' cannot be read as {expected}" if path
            else f"the document cannot be read as {expected}"
        )
        self.path = path


def wire_members(shape: Shape) -> dict[str, tuple[str, Shape]]:
    """Members of a structure by their name on the wire (``locationName`` when the model sets one)."""
    cached = getattr(shape, "_lamina_wire_members", None)
    if cached is None:
        cached = {
            member.serialization.get("name", name): (name, member)
            for name, member in shape.members.items()
        }
        shape._lamina_wire_members = cached  # type: ignore[attr-defined]
    return cached


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a JSON object"
    if isinstance(value, list):
        return "a JSON array"
    return repr(value)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def read_json(shape: Shape, value: Any, path: str = "", ts_format: str = "unixTimestamp") -> Any:
    """Convert a decoded JSON value to the parameter value for ``shape``."""
    if value is None:
        if not path and shape.type_name == "structure":
            # A body of `null` is no input structure; without this it reached providers as None.
            raise JsonShapeError(path, "a structure", value)
        return None
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise JsonShapeError(path, "a structure", value)
        members = wire_members(shape)
        out: dict[str, Any] = {}
        for key, item in value.items():
            found = members.get(key)
            if found is None or item is None:
                continue
            name, member = found
            out[name] = read_json(member, item, _join(path, name), ts_format)
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise JsonShapeError(path, "a list", value)
        member = shape.member
        return [read_json(member, item, f"{path}.member", ts_format) for item in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise JsonShapeError(path, "a map", value)
        vshape = shape.value
        return {k: read_json(vshape, v, _join(path, k), ts_format) for k, v in value.items()}
    if kind == "string":
        if not isinstance(value, str):
            raise JsonShapeError(path, "a string", value)
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise JsonShapeError(path, "an integer", value)
        return value
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise JsonShapeError(path, "a number", value)
        return float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise JsonShapeError(path, "a boolean", value)
        return value
    if kind == "blob":
        if not isinstance(value, str):
            raise JsonShapeError(path, "base64 text", value)
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise JsonShapeError(path, "base64 text", value) from None
    if kind == "timestamp":
        try:
            return to_datetime(value)
        except (ValueError, OverflowError, OSError):
            raise JsonShapeError(path, "a timestamp", value) from None
    # "document" and anything newer: pass through unchanged.
    return value


def write_json(shape: Shape, value: Any, ts_format: str = "unixTimestamp") -> Any:
    """Convert a result value to its JSON form for ``shape``; ``None`` members are left out."""
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        out: dict[str, Any] = {}
        for key, item in value.items():
            member = members.get(key)
            if member is None or item is None:
                continue
            if member.serialization.get("location"):
                continue  # headers, status code: not part of the body
            out[member.serialization.get("name", key)] = write_json(member, item, ts_format)
        return out
    if kind == "list":
        member = shape.member
        return [write_json(member, item, ts_format) for item in value]
    if kind == "map":
        vshape = shape.value
        return {k: write_json(vshape, v, ts_format) for k, v in value.items()}
    if kind == "blob":
        if isinstance(value, str):
            value = value.encode()
        return base64.b64encode(value).decode()
    if kind == "timestamp":
        return format_timestamp(value, shape.serialization.get("timestampFormat", ts_format))
    if kind in ("integer", "long") and not isinstance(value, bool):
        return int(value)
    if kind in ("float", "double"):
        return float(value)
    return value
