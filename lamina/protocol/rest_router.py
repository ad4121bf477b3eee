"""Finding the operation of a REST request from the model's URI templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from botocore.model import OperationModel, ServiceModel

_LABEL = re.compile(r"\{([^}]+?)(\+?)\}")


@dataclass(slots=True)
class _Route:
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    query_literals: tuple[tuple[str, str | None], ...]
    labels: tuple[str, ...]
    weight: tuple[int, ...]
    # Required members bound to the query string or headers, checked only when another
    # operation shares this route: S3 tells UploadPart from PutObject by ?uploadId, and
    # CopyObject by x-amz-copy-source, on the same PUT /{Bucket}/{Key+}.
    required: tuple[tuple[str, str], ...]
    contested: bool = False


class RestRouter:
    """Matches (method, raw path, query) against every operation's ``requestUri``."""

    def __init__(self, service: ServiceModel) -> None:
        routes: list[_Route] = []
        self._literal_keys: dict[str, frozenset[str]] = {}
        for name in service.operation_names:
            op = service.operation_model(name)
            uri = op.http.get("requestUri", "/")
            path, _, query = uri.partition("?")
            literals = tuple(
                (k, v if v or "=" in part else None)
                for part in query.split("&") if part
                for k, v in [tuple(part.split("=", 1)) if "=" in part else (part, "")]
            )
            self._literal_keys[name] = frozenset(k for k, _ in literals)
            regex, literal_chars = self._compile(path)
            labels = tuple(m.group(1) for m in _LABEL.finditer(path))
            greedy = 1 if "+}" in path else 0
            required = self._required_located(op)
            routes.append(_Route(op, op.http.get("method", "POST"), regex, literals, labels,
                                 (len(literals), -greedy, literal_chars, len(required), not op.deprecated),
                                 required))
        shared: dict[tuple[str, str, tuple[tuple[str, str | None], ...]], int] = {}
        for route in routes:
            key = (route.method, route.pattern.pattern, route.query_literals)
            shared[key] = shared.get(key, 0) + 1
        for route in routes:
            route.contested = shared[(route.method, route.pattern.pattern, route.query_literals)] > 1
        # Most specific first: more query literals, no greedy label, longer literal text, more
        # required query/header members, current operations before deprecated ones.
        routes.sort(key=lambda r: r.weight, reverse=True)
        self._by_method: dict[str, list[_Route]] = {}
        for route in routes:
            self._by_method.setdefault(route.method, []).append(route)
        # (method, raw path) -> index of the first route whose pattern matches the path: the routes before it
        # cannot match whatever the query and headers, so a path seen again skips their regular expressions.
        self._first: dict[tuple[str, str], int] = {}

    @staticmethod
    def _required_located(op: OperationModel) -> tuple[tuple[str, str], ...]:
        shape = op.input_shape
        if shape is None:
            return ()
        found = []
        for name in shape.required_members:
            member = shape.members[name]
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "querystring" and member.type_name != "map":
                found.append(("query", wire))
            elif location == "header":
                found.append(("header", wire.lower()))
        return tuple(found)

    @staticmethod
    def _compile(path: str) -> tuple[re.Pattern[str], int]:
        out, pos, literal_chars = [], 0, 0
        for match in _LABEL.finditer(path):
            literal = path[pos:match.start()]
            out.append(re.escape(literal))
            literal_chars += len(literal)
            out.append("(.+)" if match.group(2) else "([^/]+)")
            pos = match.end()
        tail = path[pos:]
        literal_chars += len(tail)
        out.append(re.escape(tail.rstrip("/")))
        return re.compile("^" + "".join(out) + "/?$"), literal_chars

    def match(self, method: str, raw_path: str, query: str, headers: dict[str, str] | None = None
              ) -> tuple[OperationModel, dict[str, str]] | None:
        method = method.upper()
        routes = self._by_method.get(method)
        if not routes:
            return None
        start = self._first.get((method, raw_path))
        if start is None:
            start = next((i for i, route in enumerate(routes) if route.pattern.match(raw_path)), len(routes))
            if len(self._first) >= 4096:
                self._first.clear()
            self._first[(method, raw_path)] = start
        query_params: dict[str, str] | None = None
        for route in routes[start:]:
            found = route.pattern.match(raw_path)
            if found is None:
                continue
            if route.query_literals or route.contested and route.required:
                if query_params is None:
                    query_params = dict(parse_qsl(query, keep_blank_values=True))
                if not all(k in query_params and (v is None or v == "" or query_params[k] == v)
                           for k, v in route.query_literals):
                    continue
                if route.contested and not all(
                        key in query_params if where == "query" else headers is None or key in headers
                        for where, key in route.required):
                    continue
            labels = {k: unquote(v) for k, v in zip(route.labels, found.groups())}
            return route.operation, labels
        return None

    def literal_query_keys(self, operation: OperationModel) -> frozenset[str]:
        """Query keys fixed by the operation's ``requestUri`` (``/restapis?mode=import``): not input."""
        return self._literal_keys.get(operation.name, frozenset())

    def methods_for(self, raw_path: str) -> set[str]:
        return {m for m, routes in self._by_method.items() if any(r.pattern.match(raw_path) for r in routes)}
