"""The request context: the condition keys a request carries, by lower-cased name.

Key names are case-insensitive
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html);
a value is a string, or a tuple of strings for multivalued keys such as
``aws:TagKeys``. The global keys lamina can know are filled in by
``principal_keys`` and ``request_keys``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Iterable, Mapping

from lamina.iam.principal import Principal

Value = str | tuple[str, ...]
Context = dict[str, Value]

_PRINCIPAL_TYPE = {"root": "Account", "user": "User", "assumed-role": "AssumedRole"}


def context_of(values: Mapping[str, object]) -> Context:
    """A context from keys as a caller writes them (any case); None values are left out."""
    out: Context = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            out[key.lower()] = tuple(_text(v) for v in value)
        else:
            out[key.lower()] = _text(value)
    return out


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@functools.lru_cache(maxsize=64)
def _iso_second(second: int) -> str:
    return dt.datetime.fromtimestamp(second, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso(when: float) -> str:
    """ISO 8601 to the second (requests in the same second share the text)."""
    return _iso_second(int(when))


def principal_keys(who: Principal) -> Context:
    """aws:Principal*, aws:userid, aws:username, tags and the temporary-credential keys."""
    keys: Context = {"aws:principalaccount": who.account_id}
    if who.kind == "service":
        keys["aws:principalisawsservice"] = "true"
        keys["aws:principalservicename"] = who.name
        return keys
    keys["aws:principalisawsservice"] = "false"
    keys["aws:principalarn"] = who.policy_arn
    if who.kind in _PRINCIPAL_TYPE:
        keys["aws:principaltype"] = _PRINCIPAL_TYPE[who.kind]
    if who.user_id:
        keys["aws:userid"] = who.user_id
    if who.kind == "user":
        keys["aws:username"] = who.name
    for tag, value in who.tags.items():
        keys["aws:principaltag/" + tag.lower()] = value
    if who.issued_at is not None:
        keys["aws:tokenissuetime"] = iso(who.issued_at)
        # Temporary credentials without MFA say so; long-term keys leave the key out.
        keys["aws:multifactorauthpresent"] = "false"
    if who.source_function_arn:
        keys["lambda:sourcefunctionarn"] = who.source_function_arn
    return keys


def request_keys(*, now: float, region: str, source_ip: str | None, secure: bool) -> Context:
    """aws:CurrentTime, aws:EpochTime, aws:RequestedRegion, aws:SourceIp, aws:SecureTransport.

    Requests in the same second from the same address share one (read-only) dict."""
    return _request_keys(int(now), region, source_ip, secure)


@functools.lru_cache(maxsize=256)
def _request_keys(now: int, region: str, source_ip: str | None, secure: bool) -> Context:
    keys: Context = {"aws:currenttime": iso(now), "aws:epochtime": str(now),
                     "aws:securetransport": "true" if secure else "false", "aws:viaawsservice": "false"}
    if region:
        keys["aws:requestedregion"] = region
    if source_ip:
        keys["aws:sourceip"] = source_ip
    return keys


def tag_keys(prefix: str, tags: Mapping[str, str] | Iterable[tuple[str, str]]) -> Context:
    """aws:ResourceTag/<k> or aws:RequestTag/<k> keys for a set of tags."""
    items = tags.items() if isinstance(tags, Mapping) else tags
    return {f"{prefix}/{key.lower()}": value for key, value in items}
