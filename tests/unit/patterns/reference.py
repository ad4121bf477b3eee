"""A deliberately naive evaluator of event patterns, read straight off the AWS documentation
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html):
flatten the event into paths and values, flatten the pattern into paths and conditions, and
check each condition literally. The compiled matcher must agree with it on every input."""

from __future__ import annotations

import fnmatch
import ipaddress
from typing import Any

Path = tuple[str, ...]


def flatten_event(event: dict[str, Any], prefix: Path = ()) -> dict[Path, list[Any]]:
    paths: dict[Path, list[Any]] = {}
    for key, value in event.items():
        path = prefix + (key,)
        if isinstance(value, dict):
            paths.update(flatten_event(value, path))
        elif isinstance(value, list):
            paths[path] = [item for item in value if not isinstance(item, (dict, list))]
        else:
            paths[path] = [value]
    return paths


def number(value: Any) -> bool:
    return type(value) in (int, float)


def meets(condition: Any, value: Any) -> bool:
    """Whether one present value meets one condition of a field's array."""
    if not isinstance(condition, dict):
        if number(condition):
            return number(value) and value == condition
        if condition is None or isinstance(condition, bool):
            return value is condition
        return isinstance(value, str) and value == condition
    (operator, arg), = condition.items()
    text = isinstance(value, str)
    if operator == "exists":
        return arg
    if operator == "prefix":
        if isinstance(arg, dict):
            return text and value.lower()[:len(arg["equals-ignore-case"])] == arg["equals-ignore-case"].lower()
        return text and value[:len(arg)] == arg
    if operator == "suffix":
        if isinstance(arg, dict):
            wanted = arg["equals-ignore-case"].lower()
            return text and len(value) >= len(wanted) and value.lower()[len(value) - len(wanted):] == wanted
        return text and len(value) >= len(arg) and value[len(value) - len(arg):] == arg
    if operator == "equals-ignore-case":
        return text and value.upper().lower() == arg.upper().lower()
    if operator == "wildcard":  # the generator never escapes, so fnmatch's * is the documented one
        return text and fnmatch.fnmatchcase(value, arg.replace("[", "[[]").replace("?", "[?]"))
    if operator == "cidr":
        try:
            return text and ipaddress.ip_address(value) in ipaddress.ip_network(arg, strict=False)
        except ValueError:
            return False
    if operator == "numeric":
        if not number(value):
            return False
        for op, bound in zip(arg[::2], arg[1::2]):
            ok = {"=": value == bound, "<": value < bound, "<=": value <= bound,
                  ">": value > bound, ">=": value >= bound}[op]
            if not ok:
                return False
        return True
    if operator == "anything-but":
        if isinstance(arg, dict):  # anything but strings that meet the inner operator
            (inner, what), = arg.items()
            options = what if isinstance(what, list) else [what]
            return not any(meets({inner: option}, value) for option in options)
        return not any(meets(item, value) for item in (arg if isinstance(arg, list) else [arg]))
    raise AssertionError(operator)


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    values = flatten_event(event)

    def check(node: dict[str, Any], prefix: Path) -> bool:
        for key, spec in node.items():
            if key == "$or":
                if not any(check(option, prefix) for option in spec):
                    return False
            elif isinstance(spec, dict):
                if not check(spec, prefix + (key,)):
                    return False
            else:
                present = values.get(prefix + (key,), [])
                if present:
                    if not any(meets(condition, value) for condition in spec for value in present):
                        return False
                elif not any(c == {"exists": False} for c in spec):
                    return False
        return True

    return check(pattern, ())
