"""The signing keys of JWT issuers: found through the issuer's OpenID discovery document
(``<issuer>/.well-known/openid-configuration`` → ``jwks_uri``) and kept for two hours, or fetched
again when a token names a key the set does not hold
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
from joserfc.jwk import KeySet

log = logging.getLogger("lamina.apigateway.jwks")
KEEP_S = 7200.0
REFETCH_GAP_S = 30.0  # an unknown key id refetches the set at most this often
FETCH_TIMEOUT_S = 5.0


class JwksUnavailable(Exception):
    pass


class JwksCache:
    def __init__(self) -> None:
        self._sets: dict[str, tuple[float, KeySet]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def keys(self, issuer: str, *, refresh: bool = False) -> KeySet:
        cached = self._sets.get(issuer)
        now = time.monotonic()
        if cached is not None and now - cached[0] < KEEP_S and not (refresh and now - cached[0] > REFETCH_GAP_S):
            return cached[1]
        async with self._locks.setdefault(issuer, asyncio.Lock()):
            cached = self._sets.get(issuer)
            if cached is not None and time.monotonic() - cached[0] < REFETCH_GAP_S:
                return cached[1]
            keyset = KeySet.import_key_set(await _fetch_jwks(issuer))
            self._sets[issuer] = (time.monotonic(), keyset)
            return keyset


async def _fetch_jwks(issuer: str) -> dict[str, Any]:
    discovery = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=FETCH_TIMEOUT_S) as client:
            document = (await client.get(discovery)).raise_for_status().json()
            jwks = (await client.get(document["jwks_uri"])).raise_for_status().json()
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        log.warning("could not read the signing keys of %s: %s", issuer, error)
        raise JwksUnavailable(str(error)) from None
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise JwksUnavailable(f"{issuer}: the JWKS document has no keys")
    return jwks
