"""Subscription filter policies (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html)."""

from __future__ import annotations

import json

import pytest

from lamina.services.sns.filter_policy import PolicyError, attribute_values, matches, parse


def attrs(**values: tuple[str, str]) -> dict:  # type: ignore[type-arg]
    return attribute_values({k: {"DataType": t, "StringValue": v} for k, (t, v) in values.items()})


@pytest.mark.parametrize("policy, message, expected", [
    ({"store": ["example_corp"]}, attrs(store=("String", "example_corp")), True),
    ({"store": ["example_corp"]}, attrs(store=("String", "other")), False),
    ({"store": ["example_corp"]}, attrs(), False),
    ({"price": [{"numeric": [">=", 100, "<", 200]}]}, attrs(price=("Number", "150")), True),
    ({"price": [{"numeric": [">=", 100, "<", 200]}]}, attrs(price=("Number", "200")), False),
    ({"price": [100]}, attrs(price=("Number", "100.0")), True),
    ({"event": [{"prefix": "order-"}]}, attrs(event=("String", "order-placed")), True),
    ({"event": [{"suffix": "-placed"}]}, attrs(event=("String", "order-placed")), True),
    ({"event": [{"anything-but": ["order-placed", "x"]}]}, attrs(event=("String", "order-placed")), False),
    ({"event": [{"anything-but": {"prefix": "order"}}]}, attrs(event=("String", "refund")), True),
    ({"event": [{"equals-ignore-case": "ORDER"}]}, attrs(event=("String", "order")), True),
    ({"tag": [{"exists": False}]}, attrs(), True),
    ({"tag": [{"exists": True}]}, attrs(tag=("String", "x")), True),
    ({"colour": ["red"]}, attrs(colour=("String.Array", json.dumps(["blue", "red"]))), True),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, attrs(ip=("String", "10.0.0.7")), True),
    ({"a": ["1"], "b": ["2"]}, attrs(a=("String", "1"), b=("String", "3")), False),
    ({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, attrs(b=("String", "2")), True),
    ({"order": {"state": ["paid"]}}, {"order": {"state": "paid"}}, True),
    ({"order": {"state": ["paid"]}}, {"order": "paid"}, False),
])
def test_matching(policy: dict, message: dict, expected: bool) -> None:  # type: ignore[type-arg]
    assert matches(parse(json.dumps(policy)), message) is expected


@pytest.mark.parametrize("text", ["not json", "[1]", '{"a": []}', '{"a": [{"nope": 1}]}', '{"a": 5}',
                                  '{"a": [{"numeric": [">"]}]}', '{"$or": [{"a": ["1"]}]}',
                                  json.dumps({f"k{i}": list(range(10)) for i in range(3)})])
def test_refused_policies(text: str) -> None:
    with pytest.raises(PolicyError):
        parse(text)
