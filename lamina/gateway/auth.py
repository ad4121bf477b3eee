"""Authentication: whose key signed the request, and is the signature right?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol as TypingProtocol

from lamina.gateway.sigv4 import Signature, SignatureProblem, verify
from lamina.iam.principal import Principal, root_principal
from lamina.protocol.http import HttpRequest


@dataclass(frozen=True, slots=True)
class KeyGrant:
    """A known access key: its secret and the principal it stands for."""

    secret: str
    principal: Principal
    session_token: str | None = None
    expires_at: dt.datetime | None = None
    active: bool = True


class KeyResolver(TypingProtocol):
    async def lookup(self, access_key_id: str) -> KeyGrant | None: ...


class RootKeyResolver:
    """The account root's key from the data dir."""

    def __init__(self, account_id: str, access_key_id: str, secret: str) -> None:
        self._grant = KeyGrant(secret, root_principal(account_id, access_key_id))
        self._key = access_key_id

    async def lookup(self, access_key_id: str) -> KeyGrant | None:
        return self._grant if access_key_id == self._key else None


class Authenticator:
    """Checks signatures against the keys the resolvers know (root first, then IAM's)."""

    def __init__(self, resolvers: list[KeyResolver], enforce: bool, account_id: str) -> None:
        self.resolvers = resolvers
        self.enforce = enforce
        self.account_id = account_id

    def add_resolver(self, resolver: KeyResolver) -> None:
        self.resolvers.append(resolver)

    async def _lookup(self, access_key_id: str) -> KeyGrant | None:
        for resolver in self.resolvers:
            grant = await resolver.lookup(access_key_id)
            if grant is not None:
                return grant
        return None

    async def authenticate(self, request: HttpRequest, sig: Signature | None) -> Principal:
        """The caller's principal; raises SignatureProblem (kind names the refusal)."""
        if sig is None:
            raise SignatureProblem("missing", "Missing Authentication Token")
        grant = await self._lookup(sig.access_key)
        if not self.enforce:
            # --auth off: any well-formed signature is accepted, as the root unless the key is known.
            return grant.principal if grant else root_principal(self.account_id, sig.access_key)
        if grant is None:
            raise SignatureProblem("unknown_key", "The security token included in the request is invalid.")
        if not grant.active:
            raise SignatureProblem("inactive_key", "The security token included in the request is invalid.")
        if grant.session_token is not None:
            if sig.session_token != grant.session_token:
                raise SignatureProblem("unknown_key", "The security token included in the request is invalid.")
            if grant.expires_at is not None and dt.datetime.now(dt.timezone.utc) >= grant.expires_at:
                raise SignatureProblem("expired_token", "The security token included in the request is expired")
        verify(request, sig, grant.secret)
        return grant.principal
