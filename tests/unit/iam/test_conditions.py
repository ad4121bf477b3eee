"""Condition operators, one behaviour at a time
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)."""

from __future__ import annotations

import pytest

from lamina.iam.conditions import compile_clause, known_operator
from lamina.iam.context import Context
from lamina.iam.document import ConditionClause


def holds(operator: str, key: str, values: list[str] | str, context: Context, variables: bool = True) -> bool:
    items = tuple(values) if isinstance(values, list) else (values,)
    return compile_clause(ConditionClause(operator, key, items), variables)({k.lower(): v for k, v in context.items()})


@pytest.mark.parametrize("operator, values, context, expected", [
    ("StringEquals", "a", {"k:x": "a"}, True),
    ("StringEquals", "a", {"k:x": "A"}, False),
    ("StringEqualsIgnoreCase", "a", {"k:x": "A"}, True),
    ("StringNotEquals", ["a", "b"], {"k:x": "c"}, True),
    ("StringNotEquals", ["a", "b"], {"k:x": "b"}, False),
    ("StringLike", "a*c?", {"k:x": "abbbcd"}, True),
    ("StringLike", "a*c?", {"k:x": "abbbc"}, False),
    ("StringNotLike", "a*", {"k:x": "ba"}, True),
    ("NumericLessThan", "10", {"k:x": "9.5"}, True),
    ("NumericLessThan", "10", {"k:x": "ten"}, False),
    ("NumericGreaterThanEquals", "10", {"k:x": "10"}, True),
    ("NumericNotEquals", "10", {"k:x": "11"}, True),
    ("DateGreaterThan", "2020-01-01T00:00:00Z", {"k:x": "2021-06-01T12:00:00Z"}, True),
    ("DateLessThan", "2020-01-01T00:00:00Z", {"k:x": "1577836799"}, True),  # epoch seconds
    ("DateEquals", "2020-01-01T00:00:00Z", {"k:x": "2020-01-01T00:00:00+00:00"}, True),
    ("Bool", "true", {"k:x": "TRUE"}, True),
    ("Bool", "false", {"k:x": "true"}, False),
    ("BinaryEquals", "QmluYXJ5", {"k:x": "QmluYXJ5"}, True),
    ("IpAddress", "203.0.113.0/24", {"k:x": "203.0.113.9"}, True),
    ("IpAddress", "203.0.113.5", {"k:x": "203.0.113.5"}, True),  # an address alone is a /32
    ("IpAddress", "203.0.113.0/24", {"k:x": "2001:db8::1"}, False),
    ("NotIpAddress", "10.0.0.0/8", {"k:x": "192.0.2.1"}, True),
    ("ArnLike", "arn:aws:sns:*:123456789012:topic-*", {"k:x": "arn:aws:sns:eu-west-1:123456789012:topic-a"}, True),
    ("ArnLike", "arn:aws:sns:*:123456789012:*", {"k:x": "arn:aws:sns:eu-west-1:999999999999:x:123456789012:y"}, False),
    ("ArnNotEquals", "arn:aws:sns:*:*:a", {"k:x": "arn:aws:sns:us-east-1:1:b"}, True),
])
def test_operators(operator: str, values: list[str] | str, context: Context, expected: bool) -> None:
    assert holds(operator, "k:x", values, context) is expected


@pytest.mark.parametrize("operator, expected", [
    ("StringEquals", False), ("StringNotEquals", True), ("StringLikeIfExists", True),
    ("StringNotEqualsIfExists", True), ("ForAnyValue:StringEquals", False), ("ForAllValues:StringEquals", True),
    ("ArnNotLike", True), ("NumericLessThan", False), ("NotIpAddress", True),
])
def test_a_missing_key(operator: str, expected: bool) -> None:
    assert holds(operator, "k:missing", "v", {}) is expected


def test_null() -> None:
    assert holds("Null", "k:x", "true", {}) and not holds("Null", "k:x", "true", {"k:x": "v"})
    assert holds("Null", "k:x", "false", {"k:x": "v"}) and not holds("Null", "k:x", "false", {})


def test_set_operators_on_multivalued_keys() -> None:
    context = {"aws:TagKeys": ("a", "b")}
    assert holds("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b", "c"], context)
    assert not holds("ForAllValues:StringEquals", "aws:TagKeys", ["a"], context)
    assert holds("ForAnyValue:StringEquals", "aws:TagKeys", ["b"], context)
    assert not holds("ForAnyValue:StringEquals", "aws:TagKeys", ["z"], context)
    assert holds("ForAllValues:StringNotEquals", "aws:TagKeys", ["y", "z"], context)
    assert holds("ForAnyValue:StringNotEquals", "aws:TagKeys", ["a"], context)


def test_keys_are_case_insensitive_values_are_not() -> None:
    assert holds("StringEquals", "AWS:SourceAccount", "123", {"aws:sourceaccount": "123"})


def test_policy_variables_in_values() -> None:
    context = {"aws:username": "ann", "s3:prefix": "ann/photos"}
    assert holds("StringLike", "s3:prefix", "${aws:username}/*", context)
    assert not holds("StringLike", "s3:prefix", "${aws:username}/*", context, variables=False)
    assert not holds("StringLike", "s3:prefix", "${aws:userid}/*", context)  # no value: no match
    assert holds("StringEquals", "k:x", "a${*}b", {"k:x": "a*b"})  # ${*} is a literal asterisk
    assert not holds("StringLike", "k:x", "a${*}b", {"k:x": "axb"})
    assert holds("StringEquals", "k:x", "${aws:PrincipalTag/team, 'none'}", {"k:x": "none"})


@pytest.mark.parametrize("name, known", [
    ("StringEquals", True), ("stringequals", True), ("ForAnyValue:ArnLikeIfExists", True), ("NullIfExists", False),
    ("StringEqual", False), ("Sometimes:StringEquals", False), ("IpAddressIfExists", True),
])
def test_operator_names(name: str, known: bool) -> None:
    assert known_operator(name) is known
