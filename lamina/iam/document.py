"""Reading a policy document as IAM does: the grammar, and IAM's refusals (MalformedPolicyDocument).

Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html.
The refusal messages are the ones IAM sends ("Policy statement must contain
resources.", "Has prohibited field Principal", "Syntax errors in policy.", ...),
as users meet them in the wild (e.g. https://github.com/aws/aws-cdk/issues/7615,
https://github.com/hashicorp/terraform/issues/34231).

A policy is read once into plain frozen records; ``lamina.iam.statement``
compiles them into matchers.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

import orjson

from lamina.iam.principals import PrincipalProblem, PrincipalSpec, read_principal

VERSIONS = ("2012-10-17", "2008-10-17")
CURRENT_VERSION = "2012-10-17"
_POLICY_FIELDS = {"Version", "Id", "Statement"}
_STATEMENT_FIELDS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal",
                     "NotPrincipal", "Condition"}
_VENDOR = re.compile(r"^[a-zA-Z0-9_.*?-]+$")
_SID = re.compile(r"^[0-9A-Za-z]*$")
# The actions a role trust policy may name (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html).
_TRUST_ACTIONS = re.compile(r"^sts:(\*|AssumeRole\*?|AssumeRoleWith(SAML|WebIdentity)|TagSession|SetSourceIdentity|"
                            r"SetContext)$", re.IGNORECASE)

SYNTAX = "Syntax errors in policy."
LEGACY = "The policy failed legacy parsing"


class PolicyProblem(ValueError):
    """A document IAM would refuse; the message is IAM's. Services raise their own error with it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PolicyKind(enum.Enum):
    __hash__ = object.__hash__  # members compare by identity; Enum's own hash is a Python call (compile_policy's cache key)

    IDENTITY = "identity"  # user, group, role, managed and session policies
    TRUST = "trust"  # a role's AssumeRolePolicyDocument
    RESOURCE = "resource"  # function, queue, topic, bus policies


@dataclass(frozen=True, slots=True)
class ConditionClause:
    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str  # as written, e.g. "aws:SourceArn" (matched case-insensitively)
    values: tuple[str, ...]  # booleans and numbers as IAM reads them: "true", "10"


@dataclass(frozen=True, slots=True)
class Statement:
    sid: str | None
    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None  # None: no Resource element (trust policies)
    not_resource: bool
    principal: PrincipalSpec | None
    not_principal: bool
    conditions: tuple[ConditionClause, ...]


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    version: str | None  # None when the document has no Version (2008 rules: no policy variables)
    id: str | None
    statements: tuple[Statement, ...]

    @property
    def variables_enabled(self) -> bool:
        return self.version == CURRENT_VERSION


