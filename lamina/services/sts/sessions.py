"""Temporary credentials: issued by STS, kept in the store, resolved by the authenticator.

A session is a key pair, a session token and an expiry, and the principal it
stands for (a role session, or the user or root that called GetSessionToken)
with what was fixed when it was issued: session policies, session tags, the
function whose environment holds it. Expired sessions stay a day so that
their use is answered "expired" rather than "invalid", then are removed.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from lamina.gateway.auth import KeyGrant
from lamina.iam.principal import Principal
from lamina.services.iam import identifiers
from lamina.store import ANY, Store

TABLE = "sts:sessions"
KEEP_EXPIRED_SECONDS = 86_400
SWEEP_EVERY_SECONDS = 600.0
CACHED_GRANTS = 10_000


@dataclass(frozen=True, slots=True)
class Issued:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expires_at: float

    def credentials(self) -> dict[str, Any]:
        """STS's Credentials shape."""
        return {"AccessKeyId": self.access_key_id, "SecretAccessKey": self.secret_access_key,
                "SessionToken": self.session_token,
                "Expiration": dt.datetime.fromtimestamp(self.expires_at, dt.timezone.utc)}


def principal_of(record: dict[str, Any]) -> Principal:
    return Principal(arn=record["Arn"], account_id=record["Account"], kind=record["Kind"],
                     access_key_id=record["AccessKeyId"], user_id=record["UserId"], name=record["Name"],
                     session_token=record["SessionToken"], tags=record.get("Tags") or {},
                     role_arn=record.get("RoleArn") or "", issued_at=record["Issued"],
                     session_policies=tuple(record.get("Policies") or ()),
                     source_function_arn=record.get("SourceFunctionArn") or "")


class Sessions:
    def __init__(self, store: Store, duration_scale: float = 1.0) -> None:
        self.store = store
        self.duration_scale = duration_scale  # Settings.credential_duration_scale
        self._last_sweep = 0.0

    async def issue(self, *, kind: str, arn: str, account: str, user_id: str, name: str, duration: int,
                    role_arn: str = "", policies: list[str] | None = None, tags: dict[str, str] | None = None,
                    source_function_arn: str = "") -> Issued:
        now = time.time()
        issued = Issued(identifiers.access_key_id(identifiers.TEMPORARY_KEY), identifiers.secret_access_key(),
                        identifiers.session_token(), now + duration * self.duration_scale)
        await self.store.put(TABLE, issued.access_key_id, {
            "AccessKeyId": issued.access_key_id, "SecretAccessKey": issued.secret_access_key,
            "SessionToken": issued.session_token, "Expiration": issued.expires_at, "Issued": now,
            "Kind": kind, "Arn": arn, "Account": account, "UserId": user_id, "Name": name, "RoleArn": role_arn,
            "Policies": policies or [], "Tags": tags or {}, "SourceFunctionArn": source_function_arn})
        if now - self._last_sweep > SWEEP_EVERY_SECONDS:
            await self.sweep(now)
        return issued

    async def sweep(self, now: float | None = None) -> None:
        """Forget sessions that expired more than a day ago."""
        now = time.time() if now is None else now
        self._last_sweep = now
        for record in await self.store.scan(TABLE):
            if record.value["Expiration"] + KEEP_EXPIRED_SECONDS < now:
                await self.store.delete(TABLE, record.key, if_version=ANY)

    async def record(self, access_key_id: str) -> dict[str, Any] | None:
        found = await self.store.get(TABLE, access_key_id)
        return found.value if found else None


class SessionKeyResolver:
    """Temporary (ASIA...) keys for the authenticator: it checks the token and the expiry."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self._grants: dict[str, KeyGrant] = {}  # sessions never change once issued

    async def lookup(self, access_key_id: str) -> KeyGrant | None:
        if not access_key_id.startswith("ASIA"):
            return None
        grant = self._grants.get(access_key_id)
        if grant is not None:
            return grant
        record = await self.sessions.record(access_key_id)
        if record is None:
            return None
        grant = KeyGrant(record["SecretAccessKey"], principal_of(record), session_token=record["SessionToken"],
                         expires_at=dt.datetime.fromtimestamp(record["Expiration"], dt.timezone.utc))
        if len(self._grants) >= CACHED_GRANTS:
            self._grants.clear()
        self._grants[access_key_id] = grant
        return grant
