"""Signed requests built by hand (with botocore's signer), for what boto3 would never send."""

from __future__ import annotations

import datetime as dt
import http.client
import json
from dataclasses import dataclass

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def _sign_at(signer: SigV4Auth, request: AWSRequest, when: dt.datetime) -> None:
    """botocore's SigV4Auth.add_auth, with the signing time chosen by the test."""
    request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
    signer._modify_request_before_signing(request)
    string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
    signer._inject_signature_to_request(request, signer.signature(string_to_sign, request))


def send(endpoint: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
         *, service: str = "lambda", region: str = "us-east-1", key: str | None = None,
         secret: str | None = None, when: dt.datetime | None = None, sign: bool = True,
         sent_path: str | None = None, sent_body: bytes | None = None) -> RawResponse:
    """Sign (method, path, body) and send it; ``sent_path``/``sent_body`` tamper with what goes out."""
    request = AWSRequest(method=method, url=endpoint + path, data=body, headers=dict(headers or {}))
    if sign:
        signer = SigV4Auth(Credentials(key, secret), service, region)
        if when is None:
            signer.add_auth(request)
        else:
            _sign_at(signer, request, when)
    prepared = request.prepare()
    host = endpoint.split("://", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=60)
    try:
        target = sent_path if sent_path is not None else prepared.url.split(host, 1)[1]
        conn.request(method, target, body=body if sent_body is None else sent_body,
                     headers=dict(prepared.headers))
        response = conn.getresponse()
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()
