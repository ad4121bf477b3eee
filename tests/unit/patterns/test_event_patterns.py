"""Event patterns against the examples of the AWS documentation:
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
"""

from __future__ import annotations

import pytest

from lamina.patterns import InvalidPattern, compile_pattern

EC2_EVENT = {
    "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2", "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated", "c-count": 5, "d-count": 3,
               "x-limit": 301.8, "source-ip": "10.0.0.123", "FileName": "image.png", "location": None,
               "users": ["alice", "bob"]},
}


def matches(pattern: dict, event: dict = EC2_EVENT) -> bool:
    return compile_pattern(pattern).matches(event)


@pytest.mark.parametrize("pattern, expected", [
    ({"source": ["aws.ec2"]}, True),
    ({"source": ["aws.s3", "aws.ec2"]}, True),  # an array is an OR
    ({"source": ["aws.s3"]}, False),
    ({"source": ["aws.ec2"], "detail-type": ["Nope"]}, False),  # fields are ANDed
    ({"detail": {"state": ["terminated"]}}, True),  # nested fields
    ({"detail": {"c-count": [5]}}, True),
    ({"detail": {"c-count": [5.0]}}, True),  # numbers match by value
    ({"detail": {"c-count": ["5"]}}, False),  # a string is not a number
    ({"detail": {"location": [None]}}, True),  # null matching
    ({"detail": {"users": ["bob"]}}, True),  # an event array matches when any element does
    ({"time": [{"prefix": "2017-12-22"}]}, True),
    ({"time": [{"prefix": "2018"}]}, False),
    ({"detail": {"FileName": [{"suffix": ".png"}]}}, True),
    ({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".PNG"}}]}}, True),
    ({"detail": {"instance-id": [{"prefix": {"equals-ignore-case": "I-12"}}]}}, True),
    ({"detail": {"state": [{"anything-but": "initializing"}]}}, True),
    ({"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}}, False),
    ({"detail": {"x-limit": [{"anything-but": [100, 301.8]}]}}, False),
    ({"region": [{"anything-but": {"prefix": "us-"}}]}, False),
    ({"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}}, False),
    ({"detail": {"state": [{"anything-but": {"equals-ignore-case": ["TERMINATED", "x"]}}]}}, False),
    ({"detail": {"FileName": [{"anything-but": {"wildcard": "*.jpg"}}]}}, True),
    ({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}, True),
    ({"detail": {"d-count": [{"numeric": ["<", 10]}]}}, True),
    ({"detail": {"x-limit": [{"numeric": ["=", 301.8]}]}}, True),
    ({"detail": {"c-count": [{"numeric": [">", 5]}]}}, False),
    ({"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}, True),
    ({"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}, False),
    ({"detail": {"state": [{"exists": True}]}}, True),
    ({"detail": {"state": [{"exists": False}]}}, False),
    ({"detail": {"nothing": [{"exists": False}]}}, True),
    ({"nothing": {"deeper": [{"exists": False}]}}, True),
    ({"detail": {"state": [{"equals-ignore-case": "TeRmInAtEd"}]}}, True),
    ({"detail": {"FileName": [{"wildcard": "*.png"}]}}, True),
    ({"resources": [{"wildcard": "arn:aws:ec2:*:123456789012:instance/*"}]}, True),
    ({"detail": {"FileName": [{"wildcard": "*.jpg"}]}}, False),
    ({"source": ["aws.ec2"], "$or": [{"detail": {"c-count": [{"numeric": [">", 10]}]}},
                                     {"detail": {"d-count": [{"numeric": ["<", 10]}]}}]}, True),
    ({"$or": [{"source": ["x"]}, {"detail": {"state": ["running"]}}]}, False),
])
def test_documented_examples(pattern: dict, expected: bool) -> None:
    assert matches(pattern) is expected


def test_wildcard_escapes_a_literal_star() -> None:
    assert matches({"name": [{"wildcard": "a\\*b"}]}, {"name": "a*b"})
    assert not matches({"name": [{"wildcard": "a\\*b"}]}, {"name": "axxb"})


def test_cidr_takes_ipv6() -> None:
    assert matches({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db8::1"})
    assert not matches({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "not-an-ip"})


def test_exists_true_does_not_match_an_object() -> None:
    assert not matches({"detail": [{"exists": True}]})


@pytest.mark.parametrize("pattern, reason", [
    ("[1]", "Filter is not an object"),
    ("{bad json", "Unrecognized token"),
    ('{"source": "aws.ec2"}', '"source" must be an object or an array'),
    ('{"source": []}', "Empty arrays are not allowed"),
    ('{"source": [[1]]}', "Match value must be String, number, true, false, or null"),
    ('{"source": [{"prefix2": "a"}]}', "Unrecognized match type prefix2"),
    ('{"source": [{"prefix": 1}]}', "prefix match pattern must be a string"),
    ('{"source": [{"exists": "yes"}]}', "exists match pattern must be either true or false."),
    ('{"n": [{"numeric": [">", "a"]}]}', "Value of > must be numeric"),
    ('{"n": [{"numeric": ["!", 1]}]}', "Unrecognized numeric range operator: !"),
    ('{"n": [{"numeric": [">", 5, "<", 1]}]}', "Bottom must be less than top"),
    ('{"n": [{"numeric": [">", 5, ">", 1]}]}', "one lower and one upper bound"),
    ('{"ip": [{"cidr": "10.0.0.0/99"}]}', "Nonstandard IP address"),
    ('{"f": [{"wildcard": "a**b"}]}', "Consecutive wildcard characters at pos 2"),
    ('{"f": [{"anything-but": [1, "a"]}]}', "only all strings or all numbers"),
    ('{"f": [{"anything-but": {"infix": "a"}}]}', "Unsupported anything-but pattern: infix"),
    ('{"$or": [{"a": [1]}]}', 'at least 2 Json objects under "$or"'),
    ('{"f": [{"prefix": "a", "suffix": "b"}]}', "Only one key allowed"),
])
def test_invalid_patterns_name_the_reason(pattern: str, reason: str) -> None:
    with pytest.raises(InvalidPattern) as raised:
        compile_pattern(pattern)
    assert str(raised.value).startswith("Event pattern is not valid. Reason: ")
    assert reason in str(raised.value)


def test_may_match_rules_out_events_by_their_known_top_level_fields() -> None:
    pattern = compile_pattern({"source": ["aws.sqs"], "detail": {"eventName": ["CreateQueue"]}})
    assert pattern.may_match({"source": "aws.sqs", "detail-type": "AWS API Call via CloudTrail"})
    assert not pattern.may_match({"source": "aws.lambda"})
    assert compile_pattern({"detail": {"x": [1]}}).may_match({"source": "anything"})  # nothing known is tested
    either = compile_pattern({"$or": [{"source": ["a"]}, {"source": ["b"]}]})
    assert either.may_match({"source": "c"})  # $or is not looked into: may_match stays sound
