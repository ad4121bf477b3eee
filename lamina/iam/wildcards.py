"""The policy language's wildcards: ``*`` (any run of characters) and ``?`` (one character).

Actions match case-insensitively, resources and condition values
case-sensitively. ARNs match component by component: each of the first five
colon-separated parts is matched on its own, so a ``*`` there never spans a
colon, while the resource part (after the fifth colon) is matched as a whole
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
"""

from __future__ import annotations

import functools
import re
from typing import Callable

Matcher = Callable[[str], bool]


# Marks the next character as literal: policy variables put it before a "*" or "?" that came from
# ``${*}`` / ``${?}`` or from a request value, so it is not read as a wildcard.
LITERAL = "\ue000"


def _glob_regex(pattern: str, star: str) -> str:
    out = []
    chars = iter(pattern)
    for char in chars:
        if char == LITERAL:
            out.append(re.escape(next(chars, "")))
        elif char == "*":
            out.append(star)
        elif char == "?":
            out.append("." if star == ".*" else "[^:]")
        else:
            out.append(re.escape(char))
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def glob_matcher(pattern: str, ignore_case: bool = False) -> Matcher:
    """A matcher for one pattern with ``*`` and ``?`` (no special meaning for colons)."""
    if "*" not in pattern and "?" not in pattern:
        pattern = pattern.replace(LITERAL, "")
        if ignore_case:
            folded = pattern.casefold()
            return lambda value: value.casefold() == folded
        return pattern.__eq__
    regex = re.compile(_glob_regex(pattern, ".*"), re.DOTALL | (re.IGNORECASE if ignore_case else 0))
    return lambda value: regex.fullmatch(value) is not None


def any_glob_matcher(patterns: tuple[str, ...], ignore_case: bool = False) -> Matcher:
    """One matcher for several patterns (true when any matches), compiled into a single regex."""
    if any(p == "*" for p in patterns):
        return lambda value: True
    if len(patterns) == 1:
        return glob_matcher(patterns[0], ignore_case)
    regex = re.compile("|".join(f"(?:{_glob_regex(p, '.*')})" for p in patterns),
                       re.DOTALL | (re.IGNORECASE if ignore_case else 0))
    return lambda value: regex.fullmatch(value) is not None


def _arn_regex(pattern: str) -> str:
    parts = pattern.split(":", 5)
    if len(parts) < 6:
        # Fewer than six components: the last one given also covers the rest of the ARN.
        head = [_glob_regex(p, "[^:]*") for p in parts[:-1]]
        return ":".join([*head, _glob_regex(parts[-1], ".*")])
    head = [_glob_regex(p, "[^:]*") for p in parts[:5]]
    return ":".join([*head, _glob_regex(parts[5], ".*")])


@functools.lru_cache(maxsize=4096)
def arn_matcher(pattern: str) -> Matcher:
    """A matcher for a Resource (or ArnLike value): ``*`` alone matches every resource."""
    if pattern == "*":
        return lambda value: True
    if "*" not in pattern and "?" not in pattern:
        return pattern.replace(LITERAL, "").__eq__
    regex = re.compile(_arn_regex(pattern), re.DOTALL)
    return lambda value: regex.fullmatch(value) is not None


def any_arn_matcher(patterns: tuple[str, ...]) -> Matcher:
    if any(p == "*" for p in patterns):
        return lambda value: True
    if len(patterns) == 1:
        return arn_matcher(patterns[0])
    exact = frozenset(p for p in patterns if "*" not in p and "?" not in p)
    wild = tuple(p for p in patterns if p not in exact)
    if not wild:
        return exact.__contains__
    regex = re.compile("|".join(f"(?:{_arn_regex(p)})" for p in wild), re.DOTALL)
    return lambda value: value in exact or regex.fullmatch(value) is not None
