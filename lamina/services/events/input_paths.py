"""The JSONPath subset EventBridge evaluates in InputPath and InputPathsMap: dot notation,
dashes, underscores, slashes, array indices and wildcards
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html)."""

from __future__ import annotations

import re
from typing import Any

_STEP = re.compile(r"\.([A-Za-z0-9_\-/@:$]+|\*)|\[(\d+|\*)\]|\['([^']*)'\]")
ABSENT = object()


def steps(path: str) -> list[str | int] | None:
    """The steps of a path ("*" is a wildcard), or None when EventBridge could not read it."""
    if not path.startswith("$"):
        return None
    out: list[str | int] = []
    position = 1
    while position < len(path):
        found = _STEP.match(path, position)
        if found is None:
            return None
        name, index, quoted = found.groups()
        out.append(name if name is not None else quoted if quoted is not None
                   else "*" if index == "*" else int(index))
        position = found.end()
    return out


def evaluate(path: str, document: Any) -> Any:
    """The value at ``path``: a list when the path has a wildcard, ABSENT when nothing is there."""
    parsed = steps(path)
    if parsed is None:
        return ABSENT
    values = [document]
    wildcard = False
    for step in parsed:
        following: list[Any] = []
        for value in values:
            if step == "*":
                wildcard = True
                following.extend(value.values() if isinstance(value, dict) else value if isinstance(value, list)
                                 else [])
            elif isinstance(step, int):
                if isinstance(value, list) and step < len(value):
                    following.append(value[step])
            elif isinstance(value, dict) and step in value:
                following.append(value[step])
        values = following
    if wildcard:
        return values
    return values[0] if values else ABSENT
