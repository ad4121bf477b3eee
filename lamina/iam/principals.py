"""The ``Principal`` / ``NotPrincipal`` element: who a resource-based or trust policy speaks of.

What a match means decides how the grant combines with identity policies
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
an account (its ID or ``:root`` ARN) only delegates to that account's own
policies; a role ARN grants the role's sessions, within their session
policies; a user, a role session, a service or everyone (``*``) is granted
directly.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from lamina.iam.principal import Principal

_ACCOUNT = re.compile(r"^\d{12}$")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):(root|user/.+|role/.+)$")
_STS_ARN = re.compile(r"^arn:aws[a-z-]*:sts::(\d{12}):(assumed-role/[^/]+/.+|federated-user/.+)$")
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$")
_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")


class PrincipalProblem(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Grant(enum.Enum):
    """How a resource-based statement names the caller."""

    DIRECT = "direct"  # the user, the role session, a service, or everyone
    ROLE = "role"  # the role whose session is calling
    ACCOUNT = "account"  # the caller's account: delegation to its identity policies


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    everyone: bool = False
    accounts: frozenset[str] = frozenset()
    arns: frozenset[str] = frozenset()  # users and role sessions
    roles: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    others: frozenset[str] = frozenset()  # Federated / CanonicalUser: no such callers in lamina

    def match(self, who: Principal) -> Grant | None:
        if self.everyone:
            return Grant.DIRECT
        if who.kind == "service":
            return Grant.DIRECT if who.name in self.services else None
        if who.arn in self.arns:
            return Grant.DIRECT
        if who.role_arn and who.role_arn in self.roles:
            return Grant.ROLE
        if who.account_id in self.accounts:
            return Grant.ACCOUNT
        return None

    def names_every_layer(self, who: Principal) -> bool:
        """For ``NotPrincipal``: the caller is left out only when the element names it, its role (for a
        role session) and its account: "If the NotPrincipal element contained only Bob's ARN, the
        effect of the policy might be to explicitly deny access to the AWS account that contains the
        user Bob" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html)."""
        if self.everyone:
            return True
        if who.kind == "service":
            return who.name in self.services
        if who.account_id not in self.accounts:
            return False
        if who.kind == "root":
            return True
        if who.role_arn and who.role_arn not in self.roles:
            return False
        return who.arn in self.arns

    def local_entities(self, account: str) -> list[str]:
        """User and role ARNs of ``account`` named here (IAM checks they exist in trust policies)."""
        return sorted(a for a in self.arns | self.roles if a.split(":")[4] == account and ":iam::" in a)


def _invalid(kind: str, value: str) -> PrincipalProblem:
    return PrincipalProblem(f'Invalid principal in policy: "{kind}":"{value}"')


def read_principal(raw: object) -> PrincipalSpec:
    """The element as written: ``"*"`` or an object of AWS/Service/Federated/CanonicalUser values."""
    if raw == "*":
        return PrincipalSpec(everyone=True)
    if not isinstance(raw, dict) or not raw or any(k not in _KEYS for k in raw):
        raise PrincipalProblem("Syntax errors in policy.")
    everyone = False
    accounts: set[str] = set()
    arns: set[str] = set()
    roles: set[str] = set()
    services: set[str] = set()
    others: set[str] = set()
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            raise PrincipalProblem("Syntax errors in policy.")
        for item in values:
            if key == "AWS":
                if item == "*":
                    everyone = True
                elif _ACCOUNT.match(item):
                    accounts.add(item)
                elif found := _IAM_ARN.match(item):
                    if found[2] == "root":
                        accounts.add(found[1])
                    elif found[2].startswith("role/"):
                        roles.add(item)
                    else:
                        arns.add(item)
                elif _STS_ARN.match(item):
                    arns.add(item)
                else:
                    raise _invalid("AWS", item)
            elif key == "Service":
                if not _SERVICE.match(item):
                    raise _invalid("SERVICE", item)
                services.add(item)
            else:
                others.add(item)
    return PrincipalSpec(everyone, frozenset(accounts), frozenset(arns), frozenset(roles), frozenset(services),
                         frozenset(others))
