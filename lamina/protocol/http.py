"""Plain HTTP request and response records at the protocol boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import AsyncIterator
from urllib.parse import parse_qsl


@dataclass(slots=True)
class HttpRequest:
    method: str
    path: str  # raw, still percent-encoded, without the query string
    query: str  # raw query string
    headers: dict[str, str]  # lower-case names; repeated headers joined by ","
    body: bytes = b""
    client_ip: str = ""
    scheme: str = "http"
    oversize: bool = False  # the body was over the server's limit and was not read
    # Every header line as received, in order (lower-case names): for the proxy events that keep
    # repeated headers apart (API Gateway's multiValueHeaders).
    header_lines: list[tuple[str, str]] = field(default_factory=list)
    _query_params: list[tuple[str, str]] | None = field(default=None, repr=False)

    @property
    def query_params(self) -> list[tuple[str, str]]:
        if self._query_params is None:
            self._query_params = parse_qsl(self.query, keep_blank_values=True)
        return self._query_params

    def query_dict(self) -> dict[str, str]:
        return dict(self.query_params)

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass(slots=True)
class HttpResponse:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    # A streaming body replaces ``body`` when set (event streams, function URLs).
    stream: AsyncIterator[bytes] | None = None

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for k, v in self.headers:
            if k.lower() == lname:
                return v
        return None
