"""Subscription filter policies: which messages a subscription receives.

https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
A policy maps keys to lists of conditions; every key must match (AND) and a key matches when
any of its conditions does (OR); ``$or`` joins alternative policies. Conditions: exact strings
and numbers, ``prefix``, ``suffix``, ``equals-ignore-case``, ``anything-but``, ``numeric`` ranges,
``exists`` and ``cidr``. The scope is the message attributes (``MessageAttributes``, the default:
String, String.Array and Number attributes) or the JSON message body (``MessageBody``, nested keys).
"""

from __future__ import annotations

import ipaddress
from typing import Any

import orjson

MAX_KEYS = 5
MAX_COMBINATIONS = 150
_MISSING = object()


class PolicyError(ValueError):
    pass


def parse(text: str) -> dict[str, Any]:
    try:
        policy = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise PolicyError(f"Invalid parameter: FilterPolicy: failed to parse JSON. {error}") from None
    if not isinstance(policy, dict):
        raise PolicyError("Invalid parameter: FilterPolicy: Filter policy must be a JSON object")
    combinations = _check(policy, 0)
    if combinations > MAX_COMBINATIONS:
        raise PolicyError(f"Invalid parameter: FilterPolicy: Filter policy is too complex "
                          f"({combinations} combinations; at most {MAX_COMBINATIONS})")
    return policy


def _check(policy: dict[str, Any], depth: int) -> int:
    combinations = 1
    for key, value in policy.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, dict) for v in value):
                raise PolicyError("Invalid parameter: FilterPolicy: $or must be a list of at least two objects")
            combinations *= sum(_check(v, depth) for v in value)
        elif isinstance(value, dict):
            combinations *= _check(value, depth + 1)
        elif isinstance(value, list):
            if not value:
                raise PolicyError(f"Invalid parameter: FilterPolicy: Empty arrays are not allowed ({key})")
            for condition in value:
                _check_condition(key, condition)
            combinations *= len(value)
        else:
            raise PolicyError(f"Invalid parameter: FilterPolicy: \"{key}\" must be an object or an array")
    return combinations


def _check_condition(key: str, condition: Any) -> None:
    if isinstance(condition, dict):
        if len(condition) != 1:
            raise PolicyError(f"Invalid parameter: FilterPolicy: {key}: a condition has exactly one operator")
        operator, operand = next(iter(condition.items()))
        if operator not in ("prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr"):
            raise PolicyError(f"Invalid parameter: FilterPolicy: Unrecognized match type {operator}")
        if operator == "numeric" and (not isinstance(operand, list) or len(operand) not in (2, 4)):
            raise PolicyError("Invalid parameter: FilterPolicy: Value of numeric must be an array of 2 or 4 items")
        if operator == "exists" and not isinstance(operand, bool):
            raise PolicyError("Invalid parameter: FilterPolicy: exists match pattern must be either true or false.")
    elif not (condition is None or isinstance(condition, (str, int, float))):
        raise PolicyError(f"Invalid parameter: FilterPolicy: {key}: unsupported condition {condition!r}")


def attribute_values(attributes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Message attributes as the values a policy compares with (String.Array: the list's items)."""
    values: dict[str, Any] = {}
    for name, attribute in attributes.items():
        kind = attribute.get("DataType", "String")
        text = attribute.get("StringValue")
        if kind.startswith("Binary") or text is None:
            continue
        if kind.startswith("String.Array"):
            try:
                values[name] = orjson.loads(text)
            except orjson.JSONDecodeError:
                values[name] = text
        elif kind.startswith("Number"):
            try:
                values[name] = float(text)
            except ValueError:
                values[name] = text
        else:
            values[name] = text
    return values


def matches(policy: dict[str, Any], document: dict[str, Any]) -> bool:
    for key, rule in policy.items():
        if key == "$or":
            if not any(matches(alternative, document) for alternative in rule):
                return False
            continue
        value = document.get(key, _MISSING) if isinstance(document, dict) else _MISSING
        if isinstance(rule, dict):
            if not isinstance(value, dict) or not matches(rule, value):
                return False
        elif not _key_matches(rule, value):
            return False
    return True


def _key_matches(conditions: list[Any], value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    for condition in conditions:
        if isinstance(condition, dict) and "exists" in condition:
            if (value is not _MISSING) == condition["exists"]:
                return True
            continue
        if value is _MISSING:
            continue
        if any(_condition(condition, v) for v in values):
            return True
    return False


def _condition(condition: Any, value: Any) -> bool:
    if not isinstance(condition, dict):
        if isinstance(condition, (int, float)) and not isinstance(condition, bool):
            return _number(value) == float(condition)
        return isinstance(value, str) and value == condition or (condition is None and value is None)
    operator, operand = next(iter(condition.items()))
    if operator == "prefix":
        return isinstance(value, str) and value.startswith(operand)
    if operator == "suffix":
        return isinstance(value, str) and value.endswith(operand)
    if operator == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == str(operand).lower()
    if operator == "anything-but":
        if isinstance(operand, dict):
            return not _condition(operand, value)
        excluded = operand if isinstance(operand, list) else [operand]
        return not any(_condition(e, value) for e in excluded)
    if operator == "numeric":
        number = _number(value)
        if number is None:
            return False
        for i in range(0, len(operand), 2):
            op, bound = operand[i], float(operand[i + 1])
            if not {"=": number == bound, "<": number < bound, "<=": number <= bound, ">": number > bound,
                    ">=": number >= bound}.get(op, False):
                return False
        return True
    if operator == "cidr":
        try:
            return ipaddress.ip_address(str(value)) in ipaddress.ip_network(operand, strict=False)
        except ValueError:
            return False
    return False


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
