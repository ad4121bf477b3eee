"""The match conditions that may stand in a field's array: each compiles to a test on one value.

A field's array is an OR of conditions. A condition is a literal (string, number, true,
false, null) or an object with one operator: prefix, suffix, equals-ignore-case, wildcard,
anything-but, numeric, exists, cidr
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable

from lamina.patterns.errors import InvalidPattern

Test = Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class Condition:
    """``test`` decides a present value; ``on_absent`` is the answer when the field is absent."""

    test: Test
    on_absent: bool = False


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equals(literal: Any) -> Test:
    if is_number(literal):
        number = float(literal)
        return lambda value: is_number(value) and float(value) == number
    if isinstance(literal, bool) or literal is None:
        return lambda value: value is literal
    return lambda value: isinstance(value, str) and value == literal


def _string(operator: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidPattern(f"{operator} match pattern must be a string")
    return value


def _affix(operator: str, spec: Any) -> tuple[str, bool]:
    """prefix/suffix take a string or {"equals-ignore-case": string}."""
    if isinstance(spec, dict):
        if list(spec) != ["equals-ignore-case"]:
            raise InvalidPattern(f"Unsupported {operator} pattern: {list(spec)}")
        return _string("equals-ignore-case", spec["equals-ignore-case"]).lower(), True
    return _string(operator, spec), False


def _prefix(spec: Any) -> Test:
    text, fold = _affix("prefix", spec)
    if fold:
        return lambda value: isinstance(value, str) and value.lower().startswith(text)
    return lambda value: isinstance(value, str) and value.startswith(text)


def _suffix(spec: Any) -> Test:
    text, fold = _affix("suffix", spec)
    if fold:
        return lambda value: isinstance(value, str) and value.lower().endswith(text)
    return lambda value: isinstance(value, str) and value.endswith(text)


def _ignore_case(spec: Any) -> Test:
    text = _string("equals-ignore-case", spec).lower()
    return lambda value: isinstance(value, str) and value.lower() == text


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """``*`` matches any run of characters; ``\\*`` and ``\\\\`` are a literal star and backslash."""
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1] not in "*\\":
                raise InvalidPattern(f"Invalid escape character at pos {i}")
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if char == "*":
            if i + 1 < len(pattern) and pattern[i + 1] == "*":
                raise InvalidPattern(f"Consecutive wildcard characters at pos {i + 1}")
            parts.append(".*")
        else:
            parts.append(re.escape(char))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def _wildcard(spec: Any) -> Test:
    regex = wildcard_regex(_string("wildcard", spec))
    return lambda value: isinstance(value, str) and regex.fullmatch(value) is not None


_LOWER = {">": float.__gt__, ">=": float.__ge__}
_UPPER = {"<": float.__lt__, "<=": float.__le__}


def _numeric(spec: Any) -> Test:
    if not isinstance(spec, list) or len(spec) not in (2, 4):
        raise InvalidPattern("Value of numeric must be an array.")
    bounds: list[tuple[str, float]] = []
    for operator, bound in zip(spec[::2], spec[1::2]):
        if operator not in ("=", *_LOWER, *_UPPER):
            raise InvalidPattern(f"Unrecognized numeric range operator: {operator}")
        if not is_number(bound):
            raise InvalidPattern(f"Value of {operator} must be numeric")
        bounds.append((operator, float(bound)))
    if bounds[0][0] == "=":
        if len(bounds) > 1:
            raise InvalidPattern("Value of numeric with = must not have a range")
        number = bounds[0][1]
        return lambda value: is_number(value) and float(value) == number
    if len(bounds) == 2:
        kinds = {op in _LOWER for op, _ in bounds}
        if kinds != {True, False}:
            raise InvalidPattern("Bad numeric range operator: a range needs one lower and one upper bound")
        low = next(b for b in bounds if b[0] in _LOWER)
        high = next(b for b in bounds if b[0] in _UPPER)
        if low[1] >= high[1]:
            raise InvalidPattern("Bottom must be less than top")
        above, below = _LOWER[low[0]], _UPPER[high[0]]
        return lambda value: (is_number(value) and above(float(value), low[1])
                              and below(float(value), high[1]))
    operator, bound = bounds[0]
    compare = {**_LOWER, **_UPPER}[operator]
    return lambda value: is_number(value) and compare(float(value), bound)


def _cidr(spec: Any) -> Test:
    text = _string("cidr", spec)
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise InvalidPattern(f"Nonstandard IP address: {text}") from None

    def test(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False
    return test


def _anything_but_list(spec: Any) -> list[Any]:
    values = spec if isinstance(spec, list) else [spec]
    if not values:
        raise InvalidPattern("Inside anything but list, an empty list is not supported.")
    kinds = {"number" if is_number(v) else "string" if isinstance(v, str) else "other" for v in values}
    if "other" in kinds or len(kinds) > 1:
        raise InvalidPattern("Inside anything but list, only all strings or all numbers are supported.")
    return values


def _strings(operator: str, spec: Any) -> list[str]:
    values = spec if isinstance(spec, list) else [spec]
    if not values or not all(isinstance(v, str) for v in values):
        raise InvalidPattern(f"Inside anything but list, {operator} must be a string or a list of strings.")
    return values


def _anything_but(spec: Any) -> Test:
    """Any present value except the given ones; a non-string passes every string-shaped exclusion."""
    if isinstance(spec, dict):
        if len(spec) != 1:
            raise InvalidPattern("Only one key allowed in anything-but match expression")
        operator, inner = next(iter(spec.items()))
        if operator == "prefix":
            text = _string("prefix", inner)
            return lambda value: not (isinstance(value, str) and value.startswith(text))
        if operator == "suffix":
            text = _string("suffix", inner)
            return lambda value: not (isinstance(value, str) and value.endswith(text))
        if operator == "equals-ignore-case":
            folded = {v.lower() for v in _strings(operator, inner)}
            return lambda value: not (isinstance(value, str) and value.lower() in folded)
        if operator == "wildcard":
            regexes = [wildcard_regex(v) for v in _strings(operator, inner)]
            return lambda value: not (isinstance(value, str) and any(r.fullmatch(value) for r in regexes))
        raise InvalidPattern(f"Unsupported anything-but pattern: {operator}")
    values = _anything_but_list(spec)
    if is_number(values[0]):
        numbers = {float(v) for v in values}
        return lambda value: not (is_number(value) and float(value) in numbers)
    strings = set(values)
    return lambda value: not (isinstance(value, str) and value in strings)


_OPERATORS: dict[str, Callable[[Any], Test]] = {
    "prefix": _prefix, "suffix": _suffix, "equals-ignore-case": _ignore_case, "wildcard": _wildcard,
    "numeric": _numeric, "cidr": _cidr, "anything-but": _anything_but,
}


def compile_condition(spec: Any) -> Condition:
    """One member of a field's array."""
    if isinstance(spec, dict):
        if len(spec) != 1:
            raise InvalidPattern("Only one key allowed in match expression")
        operator, inner = next(iter(spec.items()))
        if operator == "exists":
            if not isinstance(inner, bool):
                raise InvalidPattern("exists match pattern must be either true or false.")
            return Condition(lambda value: inner, on_absent=not inner)
        if operator not in _OPERATORS:
            raise InvalidPattern(f"Unrecognized match type {operator}")
        return Condition(_OPERATORS[operator](inner))
    if isinstance(spec, list):
        raise InvalidPattern("Match value must be String, number, true, false, or null")
    return Condition(_equals(spec))
