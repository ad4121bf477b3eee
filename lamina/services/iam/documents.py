"""Policy documents as the IAM API takes and returns them.

Documents are checked with the policy grammar (MalformedPolicyDocument) and
against IAM's size quotas, counted without white space
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length):
inline policies 2,048 characters for a user, 5,120 for a group, 10,240 for a
role; managed policies 6,144; role trust policies 2,048. They are kept as
sent and returned URL-encoded (RFC 3986), as IAM returns them
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html: "The policy document
returned in this structure is URL-encoded compliant with RFC 3986").
"""

from __future__ import annotations

from urllib.parse import quote

from lamina.iam.document import PolicyDocument, PolicyKind, PolicyProblem, parse_policy
from lamina.services.iam.errors import LimitExceededException, MalformedPolicyDocumentException

INLINE_LIMITS = {"user": 2048, "group": 5120, "role": 10240}
MANAGED_LIMIT = 6144
TRUST_LIMIT = 2048


def size(text: str) -> int:
    return sum(1 for char in text if not char.isspace())


def checked(text: str, kind: PolicyKind = PolicyKind.IDENTITY) -> PolicyDocument:
    try:
        return parse_policy(text, kind)
    except PolicyProblem as problem:
        raise MalformedPolicyDocumentException(problem.message) from None


def check_inline(text: str, entity: str, name: str) -> PolicyDocument:
    limit = INLINE_LIMITS[entity]
    if size(text) > limit:
        raise LimitExceededException(f"Maximum policy size of {limit} bytes exceeded for {entity} {name}")
    return checked(text)


def check_managed(text: str) -> PolicyDocument:
    if size(text) > MANAGED_LIMIT:
        raise LimitExceededException(f"Cannot exceed quota for PolicySize: {MANAGED_LIMIT}")
    return checked(text)


def check_trust(text: str) -> PolicyDocument:
    if size(text) > TRUST_LIMIT:
        raise LimitExceededException(f"Cannot exceed quota for ACLSizePerRole: {TRUST_LIMIT}")
    return checked(text, PolicyKind.TRUST)


def encoded(text: str) -> str:
    return quote(text, safe="-_.!~*'()")
