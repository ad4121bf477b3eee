"""Random policy documents: reading one either succeeds or raises PolicyProblem (IAM's refusal),
and evaluating whatever was accepted never fails, whatever the request."""

from __future__ import annotations

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamina.iam.context import principal_keys
from lamina.iam.document import PolicyKind, PolicyProblem
from lamina.iam.evaluation import Policies, Request, evaluate
from lamina.iam.principal import Principal
from lamina.iam.statement import compile_policy

WHO = [Principal(arn="arn:aws:iam::123456789012:user/u", account_id="123456789012", kind="user", name="u",
                 tags={"team": "a"}),
       Principal(arn="arn:aws:sts::123456789012:assumed-role/r/s", account_id="123456789012", kind="assumed-role",
                 role_arn="arn:aws:iam::123456789012:role/r", issued_at=1.0),
       Principal(arn="events.amazonaws.com", account_id="", kind="service", name="events.amazonaws.com"),
       Principal(arn="arn:aws:iam::123456789012:root", account_id="123456789012", kind="root")]

_words = st.sampled_from(["*", "?", "s3:*", "lambda:Invoke*", "iam:Get?ser", "a:b:c", "", "arn:aws:s3:::b/*",
                          "arn:aws:lambda:*:*:function:f", "arn:aws:iam::123456789012:role/r", "123456789012",
                          "${aws:username}", "${aws:PrincipalTag/team, 'x'}", "${*}", "10.0.0.0/8", "true",
                          "2020-01-01T00:00:00Z", "1.5", "events.amazonaws.com", "arn:aws:iam:us-east-1:1:user/u",
                          "StringLike", "ForAllValues:StringEquals", "NumericLessThanIfExists", "Null", "Bool",
                          "DateGreaterThan", "ArnLike", "IpAddress", "aws:SourceIp", "aws:username", "aws:CurrentTime",
                          "aws:PrincipalTag/team", "Allow", "Deny", "AWS", "Service"])
_scalars = st.one_of(_words, st.text(max_size=8), st.integers(-5, 5), st.booleans(), st.none(), st.floats(allow_nan=True))
_json = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(_words, st.text(max_size=6)), inner, max_size=4)),
    max_leaves=20)

_field_values = {
    "Effect": st.one_of(st.sampled_from(["Allow", "Deny"]), _json),
    "Action": st.one_of(_words, st.lists(_words, max_size=3), _json),
    "NotAction": st.one_of(_words, st.lists(_words, max_size=3)),
    "Resource": st.one_of(_words, st.lists(_words, max_size=3), _json),
    "NotResource": st.one_of(_words, st.lists(_words, max_size=3)),
    "Principal": st.one_of(st.just("*"), st.dictionaries(st.sampled_from(["AWS", "Service", "Federated", "X"]),
                                                         st.one_of(_words, st.lists(_words, max_size=3)), max_size=2)),
    "NotPrincipal": st.dictionaries(st.sampled_from(["AWS", "Service"]), st.one_of(_words, st.lists(_words, max_size=2)),
                                    max_size=2),
    "Condition": st.one_of(_json, st.dictionaries(_words, st.dictionaries(_words, st.one_of(
        _words, st.lists(_words, max_size=3), st.integers(-10**6, 10**6), st.booleans()), max_size=2), max_size=2)),
    "Sid": st.one_of(_words, st.text(max_size=5)),
}
_statement = st.fixed_dictionaries({}, optional=_field_values)
_document = st.fixed_dictionaries({}, optional={
    "Version": st.sampled_from(["2012-10-17", "2008-10-17", "2012-10-18", None]),
    "Statement": st.one_of(_statement, st.lists(_statement, max_size=4), _json), "Id": _json})
# Mostly well-formed documents, so that evaluation gets exercised as much as refusal.
_actions = st.sampled_from(["*", "s3:*", "lambda:Invoke*", "iam:Get?ser", "sqs:SendMessage", "sts:AssumeRole",
                            "lambda:InvokeFunction"])
_resources = st.sampled_from(["*", "arn:aws:s3:::b/*", "arn:aws:lambda:*:*:function:f", "arn:aws:s3:::${aws:username}/*",
                              "arn:aws:iam::123456789012:role/r", "arn:aws:sqs:us-east-1:123456789012:q?",
                              "arn:aws:s3:::x-${aws:PrincipalTag/team, 'none'}"])
_operators = st.sampled_from(["StringEquals", "StringNotLike", "StringEqualsIgnoreCase", "ForAnyValue:StringLike",
                              "ForAllValues:StringNotEquals", "NumericLessThan", "DateGreaterThanEquals", "Bool",
                              "BoolIfExists", "IpAddress", "NotIpAddress", "ArnLike", "ArnNotEquals", "Null",
                              "BinaryEquals", "StringLikeIfExists"])
_keys = st.sampled_from(["aws:SourceIp", "aws:username", "aws:CurrentTime", "aws:SourceArn", "aws:PrincipalTag/team",
                         "s3:prefix", "aws:TagKeys", "aws:SecureTransport", "aws:EpochTime"])
_values = st.one_of(_words, st.lists(_words, min_size=1, max_size=3), st.integers(-10, 10), st.booleans())
_plausible_statement = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny"]),
     "Action": st.one_of(_actions, st.lists(_actions, min_size=1, max_size=3)),
     "Resource": st.one_of(_resources, st.lists(_resources, min_size=1, max_size=3))},
    optional={"Condition": st.dictionaries(_operators, st.dictionaries(_keys, _values, min_size=1, max_size=2),
                                           max_size=2),
              "Principal": st.one_of(st.just("*"), st.fixed_dictionaries({"AWS": st.sampled_from(
                  ["123456789012", "arn:aws:iam::123456789012:role/r", "arn:aws:iam::123456789012:user/u", "*"])}),
                  st.fixed_dictionaries({"Service": st.just("events.amazonaws.com")})),
              "Sid": st.from_regex(r"[A-Za-z0-9]{0,6}", fullmatch=True)})
_plausible = st.fixed_dictionaries({"Version": st.sampled_from(["2012-10-17", "2008-10-17"]),
                                    "Statement": st.lists(_plausible_statement, min_size=1, max_size=4)})
_context = st.dictionaries(st.sampled_from(["aws:sourceip", "aws:username", "aws:currenttime", "aws:sourcearn",
                                            "aws:principaltag/team", "s3:prefix", "aws:tagkeys"]),
                           st.one_of(_words, st.tuples(_words, _words)), max_size=4)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=st.one_of(_plausible, _plausible, _document, _json), kind=st.sampled_from(list(PolicyKind)),
       who=st.sampled_from(WHO), action=_words, resource=_words, context=_context)
def test_random_documents_are_refused_or_evaluated(document: object, kind: PolicyKind, who: Principal, action: str,
                                                    resource: str, context: dict) -> None:
    text = orjson.dumps(document, option=orjson.OPT_NON_STR_KEYS).decode() if document is not None else "null"
    try:
        policy = compile_policy(text, kind)
    except PolicyProblem as problem:
        assert problem.message
        return
    request = Request(who, action, resource, {**principal_keys(who), **context})
    if kind is PolicyKind.IDENTITY:
        evaluate(request, Policies(identity=[policy], session=[policy]))
    else:
        evaluate(request, Policies(resource=policy), resource_required=kind is PolicyKind.TRUST)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=60), st.binary(max_size=60).map(lambda b: b.decode("latin-1"))))
def test_random_text_is_refused_cleanly(text: str) -> None:
    try:
        compile_policy(text)
    except PolicyProblem:
        pass
