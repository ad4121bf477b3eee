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
from typing import Any, Callable

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
        _checker(shape)(params, None, problems, unchecked_enums)
    return problems


def format_problems(problems: list[str]) -> str:
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(problems)


def _fail(problems: list[str], value: Any, path: Path, constraint: str) -> None:
    problems.append(f"Value {_value_text(value)} at '{_render(path)}' failed to satisfy constraint: {constraint}")


# A shape's constraints, read once into a closure: check(value, path, problems, unchecked enums). Kept per
# shape object (shapes live as long as their service model), as the protocols keep their plans.
Checker = Callable[[Any, Path, list[str], frozenset[str]], None]
_CHECKERS: dict[int, tuple[Shape, Checker]] = {}
# Values a pattern was matched against, per pattern: input repeats (function names, ARNs), regexes cost.
_PATTERN_MEMO_SIZE = 1024


def _checker(shape: Shape) -> Checker:
    found = _CHECKERS.get(id(shape))
    if found is None or found[0] is not shape:
        found = _CHECKERS[id(shape)] = (shape, _compile(shape))
    return found[1]


def _nothing(value: Any, path: Path, problems: list[str], unchecked: frozenset[str]) -> None:
    return None


def _compile(shape: Shape) -> Checker:
    kind = shape.type_name
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    if kind == "structure":
        return _structure_checker(shape)
    if kind in ("list", "map"):
        return _collection_checker(shape, low, high)
    if kind == "string":
        return _string_checker(shape, low, high)
    if kind == "blob":
        def check_blob(value: Any, path: Path, problems: list[str], unchecked: frozenset[str]) -> None:
            _check_length(low, high, value, len(value), path, problems)
        return check_blob
    if kind in ("integer", "long", "float", "double") and (low is not None or high is not None):
        def check_number(value: Any, path: Path, problems: list[str], unchecked: frozenset[str]) -> None:
            if low is not None and value < low:
                _fail(problems, value, path, f"Member must have value greater than or equal to {low}")
            elif high is not None and value > high:
                _fail(problems, value, path, f"Member must have value less than or equal to {high}")
        return check_number
    return _nothing


def _structure_checker(shape: Shape) -> Checker:
    required = tuple(shape.required_members)
    members = shape.members

    def check_structure(value: Any, path: Path, problems: list[str], unchecked: frozenset[str]) -> None:
        if not isinstance(value, dict):
            return
        for name in required:
            if value.get(name) is None:
                _fail(problems, None, (path, name), "Member must not be null")
        for name, item in value.items():
            if item is not None:
                member = members.get(name)
                if member is not None:
                    _checker(member)(item, (path, name), problems, unchecked)
    return check_structure


def _collection_checker(shape: Shape, low: Any, high: Any) -> Checker:
    if shape.type_name == "list":
        item_shape = shape.member

        def check_list(value: Any, path: Path, problems: list[str], unchecked: frozenset[str]) -> None:
            _check_length(low, high, value, len(value), path, problems)
            check_item = _checker(item_shape)
            for item in value:
                if item is not None:
                    check_item(item, (path, ".member"), problems, unchecked)
        return check_list
    key_shape, value_shape = shape.key, shape.value

    def check_map(value: Any, path: Path, problems: list[str], unchecked: frozenset[str]) -> None:
        _check_length(low, high, value, len(value), path, problems)
        check_key, check_value = _checker(key_shape), _checker(value_shape)
        for key, item in value.items():
            check_key(key, (path, ".key"), problems, unchecked)
            if item is not None:
                check_value(item, (path, ".value"), problems, unchecked)
    return check_map


def _string_checker(shape: Shape, low: Any, high: Any) -> Checker:
    enum = shape.enum
    allowed = frozenset(enum) if enum else None
    name = shape.name
    pattern = _pattern(shape)
    matcher = None if pattern is _NO_PATTERN else pattern.fullmatch
    source = shape.metadata.get("pattern")
    memo: dict[str, bool] = {}

    def check_string(value: Any, path: Path, problems: list[str], unchecked: frozenset[str]) -> None:
        if allowed is not None and value not in allowed and name not in unchecked:
            _fail(problems, value, path, "Member must satisfy enum value set: [" + ", ".join(enum) + "]")
            return
        _check_length(low, high, value, len(value), path, problems)
        if matcher is not None:
            matched = memo.get(value)
            if matched is None:
                if len(memo) >= _PATTERN_MEMO_SIZE:
                    memo.clear()
                matched = memo[value] = matcher(value) is not None
            if not matched:
                _fail(problems, value, path, f"Member must satisfy regular expression pattern: {source}")
    return check_string


def _check_length(low: Any, high: Any, value: Any, size: int, path: Path, problems: list[str]) -> None:
    if low is not None and size < low:
        _fail(problems, value, path, f"Member must have length greater than or equal to {low}")
    elif high is not None and size > high:
        _fail(problems, value, path, f"Member must have length less than or equal to {high}")
