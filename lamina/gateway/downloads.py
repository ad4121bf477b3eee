"""Time-limited download URLs for stored files (e.g. GetFunction's ``Code.Location``).

Lambda hands out a presigned S3 URL valid for 10 minutes
(https://docs.aws.amazon.com/lambda/latest/api/API_FunctionCodeLocation.html);
lamina signs its own URL with a secret kept in the data dir. Services
register a resolver per kind of file; the URL names the kind and the file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs

from lamina.protocol.http import HttpRequest, HttpResponse

URL_LIFETIME_SECONDS = 600
Resolver = Callable[[str], "Path | bytes | None"]  # a file to send, or its bytes made on request


def load_or_create_secret(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(secret)
    return secret


class SignedDownloads:
    """Serves GET /_lamina/files/<kind>/<name>?Expires=..&Signature=.."""

    route = "files"

    def __init__(self, secret: bytes) -> None:
        self.secret = secret
        self.resolvers: dict[str, Resolver] = {}

    def register(self, kind: str, resolver: Resolver) -> None:
        self.resolvers[kind] = resolver

    def _signature(self, kind: str, name: str, expires: int) -> str:
        message = f"{kind}/{name}/{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def url(self, base_url: str, kind: str, name: str) -> str:
        expires = int(time.time()) + URL_LIFETIME_SECONDS
        return (f"{base_url}/_lamina/{self.route}/{kind}/{name}"
                f"?Expires={expires}&Signature={self._signature(kind, name, expires)}")

    async def serve(self, request: HttpRequest, rest: str) -> HttpResponse:
        kind, _, name = rest.partition("/")
        params = {k: v[0] for k, v in parse_qs(request.query).items()}
        try:
            expires = int(params.get("Expires", "0"))
        except ValueError:
            expires = 0
        if not hmac.compare_digest(self._signature(kind, name, expires), params.get("Signature", "")):
            return _error(403, "SignatureDoesNotMatch", "The request signature is not valid.")
        if time.time() > expires:
            return _error(403, "AccessDenied", "Request has expired")
        resolver = self.resolvers.get(kind)
        found = resolver(name) if resolver else None
        if isinstance(found, bytes):
            return HttpResponse(200, [("Content-Type", "application/zip")], found)
        if found is None or not found.exists():
            return _error(404, "NoSuchKey", "The specified key does not exist.")
        return HttpResponse(200, [("Content-Type", "application/zip")], found.read_bytes())


def _error(status: int, code: str, message: str) -> HttpResponse:
    # The body an expired or forged presigned S3 URL answers, so download tools report it alike.
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error>").encode()
    return HttpResponse(status, [("Content-Type", "application/xml")], body)
