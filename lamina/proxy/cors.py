"""CORS as function URLs and HTTP APIs answer it from their ``Cors`` / ``CorsConfiguration``.

Preflight requests (OPTIONS with ``Origin`` and ``Access-Control-Request-Method``) are answered
here without running the function; other responses get the allow-origin, expose-headers and
credentials headers, replacing any the function set
(https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors,
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html).
Both configurations use the same members: AllowOrigins, AllowMethods, AllowHeaders,
ExposeHeaders, MaxAge, AllowCredentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lamina.protocol.http import HttpRequest, HttpResponse

_CORS_HEADERS = frozenset((
    "access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers",
    "access-control-expose-headers", "access-control-max-age", "access-control-allow-credentials"))


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    @classmethod
    def of(cls, config: dict[str, Any] | None) -> CorsPolicy | None:
        if not config:
            return None
        return cls(
            allow_origins=tuple(config.get("AllowOrigins") or ()),
            allow_methods=tuple(m.upper() for m in config.get("AllowMethods") or ()),
            allow_headers=tuple(h.lower() for h in config.get("AllowHeaders") or ()),
            expose_headers=tuple(config.get("ExposeHeaders") or ()),
            max_age=config.get("MaxAge"),
            allow_credentials=bool(config.get("AllowCredentials")),
        )

    def allowed_origin(self, origin: str | None) -> str | None:
        """The Access-Control-Allow-Origin value for ``origin``, None when it is not allowed."""
        if not origin:
            return None
        if "*" in self.allow_origins:
            # With credentials a browser refuses "*": the origin itself is echoed instead.
            return origin if self.allow_credentials else "*"
        lowered = origin.lower()
        for allowed in self.allow_origins:
            if allowed.lower() == lowered or _wildcard_match(allowed.lower(), lowered):
                return origin
        return None

    @staticmethod
    def is_preflight(request: HttpRequest) -> bool:
        return (request.method == "OPTIONS" and "origin" in request.headers
                and "access-control-request-method" in request.headers)

    def preflight(self, request: HttpRequest) -> HttpResponse:
        headers: list[tuple[str, str]] = []
        origin = self.allowed_origin(request.headers.get("origin"))
        method = request.headers.get("access-control-request-method", "").upper()
        if origin is not None and self._method_allowed(method):
            headers.append(("Access-Control-Allow-Origin", origin))
            headers.append(("Access-Control-Allow-Methods", ",".join(self.allow_methods) or method))
            requested = request.headers.get("access-control-request-headers", "")
            allowed_headers = self._headers_allowed(requested)
            if allowed_headers:
                headers.append(("Access-Control-Allow-Headers", allowed_headers))
            if self.max_age is not None:
                headers.append(("Access-Control-Max-Age", str(self.max_age)))
            if self.allow_credentials:
                headers.append(("Access-Control-Allow-Credentials", "true"))
            if self.expose_headers:
                headers.append(("Access-Control-Expose-Headers", ",".join(self.expose_headers)))
            headers.append(("Vary", "Origin"))
        return HttpResponse(204, headers, b"")

    def decorate(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """Set the CORS headers of an actual (not preflight) response."""
        origin = self.allowed_origin(request.headers.get("origin"))
        if origin is None:
            return response
        kept = [(k, v) for k, v in response.headers if k.lower() not in _CORS_HEADERS]
        kept.append(("Access-Control-Allow-Origin", origin))
        if self.expose_headers:
            kept.append(("Access-Control-Expose-Headers", ",".join(self.expose_headers)))
        if self.allow_credentials:
            kept.append(("Access-Control-Allow-Credentials", "true"))
        if origin != "*" and not any(k.lower() == "vary" for k, _ in kept):
            kept.append(("Vary", "Origin"))
        response.headers = kept
        return response

    def _method_allowed(self, method: str) -> bool:
        return not self.allow_methods or "*" in self.allow_methods or method in self.allow_methods

    def _headers_allowed(self, requested: str) -> str:
        names = [h.strip().lower() for h in requested.split(",") if h.strip()]
        if "*" in self.allow_headers:
            return ",".join(names) if names else ""
        allowed = [n for n in names if n in self.allow_headers]
        return ",".join(allowed or self.allow_headers)


def _wildcard_match(pattern: str, origin: str) -> bool:
    """Origins such as ``https://*.example.com``, which HTTP APIs accept."""
    if "*" not in pattern:
        return False
    head, _, tail = pattern.partition("*")
    return origin.startswith(head) and origin.endswith(tail) and len(origin) > len(head) + len(tail)
