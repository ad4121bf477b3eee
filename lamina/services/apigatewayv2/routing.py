"""Which route a request takes: route keys ``METHOD /path`` with ``{name}`` and a final ``{name+}``,
``ANY``, and ``$default``. The most specific match wins: literal segments before path variables
before the greedy variable, a method before ANY, ``$default`` last
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

DEFAULT_ROUTE = "$default"
_LITERAL, _VARIABLE, _GREEDY = 2, 1, 0


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: dict[str, Any]
    path_parameters: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Pattern:
    method: str  # "ANY" or a method
    segments: tuple[tuple[int, str], ...]  # (kind, literal text or variable name)
    route: dict[str, Any]


def valid_route_key(route_key: str) -> bool:
    if route_key == DEFAULT_ROUTE:
        return True
    method, _, path = route_key.partition(" ")
    if not method or not path.startswith("/"):
        return False
    segments = [s for s in path.split("/") if s]
    return all(not (s.startswith("{") and s.endswith("+}")) or i == len(segments) - 1
               for i, s in enumerate(segments))


def _parse(route: dict[str, Any]) -> _Pattern | None:
    route_key = route["RouteKey"]
    if route_key == DEFAULT_ROUTE:
        return None
    method, _, path = route_key.partition(" ")
    segments = []
    for text in [s for s in path.split("/") if s]:
        if text.startswith("{") and text.endswith("+}"):
            segments.append((_GREEDY, text[1:-2]))
        elif text.startswith("{") and text.endswith("}"):
            segments.append((_VARIABLE, text[1:-1]))
        else:
            segments.append((_LITERAL, text))
    return _Pattern(method.upper(), tuple(segments), route)


class Router:
    def __init__(self, routes: list[dict[str, Any]]) -> None:
        self.patterns = [p for p in (_parse(r) for r in routes) if p is not None]
        self.default = next((r for r in routes if r["RouteKey"] == DEFAULT_ROUTE), None)

    def match(self, method: str, raw_path: str) -> RouteMatch | None:
        segments = [s for s in raw_path.split("/") if s]
        best: tuple[tuple[int, ...], RouteMatch] | None = None
        for pattern in self.patterns:
            if pattern.method not in ("ANY", method):
                continue
            found = _match(pattern, segments)
            if found is None:
                continue
            rank = tuple(kind for kind, _ in pattern.segments) + (1 if pattern.method != "ANY" else 0,)
            if best is None or rank > best[0]:
                best = (rank, RouteMatch(pattern.route, found))
        if best is not None:
            return best[1]
        return RouteMatch(self.default, {}) if self.default is not None else None


def _match(pattern: _Pattern, segments: list[str]) -> dict[str, str] | None:
    parameters: dict[str, str] = {}
    for index, (kind, text) in enumerate(pattern.segments):
        if kind == _GREEDY:
            if index >= len(segments):
                return None  # {proxy+} needs at least one segment
            parameters[text] = unquote("/".join(segments[index:]))
            return parameters
        if index >= len(segments):
            return None
        if kind == _LITERAL:
            if segments[index] != text:
                return None
        else:
            parameters[text] = unquote(segments[index])
    return parameters if len(segments) == len(pattern.segments) else None
