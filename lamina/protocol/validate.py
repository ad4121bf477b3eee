"""Validation of parsed input against the model's constraints.

AWS services answer constraint violations with one message listing every
problem, in the form::

    2 validation errors detected: Value '1' at 'memorySize' failed to satisfy
    constraint: Member must have value greater than or equal to 128; Value null
    at 'role' failed to satisfy constraint: Member must not be null

Member paths are lowerCamelCase, as the services write them.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.model import Shape

_NO_PATTERN = object()


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _value_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "'" + str(value).lower() + "'"
    if isinstance(value, (bytes, bytearray)):
        return "'java.nio.HeapByteBuffer'"
    if isinstance(value, list):
        return "'[" + ", ".join(str(v) for v in value) + "]'"
    if isinstance(value, dict):
        return "'{" + ", ".join(f"{k}={v}" for k, v in value.items()) + "}'"
    return f"'{value}'"


def _pattern(shape: Shape) -> Any:
    compiled = getattr(shape, "_lamina_pattern", None)
    if compiled is None:
        source = shape.metadata.get("pattern")
        compiled = _NO_PATTERN
        if source:
            try:
                compiled = re.compile(source, re.DOTALL)
            except re.error:
                # A Java-only construct: the service still checks it; we cannot, so we do not guess.
                compiled = _NO_PATTERN
        shape._lamina_pattern = compiled  # type: ignore[attr-defined]
    return compiled


# Where a value sits, built as the check descends and spelled out only for a problem (most input has
# none, and naming every member on the way costs more than checking it): None at the top, otherwise
# (parent, name) for a structure member and (parent, suffix) with suffix ".member"/".key"/".value".
Path = tuple[Any, str] | None


def _render(path: Path) -> str:
    parts: list[str] = []
    while path is not None:
        path, segment = path
        parts.append(segment)
    text = ""
    for segment in reversed(parts):
        if segment.startswith("."):
            text = f"{text}{segment}" if text else segment[1:]
        else:
            text = f"{text}.{_camel(segment)}" if text else _camel(segment)
    return text


def validate(shape: Shape | None, params: dict[str, Any], unchecked_enums: frozenset[str] = frozenset()) -> list[str]:
    """Every constraint violation in ``params`` as AWS words it; empty when the input is valid.
    ``unchecked_enums`` names string shapes whose enum is not enforced (the service accepts more)."""
    problems: list[str] = []
    if shape is not None:
        _check(shape, params, None, problems, unchecked_enums)
    return problems


def format_problems(problems: list[str]) -> str:
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(problems)


def _fail(problems: list[str], value: Any, path: Path, constraint: str) -> None:
    problems.append(f"Value {_value_text(value)} at '{_render(path)}' failed to satisfy constraint: {constraint}")


def _check(shape: Shape, value: Any, path: Path, problems: list[str], unchecked: frozenset[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            return
        for name in shape.required_members:
            if value.get(name) is None:
                _fail(problems, None, (path, name), "Member must not be null")
        members = shape.members
        for name, item in value.items():
            member = members.get(name)
            if member is not None and item is not None:
                _check(member, item, (path, name), problems, unchecked)
        return
    if kind in ("list", "map"):
        size = len(value)
        _check_length(meta, value, size, path, problems)
        if kind == "list":
            for item in value:
                if item is not None:
                    _check(shape.member, item, (path, ".member"), problems, unchecked)
        else:
            for key, item in value.items():
                _check(shape.key, key, (path, ".key"), problems, unchecked)
                if item is not None:
                    _check(shape.value, item, (path, ".value"), problems, unchecked)
        return
    if kind == "string":
        enum = shape.enum
        if enum and value not in enum and shape.name not in unchecked:
            _fail(problems, value, path, "Member must satisfy enum value set: [" + ", ".join(enum) + "]")
            return
        _check_length(meta, value, len(value), path, problems)
        pattern = _pattern(shape)
        if pattern is not _NO_PATTERN and not pattern.fullmatch(value):
            _fail(problems, value, path, f"Member must satisfy regular expression pattern: {meta['pattern']}")
        return
    if kind == "blob":
        _check_length(meta, value, len(value), path, problems)
        return
    if kind in ("integer", "long", "float", "double"):
        low, high = meta.get("min"), meta.get("max")
        if low is not None and value < low:
            _fail(problems, value, path, f"Member must have value greater than or equal to {low}")
        elif high is not None and value > high:
            _fail(problems, value, path, f"Member must have value less than or equal to {high}")


def _check_length(meta: dict, value: Any, size: int, path: Path, problems: list[str]) -> None:
    low, high = meta.get("min"), meta.get("max")
    if low is not None and size < low:
        _fail(problems, value, path, f"Member must have length greater than or equal to {low}")
    elif high is not None and size > high:
        _fail(problems, value, path, f"Member must have length less than or equal to {high}")
