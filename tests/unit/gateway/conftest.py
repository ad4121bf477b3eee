"""Shared pieces for the SigV4 tests: a fixed clock for botocore's signers, and
the conversion of a signed botocore request into the HttpRequest our server
would build from the same bytes on the wire."""

from __future__ import annotations

import datetime as dt
from typing import Callable
from urllib.parse import urlsplit

import botocore.auth
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.credentials import Credentials

from lamina.protocol.http import HttpRequest

SIGNED_AT = dt.datetime(2026, 3, 14, 15, 9, 26, tzinfo=dt.timezone.utc)
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEBYaDGV4YW1wbGV0b2tlbiIw+/=="


@pytest.fixture
def frozen_signing_clock(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """Make botocore's signers stamp every request with SIGNED_AT."""
    monkeypatch.setattr(botocore.auth, "get_current_datetime",
                        lambda remove_tzinfo=True: SIGNED_AT.replace(tzinfo=None))
    return SIGNED_AT


def _host_header(url: str) -> str:
    # What http.client/urllib3 send as Host: the netloc without userinfo or a default port.
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != {"http": 80, "https": 443}.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


def _as_text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    read = getattr(body, "read")
    return read()


def http_request_from(request: AWSRequest | AWSPreparedRequest) -> HttpRequest:
    """The HttpRequest a server builds from what this botocore request puts on the wire.

    Path and query are taken raw from the URL (still percent-encoded); header names
    lower-cased, values stripped of surrounding whitespace as HTTP parsers do, and
    repeated headers joined with ","; the body as the bytes sent.
    """
    prepared = request.prepare() if isinstance(request, AWSRequest) else request
    url = prepared.url
    parts = urlsplit(url)
    headers: dict[str, str] = {}
    # An AWSRequest keeps repeated headers (the prepared copy would keep only the last).
    source = request.headers if isinstance(request, AWSRequest) else prepared.headers
    for name, value in source.items():
        lname = name.lower()
        text = _as_text(value).strip()
        headers[lname] = f"{headers[lname]},{text}" if lname in headers else text
    for name, value in prepared.headers.items():
        headers.setdefault(name.lower(), _as_text(value).strip())
    headers.setdefault("host", _host_header(url))
    body = _body_bytes(prepared.body)
    if body and "content-length" not in headers and "transfer-encoding" not in headers:
        headers["content-length"] = str(len(body))
    return HttpRequest(method=prepared.method, path=parts.path or "/", query=parts.query, headers=headers,
                       body=body, scheme=parts.scheme)


@pytest.fixture
def wire() -> Callable[[AWSRequest | AWSPreparedRequest], HttpRequest]:
    return http_request_from


@pytest.fixture
def credentials() -> Credentials:
    return Credentials(ACCESS_KEY, SECRET)


@pytest.fixture
def session_credentials() -> Credentials:
    return Credentials(ACCESS_KEY, SECRET, SESSION_TOKEN)


@pytest.fixture
def secret() -> str:
    return SECRET
