"""AWS's access denied message: ``User: <arn> is not authorized to perform: <action> on resource:
<arn> because no identity-based policy allows the <action> action``.

The forms, by where the denial came from, are those of
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
(explicit denies say "with an explicit deny in ..."; a resource of ``*`` is not named).
"""

from __future__ import annotations

from lamina.iam.evaluation import BOUNDARY, IDENTITY, RESOURCE, SESSION, TRUST, Decision

_EXPLICIT = {
    IDENTITY: "with an explicit deny in an identity-based policy",
    RESOURCE: "with an explicit deny in a resource-based policy",
    BOUNDARY: "with an explicit deny in a permissions boundary",
    SESSION: "with an explicit deny in a sessions policy",  # sic, as AWS writes it
    TRUST: "with an explicit deny in the role trust policy",
}
_IMPLICIT = {
    IDENTITY: "because no identity-based policy allows the {action} action",
    RESOURCE: "because no resource-based policy allows the {action} action",
    BOUNDARY: "because no permissions boundary allows the {action} action",
    SESSION: "because no session policy allows the {action} action",
    TRUST: "because no role trust policy allows the {action} action",
}


def access_denied_message(principal_arn: str, action: str, resource: str, decision: Decision) -> str:
    on = "" if resource in ("*", "") else f" on resource: {resource}"
    table = _EXPLICIT if decision.explicit else _IMPLICIT
    reason = table.get(decision.source, table[IDENTITY]).format(action=action)
    return f"User: {principal_arn} is not authorized to perform: {action}{on} {reason}"
