"""STS through boto3: GetCallerIdentity, AssumeRole (trust policy, session policies, duration,
ExternalId), GetSessionToken, and temporary credentials that expire."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.identities import allow, from_credentials, make_user, policy
from tests.lamina_server import LaminaServer

ACCOUNT = "000000000000"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def trust(principal: dict, **condition: dict) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def make_role(server: LaminaServer, trust_policy: str, *inline: str, **options) -> str:  # type: ignore[no-untyped-def]
    iam = server.client("iam")
    name = unique("role")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy, **options)["Role"]["Arn"]
    for index, document in enumerate(inline):
        iam.put_role_policy(RoleName=name, PolicyName=f"p{index}", PolicyDocument=document)
    return arn


def test_caller_identity_of_root_user_and_role(server: LaminaServer) -> None:
    assert server.client("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    user = make_user(server)
    me = user.client("sts").get_caller_identity()
    assert me["Arn"] == user.arn and me["UserId"].startswith("AIDA") and me["Account"] == ACCOUNT
    role = make_role(server, trust({"AWS": user.arn}))
    assumed = user.client("sts").assume_role(RoleArn=role, RoleSessionName="alpha")
    session = from_credentials(server, assumed["Credentials"])
    identity = session.client("sts").get_caller_identity()
    role_name = role.rsplit("/", 1)[1]
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/alpha" == assumed["AssumedRoleUser"]["Arn"]
    assert identity["UserId"] == assumed["AssumedRoleUser"]["AssumedRoleId"]
    assert identity["UserId"].startswith("AROA") and identity["UserId"].endswith(":alpha")
    credentials = assumed["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and credentials["SessionToken"]
    remaining = credentials["Expiration"] - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(minutes=59) < remaining <= dt.timedelta(hours=1)


def test_trust_policy_decides_who_may_assume(server: LaminaServer) -> None:
    trusted, stranger = make_user(server), make_user(server, policy(allow("sts:AssumeRole")))
    role = make_role(server, trust({"AWS": trusted.arn}))
    trusted.client("sts").assume_role(RoleArn=role, RoleSessionName="ok")
    with pytest.raises(ClientError) as refused:
        stranger.client("sts").assume_role(RoleArn=role, RoleSessionName="no")
    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (f"User: {stranger.arn} is not authorized to perform: sts:AssumeRole on resource: "
                                f"{role} because no role trust policy allows the sts:AssumeRole action")


def test_trusting_the_account_delegates_to_identity_policies(server: LaminaServer) -> None:
    role = make_role(server, trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    without = make_user(server)
    with pytest.raises(ClientError) as refused:
        without.client("sts").assume_role(RoleArn=role, RoleSessionName="sx")
    assert "because no identity-based policy allows the sts:AssumeRole action" in refused.value.response["Error"]["Message"]
    allowed = make_user(server, policy(allow("sts:AssumeRole", role)))
    allowed.client("sts").assume_role(RoleArn=role, RoleSessionName="sx")


def test_root_cannot_assume_roles_and_unknown_roles_are_denied(server: LaminaServer) -> None:
    role = make_role(server, trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    with pytest.raises(ClientError) as root:
        server.client("sts").assume_role(RoleArn=role, RoleSessionName="sx")
    assert root.value.response["Error"] == {"Type": "Sender", "Code": "AccessDenied",
                                            "Message": "Roles may not be assumed by root accounts."}
    user = make_user(server, policy(allow("sts:AssumeRole")))
    with pytest.raises(ClientError) as unknown:
        user.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/no-such-role", RoleSessionName="sx")
    assert unknown.value.response["Error"]["Code"] == "AccessDenied"


def test_external_id_condition(server: LaminaServer) -> None:
    user = make_user(server)
    role = make_role(server, trust({"AWS": user.arn}, StringEquals={"sts:ExternalId": "secret-42"}))
    sts = user.client("sts")
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=role, RoleSessionName="sx")
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=role, RoleSessionName="sx", ExternalId="wrong-id")
    sts.assume_role(RoleArn=role, RoleSessionName="sx", ExternalId="secret-42")


def test_session_policy_narrows_the_role(server: LaminaServer) -> None:
    user = make_user(server)
    role = make_role(server, trust({"AWS": user.arn}), policy(allow(["lambda:ListFunctions", "iam:ListRoles"])))
    narrowed = user.client("sts").assume_role(RoleArn=role, RoleSessionName="narrow",
                                              Policy=policy(allow("lambda:ListFunctions")))
    assert narrowed["PackedPolicySize"] > 0
    session = from_credentials(server, narrowed["Credentials"])
    session.client("lambda").list_functions()
    with pytest.raises(ClientError) as refused:
        session.client("iam").list_roles()
    assert refused.value.response["Error"]["Message"].endswith(
        "because no session policy allows the iam:ListRoles action")
    full = from_credentials(server, user.client("sts").assume_role(RoleArn=role, RoleSessionName="full")["Credentials"])
    full.client("iam").list_roles()
    with pytest.raises(ClientError) as malformed:
        user.client("sts").assume_role(RoleArn=role, RoleSessionName="bad", Policy='{"Statement": 1}')
    assert malformed.value.response["Error"]["Code"] == "MalformedPolicyDocument"


def test_durations(server: LaminaServer) -> None:
    user = make_user(server)
    role = make_role(server, trust({"AWS": user.arn}), MaxSessionDuration=7200)
    sts = user.client("sts")
    two_hours = sts.assume_role(RoleArn=role, RoleSessionName="sx", DurationSeconds=7200)["Credentials"]
    assert two_hours["Expiration"] - dt.datetime.now(dt.timezone.utc) > dt.timedelta(minutes=119)
    with pytest.raises(ClientError) as too_long:
        sts.assume_role(RoleArn=role, RoleSessionName="sx", DurationSeconds=7201)
    assert too_long.value.response["Error"] == {
        "Type": "Sender", "Code": "ValidationError",
        "Message": "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."}
    chained_role = make_role(server, trust({"AWS": role}), MaxSessionDuration=7200)
    session = from_credentials(server, sts.assume_role(RoleArn=role, RoleSessionName="sx")["Credentials"])
    with pytest.raises(ClientError) as chained:
        session.client("sts").assume_role(RoleArn=chained_role, RoleSessionName="sy", DurationSeconds=7200)
    assert "1 hour session limit for roles assuming other roles" in chained.value.response["Error"]["Message"]
    session.client("sts").assume_role(RoleArn=chained_role, RoleSessionName="sy")


def test_get_session_token(server: LaminaServer) -> None:
    user = make_user(server, policy(allow("lambda:ListFunctions")))
    credentials = user.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    session = from_credentials(server, credentials)
    assert session.client("sts").get_caller_identity()["Arn"] == user.arn
    session.client("lambda").list_functions()  # the user's own permissions
    with pytest.raises(ClientError) as again:
        session.client("sts").get_session_token()
    assert again.value.response["Error"]["Message"] == "Cannot call GetSessionToken with session credentials"


def test_a_wrong_session_token_is_refused(server: LaminaServer) -> None:
    user = make_user(server)
    role = make_role(server, trust({"AWS": user.arn}))
    credentials = dict(user.client("sts").assume_role(RoleArn=role, RoleSessionName="sx")["Credentials"])
    credentials["SessionToken"] = "not-the-token"
    with pytest.raises(ClientError) as refused:
        from_credentials(server, credentials).client("sts").get_caller_identity()
    assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_expired_tokens_are_refused(fresh_server: LaminaServer) -> None:
    # Credentials last 1/500 of their AWS duration here: AssumeRole's minimum of 900 s becomes 1.8 s.
    fresh_server.extra_env = {"LAMINA_CREDENTIAL_DURATION_SCALE": "0.002"}
    fresh_server.start()
    user = make_user(fresh_server, policy(allow("lambda:ListFunctions")))
    role = make_role(fresh_server, trust({"AWS": user.arn}), policy(allow("lambda:ListFunctions")))
    credentials = user.client("sts").assume_role(RoleArn=role, RoleSessionName="short", DurationSeconds=900)[
        "Credentials"]
    session = from_credentials(fresh_server, credentials)
    session.client("lambda").list_functions()
    wait = (credentials["Expiration"] - dt.datetime.now(dt.timezone.utc)).total_seconds()
    assert 0 < wait < 3
    time.sleep(wait + 0.2)  # the clock is what expires them; nothing else to wait on
    with pytest.raises(ClientError) as expired_json:
        session.client("lambda").list_functions()
    assert expired_json.value.response["Error"]["Code"] == "ExpiredTokenException"
    assert expired_json.value.response["Error"]["Message"] == "The security token included in the request is expired"
    assert expired_json.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as expired_query:
        session.client("sts").get_caller_identity()
    assert expired_query.value.response["Error"]["Code"] == "ExpiredToken"
