"""What REST protocols share: members bound to the URI, query string, headers and status code."""

from __future__ import annotations

import base64
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

import orjson
from botocore.model import Shape

from lamina.protocol.text_values import TextValueError, read_text
from lamina.protocol.timestamps import format_timestamp


class LocationError(ValueError):
    """A URI label, query parameter or header cannot be read as the model's type."""


def _scalar(shape: Shape, text: str, where: str) -> Any:
    if shape.type_name == "string" and shape.serialization.get("jsonvalue"):
        try:
            return orjson.loads(base64.b64decode(text))
        except (ValueError, orjson.JSONDecodeError) as exc:
            raise LocationError(f"{where} is not base64-encoded JSON") from exc
    try:
        return read_text(shape, text)
    except TextValueError:
        raise LocationError(f"Value '{text}' of {where} cannot be read as {shape.type_name}") from None


class _Located(NamedTuple):
    name: str
    location: str | None
    wire: str
    member: Shape


# Per shape, its members with their location and wire name: read once from the model rather than on every
# request (shapes are built once per service model and live as long as it).
_PLANS: dict[int, tuple[Shape, tuple[_Located, ...]]] = {}


def _located(shape: Shape) -> tuple[_Located, ...]:
    found = _PLANS.get(id(shape))
    if found is None or found[0] is not shape:
        plan = tuple(_Located(name, member.serialization.get("location"), member.serialization.get("name", name),
                              member) for name, member in shape.members.items())
        found = _PLANS[id(shape)] = (shape, plan)
    return found[1]


def read_located_members(shape: Shape, labels: dict[str, str], query: str,
                         headers: dict[str, str], literal_query_keys: frozenset[str] = frozenset()
                         ) -> tuple[dict[str, Any], list[str]]:
    """Members bound to the request line and headers, and the names of the body members left.

    ``literal_query_keys`` are fixed by the operation's URI and never land in a
    query-string map member.
    """
    params: dict[str, Any] = {}
    body_members: list[str] = []
    query_pairs: list[tuple[str, str]] | None = None
    bound_query_keys: set[str] = set(literal_query_keys)
    map_member: tuple[str, Shape] | None = None
    for name, location, wire, member in _located(shape):
        if location is None:
            body_members.append(name)
        elif location == "uri":
            if wire in labels:
                params[name] = _scalar(member, labels[wire], f"the URI label {wire}")
        elif location == "querystring":
            if query_pairs is None:
                query_pairs = parse_qsl(query, keep_blank_values=True)
            if member.type_name == "map":
                map_member = (name, member)
                continue
            bound_query_keys.add(wire)
            values = [v for k, v in query_pairs if k == wire]
            if not values:
                continue
            if member.type_name == "list":
                params[name] = [_scalar(member.member, v, f"the query parameter {wire}") for v in values]
            else:
                params[name] = _scalar(member, values[0], f"the query parameter {wire}")
        elif location == "header":
            value = headers.get(wire.lower())
            if value is None:
                continue
            if member.type_name == "list":
                params[name] = [_scalar(member.member, v.strip(), f"the header {wire}")
                                for v in value.split(",") if v.strip()]
            else:
                params[name] = _scalar(member, value, f"the header {wire}")
        elif location == "headers":
            prefix = wire.lower()
            found = {k[len(prefix):]: v for k, v in headers.items() if k.startswith(prefix)}
            if found:
                params[name] = found
    if map_member is not None and query_pairs:
        name, member = map_member
        rest: dict[str, Any] = {}
        for key, value in query_pairs:
            if key in bound_query_keys:
                continue
            if member.value.type_name == "list":
                rest.setdefault(key, []).append(value)
            else:
                rest.setdefault(key, value)
        if rest:
            params[name] = rest
    return params, body_members


def _header_text(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "timestamp":
        return str(format_timestamp(value, shape.serialization.get("timestampFormat", "rfc822")))
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob":
        raw = value.encode() if isinstance(value, str) else value
        return base64.b64encode(raw).decode()
    if kind == "list":
        return ",".join(_header_text(shape.member, v) for v in value)
    if kind == "string" and shape.serialization.get("jsonvalue"):
        return base64.b64encode(orjson.dumps(value)).decode()
    return str(value)


def write_located_members(shape: Shape | None, result: dict[str, Any],
                          headers: list[tuple[str, str]]) -> int | None:
    """Write header members into ``headers``; return the status code member, if the result sets one."""
    status: int | None = None
    if shape is None:
        return None
    for name, location, wire, member in _located(shape):
        if location is None:
            continue
        value = result.get(name)
        if value is None:
            continue
        if location == "statusCode":
            status = int(value)
        elif location == "header":
            headers.append((wire, _header_text(member, value)))
        elif location == "headers":
            for key, item in value.items():
                headers.append((wire + key, str(item)))
    return status
