"""IAM: every action is named after its operation; the resource is the user, group, role, policy or
instance profile the request names (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).

IAM ARNs carry the entity's path (``arn:aws:iam::123456789012:role/service-role/name``); a request
that names an entity only by name gets its path from the IAM service when it is authorized.
"""

from __future__ import annotations

from lamina.iam.actions.table import Op, Params, ResourceRule, ServiceActions, Where, given_arn

SERVICE = "iam"


def _entity(kind: str, member: str) -> ResourceRule:
    def rule(params: Params, where: Where) -> str:
        path = params.get("Path") or "/"
        return f"arn:{where.partition}:iam::{where.account}:{kind}{path}{params[member]}"
    return rule


def _policy_arn_key(params: Params, where: Where) -> dict[str, object]:
    return {"iam:PolicyARN": params.get("PolicyArn")}


def _boundary_key(params: Params, where: Where) -> dict[str, object]:
    return {"iam:PermissionsBoundary": params.get("PermissionsBoundary")}


def _user_or_caller(params: Params, where: Where) -> str | None:
    """"If you do not specify a user name, IAM determines the user name implicitly based on the AWS
    access key ID signing the request" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html)."""
    if params.get("UserName"):
        return _entity("user", "UserName")(params, where)
    return where.caller if ":user/" in where.caller else None


_ATTACH = Op(keys=_policy_arn_key)
_SELF = Op(resource=_user_or_caller)

TABLE = ServiceActions(
    service=SERVICE,
    prefix="iam",
    # Order matters: AddUserToGroup acts on the group, AttachRolePolicy on the role,
    # AddRoleToInstanceProfile on the instance profile.
    resources=(("GroupName", _entity("group", "GroupName")),
               ("InstanceProfileName", _entity("instance-profile", "InstanceProfileName")),
               ("RoleName", _entity("role", "RoleName")),
               ("UserName", _entity("user", "UserName")),
               ("PolicyArn", given_arn("PolicyArn")),
               ("PolicyName", _entity("policy", "PolicyName")),
               ("ServerCertificateName", _entity("server-certificate", "ServerCertificateName")),
               ("OpenIDConnectProviderArn", given_arn("OpenIDConnectProviderArn")),
               ("SAMLProviderArn", given_arn("SAMLProviderArn")),
               ("PolicySourceArn", given_arn("PolicySourceArn"))),
    operations={
        "AttachUserPolicy": _ATTACH, "DetachUserPolicy": _ATTACH,
        "AttachGroupPolicy": _ATTACH, "DetachGroupPolicy": _ATTACH,
        "AttachRolePolicy": _ATTACH, "DetachRolePolicy": _ATTACH,
        "CreateUser": Op(keys=_boundary_key), "CreateRole": Op(keys=_boundary_key),
        "GetUser": _SELF, "CreateAccessKey": _SELF, "ListAccessKeys": _SELF, "UpdateAccessKey": _SELF,
        "DeleteAccessKey": _SELF, "ChangePassword": _SELF, "ListMFADevices": _SELF, "ListSSHPublicKeys": _SELF,
        "ListSigningCertificates": _SELF, "ListServiceSpecificCredentials": _SELF,
        "PutUserPermissionsBoundary": Op(keys=_boundary_key),
        "PutRolePermissionsBoundary": Op(keys=_boundary_key),
    },
)
