"""Remembered decisions are the evaluator's decisions: whatever the sequence of requests, the cache answers what
``evaluate`` answers, and it evaluates again exactly when a context key the decision read holds another value."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from lamina.iam.context import context_of, principal_keys, request_keys
from lamina.iam.decision_cache import DecisionCache
from lamina.iam.document import PolicyKind
from lamina.iam.evaluation import Policies, Request, evaluate
from lamina.iam.principal import Principal, anonymous_principal
from lamina.iam.statement import compile_policy

ACCOUNT = "123456789012"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"
WHO = [Principal(arn=f"arn:aws:iam::{ACCOUNT}:user/ana", account_id=ACCOUNT, kind="user", name="ana",
                 user_id="AIDAANA", tags={"team": "a"}),
       Principal(arn=f"arn:aws:iam::{ACCOUNT}:user/bo", account_id=ACCOUNT, kind="user", name="bo",
                 user_id="AIDABO", tags={"team": "b"}),
       Principal(arn=f"arn:aws:iam::{ACCOUNT}:root", account_id=ACCOUNT, kind="root"),
       anonymous_principal("")]
IDENTITY = [{"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "lambda:*", "Resource": FUNCTION,
     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"},
    {"Effect": "Allow", "Action": "lambda:GetFunction", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a", "aws:RequestedRegion": "us-east-1"},
                   "Bool": {"aws:SecureTransport": "true"}}},
    {"Effect": "Deny", "Action": "lambda:DeleteFunction", "Resource": "*",
     "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2025-06-15T12:00:00Z"}}},
]}]
RESOURCE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunctionUrl", "Resource": FUNCTION,
     "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}},
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bo"}, "Action": "lambda:*",
     "Resource": FUNCTION, "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}},
]}
ACTIONS = ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl", "lambda:GetFunction", "lambda:DeleteFunction",
           "s3:GetObject"]
RESOURCES = [FUNCTION, f"{FUNCTION}:live", "arn:aws:s3:::home/ana/notes", "arn:aws:s3:::home/bo/notes"]
ADDRESSES = ["10.1.2.3", "192.0.2.7", "203.0.113.9", None]
TIMES = [1_749_988_800.0, 1_749_988_800.5, 1_749_992_400.0, 1_750_000_000.0]  # both sides of the Deny's date


def _policies(with_identity: bool, with_resource: bool) -> Policies:
    identity = [compile_policy(orjson.dumps(p).decode()) for p in IDENTITY] if with_identity else []
    resource = compile_policy(orjson.dumps(RESOURCE).decode(), PolicyKind.RESOURCE) if with_resource else None
    return Policies(identity=identity, resource=resource)


POLICY_SETS = [_policies(True, True), _policies(True, False), _policies(False, True)]
_request = st.tuples(st.integers(0, len(WHO) - 1), st.sampled_from(ACTIONS), st.sampled_from(RESOURCES),
                     st.sampled_from(ADDRESSES), st.sampled_from(TIMES), st.booleans(),
                     st.sampled_from(["us-east-1", "eu-west-1"]), st.sampled_from(["NONE", "AWS_IAM", None]),
                     st.integers(0, len(POLICY_SETS) - 1))


def _request_of(who: Principal, action: str, resource: str, address: str | None, now: float, secure: bool,
                region: str, auth_type: str | None) -> Request:
    context = {**request_keys(now=now, region=region, source_ip=address, secure=secure), **principal_keys(who),
               **context_of({"lambda:FunctionUrlAuthType": auth_type})}
    return Request(who, action, resource, context, ACCOUNT)


@settings(max_examples=200, deadline=None)
@given(requests=st.lists(_request, min_size=1, max_size=40))
def test_the_cache_answers_what_the_evaluator_answers(requests: list[tuple]) -> None:
    cache = DecisionCache()
    for who, action, resource, address, now, secure, region, auth_type, policy_set in requests:
        request = _request_of(WHO[who], action, resource, address, now, secure, region, auth_type)
        policies = POLICY_SETS[policy_set]
        assert cache.decide(request, policies) == evaluate(request, policies)


def test_keys_the_decision_did_not_read_do_not_matter_and_those_it_read_do() -> None:
    cache = DecisionCache()
    policies = POLICY_SETS[2]  # the resource policy alone: a public URL reads lambda:FunctionUrlAuthType only
    anyone = WHO[3]

    def decide(address: str | None, now: float, auth_type: str) -> bool:
        request = _request_of(anyone, "lambda:InvokeFunctionUrl", FUNCTION, address, now, True, "us-east-1",
                              auth_type)
        return cache.decide(request, policies).allowed

    assert decide("10.1.2.3", TIMES[0], "NONE")
    assert decide("203.0.113.9", TIMES[3], "NONE")  # another address and time: the remembered decision
    assert [len(variants) for _, variants in cache._requests.values()] == [1]
    assert not decide("10.1.2.3", TIMES[0], "AWS_IAM")  # a key it read changed: evaluated again
    assert decide("10.1.2.3", TIMES[0], "NONE")
    assert [len(variants) for _, variants in cache._requests.values()] == [2]


def test_a_changed_policy_is_a_new_decision() -> None:
    cache = DecisionCache()
    request = _request_of(WHO[3], "lambda:InvokeFunctionUrl", FUNCTION, None, TIMES[0], True, "us-east-1", "NONE")
    assert cache.decide(request, POLICY_SETS[2]).allowed
    revoked = compile_policy(orjson.dumps({**RESOURCE, "Statement": RESOURCE["Statement"][1:]}).decode(),
                             PolicyKind.RESOURCE)
    assert not cache.decide(request, Policies(resource=revoked)).allowed
