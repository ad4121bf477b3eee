"""Patterns as trees: an object's fields are ANDed, a field's array is ORed, ``$or`` ORs sub-patterns.

An event matches a nested pattern field when the event's value there (or, for an array, any of
its objects) matches the nested pattern; it matches a leaf field when any of its values (each
element of an array) meets any condition of the field's array. A leaf field absent from the
event (or holding only objects or an empty array) meets only ``{"exists": false}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from lamina.patterns.errors import InvalidPattern
from lamina.patterns.leaves import Condition, compile_condition

MAX_OR_DEPTH = 8  # guards against patterns that nest $or without end


@dataclass(slots=True)
class _Node:
    nested: list[tuple[str, _Node]] = field(default_factory=list)
    leaves: list[tuple[str, tuple[Condition, ...]]] = field(default_factory=list)
    alternatives: list[tuple[_Node, ...]] = field(default_factory=list)  # each a $or

    def matches(self, obj: Any) -> bool:
        get = obj.get if isinstance(obj, dict) else _absent
        for key, conditions in self.leaves:
            if not _leaf_matches(conditions, get(key, _MISSING)):
                return False
        for key, node in self.nested:
            value = get(key, _MISSING)
            if isinstance(value, dict):
                if not node.matches(value):
                    return False
            elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
                if not any(node.matches(item) for item in value if isinstance(item, dict)):
                    return False
            elif not node.matches({}):
                return False
        for options in self.alternatives:
            if not any(option.matches(obj) for option in options):
                return False
        return True


_MISSING = object()


def _absent(key: str, default: Any) -> Any:
    return default


def _scalars(value: Any, out: list[Any]) -> list[Any]:
    if isinstance(value, list):
        for item in value:
            _scalars(item, out)
    elif value is not _MISSING and not isinstance(value, dict):
        out.append(value)
    return out


def _leaf_matches(conditions: tuple[Condition, ...], value: Any) -> bool:
    if not isinstance(value, (list, dict)) and value is not _MISSING:
        return any(condition.test(value) for condition in conditions)
    values = _scalars(value, [])
    if not values:
        return any(condition.on_absent for condition in conditions)
    return any(condition.test(item) for item in values for condition in conditions)


def _compile_object(pattern: dict[str, Any], depth: int) -> _Node:
    node = _Node()
    for key, value in pattern.items():
        if key == "$or":
            node.alternatives.append(_compile_or(value, depth))
        elif isinstance(value, dict):
            node.nested.append((key, _compile_object(value, depth)))
        elif isinstance(value, list):
            if not value:
                raise InvalidPattern(f"Empty arrays are not allowed (field \"{key}\")")
            node.leaves.append((key, tuple(compile_condition(item) for item in value)))
        else:
            raise InvalidPattern(f"\"{key}\" must be an object or an array")
    return node


def _compile_or(value: Any, depth: int) -> tuple[_Node, ...]:
    if depth >= MAX_OR_DEPTH:
        raise InvalidPattern("$or is nested too deeply")
    if not isinstance(value, list) or len(value) < 2 or not all(isinstance(item, dict) for item in value):
        raise InvalidPattern("There must have at least 2 Json objects under \"$or\" relationship")
    return tuple(_compile_object(item, depth + 1) for item in value)


@dataclass(frozen=True, slots=True)
class EventPattern:
    """A compiled pattern; ``source`` is the text it came from, as the caller gave it."""

    source: str
    _root: _Node

    def matches(self, event: dict[str, Any]) -> bool:
        return self._root.matches(event)

    def may_match(self, known: dict[str, Any]) -> bool:
        """False when the event cannot match whatever its other fields hold: a top-level field given in
        ``known`` fails its conditions (top-level fields are ANDed). Lets a caller skip building an event."""
        return all(_leaf_matches(conditions, known[key])
                   for key, conditions in self._root.leaves if key in known)


def parse_pattern(text: str) -> dict[str, Any]:
    """The pattern's JSON object, or InvalidPattern."""
    try:
        pattern = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise InvalidPattern(f"Unrecognized token or malformed JSON: {error}") from None
    if not isinstance(pattern, dict):
        raise InvalidPattern("Filter is not an object")
    return pattern


def compile_pattern(pattern: str | dict[str, Any]) -> EventPattern:
    """Validate and compile a pattern (text or parsed JSON) once; InvalidPattern names what is wrong."""
    if isinstance(pattern, str):
        return EventPattern(pattern, _compile_object(parse_pattern(pattern), 0))
    if not isinstance(pattern, dict):
        raise InvalidPattern("Filter is not an object")
    return EventPattern(orjson.dumps(pattern).decode(), _compile_object(pattern, 0))