def _strings(value: Any, problem: str = SYNTAX) -> tuple[str, ...]:
    """A string-or-list element as a tuple of strings."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PolicyProblem(problem)


def _condition_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return value
    raise PolicyProblem(SYNTAX)


def _check_action(action: str, kind: PolicyKind) -> None:
    if action == "*":
        return
    if action.count(":") > 1:
        raise PolicyProblem("Actions/Condition can contain only one colon.")
    vendor, sep, name = action.partition(":")
    if not sep or not vendor or not name:
        raise PolicyProblem("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
    if not _VENDOR.match(vendor):
        raise PolicyProblem(f"Vendor {vendor} is not valid")
    if kind is PolicyKind.TRUST and not _TRUST_ACTIONS.match(action):
        raise PolicyProblem("AssumeRole policy may only specify STS AssumeRole actions.")


def _check_resource(resource: str) -> None:
    if resource == "*":
        return
    parts = resource.split(":", 5)
    if parts[0] != "arn" or len(parts) < 3 or not parts[2]:
        raise PolicyProblem(f'Resource {resource} must be in ARN format or "*".')
    partition = parts[1]
    if partition not in ("aws", "aws-cn", "aws-us-gov", "*") and "*" not in partition and "$" not in partition:
        raise PolicyProblem(f'Partition "{partition}" is not valid for resource "{resource}".')
    if parts[2] == "iam" and len(parts) > 3 and parts[3] not in ("", "*"):
        raise PolicyProblem(f"IAM resource {resource} cannot contain region information.")


def _read_conditions(value: Any) -> tuple[ConditionClause, ...]:
    from lamina.iam.conditions import known_operator  # the operator table lives with the operators

    if not isinstance(value, dict):
        raise PolicyProblem(SYNTAX)
    clauses = []
    for operator, block in value.items():
        if not known_operator(operator):
            raise PolicyProblem(f"Invalid Condition type : {operator}.")
        if not isinstance(block, dict) or not block:
            raise PolicyProblem(SYNTAX)
        for key, values in block.items():
            if ":" not in key:
                raise PolicyProblem("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
            items = values if isinstance(values, list) else [values]
            if not items:
                raise PolicyProblem(SYNTAX)
            clauses.append(ConditionClause(operator, key, tuple(_condition_value(v) for v in items)))
    return tuple(clauses)


def _read_statement(raw: Any, kind: PolicyKind) -> Statement:
    if not isinstance(raw, dict):
        raise PolicyProblem(SYNTAX)
    unknown = set(raw) - _STATEMENT_FIELDS
    if unknown:
        raise PolicyProblem(SYNTAX)
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyProblem(SYNTAX)
    if sid and kind is not PolicyKind.RESOURCE and not _SID.match(sid):
        raise PolicyProblem("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
                            "regular expression [0-9A-Za-z]*")
    if "Effect" not in raw:
        raise PolicyProblem(SYNTAX)
    effect = raw["Effect"]
    if effect not in ("Allow", "Deny"):
        raise PolicyProblem(LEGACY)
    if "Action" in raw and "NotAction" in raw:
        raise PolicyProblem(SYNTAX)
    if "Action" not in raw and "NotAction" not in raw:
        raise PolicyProblem("Policy statement must contain actions.")
    not_action = "NotAction" in raw
    actions = _strings(raw["NotAction" if not_action else "Action"])
    for action in actions:
        _check_action(action, kind)
    if "Resource" in raw and "NotResource" in raw:
        raise PolicyProblem(SYNTAX)
    not_resource = "NotResource" in raw
    resources: tuple[str, ...] | None = None
    if "Resource" in raw or not_resource:
        if kind is PolicyKind.TRUST:
            raise PolicyProblem("Has prohibited field " + ("NotResource" if not_resource else "Resource"))
        resources = _strings(raw["NotResource" if not_resource else "Resource"])
        for resource in resources:
            _check_resource(resource)
    elif kind is not PolicyKind.TRUST:
        raise PolicyProblem("Policy statement must contain resources.")
    if "Principal" in raw and "NotPrincipal" in raw:
        raise PolicyProblem(SYNTAX)
    not_principal = "NotPrincipal" in raw
    principal = None
    if "Principal" in raw or not_principal:
        field = "NotPrincipal" if not_principal else "Principal"
        if kind is PolicyKind.IDENTITY:
            raise PolicyProblem(f"Has prohibited field {field}")
        try:
            principal = read_principal(raw[field])
        except PrincipalProblem as problem:
            raise PolicyProblem(problem.message) from None
    elif kind is PolicyKind.TRUST:
        raise PolicyProblem("Missing required field Principal")
    conditions = _read_conditions(raw["Condition"]) if "Condition" in raw else ()
    return Statement(sid, effect, actions, not_action, resources, not_resource, principal, not_principal,
                     conditions)


def parse_policy(text: str | bytes | dict[str, Any], kind: PolicyKind = PolicyKind.IDENTITY) -> PolicyDocument:
    """Read and check a policy document; raises PolicyProblem with IAM's message."""
    if isinstance(text, dict):
        raw: Any = text
    else:
        try:
            raw = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise PolicyProblem(SYNTAX) from None
    if not isinstance(raw, dict) or set(raw) - _POLICY_FIELDS:
        raise PolicyProblem(SYNTAX)
    version = raw.get("Version")
    if version is not None and version not in VERSIONS:
        raise PolicyProblem(SYNTAX)
    policy_id = raw.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise PolicyProblem(SYNTAX)
    body = raw.get("Statement")
    if isinstance(body, dict):
        body = [body]
    if not isinstance(body, list) or not body:
        raise PolicyProblem(SYNTAX)
    statements = tuple(_read_statement(item, kind) for item in body)
    if kind is not PolicyKind.RESOURCE:
        sids = [s.sid for s in statements if s.sid]
        if len(sids) != len(set(sids)):
            raise PolicyProblem("Statement IDs (SID) in a single policy must be unique.")
    return PolicyDocument(version, policy_id, statements)
