"""STS (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html).

AssumeRole is decided by the STS provider itself: the role's trust policy is a
resource-based policy that must allow, besides the caller's own policies.
GetCallerIdentity needs no permission ("No permissions are required to perform
this operation", https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html),
nor does GetSessionToken for the user it is issued to.
"""

from __future__ import annotations

from lamina.iam.actions.table import Op, ServiceActions

SERVICE = "sts"

TABLE = ServiceActions(
    service=SERVICE,
    prefix="sts",
    operations={
        "AssumeRole": Op(unchecked=True),
        "GetCallerIdentity": Op(unchecked=True),
        "GetSessionToken": Op(unchecked=True),
    },
)
