"""IAM's unique identifiers and access keys, in AWS's formats.

Unique IDs are a four-letter prefix naming the kind of entity and 17
upper-case letters and digits (AIDA... users, AROA... roles, AGPA... groups,
ANPA... managed policies); access key IDs are AKIA... (long-term) or ASIA...
(temporary) with 16 more characters; secrets are 40 characters
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
"""

from __future__ import annotations

import base64
import secrets
import string

_ALPHABET = string.ascii_uppercase + "234567"
_SECRET = string.ascii_letters + string.digits + "+/"

USER, ROLE, GROUP, POLICY = "AIDA", "AROA", "AGPA", "ANPA"
LONG_TERM_KEY, TEMPORARY_KEY = "AKIA", "ASIA"


def unique_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(17))


def access_key_id(prefix: str = LONG_TERM_KEY) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(16))


def secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET) for _ in range(40))


def session_token() -> str:
    """An opaque token, as long as AWS's (a few hundred base64 characters)."""
    return base64.b64encode(secrets.token_bytes(264)).decode()
