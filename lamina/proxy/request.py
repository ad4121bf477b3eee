"""The parts of an HTTP request that a Lambda proxy event carries, read once per request."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

from lamina.protocol.http import HttpRequest
from lamina.random_ids import random_uuid

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Bodies of these types reach the function as text; any other body is base64-encoded, as function
# URLs and HTTP APIs do (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads).
_TEXT_SUBTYPES = ("json", "javascript", "xml", "yaml", "graphql")


@dataclass(slots=True)
class ProxyRequest:
    method: str
    raw_path: str  # as received (still percent-encoded), without the stage or URL prefix
    raw_query: str
    headers: dict[str, str]  # lower-case names; repeated headers joined with ","
    header_lines: list[tuple[str, str]]
    body: bytes
    source_ip: str
    request_id: str = field(default_factory=random_uuid)
    received: float = field(default_factory=time.time)

    @classmethod
    def of(cls, request: HttpRequest, raw_path: str) -> ProxyRequest:
        lines = request.header_lines or list(request.headers.items())
        return cls(request.method, raw_path or "/", request.query, request.headers, lines, request.body,
                   _source_ip(request))

    @property
    def path(self) -> str:
        return unquote(self.raw_path)

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.raw_query, keep_blank_values=True)

    @property
    def cookies(self) -> list[str]:
        """Cookie headers split into ``name=value`` items (payload format 2.0's ``cookies``)."""
        found = []
        for name, value in self.header_lines:
            if name == "cookie":
                found += [part.strip() for part in value.split(";") if part.strip()]
        return found

    @property
    def time_epoch_ms(self) -> int:
        return int(self.received * 1000)

    @property
    def request_time(self) -> str:
        """``12/Mar/2020:19:03:58 +0000``, the form of ``requestContext.time``."""
        t = time.gmtime(self.received)
        return (f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:"
                f"{t.tm_sec:02d} +0000")


def _source_ip(request: HttpRequest) -> str:
    return request.client_ip or "127.0.0.1"


def is_text(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    if media.startswith("text/"):
        return True
    kind, _, subtype = media.partition("/")
    return kind == "application" and any(
        subtype == name or subtype.endswith("+" + name) for name in _TEXT_SUBTYPES)


def event_body(body: bytes, binary: bool) -> tuple[str | None, bool]:
    """(``body``, ``isBase64Encoded``) of an event; None when the request had no body."""
    if not body:
        return None, False
    if binary:
        return base64.b64encode(body).decode(), True
    return body.decode("utf-8", errors="replace"), False
