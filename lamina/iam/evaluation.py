"""AWS's policy evaluation logic: explicit deny wins, then an allow, else implicit deny.

Within one account (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
1. an applicable Deny in any policy (identity, resource, permissions boundary, session) denies;
2. the account root is allowed (identity policies do not bind it);
3. a resource-based policy that names the caller directly (its user or session ARN, a service,
   everyone) allows; one that names the caller's role allows within the session policies and the
   permissions boundary; one that names the account only delegates to the identity policies;
4. otherwise identity policies must allow, then the permissions boundary and the session policies.
Across accounts (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)
both the identity side and the resource-based policy must allow. Role trust policies must always
allow (``resource_required``), as must a service principal's grant in a resource policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from lamina.iam.context import Context
from lamina.iam.principal import Principal
from lamina.iam.principals import Grant
from lamina.iam.statement import CompiledPolicy, CompiledStatement, PolicySet, statements_for

# Where a decision came from, in the words of AWS's access denied messages
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
IDENTITY = "identity-based"
RESOURCE = "resource-based"
BOUNDARY = "permissions boundary"
SESSION = "session"
TRUST = "role trust"


@dataclass(frozen=True, slots=True)
class Request:
    principal: Principal
    action: str  # "lambda:InvokeFunction"
    resource: str  # an ARN, or "*"
    context: Context
    resource_account: str | None = None  # the account that owns the resource (None: the caller's)


@dataclass(slots=True)
class Policies:
    """The policies that apply to a request (session None: no session policy was passed)."""

    identity: Sequence[CompiledPolicy] | PolicySet = ()
    resource: CompiledPolicy | None = None
    session: Sequence[CompiledPolicy] | None = None
    boundary: CompiledPolicy | None = None
    resource_kind: str = RESOURCE  # TRUST for a role's trust policy


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    explicit: bool = False  # denied by a Deny statement
    source: str = ""  # where the denial came from (IDENTITY, RESOURCE, ...)

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def _denies(statements: tuple[CompiledStatement, ...], request: Request, check_principal: bool = False) -> bool:
    for statement in statements:
        if statement.allow:
            continue
        if check_principal and statement.grant(request.principal) is None:
            continue
        if statement.applies(request.resource, request.context):
            return True
    return False


def _allows(statements: tuple[CompiledStatement, ...], request: Request) -> bool:
    for statement in statements:
        if statement.allow and statement.applies(request.resource, request.context):
            return True
    return False


def _resource_grant(statements: tuple[CompiledStatement, ...], request: Request) -> Grant | None:
    """The strongest way an Allow in the resource-based policy names the caller."""
    best: Grant | None = None
    for statement in statements:
        if not statement.allow:
            continue
        grant = statement.grant(request.principal)
        if grant is None or (best is not None and _RANK[grant] <= _RANK[best]):
            continue
        if statement.applies(request.resource, request.context):
            best = grant
            if grant is Grant.DIRECT:
                break
    return best


_RANK = {Grant.ACCOUNT: 0, Grant.ROLE: 1, Grant.DIRECT: 2}
_NONE: tuple[CompiledStatement, ...] = ()


def evaluate(request: Request, policies: Policies, *, resource_required: bool = False) -> Decision:
    """Whether the request is allowed, and if not, why (for the AccessDenied message)."""
    who, action = request.principal, request.action
    identity = statements_for(policies.identity, action)
    resource = policies.resource.for_action(action) if policies.resource is not None else _NONE
    boundary = policies.boundary.for_action(action) if policies.boundary is not None else _NONE
    session = statements_for(policies.session, action) if policies.session is not None else _NONE
    # 1. Explicit denies, in every policy that applies.
    if _denies(identity, request):
        return Decision(False, True, IDENTITY)
    if _denies(resource, request, check_principal=True):
        return Decision(False, True, policies.resource_kind)
    if _denies(boundary, request):
        return Decision(False, True, BOUNDARY)
    if _denies(session, request):
        return Decision(False, True, SESSION)

    same_account = request.resource_account in (None, who.account_id)
    grant = _resource_grant(resource, request)
    if who.kind in ("service", "anonymous"):
        # A service, or an unauthenticated caller (a public function URL), has no identity policies:
        # only the resource owner's grant counts.
        return ALLOWED if grant is Grant.DIRECT else Decision(False, False, policies.resource_kind)
    if resource_required and grant is None:
        return Decision(False, False, policies.resource_kind)
    if who.is_root and same_account:
        return ALLOWED
    if same_account and grant is Grant.DIRECT:
        return ALLOWED
    session_allows = policies.session is None or _allows(session, request)
    boundary_allows = policies.boundary is None or _allows(boundary, request)
    if same_account and grant is Grant.ROLE and session_allows and boundary_allows:
        return ALLOWED

    # 4. The identity side.
    if not who.is_root and not _allows(identity, request):
        return Decision(False, False, IDENTITY)
    if not boundary_allows:
        return Decision(False, False, BOUNDARY)
    if not session_allows:
        return Decision(False, False, SESSION)
    if not same_account and grant is None:
        return Decision(False, False, policies.resource_kind)
    return ALLOWED
