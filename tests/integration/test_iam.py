"""The IAM API through boto3 and the AWS CLI: users, groups, roles, access keys, inline and managed
policies, and IAM's refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lamina.iam.managed import aws_managed_policies
from tests.identities import allow, make_user, policy
from tests.lamina_server import LAMBDA_TRUST, REGION, LaminaServer

ACCOUNT = "000000000000"
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def test_user_lifecycle(server: LaminaServer) -> None:
    iam = server.client("iam")
    name = unique("alice")
    created = iam.create_user(UserName=name, Path="/team/", Tags=[{"Key": "team", "Value": "blue"}])["User"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/team/{name}"
    assert created["UserId"].startswith("AIDA") and len(created["UserId"]) == 21
    fetched = iam.get_user(UserName=name)["User"]
    assert fetched["UserId"] == created["UserId"] and fetched["Tags"] == [{"Key": "team", "Value": "blue"}]
    assert name in [u["UserName"] for u in iam.list_users(PathPrefix="/team/")["Users"]]
    assert name not in [u["UserName"] for u in iam.list_users(PathPrefix="/other/")["Users"]]
    with pytest.raises(ClientError) as exists:
        iam.create_user(UserName=name.upper())  # names are unique regardless of case
    assert error_of(exists) == ("EntityAlreadyExists", f"User with name {name.upper()} already exists.")
    iam.delete_user(UserName=name)
    with pytest.raises(ClientError) as gone:
        iam.get_user(UserName=name)
    assert error_of(gone) == ("NoSuchEntity", f"The user with name {name} cannot be found.")
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_delete_user_refuses_while_things_remain(server: LaminaServer) -> None:
    iam = server.client("iam")
    name, group = unique("bob"), unique("devs")
    iam.create_user(UserName=name)
    iam.create_group(GroupName=group)
    key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(allow("s3:*")))
    iam.attach_user_policy(UserName=name, PolicyArn=BASIC)
    iam.add_user_to_group(UserName=name, GroupName=group)
    for message, undo in [
        ("Cannot delete entity, must delete access keys first.",
         lambda: iam.delete_access_key(UserName=name, AccessKeyId=key)),
        ("Cannot delete entity, must delete policies first.", lambda: iam.delete_user_policy(UserName=name, PolicyName="p")),
        ("Cannot delete entity, must detach all policies first.",
         lambda: iam.detach_user_policy(UserName=name, PolicyArn=BASIC)),
        ("Cannot delete entity, must remove user from all groups first.",
         lambda: iam.remove_user_from_group(UserName=name, GroupName=group)),
    ]:
        with pytest.raises(ClientError) as conflict:
            iam.delete_user(UserName=name)
        assert error_of(conflict) == ("DeleteConflict", message)
        undo()
    iam.delete_user(UserName=name)
    iam.delete_group(GroupName=group)


def test_groups_and_membership(server: LaminaServer) -> None:
    iam = server.client("iam")
    group, users = unique("ops"), [unique("u1"), unique("u2")]
    iam.create_group(GroupName=group)
    for user in users:
        iam.create_user(UserName=user)
        iam.add_user_to_group(GroupName=group, UserName=user)
    iam.add_user_to_group(GroupName=group, UserName=users[0])  # already a member: no change
    assert sorted(u["UserName"] for u in iam.get_group(GroupName=group)["Users"]) == sorted(users)
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=users[0])["Groups"]] == [group]
    with pytest.raises(ClientError) as busy:
        iam.delete_group(GroupName=group)
    assert error_of(busy) == ("DeleteConflict", "Cannot delete entity, must remove users from group first.")
    for user in users:
        iam.remove_user_from_group(GroupName=group, UserName=user)
    iam.delete_group(GroupName=group)


def test_access_keys(server: LaminaServer) -> None:
    iam = server.client("iam")
    name = unique("keys")
    iam.create_user(UserName=name)
    first = iam.create_access_key(UserName=name)["AccessKey"]
    assert first["AccessKeyId"].startswith("AKIA") and len(first["AccessKeyId"]) == 20
    assert len(first["SecretAccessKey"]) == 40 and first["Status"] == "Active"
    iam.create_access_key(UserName=name)
    with pytest.raises(ClientError) as limit:
        iam.create_access_key(UserName=name)
    assert error_of(limit) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
    listed = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    assert first["AccessKeyId"] in [k["AccessKeyId"] for k in listed] and "SecretAccessKey" not in listed[0]
    with pytest.raises(ClientError) as missing:
        iam.delete_access_key(UserName=name, AccessKeyId="AKIAAAAAAAAAAAAAAAAA")
    assert error_of(missing) == ("NoSuchEntity", "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found")


def test_inactive_keys_are_refused_until_active_again(server: LaminaServer) -> None:
    iam = server.client("iam")
    user = make_user(server)
    name = user.arn.rsplit("/", 1)[1]
    sts = user.client("sts")
    assert sts.get_caller_identity()["Arn"] == user.arn
    iam.update_access_key(UserName=name, AccessKeyId=user.access_key_id, Status="Inactive")
    with pytest.raises(ClientError) as refused:
        sts.get_caller_identity()
    assert error_of(refused) == ("InvalidClientTokenId", "The security token included in the request is invalid.")
    with pytest.raises(ClientError) as refused_json:
        user.client("lambda").list_functions()
    assert error_of(refused_json)[0] == "UnrecognizedClientException"
    iam.update_access_key(UserName=name, AccessKeyId=user.access_key_id, Status="Active")
    assert sts.get_caller_identity()["Arn"] == user.arn


def test_a_user_manages_their_own_keys_without_naming_themselves(server: LaminaServer) -> None:
    user = make_user(server, policy(allow("iam:*AccessKey*", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}")))
    own = user.client("iam")
    listed = own.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [user.access_key_id]
    with pytest.raises(ClientError) as other:
        own.list_access_keys(UserName="someone-else")
    assert error_of(other)[0] == "AccessDenied"


def test_inline_policies_round_trip_url_encoded(server: LaminaServer) -> None:
    iam = server.client("iam")
    role = unique("inline")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=LAMBDA_TRUST)
    document = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Percent", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/100%/*"}]}
    iam.put_role_policy(RoleName=role, PolicyName="p1", PolicyDocument=json.dumps(document))
    raw: dict[str, str] = {}
    iam.meta.events.register("after-call.iam.GetRolePolicy",
                             lambda http_response, **_: raw.update(body=http_response.text))
    got = iam.get_role_policy(RoleName=role, PolicyName="p1")
    assert got["PolicyDocument"] == document  # botocore decodes IAM's URL-encoded documents
    assert "%7B%22Version%22" in raw["body"] and "100%25" in raw["body"]
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["p1"]
    iam.delete_role_policy(RoleName=role, PolicyName="p1")
    with pytest.raises(ClientError) as gone:
        iam.get_role_policy(RoleName=role, PolicyName="p1")
    assert error_of(gone) == ("NoSuchEntity", "The role policy with name p1 cannot be found.")


@pytest.mark.parametrize("document, message", [
    ("{not json", "Syntax errors in policy."),
    (policy({"Effect": "Allow", "Action": "s3:GetObject"}), "Policy statement must contain resources."),
    (policy({"Effect": "Allow", "Resource": "*"}), "Policy statement must contain actions."),
    (policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}), "Has prohibited field Principal"),
    (policy({"Effect": "Allow", "Action": "s3", "Resource": "*"}),
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    (policy({"Effect": "Allow", "Action": "s3:a:b", "Resource": "*"}), "Actions/Condition can contain only one colon."),
    (policy({"Effect": "Allow", "Action": "s3:*", "Resource": "bucket"}), 'Resource bucket must be in ARN format or "*".'),
    (policy({"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam:us-east-1:000000000000:user/x"}),
     "IAM resource arn:aws:iam:us-east-1:000000000000:user/x cannot contain region information."),
    (policy({"Sid": "a-b", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
     "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"),
    (policy({"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}),
     "Statement IDs (SID) in a single policy must be unique."),
    (policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEqual": {"aws:x": "y"}}}),
     "Invalid Condition type : StringEqual."),
], ids=["not-json", "no-resource", "no-action", "principal", "no-vendor", "two-colons", "not-arn", "iam-region",
        "sid", "duplicate-sid", "condition-type"])
def test_malformed_policy_documents(server: LaminaServer, document: str, message: str) -> None:
    iam = server.client("iam")
    with pytest.raises(ClientError) as refused:
        iam.create_policy(PolicyName=unique("bad"), PolicyDocument=document)
    assert error_of(refused) == ("MalformedPolicyDocument", message)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_inline_policy_size_quota(server: LaminaServer) -> None:
    iam = server.client("iam")
    name = unique("big")
    iam.create_user(UserName=name)
    big = policy(*[allow(f"s3:Get{i:04d}Object", f"arn:aws:s3:::bucket-{i:04d}/*") for i in range(40)])
    with pytest.raises(ClientError) as refused:
        iam.put_user_policy(UserName=name, PolicyName="big", PolicyDocument=big)
    assert error_of(refused) == ("LimitExceeded", f"Maximum policy size of 2048 bytes exceeded for user {name}")


def test_roles_and_trust_policies(server: LaminaServer) -> None:
    iam = server.client("iam")
    name = unique("role")
    created = iam.create_role(RoleName=name, Path="/service-role/", AssumeRolePolicyDocument=LAMBDA_TRUST,
                              Description="runs things", MaxSessionDuration=7200)["Role"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/service-role/{name}"
    assert created["RoleId"].startswith("AROA") and created["MaxSessionDuration"] == 7200
    assert created["AssumeRolePolicyDocument"] == json.loads(LAMBDA_TRUST)
    fetched = iam.get_role(RoleName=name)["Role"]
    assert fetched["Description"] == "runs things" and fetched["RoleLastUsed"] == {}
    with pytest.raises(ClientError) as resource:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=policy(
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
             "Resource": "*"}))
    assert error_of(resource) == ("MalformedPolicyDocument", "Has prohibited field Resource")
    with pytest.raises(ClientError) as nobody:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=policy(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/nobody-here"},
             "Action": "sts:AssumeRole"}))
    assert error_of(nobody) == ("MalformedPolicyDocument",
                                f'Invalid principal in policy: "AWS":"arn:aws:iam::{ACCOUNT}:user/nobody-here"')
    with pytest.raises(ClientError) as action:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=policy(
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "s3:GetObject"}))
    assert error_of(action) == ("MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions.")
    iam.attach_role_policy(RoleName=name, PolicyArn=BASIC)
    with pytest.raises(ClientError) as conflict:
        iam.delete_role(RoleName=name)
    assert error_of(conflict) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.")
    iam.detach_role_policy(RoleName=name, PolicyArn=BASIC)
    iam.delete_role(RoleName=name)


def test_aws_managed_policies_have_their_real_documents(server: LaminaServer) -> None:
    iam = server.client("iam")
    listed = {p["PolicyName"]: p for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]}
    for name in ("AWSLambdaBasicExecutionRole", "AWSLambdaSQSQueueExecutionRole", "AWSLambdaDynamoDBExecutionRole",
                 "AWSLambdaRole", "AmazonSQSFullAccess", "AmazonDynamoDBFullAccess", "AmazonS3FullAccess",
                 "AmazonS3ReadOnlyAccess", "CloudWatchLogsFullAccess", "AdministratorAccess", "ReadOnlyAccess"):
        assert name in listed
    basic = iam.get_policy(PolicyArn=BASIC)["Policy"]
    assert basic["Path"] == "/service-role/" and basic["DefaultVersionId"] == "v1"
    version = iam.get_policy_version(PolicyArn=BASIC, VersionId="v1")["PolicyVersion"]
    # https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html
    assert version["Document"] == {"Version": "2012-10-17", "Statement": [
        {"Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*",
         "Effect": "Allow"}]}
    read_only = aws_managed_policies()["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    got = iam.get_policy_version(PolicyArn=read_only.arn, VersionId=read_only.version_id)["PolicyVersion"]
    assert got["Document"] == json.loads(read_only.document)


def test_customer_managed_policy_versions(server: LaminaServer) -> None:
    iam = server.client("iam")
    arn = iam.create_policy(PolicyName=unique("mp"), Path="/app/", Description="d",
                            PolicyDocument=policy(allow("s3:GetObject")))["Policy"]["Arn"]
    assert ":policy/app/" in arn
    for number in range(2, 6):
        created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=policy(allow(f"s3:Get{number}")),
                                            SetAsDefault=number == 3)["PolicyVersion"]
        assert created["VersionId"] == f"v{number}"
    with pytest.raises(ClientError) as limit:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=policy(allow("s3:x")))
    assert error_of(limit)[0] == "LimitExceeded"
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["DefaultVersionId"] == "v3" and got["Description"] == "d"
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v3")["PolicyVersion"]["Document"]["Statement"][0][
        "Action"] == "s3:Get3"
    with pytest.raises(ClientError) as default:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert error_of(default) == ("DeleteConflict", "Cannot delete the default version of a policy.")
    user = unique("holder")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    assert iam.list_entities_for_policy(PolicyArn=arn)["PolicyUsers"][0]["UserName"] == user
    with pytest.raises(ClientError) as attached:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(attached) == ("DeleteConflict", "Cannot delete a policy attached to entities.")
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    for version in ("v1", "v2", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as gone:
        iam.get_policy(PolicyArn=arn)
    assert error_of(gone) == ("NoSuchEntity", f"Policy {arn} was not found.")


def test_attaching_unknown_policies_and_quota(server: LaminaServer) -> None:
    iam = server.client("iam")
    role = unique("quota")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=LAMBDA_TRUST)
    with pytest.raises(ClientError) as unknown:
        iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")
    assert error_of(unknown) == (
        "NoSuchEntity", "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.")
    managed = sorted(aws_managed_policies())[:11]
    for arn in managed[:10]:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    with pytest.raises(ClientError) as quota:
        iam.attach_role_policy(RoleName=role, PolicyArn=managed[10])
    assert error_of(quota) == ("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10")
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == managed[:10]


def test_simulate_principal_policy(server: LaminaServer) -> None:
    iam = server.client("iam")
    user = make_user(server, policy(allow("s3:GetObject", "arn:aws:s3:::b/*"), {
        "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret/*"}))
    results = iam.simulate_principal_policy(
        PolicySourceArn=user.arn, ActionNames=["s3:GetObject", "s3:PutObject"],
        ResourceArns=["arn:aws:s3:::b/public/x", "arn:aws:s3:::b/secret/x"])["EvaluationResults"]
    decisions = {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results}
    assert decisions == {("s3:GetObject", "arn:aws:s3:::b/public/x"): "allowed",
                         ("s3:GetObject", "arn:aws:s3:::b/secret/x"): "explicitDeny",
                         ("s3:PutObject", "arn:aws:s3:::b/public/x"): "implicitDeny",
                         ("s3:PutObject", "arn:aws:s3:::b/secret/x"): "implicitDeny"}


def test_aws_cli_speaks_iam(server: LaminaServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    name = unique("cli-user")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(server.env())
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    script = (f"aws iam create-user --user-name {name} > /dev/null && "
              f"aws iam attach-user-policy --user-name {name} --policy-arn {BASIC} && "
              f"aws iam list-attached-user-policies --user-name {name}")
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["AttachedPolicies"] == [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC}]


def test_session_credentials_from_get_session_token_cannot_call_iam(server: LaminaServer) -> None:
    user = make_user(server, managed=("arn:aws:iam::aws:policy/IAMReadOnlyAccess",))
    credentials = user.client("sts").get_session_token()["Credentials"]
    session = boto3.client("iam", endpoint_url=server.endpoint, region_name=REGION,
                           aws_access_key_id=credentials["AccessKeyId"],
                           aws_secret_access_key=credentials["SecretAccessKey"],
                           aws_session_token=credentials["SessionToken"], config=Config(retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as refused:
        session.list_users()
    assert error_of(refused)[0] == "InvalidClientTokenId"
    assert user.client("iam").list_users()["Users"]
